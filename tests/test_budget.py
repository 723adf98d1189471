"""Budget lines, disbursements, expenditures: the SPEC.md §7 flags and how they raise the risk flag."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.conftest import Cli, database_dump
from tests.factories import make_project
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm import LedgerSnapshot
from workflow.money.budget import (
    LineUse,
    disburse,
    expenditure_flags,
    fund_use,
    record_expenditure,
    review_expenditure,
    set_budget_lines,
)

DAY = date(2027, 4, 15)
LINES = {"设备费": 250_000, "劳务费": 150_000, "专利费": 100_000}


def funded(ctx: AppContext) -> int:
    """A 50万 high-value-patent project on schedule, with three lines and 25万 paid."""
    from workflow.projects.reports import submit

    project_id = make_project(ctx)
    submit(ctx, project_id, date(2027, 3, 31), {"项目实施": 25})
    set_budget_lines(ctx, project_id, LINES)
    disburse(ctx, project_id, date(2027, 1, 20), 250_000, "首期拨付")
    return project_id


def flag_on(ctx: AppContext, project_id: int, day: date = DAY) -> tuple[str, list[str]]:
    run_check(ctx, day)
    with transaction(ctx.engine) as session:
        snap = session.get(LedgerSnapshot, (project_id, day))
        assert snap is not None
        return snap.flag, [r["code"] for r in snap.reasons]


def test_an_ordinary_expenditure_raises_no_flag_and_counts_as_accepted(ctx: AppContext) -> None:
    project_id = funded(ctx)
    result = record_expenditure(ctx, project_id, "劳务费", date(2027, 3, 1), 30_000, "劳务")
    assert result.flags == [] and result.status == "accepted"
    assert fund_use(ctx, project_id).spent_accepted == 30_000


@pytest.mark.parametrize(
    ("amount", "line", "expected"),
    [
        (99_999, "设备费", []),  # below 10万 and below 20% of 50万
        (100_000, "设备费", ["large"]),  # exactly 10万 and exactly 20% of 50万
        (60_000, "差旅费", ["outside_lines"]),
        (110_000, "专利费", ["large", "over_line"]),
    ],
)
def test_expenditure_flags_follow_spec_section_7(
    amount: int, line: str, expected: list[str]
) -> None:
    assert expenditure_flags(amount, line, LINES, {}, 500_000, 500_000, 0.2, 100_000) == expected


def test_a_fifth_of_a_small_budget_is_large_even_below_10_wan() -> None:
    assert expenditure_flags(
        40_000, "设备费", {"设备费": 200_000}, {}, 200_000, 200_000, 0.2, 100_000
    ) == ["large"]
    assert (
        expenditure_flags(39_999, "设备费", {"设备费": 200_000}, {}, 200_000, 200_000, 0.2, 100_000)
        == []
    )


def test_spending_above_the_budget_and_above_what_was_paid_is_flagged() -> None:
    flags = expenditure_flags(
        50_000,
        "设备费",
        LINES,
        {"设备费": 240_000, "劳务费": 150_000, "专利费": 100_000},
        500_000,
        250_000,
        0.2,
        100_000,
    )
    assert flags == ["over_line", "over_budget", "over_disbursed"]


def test_an_unreviewed_large_expenditure_makes_the_project_amber(ctx: AppContext) -> None:
    project_id = funded(ctx)
    record_expenditure(ctx, project_id, "设备费", date(2027, 3, 1), 120_000, "检测设备")
    assert flag_on(ctx, project_id) == ("amber", ["large_expense"])


def test_a_reviewed_and_accepted_large_expenditure_leaves_the_project_green(
    ctx: AppContext,
) -> None:
    project_id = funded(ctx)
    item = record_expenditure(ctx, project_id, "设备费", date(2027, 3, 1), 120_000, "检测设备")
    review_expenditure(ctx, item.id, "accept", "合同与发票齐全")
    assert flag_on(ctx, project_id) == ("green", [])


def test_a_misuse_found_in_review_makes_the_project_red(ctx: AppContext) -> None:
    project_id = funded(ctx)
    item = record_expenditure(ctx, project_id, "招待费", date(2027, 3, 1), 20_000, "宴请")
    assert flag_on(ctx, project_id) == ("green", [])  # outside the lines, but not large
    review_expenditure(ctx, item.id, "misuse", "预算外招待，违规挪用")
    assert flag_on(ctx, project_id) == ("red", ["misuse"])


def test_a_replayed_check_sees_only_what_was_known_that_day(ctx: AppContext) -> None:
    project_id = funded(ctx)
    item = record_expenditure(ctx, project_id, "设备费", date(2027, 3, 1), 120_000, "检测设备")
    review_expenditure(ctx, item.id, "misuse", "设备转借他用")
    assert flag_on(ctx, project_id, date(2027, 2, 28)) == ("green", [])
    assert flag_on(ctx, project_id, date(2027, 3, 31)) == ("amber", ["large_expense"])
    assert flag_on(ctx, project_id, DAY) == ("red", ["misuse"])


def test_fund_use_gives_budget_disbursed_spent_by_line_and_open_flags(ctx: AppContext) -> None:
    project_id = funded(ctx)
    record_expenditure(ctx, project_id, "劳务费", date(2027, 2, 1), 30_000, "劳务")
    large = record_expenditure(ctx, project_id, "设备费", date(2027, 3, 1), 120_000, "设备")
    record_expenditure(ctx, project_id, "差旅费", date(2027, 4, 1), 5_000, "差旅")
    use = fund_use(ctx, project_id)
    assert (use.committed, use.disbursed, use.spent, use.spent_accepted) == (
        500_000,
        250_000,
        155_000,
        30_000,
    )
    assert use.lines == [
        LineUse("设备费", 250_000, 120_000, 0),
        LineUse("劳务费", 150_000, 30_000, 30_000),
        LineUse("专利费", 100_000, 0, 0),
        LineUse("差旅费", None, 5_000, 0),
    ]
    assert [(f.expense_id, f.flags) for f in use.open_flags] == [
        (large.id, ["large"]),
        (large.id + 1, ["outside_lines"]),
    ]
    assert fund_use(ctx, project_id, date(2027, 2, 15)).spent == 30_000


REFUSALS: dict[str, tuple[Callable[[AppContext, int], Any], str]] = {
    "negative disbursement": (
        lambda c, p: disburse(c, p, DAY, -1, "拨付"),
        "拨付金额须为正整数元",
    ),
    "zero disbursement": (lambda c, p: disburse(c, p, DAY, 0, "拨付"), "拨付金额须为正整数元"),
    "disbursement above the grant": (
        lambda c, p: disburse(c, p, DAY, 250_001, "二期"),
        "超过项目承诺资助额500000元",
    ),
    "disbursement in the future": (
        lambda c, p: disburse(c, p, date(2027, 4, 16), 1, "二期"),
        "晚于今天",
    ),
    "lines not adding up to the grant": (
        lambda c, p: set_budget_lines(c, p, {"设备费": 400_000}),
        "须等于项目承诺资助额500000元",
    ),
    "a zero budget line": (
        lambda c, p: set_budget_lines(c, p, {"设备费": 500_000, "劳务费": 0}),
        "须为正整数元",
    ),
    "negative expenditure": (
        lambda c, p: record_expenditure(c, p, "设备费", DAY, -5, "退款"),
        "支出金额须为正整数元",
    ),
    "expenditure before the start": (
        lambda c, p: record_expenditure(c, p, "设备费", date(2026, 12, 31), 5, "设备"),
        "早于项目开始日期",
    ),
    "misuse without reasons": (
        lambda c, p: review_expenditure(c, 1, "misuse", ""),
        "须写明理由",
    ),
    "an unknown decision": (lambda c, p: review_expenditure(c, 1, "maybe", ""), "accept 或 misuse"),
}


@pytest.mark.parametrize("case", list(REFUSALS), ids=list(REFUSALS))
def test_every_bad_amount_is_refused_naming_the_rule_and_changes_nothing(
    ctx: AppContext, engine: Engine, case: str
) -> None:
    project_id = funded(ctx)
    record_expenditure(ctx, project_id, "设备费", date(2027, 3, 1), 120_000, "检测设备")
    action, message = REFUSALS[case]
    before = database_dump(engine)
    with pytest.raises(Refused, match=message):
        action(ctx, project_id)
    assert database_dump(engine) == before


def test_no_money_is_paid_before_approval_or_while_suspended(ctx: AppContext) -> None:
    screened = make_project(ctx, state="screened", unit="甲")
    with pytest.raises(Refused, match="不能拨付"):
        disburse(ctx, screened, DAY, 1, "首期")
    running = make_project(ctx, unit="乙")
    from workflow.projects.actions import advance

    advance(ctx, running, "suspend")
    with pytest.raises(Refused, match="暂停期间停止拨款"):
        disburse(ctx, running, DAY, 1, "首期")


def test_the_cli_records_and_reviews_expenditures_and_shows_fund_use(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    project_id = str(make_project(ctx))
    assert (
        ipflow(
            "budget", "set", project_id, "--line", "设备费=300000", "--line", "劳务费=200000"
        ).exit_code
        == 0
    )
    assert (
        ipflow(
            "disburse",
            project_id,
            "--date",
            "2027-02-01",
            "--amount",
            "250000",
            "--stage",
            "首期拨付",
        ).exit_code
        == 0
    )
    added = ipflow(
        "expense",
        "add",
        project_id,
        "--line",
        "设备费",
        "--date",
        "2027-03-01",
        "--amount",
        "150000",
        "--description",
        "检测设备",
        "--json",
    )
    assert json.loads(added.stdout)["flags"] == ["large"]
    before = database_dump(engine)
    bad = ipflow(
        "expense",
        "add",
        project_id,
        "--line",
        "设备费",
        "--date",
        "2027-03-01",
        "--amount",
        "12.5",
        "--description",
        "零头",
    )
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert database_dump(engine) == before
    reviewed = ipflow(
        "expense", "review", str(json.loads(added.stdout)["id"]), "--decision", "accept"
    )
    assert reviewed.exit_code == 0
    shown = json.loads(ipflow("budget", "show", project_id, "--json").stdout)
    assert (shown["disbursed"], shown["spent_accepted"], shown["open_flags"]) == (
        250_000,
        150_000,
        [],
    )
    with transaction(engine) as session:
        assert session.scalars(select(LedgerSnapshot)).all() == []


def test_the_demo_programme_has_budgets_payments_spending_and_a_project_red_for_misuse(
    ctx: AppContext, engine: Engine
) -> None:
    from workflow.db.orm_money import BudgetLine, Disbursement, Expenditure
    from workflow.demo.programme import build_demo

    day = date(2027, 9, 30)
    build_demo(ctx, day)
    with transaction(engine) as session:
        lines = session.scalars(select(BudgetLine)).all()
        paid = session.scalars(select(Disbursement)).all()
        spent = session.scalars(select(Expenditure)).all()
        reasons = {
            r["code"]: s.flag
            for s in session.scalars(select(LedgerSnapshot).where(LedgerSnapshot.day == day))
            for r in s.reasons
        }
    assert lines and paid and spent
    assert reasons["misuse"] == "red"
    assert "large_expense" in reasons


LONG = "设" * 101
"""A budget line name, stage or voucher one character longer than the schema's 100."""


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["budget", "set", "{id}", "--line", f"{LONG}=500000"], "预算科目名称长101个字符"),
        (["expense", "add", "{id}", "--line", LONG, "--date", "2027-03-01", "--amount", "100",
          "--description", "检测"], "预算科目名称长101个字符"),
        (["disburse", "{id}", "--date", "2027-02-01", "--amount", "100", "--stage", LONG],
         "拨付阶段长101个字符"),
        (["disburse", "{id}", "--date", "2027-02-01", "--amount", "100", "--stage", "首期",
          "--voucher", LONG], "凭证号长101个字符"),
    ],
)  # fmt: skip
def test_money_text_longer_than_its_column_is_refused_alike_on_both_databases(
    ctx: AppContext, ipflow: Cli, engine: Engine, command: list[str], message: str
) -> None:
    """SQLite would store it and PostgreSQL refuse it with its own words: both refuse it first."""
    project_id = str(make_project(ctx))
    assert ipflow("budget", "set", project_id, "--line", "设备费=500000").exit_code == 0
    before = database_dump(engine)
    result = ipflow(*(part.format(id=project_id) for part in command))
    assert result.exit_code == 1, result.output
    assert f"{message}，超过了可保存的100个字符" in result.stderr
    assert "Traceback" not in result.output
    assert database_dump(engine) == before
