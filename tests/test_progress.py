"""The progress formula of SPEC.md §4 and the quarterly report calendar, on hand-computed examples."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.progress.rules import (
    Progress,
    TaskProgress,
    add_months,
    is_behind,
    overdue_periods,
    period_of,
    progress,
    report_periods,
    standing,
    task_elapsed,
    term_years,
    to_cent,
)

D = date

# Two tasks used by several examples:
#   A runs 2027-01-01 → 2027-01-11 (10 days), 40 % done
#   B runs 2027-01-01 → 2027-01-21 (20 days), 30 % done
# On 2027-01-06, 5 days in: A is 5/10 = 0.5 elapsed, B is 5/20 = 0.25 elapsed.
JAN_6 = D(2027, 1, 6)


def task_a(weight: float = 1) -> TaskProgress:
    return TaskProgress(D(2027, 1, 1), D(2027, 1, 11), weight, 40)


def task_b(weight: float = 1) -> TaskProgress:
    return TaskProgress(D(2027, 1, 1), D(2027, 1, 21), weight, 30)


# ---------------------------------------------------------------------------------------
# task_elapsed
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "elapsed"),
    [
        (D(2026, 12, 31), 0.0),  # before the start: clamped to 0
        (D(2027, 1, 1), 0.0),  # on the start day: 0/10
        (D(2027, 1, 4), 0.3),  # 3/10
        (D(2027, 1, 6), 0.5),  # 5/10
        (D(2027, 1, 11), 1.0),  # on the due day: 10/10
        (D(2027, 6, 1), 1.0),  # after the due day: clamped to 1
    ],
)
def test_a_task_elapses_linearly_from_its_start_to_its_due_day(day: date, elapsed: float) -> None:
    assert task_elapsed(task_a(), day) == pytest.approx(elapsed)


@pytest.mark.parametrize(
    ("day", "elapsed"),
    [(D(2027, 2, 28), 0.0), (D(2027, 3, 1), 1.0), (D(2027, 3, 2), 1.0)],
)
def test_a_task_due_on_its_start_day_is_all_due_from_that_day(day: date, elapsed: float) -> None:
    same_day = TaskProgress(D(2027, 3, 1), D(2027, 3, 1), 1)
    assert task_elapsed(same_day, day) == elapsed


# ---------------------------------------------------------------------------------------
# progress: hand-computed examples
# ---------------------------------------------------------------------------------------


def test_equal_weights_average_the_tasks() -> None:
    # planned = 100 · (1·0.5 + 1·0.25) / 2 = 100 · 0.75 / 2 = 37.5
    # actual  = (1·40 + 1·30) / 2 = 35.0
    # lag     = 37.5 − 35.0 = 2.5
    p = progress([task_a(), task_b()], JAN_6, reported=True)
    assert (p.planned, p.actual, p.lag) == (37.5, 35.0, 2.5)


def test_unequal_weights_weigh_the_tasks() -> None:
    # planned = 100 · (3·0.5 + 1·0.25) / 4 = 100 · 1.75 / 4 = 43.75
    # actual  = (3·40 + 1·30) / 4 = 150 / 4 = 37.5
    # lag     = 43.75 − 37.5 = 6.25
    p = progress([task_a(weight=3), task_b(weight=1)], JAN_6, reported=True)
    assert (p.planned, p.actual, p.lag) == (43.75, 37.5, 6.25)


def test_fractional_weights_weigh_like_their_integer_ratio() -> None:
    # 0.3 : 0.1 is 3 : 1, so the figures of the unequal-weight example: 43.75 and 37.5
    p = progress([task_a(weight=0.3), task_b(weight=0.1)], JAN_6, reported=True)
    assert (p.planned, p.actual, p.lag) == (43.75, 37.5, 6.25)


def test_planned_progress_is_zero_before_any_task_starts() -> None:
    # both tasks clamp to 0 on 2026-12-31: planned = 100 · (0 + 0) / 2 = 0
    p = progress([task_a(), task_b()], D(2026, 12, 31), reported=True)
    assert p.planned == 0.0


def test_planned_progress_is_one_hundred_after_every_task_is_due() -> None:
    # both tasks clamp to 1 on 2027-02-01: planned = 100 · (1 + 1) / 2 = 100
    p = progress([task_a(), task_b()], D(2027, 2, 1), reported=True)
    assert p.planned == 100.0


def test_a_task_due_on_its_start_day_counts_fully_from_that_day() -> None:
    # task C: 2027-01-06 → 2027-01-06, weight 1, with task A (0.5 elapsed on 2027-01-06)
    # on 2027-01-05: planned = 100 · (0.4 + 0) / 2 = 20
    # on 2027-01-06: planned = 100 · (0.5 + 1) / 2 = 75
    c = TaskProgress(D(2027, 1, 6), D(2027, 1, 6), 1, 0)
    assert progress([task_a(), c], D(2027, 1, 5), reported=False).planned == 20.0
    assert progress([task_a(), c], D(2027, 1, 6), reported=False).planned == 75.0


def test_planned_and_actual_are_rounded_to_two_decimals() -> None:
    # three equal tasks over 3 days, day 2 of 3: each 2/3 elapsed → planned = 66.666… → 66.67
    # completions 10, 0, 0: actual = 10 / 3 = 3.333… → 3.33
    # lag from the rounded figures: 66.67 − 3.33 = 63.34
    tasks = [
        TaskProgress(D(2027, 1, 1), D(2027, 1, 4), 1, 10),
        TaskProgress(D(2027, 1, 1), D(2027, 1, 4), 1, 0),
        TaskProgress(D(2027, 1, 1), D(2027, 1, 4), 1, 0),
    ]
    p = progress(tasks, D(2027, 1, 3), reported=True)
    assert (p.planned, p.actual, p.lag) == (66.67, 3.33, 63.34)


def test_the_lag_is_computed_from_the_rounded_figures() -> None:
    # planned = 100 · 6/10 = 60; actual = 49.996 → rounded 50.0; lag = 60 − 50 = 10.0, not 10.004
    p = progress([TaskProgress(D(2027, 1, 1), D(2027, 1, 11), 1, 49.996)], D(2027, 1, 7), True)
    assert (p.planned, p.actual, p.lag) == (60.0, 50.0, 10.0)


def test_a_task_without_a_reported_completion_counts_as_zero() -> None:
    # actual = (1·40 + 1·0) / 2 = 20
    b_unreported = TaskProgress(D(2027, 1, 1), D(2027, 1, 21), 1, None)
    assert progress([task_a(), b_unreported], JAN_6, reported=True).actual == 20.0


def test_actual_progress_and_lag_are_none_before_any_report() -> None:
    p = progress([task_a(), task_b()], JAN_6, reported=False)
    assert (p.planned, p.actual, p.lag) == (37.5, None, None)


@pytest.mark.parametrize(("reported", "actual"), [(True, 0.0), (False, None)])
def test_an_empty_plan_is_zero_percent_planned(reported: bool, actual: float | None) -> None:
    assert progress([], JAN_6, reported) == Progress(0.0, actual)


# ---------------------------------------------------------------------------------------
# is_behind: "lag > threshold"
# ---------------------------------------------------------------------------------------


def test_a_lag_of_exactly_ten_points_is_not_behind_a_threshold_of_ten() -> None:
    # one task 2027-01-01 → 2027-01-11, day 7: planned = 100 · 6/10 = 60; actual 50; lag 10.0
    p = progress([TaskProgress(D(2027, 1, 1), D(2027, 1, 11), 1, 50)], D(2027, 1, 7), True)
    assert p.lag == 10.0
    assert not is_behind(p.lag, 10)


def test_a_lag_of_ten_point_zero_one_is_behind_a_threshold_of_ten() -> None:
    # same task, actual 49.99: lag = round(60 − 49.99, 2) = 10.01 (not 10.009999…)
    p = progress([TaskProgress(D(2027, 1, 1), D(2027, 1, 11), 1, 49.99)], D(2027, 1, 7), True)
    assert p.lag == 10.01
    assert is_behind(p.lag, 10)


@pytest.mark.parametrize(
    ("lag", "threshold", "behind"),
    [
        (None, 10, False),
        (-5.0, 10, False),
        (0.0, 0, False),
        (0.01, 0, True),
        (9.99, 10, False),
        (10.0, 10, False),
        (10.01, 10, True),
        (5.01, 5, True),
        (25.0, 25, False),
    ],
)
def test_behind_schedule_means_a_lag_strictly_above_the_threshold(
    lag: float | None, threshold: float, behind: bool
) -> None:
    assert is_behind(lag, threshold) is behind


# ---------------------------------------------------------------------------------------
# The calendar: add_months, report_due_dates, term_years
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 1, 15), 3, D(2027, 4, 15)),
        (D(2027, 1, 31), 1, D(2027, 2, 28)),  # clamped to the end of February
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # across the year end, clamped
        (D(2027, 3, 31), -1, D(2027, 2, 28)),  # backwards
        (D(2027, 5, 15), 12, D(2028, 5, 15)),
        (D(2027, 1, 15), -13, D(2025, 12, 15)),  # index −13: year −2, month 12
        (D(2027, 8, 31), 1, D(2027, 9, 30)),
        (D(2027, 1, 1), 0, D(2027, 1, 1)),
    ],
)
def test_add_months_moves_by_whole_months_clamped_to_the_month_end(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_a_calendar_year_term_has_four_quarterly_reports_at_the_quarter_ends() -> None:
    assert closes(D(2027, 1, 1), D(2027, 12, 31)) == [
        D(2027, 3, 31),
        D(2027, 6, 30),
        D(2027, 9, 30),
        D(2027, 12, 31),
    ]


def test_a_two_year_term_has_eight_quarterly_reports() -> None:
    dues = closes(D(2027, 1, 1), D(2028, 12, 31))
    assert len(dues) == 8
    assert dues[3:5] == [D(2027, 12, 31), D(2028, 3, 31)]
    assert dues[-1] == D(2028, 12, 31)


def test_reports_fall_due_every_three_months_from_a_mid_month_start() -> None:
    # 2027-03-15 + 3 months = 06-15, due the day before: 06-14; then 09-14, 12-14; term end
    assert closes(D(2027, 3, 15), D(2028, 3, 14)) == [
        D(2027, 6, 14),
        D(2027, 9, 14),
        D(2027, 12, 14),
        D(2028, 3, 14),
    ]


def test_a_stub_shorter_than_a_month_is_folded_into_the_quarter_before() -> None:
    # 2027-09-30 → 2027-10-15 is 15 days (< 31): the third quarter's report moves to 10-15
    assert closes(D(2027, 1, 1), D(2027, 10, 15)) == [
        D(2027, 3, 31),
        D(2027, 6, 30),
        D(2027, 10, 15),
    ]


def test_a_stub_of_a_month_or_more_gets_its_own_report() -> None:
    # 2027-09-30 → 2027-11-15 is 46 days (≥ 31): a report of its own on 11-15
    assert closes(D(2027, 1, 1), D(2027, 11, 15)) == [
        D(2027, 3, 31),
        D(2027, 6, 30),
        D(2027, 9, 30),
        D(2027, 11, 15),
    ]


def test_a_term_shorter_than_a_quarter_has_one_report_at_its_end() -> None:
    assert closes(D(2027, 1, 1), D(2027, 2, 15)) == [D(2027, 2, 15)]


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (D(2027, 1, 1), D(2027, 12, 31), 1),  # 11 months + the 31st ≥ 1st → 12 months → 1
        (D(2027, 1, 1), D(2028, 12, 31), 2),  # 24 months → 2
        (D(2027, 1, 1), D(2029, 12, 31), 3),  # 36 months → 3
        (D(2027, 1, 1), D(2028, 1, 1), 2),  # 13 started months → a second year begins
        (D(2027, 3, 15), D(2028, 3, 14), 1),  # 12 months + (14 ≥ 15 is false) → 12 → 1
        (D(2027, 6, 1), D(2027, 6, 1), 1),  # a one-day term is still one year
        (D(2027, 1, 1), D(2027, 3, 31), 1),  # 3 months → 1
    ],
)
def test_a_term_counts_its_started_twelve_month_periods(start: date, end: date, years: int) -> None:
    assert term_years(start, end) == years


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------

TOLERANCE = 0.01 + 1e-9
"""One unit of the 2-decimal rounding, plus float noise."""

tasks_strategy = st.lists(
    st.builds(
        lambda start, span, weight, completion: TaskProgress(
            start, start + timedelta(days=span), weight, completion
        ),
        start=st.dates(D(2026, 1, 1), D(2028, 12, 31)),
        span=st.integers(0, 800),
        weight=st.floats(0.01, 100, allow_nan=False, allow_infinity=False),
        completion=st.none() | st.floats(0, 100, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=8,
)
days = st.dates(D(2025, 6, 1), D(2031, 6, 1))
FEW = settings(max_examples=150, deadline=None)


@FEW
@given(tasks=tasks_strategy, day=days)
def test_planned_and_actual_progress_stay_within_zero_and_one_hundred(
    tasks: list[TaskProgress], day: date
) -> None:
    p = progress(tasks, day, reported=True)
    assert 0.0 <= p.planned <= 100.0
    assert p.actual is not None
    assert 0.0 <= p.actual <= 100.0


@FEW
@given(tasks=tasks_strategy, day=days, later=st.integers(0, 1000))
def test_planned_progress_never_decreases_as_the_days_pass(
    tasks: list[TaskProgress], day: date, later: int
) -> None:
    before = progress(tasks, day, reported=False).planned
    after = progress(tasks, day + timedelta(days=later), reported=False).planned
    assert before <= after


@FEW
@given(tasks=tasks_strategy, day=days)
def test_the_lag_is_planned_minus_actual(tasks: list[TaskProgress], day: date) -> None:
    p = progress(tasks, day, reported=True)
    assert p.actual is not None
    assert p.lag == round(p.planned - p.actual, 2)
    assert p.lag == pytest.approx(p.planned - p.actual, abs=1e-9)


@FEW
@given(tasks=tasks_strategy, day=days, factor=st.floats(0.01, 1000, allow_nan=False))
def test_scaling_every_weight_by_a_positive_constant_does_not_change_the_progress(
    tasks: list[TaskProgress], day: date, factor: float
) -> None:
    scaled = [TaskProgress(t.start, t.due, t.weight * factor, t.completion) for t in tasks]
    p, q = progress(tasks, day, True), progress(scaled, day, True)
    assert p.actual is not None and q.actual is not None
    assert abs(p.planned - q.planned) <= TOLERANCE
    assert abs(p.actual - q.actual) <= TOLERANCE


@FEW
@given(tasks=tasks_strategy, day=days)
def test_nothing_is_reported_before_the_first_report(tasks: list[TaskProgress], day: date) -> None:
    p = progress(tasks, day, reported=False)
    assert (p.actual, p.lag) == (None, None)
    assert not is_behind(p.lag, 0)


@FEW
@given(start=st.dates(D(2026, 1, 1), D(2029, 12, 31)), length=st.integers(0, 1200))
def test_period_closes_are_increasing_within_the_term_and_end_on_its_last_day(
    start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    dues = closes(start, end)
    assert dues[-1] == end
    assert all(start <= d <= end for d in dues)
    assert dues == sorted(set(dues))
    # no gap between reports (or from the start) is longer than a quarter plus a stub month
    gaps = [(b - a).days for a, b in zip([start, *dues], dues, strict=False)]
    assert max(gaps) <= 92 + 31


def test_a_half_hundredth_rounds_up_whatever_float_noise_the_sum_carries() -> None:
    # 10.015 is stored as 10.01499999…; summed in another order it can come out as 10.0150…1.
    assert to_cent(10.015) == to_cent(10.015 + 1e-12) == to_cent(10.015 - 1e-12) == 10.02
    assert (to_cent(0.125), to_cent(2.675), to_cent(66.666), to_cent(-0.14)) == (
        0.13,
        2.68,
        66.67,
        -0.14,
    )
    # weights 1 and 1, completions 10.01 and 10.02: actual 10.015 → 10.02 (四舍五入)
    tasks = [TaskProgress(D(2027, 1, 1), D(2027, 3, 31), 1, c) for c in (10.01, 10.02)]
    assert progress(tasks, D(2027, 2, 1), True).actual == 10.02


reported_tasks = st.lists(
    st.builds(
        lambda start, span, weight, cents: TaskProgress(
            start, start + timedelta(days=span), weight, cents / 100
        ),
        start=st.dates(D(2026, 1, 1), D(2028, 12, 31)),
        span=st.integers(0, 800),
        weight=st.integers(1, 5),
        cents=st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=8,
)


@FEW
@given(tasks=reported_tasks, day=days, seed=st.integers(0, 2**32 - 1))
def test_reports_with_whole_weights_give_the_same_figures_in_any_task_order(
    tasks: list[TaskProgress], day: date, seed: int
) -> None:
    # The database may add a project's tasks in any order: the figures must not depend on it.
    shuffled = list(tasks)
    random.Random(seed).shuffle(shuffled)
    assert progress(tasks, day, True) == progress(shuffled, day, True)


def closes(start: date, end: date) -> list[date]:
    """The closing days of a term's quarterly periods."""
    return [p.closes for p in report_periods(start, end, 3)]


