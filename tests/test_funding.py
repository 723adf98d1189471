"""Funding per category, computed from the call's rules (seed 004) at each money transition."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select

from tests.conftest import NOON, database_dump
from tests.factories import SECURITIZATION_TERMS, make_project, new_project, on, register
from workflow.core.clock import fixed_clock
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm_money import Disbursement, FinalAccount, ProjectFunding
from workflow.money.budget import disburse, record_expenditure, review_expenditure, set_budget_lines
from workflow.money.funding import securitization_subsidy
from workflow.projects.actions import advance, create, show


def committed(ctx: AppContext, project_id: int) -> int:
    with transaction(ctx.engine) as session:
        row = session.get(ProjectFunding, project_id)
        return row.committed if row else 0


@pytest.mark.parametrize(
    ("category", "grant"),
    [
        ("high_value_patent", 500_000),
        ("strong_enterprise", 200_000),
        ("gi_brand", 500_000),
        ("capability_provincial", 500_000),
        ("risk_control", 500_000),
        ("data_ip_chain", 300_000),
        ("data_ip_scenario", 300_000),
        ("service_cluster", 1_000_000),
        ("service_brand", 500_000),
        ("data_ip_leader", 0),
    ],
)
def test_approval_commits_the_categorys_fixed_grant(
    ctx: AppContext, category: str, grant: int
) -> None:
    project_id = make_project(ctx, state="approved", category=category, unit=f"{category}单位")
    assert committed(ctx, project_id) == grant


@pytest.mark.parametrize(("kind", "grant"), [("industry", 200_000), ("enterprise", 100_000)])
def test_patent_navigation_is_funded_by_its_kind(ctx: AppContext, kind: str, grant: int) -> None:
    project_id = make_project(ctx, state="screened", category="patent_navigation")
    advance(ctx, project_id, "approve", data={"kind": kind})
    assert committed(ctx, project_id) == grant
    assert show(ctx, project_id).history[-1].data["committed"] == grant


def test_patent_navigation_without_a_kind_is_refused_and_changes_nothing(
    ctx: AppContext, engine: Engine
) -> None:
    project_id = make_project(ctx, state="screened", category="patent_navigation")
    before = database_dump(engine)
    with pytest.raises(Refused, match="kind=industry"):
        advance(ctx, project_id, "approve")
    assert database_dump(engine) == before


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [(499_900, False), (500_000, True), (1_000_000, True), (1_000_100, False)],
)
def test_gi_brand_rolls_year_two_only_between_50_and_100_wan_inclusive(
    ctx: AppContext, engine: Engine, amount: int, allowed: bool
) -> None:
    project_id = make_project(ctx, category="gi_brand")
    review_day = on(ctx, date(2027, 12, 1))  # year 1 is 2027; its review opens 30 days ahead
    advance(review_day, project_id, "review")
    before = database_dump(engine)
    if allowed:
        advance(review_day, project_id, "roll", amount=amount)
        assert committed(ctx, project_id) == 500_000 + amount
    else:
        with pytest.raises(Refused, match="50万至100万元"):
            advance(review_day, project_id, "roll", amount=amount)
        assert database_dump(engine) == before


EVALUATION_DAYS = (date(2028, 1, 5), date(2029, 1, 5), date(2030, 1, 5))
"""Days of a 2027–2029 leader's evaluations, each after a full implementation year."""


def _leader_in_library(ctx: AppContext, title: str) -> int:
    project_id = make_project(ctx, category="data_ip_leader", unit="贵州数据宝", title=title)
    advance(on(ctx, EVALUATION_DAYS[0]), project_id, "review")
    advance(on(ctx, EVALUATION_DAYS[0]), project_id, "enter_library")
    advance(on(ctx, EVALUATION_DAYS[1]), project_id, "review")
    return project_id


