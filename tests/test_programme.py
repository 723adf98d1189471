"""The programme year: budgets per category and their use, and refusals beyond a budget."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine

from tests.conftest import Cli, database_dump
from tests.factories import make_project
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.money.budget import disburse
from workflow.money.programme import programme_status, set_year_budget
from workflow.projects.actions import advance


def row(document: dict[str, object], category: str) -> dict[str, object]:
    rows = document["categories"]
    assert isinstance(rows, list)
    return next(r for r in rows if r["category"] == category)


def test_status_shows_budget_committed_disbursed_and_remaining_per_category(
    ctx: AppContext, ipflow: Cli
) -> None:
    set_year_budget(ctx, 2027, "high_value_patent", 2_000_000)
    first = make_project(ctx, unit="贵州大学")
    make_project(ctx, unit="贵州理工学院")
    disburse(ctx, first, date(2027, 2, 1), 300_000, "首期拨付")
    result = ipflow("programme", "status", "--year", "2027", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert row(document, "high_value_patent") == {
        "category": "high_value_patent",
        "name": "高价值专利培育项目",
        "budget": 2_000_000,
        "committed": 1_000_000,
        "disbursed": 300_000,
        "remaining": 1_000_000,
    }
    assert row(document, "strong_enterprise")["budget"] is None
    assert row(document, "data_ip_securitization")["budget"] == 2_000_000
    assert document["total"]["committed"] == 1_000_000


def test_an_approval_beyond_the_years_category_budget_is_refused_and_changes_nothing(
    ctx: AppContext, engine: Engine
) -> None:
    set_year_budget(ctx, 2027, "strong_enterprise", 300_000)
    make_project(ctx, category="strong_enterprise", unit="甲企业")
    second = make_project(ctx, state="screened", category="strong_enterprise", unit="乙企业")
    before = database_dump(engine)
    with pytest.raises(Refused, match="超出2027年度知识产权强企培育项目预算"):
        advance(ctx, second, "approve")
    assert database_dump(engine) == before


def test_a_terminated_project_releases_what_it_did_not_spend(ctx: AppContext) -> None:
    project_id = make_project(ctx)
    disburse(ctx, project_id, date(2027, 2, 1), 300_000, "首期拨付")
    advance(ctx, project_id, "terminate", note="严重滞后，终止")
    [status] = [
        r for r in programme_status(ctx, 2027).categories if r.category == "high_value_patent"
    ]
    assert (status.committed, status.disbursed) == (0, 300_000)


@pytest.mark.parametrize(
    ("category", "amount", "message"),
    [
        ("nope", 1, "未知的项目类别"),
        ("high_value_patent", 0, "须为正整数元"),
        ("data_ip_securitization", 2_000_001, "全年最多2000000元"),
    ],
)
def test_a_bad_year_budget_is_refused(
    ctx: AppContext, engine: Engine, category: str, amount: int, message: str
) -> None:
    before = database_dump(engine)
    with pytest.raises(Refused, match=message):
        set_year_budget(ctx, 2027, category, amount)
    assert database_dump(engine) == before


def test_a_year_budget_cannot_drop_below_what_is_committed(ctx: AppContext) -> None:
    make_project(ctx)
    with pytest.raises(Refused, match="已承诺500000元"):
        set_year_budget(ctx, 2027, "high_value_patent", 499_999)
