"""The progress formula of SPEC.md §4 and the quarterly report calendar."""

from __future__ import annotations

import math
from collections.abc import Iterable
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


def report_due_dates(start: date, end: date) -> list[date]:
    """Quarterly report due dates: the last day of each 3-month period from the start.

    A term of 2027-01-01 to 2027-12-31 has reports due on 03-31, 06-30, 09-30 and 12-31;
    a period cut short by the end of the term has its report due on the last day, and a
    stub shorter than a month is folded into the quarter before it.
    """
    dues, k = [], 1
    while (due := add_months(start, 3 * k) - timedelta(days=1)) < end:
        dues.append(due)
        k += 1
    if dues and (end - dues[-1]).days < 31:
        dues.pop()
    dues.append(end)
    return dues


def term_years(start: date, end: date) -> int:
    """Number of programme years a term spans, counted in started 12-month periods."""
    months = (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day)
    return max(1, -(-months // 12))