def test_a_leader_unit_never_receives_more_than_20_wan_over_all_its_projects(
    ctx: AppContext, engine: Engine
) -> None:
    first = _leader_in_library(ctx, "领军一期")
    second = _leader_in_library(ctx, "领军二期")
    advance(on(ctx, EVALUATION_DAYS[1]), first, "award", amount=100_000)
    advance(on(ctx, EVALUATION_DAYS[2]), first, "review")
    advance(on(ctx, EVALUATION_DAYS[2]), first, "award", amount=100_000)
    before = database_dump(engine)
    with pytest.raises(Refused, match="超过20万元上限"):
        advance(on(ctx, EVALUATION_DAYS[2]), second, "award", amount=100_000)
    assert database_dump(engine) == before
    with transaction(engine) as session:
        paid = session.scalars(select(Disbursement.amount)).all()
    assert sum(paid) == 200_000


def test_the_securitisation_subsidy_is_four_percent_of_issuance_times_the_share() -> None:
    # Issuance 1亿元, the enterprise finances 3000万 of a 1亿 product: 4% × 1亿 × 0.3 = 120万.
    assert securitization_subsidy(100_000_000, 30_000_000, 100_000_000) == 1_200_000
    # 4% × 3333万 × (1000万 ÷ 3333万) = 40万 exactly; fractions of a yuan are dropped.
    assert securitization_subsidy(33_330_000, 10_000_000, 33_330_000) == 400_000
    assert securitization_subsidy(10_000_001, 1, 3) == 133_333


def _securitisation(ctx: AppContext, unit: str, issuance: int, financing: int) -> int:
    """An approved securitisation application whose product is `issuance` and `financing`."""
    terms = {**SECURITIZATION_TERMS, "issuance": str(issuance), "financing": str(financing)}
    return make_project(
        ctx, state="approved", category="data_ip_securitization", unit=unit, data=terms
    )


def test_securitisation_is_reserved_first_come_first_served_against_the_200_wan_cap(
    ctx: AppContext, engine: Engine
) -> None:
    first = _securitisation(ctx, "甲数据公司", 100_000_000, 30_000_000)  # 120万
    crossing = _securitisation(ctx, "乙数据公司", 50_000_000, 50_000_000)  # 200万 asked
    assert committed(ctx, first) == 1_200_000
    assert committed(ctx, crossing) == 800_000  # what was left of the cap
    assert show(ctx, crossing).history[-1].data["capped"] is True
    register(ctx, "丙数据公司", "enterprise", {"guizhou_registered": "yes"})
    before = database_dump(engine)
    with pytest.raises(Refused, match="额度2000000元已用完"):
        create(ctx, new_project(category="data_ip_securitization", unit="丙数据公司"))
    assert database_dump(engine) == before


def test_securitisation_is_paid_only_after_the_product_ends_and_revoked_on_default(
    ctx: AppContext,
) -> None:
    paid = _securitisation(ctx, "甲数据公司", 100_000_000, 30_000_000)
    advance(ctx, paid, "start")
    with pytest.raises(Refused, match="产品尚未到期"):
        advance(ctx, paid, "pay_subsidy")
    later = AppContext(ctx.engine, ctx.settings, fixed_clock(NOON.replace(year=2028)), "tester")
    advance(later, paid, "pay_subsidy")
    defaulted = _securitisation(ctx, "乙数据公司", 10_000_000, 10_000_000)
    advance(ctx, defaulted, "start")
    advance(ctx, defaulted, "revoke", note="存续期内逾期还款")
    with transaction(ctx.engine) as session:
        assert session.scalars(select(Disbursement.amount)).all() == [1_200_000]
    assert committed(ctx, defaulted) == 0


def test_service_brand_is_paid_only_when_its_revenue_condition_is_met(ctx: AppContext) -> None:
    paid = make_project(ctx, category="service_brand", unit="甲知识产权代理公司")
    unpaid = make_project(ctx, category="service_brand", unit="乙知识产权代理公司")
    with pytest.raises(Refused, match="资金只随其评价或验收结果拨付"):
        disburse(ctx, paid, date(2027, 4, 1), 500_000, "首期")
    from workflow.projects.reports import submit

    ctx = on(ctx, AFTER_TERM)
    for due in (date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31)):
        submit(on(ctx, due), paid, due, {"项目实施": 100})
    advance(ctx, paid, "request_acceptance")
    with pytest.raises(Refused, match="未达到1000万元"):
        advance(ctx, paid, "pass_acceptance", data={"revenue": "9999999", "registered": "yes"})
    met = {"revenue": "10000000", "registered_on": "2026-12-20"}  # by the end of 2026
    advance(ctx, paid, "pass_acceptance", data=met)
    advance(ctx, unpaid, "close_unpaid")
    with transaction(ctx.engine) as session:
        assert session.scalars(select(Disbursement.project_id)).all() == [paid]
    assert committed(ctx, unpaid) == 0