# ---------------------------------------------------------------- periods and the judged lag


def test_a_period_opens_the_day_after_the_one_before_closes() -> None:
    periods = report_periods(D(2027, 1, 1), D(2027, 12, 31), 3)
    assert [(p.seq, p.opens, p.closes) for p in periods] == [
        (1, D(2027, 1, 1), D(2027, 3, 31)),
        (2, D(2027, 4, 1), D(2027, 6, 30)),
        (3, D(2027, 7, 1), D(2027, 9, 30)),
        (4, D(2027, 10, 1), D(2027, 12, 31)),
    ]


def test_a_three_year_leader_term_has_three_annual_periods() -> None:
    periods = report_periods(D(2027, 1, 1), D(2029, 12, 31), 12)
    assert [p.closes for p in periods] == [D(2027, 12, 31), D(2028, 12, 31), D(2029, 12, 31)]


def test_a_category_without_periodic_reports_has_no_period() -> None:
    assert report_periods(D(2027, 1, 1), D(2027, 12, 31), None) == []


def test_a_report_belongs_to_the_period_containing_its_date_and_the_grace_to_the_last() -> None:
    periods = report_periods(D(2027, 1, 1), D(2027, 12, 31), 3)
    seq = {
        d: (p.seq if (p := period_of(periods, d)) else None)
        for d in (D(2026, 12, 31), D(2027, 1, 1), D(2027, 3, 31), D(2027, 4, 1), D(2028, 1, 8))
    }
    assert seq == {
        D(2026, 12, 31): None,
        D(2027, 1, 1): 1,
        D(2027, 3, 31): 1,
        D(2027, 4, 1): 2,
        D(2028, 1, 8): 4,
    }


