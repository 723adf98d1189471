"""The red/amber/green flag of SPEC.md §5 with the default and configured thresholds."""

from __future__ import annotations

import pytest

from workflow.check.rules import AMBER, GREEN, RED, Assessment, Findings, Reason, assess
from workflow.core.config import CheckSettings

DEFAULTS = CheckSettings()


def codes(a: Assessment) -> list[str]:
    return [r.code for r in a.reasons]


def test_the_default_thresholds_are_those_of_the_specification() -> None:
    assert (
        DEFAULTS.lag_warning,
        DEFAULTS.lag_red,
        DEFAULTS.reports_missing_red,
        DEFAULTS.rectification_overdue_red_days,
    ) == (10, 25, 2, 15)


def test_a_project_with_nothing_found_is_green_with_no_reasons() -> None:
    assert assess(Findings(lag=0.0), DEFAULTS) == Assessment(GREEN, [])


def test_a_project_not_yet_reported_on_is_green() -> None:
    assert assess(Findings(lag=None), DEFAULTS).flag == GREEN


@pytest.mark.parametrize(
    ("lag", "flag", "code"),
    [
        (-12.0, GREEN, None),  # ahead of plan
        (0.0, GREEN, None),
        (10.0, GREEN, None),  # exactly 10 is not "more than 10"
        (10.01, AMBER, "lag"),
        (17.5, AMBER, "lag"),
        (25.0, AMBER, "lag"),  # exactly 25 is not "more than 25"
        (25.01, RED, "lag_red"),
        (80.0, RED, "lag_red"),
    ],
)
def test_the_lag_raises_amber_above_ten_points_and_red_above_twenty_five(
    lag: float, flag: str, code: str | None
) -> None:
    a = assess(Findings(lag=lag), DEFAULTS)
    assert a.flag == flag
    assert codes(a) == ([] if code is None else [code])


def test_a_red_lag_is_reported_once_not_also_as_amber() -> None:
    assert assess(Findings(lag=30.0), DEFAULTS).reasons == [
        Reason(RED, "lag_red", "进度滞后30个百分点，超过25（严重滞后）")
    ]


def test_an_amber_lag_reason_names_the_lag_and_the_threshold() -> None:
    assert assess(Findings(lag=10.01), DEFAULTS).reasons == [
        Reason(AMBER, "lag", "进度滞后10.01个百分点，超过10")
    ]


@pytest.mark.parametrize(
    ("overdue", "flag", "reason"),
    [
        (0, GREEN, None),
        (1, AMBER, Reason(AMBER, "report_overdue", "季度报告逾期1份")),
        (2, RED, Reason(RED, "reports_missing", "缺交季度报告2份")),
        (3, RED, Reason(RED, "reports_missing", "缺交季度报告3份")),
    ],
)
def test_one_overdue_report_is_amber_and_two_missing_are_red(
    overdue: int, flag: str, reason: Reason | None
) -> None:
    a = assess(Findings(lag=None, reports_overdue=overdue), DEFAULTS)
    assert a.flag == flag
    assert a.reasons == ([] if reason is None else [reason])


def test_an_open_warning_letter_is_amber() -> None:
    a = assess(Findings(lag=None, open_letters=1), DEFAULTS)
    assert a == Assessment(AMBER, [Reason(AMBER, "open_letter", "有1份预警告知书尚未办结")])


@pytest.mark.parametrize(("days", "red"), [(0, False), (1, False), (15, False), (16, True)])
def test_a_rectification_plan_overdue_by_more_than_fifteen_days_is_red(
    days: int, red: bool
) -> None:
    a = assess(Findings(lag=None, open_letters=1, rectification_overdue_days=days), DEFAULTS)
    assert a.flag == (RED if red else AMBER)
    assert ("rectification_overdue" in codes(a)) is red


