"""The progress formula of SPEC.md §4 and the reporting periods of a term."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class TaskProgress:
    """One plan task as the formula sees it: its dates, weight and latest completion (0-100)."""

    start: date
    due: date
    weight: float
    completion: float | None = None


def to_cent(value: float) -> float:
    """`value` rounded to 2 decimals, a half rounded up (四舍五入).

    A sum of a plan's terms carries float noise that depends on the order of the additions,
    which a database does not fix: 10.015 may come out as 10.0149999… or as 10.0150000…1.
    A tolerance of a millionth of a hundredth sets that noise aside, so that every backend and
    every run gives the same figure.
    """
    return math.floor(value * 100 + 0.5 + 1e-6) / 100


@dataclass(frozen=True)
class Progress:
    """Planned and actual progress in percent (2 decimals) and their difference in points."""

    planned: float
    actual: float | None

    @property
    def lag(self) -> float | None:
        """planned − actual in percentage points; None before the first report."""
        return None if self.actual is None else to_cent(self.planned - self.actual)


def task_elapsed(task: TaskProgress, day: date) -> float:
    """clamp((day − start) / (due − start), 0, 1); a task due on its start day is due at once."""
    span = (task.due - task.start).days
    if span <= 0:
        return 1.0 if day >= task.due else 0.0
    return min(max((day - task.start).days / span, 0.0), 1.0)


def progress(tasks: Iterable[TaskProgress], day: date, reported: bool) -> Progress:
    """Planned and actual progress of a plan on `day`.

    planned = Σ wᵢ · clamp((day − startᵢ)/(dueᵢ − startᵢ), 0, 1) / Σ wᵢ
    actual  = Σ wᵢ · completionᵢ / Σ wᵢ, completion from the latest report (absent → 0)

    Both are percentages rounded to 2 decimals (`to_cent`), and the lag is computed from the
    rounded values, so the figure a reader sees is the figure the thresholds compare: a lag of
    exactly 10.00 is not "more than 10". `reported` is False before the first report,
    when actual (and the lag) are None. An empty plan is 0% planned.
    """
    total = planned = actual = 0.0
    for t in tasks:
        total += t.weight
        planned += t.weight * task_elapsed(t, day)
        actual += t.weight * (t.completion or 0.0)
    return progress_from_sums(total, planned, actual, reported)


def progress_from_sums(total: float, planned: float, actual: float, reported: bool) -> Progress:
    """The formula's division and rounding, given Σ wᵢ, Σ wᵢ · elapsedᵢ and Σ wᵢ · completionᵢ.

    Shared by `progress` and the database queries that add up the same terms.
    """
    if total <= 0:
        return Progress(0.0, 0.0 if reported else None)
    return Progress(to_cent(100 * planned / total), to_cent(actual / total) if reported else None)


@dataclass(frozen=True)
class Standing:
    """Where a project stands on a day t (SPEC.md §4).

    Progress is judged at the latest report dated d ≤ t: planned P(d), actual A(d) and the
    lag P(d) − A(d), the lag that counts on t. Between reports the plan keeps rising, but
    that is not lag (a missing report is the overdue rule's). Before the first report there
    is no judgement. `planned_today`, P(t), is shown for information only.
    """

    judged: Progress | None
    report_date: date | None
    planned_today: float

    @property
    def planned(self) -> float | None:
        return self.judged.planned if self.judged else None

    @property
    def actual(self) -> float | None:
        return self.judged.actual if self.judged else None

    @property
    def lag(self) -> float | None:
        return self.judged.lag if self.judged else None


def standing(tasks: Sequence[TaskProgress], report_date: date | None, day: date) -> Standing:
    """The standing on `day` of a plan whose `tasks` carry their completion as of `report_date`,
    the latest report on or before `day` (None: no report yet)."""
    judged = progress(tasks, report_date, reported=True) if report_date else None
    return Standing(judged, report_date, progress(tasks, day, reported=False).planned)


def standing_from_sums(
    total: float, at_report: float | None, actual: float, today: float, report_date: date | None
) -> Standing:
    """`standing` from the sums the database adds up: Σ wᵢ, Σ wᵢ · elapsedᵢ(d),
    Σ wᵢ · completionᵢ(d) and Σ wᵢ · elapsedᵢ(t), d being `report_date`."""
    judged = (
        progress_from_sums(total, at_report or 0.0, actual, reported=True) if report_date else None
    )
    return Standing(judged, report_date, progress_from_sums(total, today, 0.0, False).planned)


def is_behind(lag: float | None, threshold: float) -> bool:
    """ "Behind schedule by more than `threshold` points" (进度滞后): lag strictly above it."""
    return lag is not None and lag > threshold


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Period:
    """A reporting period: its number in the term and its first and last days (inclusive)."""

    seq: int
    opens: date
    closes: date


def report_periods(start: date, end: date, months: int | None) -> list[Period]:
    """The reporting periods of a term starting `start` and ending `end` (SPEC.md §4).

    Period k covers the `months` months from start + (k − 1)·months: a term of 2027-01-01 to
    2027-12-31 with quarterly periods (months = 3) has periods closing on 03-31, 06-30, 09-30
    and 12-31. The last period closes on the term's end; a stub shorter than a month left at
    the end is folded into the period before it. `months` None: no periodic report.
    """
    if months is None:
        return []
    closes, k = [], 1
    while (last := add_months(start, months * k) - timedelta(days=1)) < end:
        closes.append(last)
        k += 1
    if closes and (end - closes[-1]).days < 31:
        closes.pop()
    closes.append(end)
    opens = [start, *(c + timedelta(days=1) for c in closes[:-1])]
    return [Period(seq, o, c) for seq, (o, c) in enumerate(zip(opens, closes, strict=True), 1)]


def period_of(periods: Sequence[Period], day: date) -> Period | None:
    """The period a report dated `day` belongs to: the one containing it; a report dated in
    the grace after the term's end belongs to the last period; None before the start."""
    for period in periods:
        if period.opens <= day <= period.closes:
            return period
    return periods[-1] if periods and day > periods[-1].closes else None


def overdue_periods(
    periods: Sequence[Period], report_dates: Iterable[date], day: date, grace_days: int
) -> list[Period]:
    """The periods whose report was due (closing day + grace) before `day` and has none.

    A report belongs to the period containing its date (`period_of`); several in one period
    satisfy that one period only. Reports dated after `day` are not yet known on `day`.
    """
    reported = {p.seq for d in report_dates if d <= day and (p := period_of(periods, d))}
    return [
        p for p in periods if p.seq not in reported and p.closes + timedelta(days=grace_days) < day
    ]


def term_years(start: date, end: date) -> int:
    """Number of programme years a term spans, counted in started 12-month periods."""
    months = (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day)
    return max(1, -(-months // 12))