def test_two_reports_in_one_period_satisfy_that_period_only() -> None:
    """SPEC.md §4: reports are matched to periods, not counted (03-20 and 03-31, none in Q2)."""
    periods = report_periods(D(2027, 1, 1), D(2027, 12, 31), 3)
    reports = [D(2027, 3, 20), D(2027, 3, 31)]
    assert overdue_periods(periods, reports, D(2027, 7, 10), 10) == []
    assert [p.seq for p in overdue_periods(periods, reports, D(2027, 7, 11), 10)] == [2]
    assert [p.seq for p in overdue_periods(periods, reports, D(2027, 10, 11), 10)] == [2, 3]


def test_a_report_dated_after_the_day_asked_is_not_yet_known() -> None:
    periods = report_periods(D(2027, 1, 1), D(2027, 12, 31), 3)
    assert [p.seq for p in overdue_periods(periods, [D(2027, 6, 30)], D(2027, 4, 20), 10)] == [1]


def test_the_worked_example_is_green_at_its_report_and_six_weeks_later() -> None:
    """SPEC.md §4: one task over 2027, a report on 03-31 at 25% → P = 89/364 = 24.45%,
    lag −0.55; on 05-15 the lag that counts is still that report's."""
    task = TaskProgress(D(2027, 1, 1), D(2027, 12, 31), 1, 25)
    at_report = standing([task], D(2027, 3, 31), D(2027, 3, 31))
    later = standing([task], D(2027, 3, 31), D(2027, 5, 15))
    assert (at_report.planned, at_report.actual, at_report.lag) == (24.45, 25.0, -0.55)
    assert (later.planned, later.actual, later.lag) == (24.45, 25.0, -0.55)
    assert later.planned_today == 36.81  # 134/364, for information only
    assert not is_behind(later.lag, 10)


def test_there_is_no_judgement_before_the_first_report() -> None:
    task = TaskProgress(D(2027, 1, 1), D(2027, 12, 31), 1)
    s = standing([task], None, D(2027, 5, 15))
    assert (s.planned, s.actual, s.lag, s.report_date) == (None, None, None, None)