def test_the_rectification_reason_names_the_days_overdue() -> None:
    a = assess(Findings(lag=None, rectification_overdue_days=16), DEFAULTS)
    assert a.reasons == [Reason(RED, "rectification_overdue", "整改方案逾期16天未提交")]


def test_an_expenditure_flagged_as_misuse_is_red() -> None:
    a = assess(Findings(lag=0.0, misuse_flags=1), DEFAULTS)
    assert a == Assessment(RED, [Reason(RED, "misuse", "存在1笔疑似违规挪用的支出")])


def test_an_unreviewed_large_expense_is_amber() -> None:
    a = assess(Findings(lag=0.0, unreviewed_large_expenses=2), DEFAULTS)
    assert a == Assessment(AMBER, [Reason(AMBER, "large_expense", "有2笔大额支出尚未审核")])


def test_every_reason_is_listed_with_its_level_and_code_red_rules_first() -> None:
    a = assess(
        Findings(
            lag=30.0,
            reports_overdue=2,
            open_letters=1,
            rectification_overdue_days=16,
            misuse_flags=1,
            unreviewed_large_expenses=1,
        ),
        DEFAULTS,
    )
    assert a.flag == RED
    assert [(r.level, r.code) for r in a.reasons] == [
        (RED, "lag_red"),
        (RED, "reports_missing"),
        (RED, "rectification_overdue"),
        (RED, "misuse"),
        (AMBER, "open_letter"),
        (AMBER, "large_expense"),
    ]
    assert all(r.text for r in a.reasons)


def test_amber_reasons_alone_give_an_amber_flag_listing_each() -> None:
    a = assess(
        Findings(lag=12.0, reports_overdue=1, open_letters=1, unreviewed_large_expenses=1),
        DEFAULTS,
    )
    assert a.flag == AMBER
    assert codes(a) == ["lag", "report_overdue", "open_letter", "large_expense"]


def test_one_red_reason_among_amber_ones_makes_the_flag_red() -> None:
    a = assess(Findings(lag=12.0, open_letters=1, misuse_flags=1), DEFAULTS)
    assert a.flag == RED
    assert codes(a) == ["lag", "misuse", "open_letter"]


@pytest.mark.parametrize(
    ("settings", "findings", "flag"),
    [
        (CheckSettings(lag_warning=5), Findings(lag=5.0), GREEN),
        (CheckSettings(lag_warning=5), Findings(lag=5.01), AMBER),
        (CheckSettings(lag_warning=5), Findings(lag=8.0), AMBER),
        (CheckSettings(lag_red=15), Findings(lag=15.01), RED),
        (CheckSettings(lag_red=15), Findings(lag=15.0), AMBER),
        (CheckSettings(reports_missing_red=3), Findings(lag=None, reports_overdue=2), AMBER),
        (CheckSettings(reports_missing_red=3), Findings(lag=None, reports_overdue=3), RED),
        (
            CheckSettings(rectification_overdue_red_days=30),
            Findings(lag=None, rectification_overdue_days=16),
            GREEN,
        ),
        (
            CheckSettings(rectification_overdue_red_days=30),
            Findings(lag=None, rectification_overdue_days=31),
            RED,
        ),
    ],
    ids=[
        "warning 5: lag 5 green",
        "warning 5: lag 5.01 amber",
        "warning 5: lag 8 amber",
        "red 15: lag 15.01 red",
        "red 15: lag 15 amber",
        "missing red 3: two overdue amber",
        "missing red 3: three overdue red",
        "rectification red 30: 16 days not red",
        "rectification red 30: 31 days red",
    ],
)
def test_the_thresholds_are_configurable(
    settings: CheckSettings, findings: Findings, flag: str
) -> None:
    assert assess(findings, settings).flag == flag


def test_a_configured_warning_threshold_is_named_in_the_reason() -> None:
    a = assess(Findings(lag=6.5), CheckSettings(lag_warning=5))
    assert a.reasons == [Reason(AMBER, "lag", "进度滞后6.5个百分点，超过5")]