AFTER_TERM = date(2028, 1, 20)
"""A day after a 2027 one-year term, when its four quarterly reports are in."""


def _fail_twice(ctx: AppContext, project_id: int) -> None:
    """Report the 2027 term, then fail acceptance twice, on AFTER_TERM."""
    from workflow.projects.reports import submit

    ctx = on(ctx, AFTER_TERM)
    for due in (date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31)):
        submit(on(ctx, due), project_id, due, {"项目实施": 100})
    for trigger in ("request_acceptance", "fail_acceptance", "fail_reacceptance"):
        advance(ctx, project_id, trigger)


def test_a_double_acceptance_failure_claws_back_disbursed_minus_spent_and_accepted(
    ctx: AppContext, engine: Engine
) -> None:
    project_id = make_project(ctx, category="data_ip_chain", unit="某数据公司")
    set_budget_lines(ctx, project_id, {"设备费": 200_000, "劳务费": 100_000})
    disburse(ctx, project_id, date(2027, 2, 1), 200_000, "首期拨付")
    record_expenditure(ctx, project_id, "劳务费", date(2027, 3, 1), 50_000, "研发人员劳务")
    large = record_expenditure(ctx, project_id, "设备费", date(2027, 3, 2), 100_000, "服务器")
    misuse = record_expenditure(ctx, project_id, "招待费", date(2027, 3, 3), 20_000, "宴请")
    review_expenditure(ctx, large.id, "accept", "")
    review_expenditure(ctx, misuse.id, "misuse", "预算外招待")
    _fail_twice(ctx, project_id)
    ctx = on(ctx, AFTER_TERM)
    # Disbursed 20万 − spent and accepted (5万 + 10万) = 5万; the misused 2万 does not count.
    before = database_dump(engine)
    with pytest.raises(Refused, match="50000元，而填写的是70000元"):
        advance(ctx, project_id, "close", amount=70_000)
    assert database_dump(engine) == before
    advance(ctx, project_id, "close", amount=50_000, note="收回未使用资金")
    assert show(ctx, project_id).history[-1].data["clawback"] == 50_000
    with transaction(engine) as session:
        account = session.get(FinalAccount, project_id)
        assert account is not None
        assert (account.disbursed, account.spent_accepted, account.clawback) == (
            200_000,
            150_000,
            50_000,
        )
    # The call lets the office restrict only a data_ip_leader unit (tests/test_sanctions.py).
    later = new_project(
        category="data_ip_chain", unit="某数据公司", start=date(2029, 1, 1), end=date(2029, 12, 31)
    )
    assert create(ctx, later).state == "applied"


def test_a_passed_acceptance_records_the_balance_as_carry_over(ctx: AppContext) -> None:
    from workflow.projects.reports import submit

    project_id = make_project(ctx, category="data_ip_chain")
    disburse(ctx, project_id, date(2027, 2, 1), 300_000, "全额拨付")
    record_expenditure(ctx, project_id, "设备费", date(2027, 3, 1), 80_000, "设备")
    ctx = on(ctx, AFTER_TERM)
    for due in (date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31)):
        submit(on(ctx, due), project_id, due, {"项目实施": 100})
    advance(ctx, project_id, "request_acceptance")
    advance(ctx, project_id, "pass_acceptance")
    with transaction(ctx.engine) as session:
        account = session.get(FinalAccount, project_id)
        assert account is not None
        # The 8万 item was booked outside any line: it waits for review and does not count yet.
        assert (account.balance, account.carry_over, account.clawback) == (300_000, 300_000, 0)
