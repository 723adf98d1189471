"""Project use cases: creation, eligibility, transitions with history, locking, restriction."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tests.conftest import database_dump
from tests.factories import make_project, new_project, on, qualify, register
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.orm import Project, ProjectEvent
from workflow.projects.actions import advance, create, show
from workflow.projects.plans import PlanRow
from workflow.units.actions import add_record


def test_a_new_project_is_applied_with_a_creation_event(ctx: AppContext) -> None:
    result = create(ctx, qualify(ctx, new_project()))
    shown = show(ctx, result.id)
    assert result.state == "applied"
    assert shown.triggers == ["screen", "reject", "withdraw"]
    assert [(e.from_, e.to, e.trigger) for e in shown.history] == [(None, "applied", "create")]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "nonsense"}, "未知的项目类别"),
        ({"end": date(2026, 12, 31)}, "须晚于开始日期"),
        ({"category": "data_ip_chain", "end": date(2028, 12, 31)}, "实施期为1年"),
        ({"category": "gi_brand", "end": date(2027, 12, 31)}, "实施期为2年"),
        ({"budget": -1}, "预算须为不小于0"),
        ({"title": "  "}, "项目名称不能为空"),
        ({"contact_email": "not-an-address"}, "联系邮箱"),
    ],
)
def test_a_bad_application_is_refused_and_writes_nothing(
    ctx: AppContext, engine: Engine, changes: dict[str, object], message: str
) -> None:
    before = database_dump(engine)
    with pytest.raises(Refused, match=message):
        create(ctx, replace(new_project(), **changes))
    assert database_dump(engine) == before


def test_approval_is_refused_while_a_credit_record_is_active_and_names_it(
    ctx: AppContext, engine: Engine
) -> None:
    project_id = make_project(ctx, state="screened", unit="黔南某科技公司")
    add_record(
        ctx,
        "黔南某科技公司",
        "abnormal_operation",
        date(2027, 3, 1),
        date(2027, 12, 31),
        "信用中国公示",
    )
    before = database_dump(engine)
    with pytest.raises(Refused, match=r"经营异常（#1，2027-03-01至2027-12-31，信用中国公示）"):
        advance(ctx, project_id, "approve")
    assert database_dump(engine) == before


def test_approval_goes_through_once_the_record_has_expired(ctx: AppContext) -> None:
    project_id = make_project(ctx, state="screened", unit="黔南某科技公司")
    add_record(ctx, "黔南某科技公司", "penalty", date(2026, 1, 1), date(2027, 4, 14), "")
    assert advance(ctx, project_id, "approve").to == "approved"


def test_the_contractor_may_not_apply_for_another_category(ctx: AppContext) -> None:
    make_project(ctx, category="risk_control", unit="贵州某会计师事务所")
    with pytest.raises(Refused, match="风险防控机构"):
        create(ctx, new_project(category="high_value_patent", unit="贵州某会计师事务所"))


def test_a_unit_holding_other_projects_may_not_become_the_contractor(ctx: AppContext) -> None:
    make_project(ctx, category="strong_enterprise", unit="贵州某咨询公司")
    with pytest.raises(Refused, match="不得承担风险防控项目"):
        create(ctx, new_project(category="risk_control", unit="贵州某咨询公司"))


def test_a_contractor_unit_cannot_be_approved_elsewhere_even_if_created_first(
    ctx: AppContext,
) -> None:
    register(ctx, "某机构", "service_org")  # an IP service institution: it may lead either
    other = make_project(ctx, state="screened", category="patent_navigation", unit="某机构")
    advance(ctx, other, "reject")  # a rejected application does not count
    make_project(ctx, category="risk_control", unit="某机构")
    with pytest.raises(Refused, match="风险防控机构"):
        create(ctx, new_project(category="patent_navigation", unit="某机构"))


def test_each_transition_appends_one_event_with_actor_note_and_amount(ctx: AppContext) -> None:
    project_id = make_project(ctx, category="gi_brand", unit="仁怀市酱香白酒协会")
    review_day = on(ctx, date(2027, 12, 1))  # year 1 is 2027; its review opens 30 days ahead
    advance(review_day, project_id, "review", note="第一年度评价")
    advance(review_day, project_id, "roll", note="评价达标", amount=800_000)
    history = show(ctx, project_id).history
    assert [e.trigger for e in history] == [
        "create",
        "screen",
        "approve",
        "start",
        "review",
        "roll",
    ]
    assert history[-1].note == "评价达标"
    assert history[-1].data == {"amount": 800_000}
    assert {e.actor for e in history} == {"tester"}


@pytest.mark.parametrize(
    ("amount", "ok"), [(499_999, False), (500_000, True), (1_000_000, True), (1_000_001, False)]
)
def test_gi_brand_rolling_funding_is_50_to_100_wan_inclusive(
    ctx: AppContext, amount: int, ok: bool
) -> None:
    project_id = make_project(ctx, category="gi_brand")
    review_day = on(ctx, date(2027, 12, 1))
    advance(review_day, project_id, "review")
    if ok:
        assert advance(review_day, project_id, "roll", amount=amount).to == "in_progress"
    else:
        with pytest.raises(Refused, match="50万至100万元"):
            advance(review_day, project_id, "roll", amount=amount)


def test_a_refused_trigger_names_project_state_trigger_reason_and_possible_triggers(
    ctx: AppContext,
) -> None:
    project_id = make_project(ctx, start=date(2027, 1, 1), end=date(2028, 12, 31))
    with pytest.raises(Refused) as refused:
        advance(ctx, project_id, "pass_acceptance")
    message = str(refused.value)
    for part in (f"项目#{project_id}", "实施中（in_progress）", "pass_acceptance"):
        assert part in message
    # Only what would pass today: the yearly review opens on 2027-12-01, acceptance on 2028-12-01.
    assert message.endswith("当前可执行的操作：suspend、terminate")
    with pytest.raises(Refused) as refused:
        advance(on(ctx, date(2027, 12, 1)), project_id, "pass_acceptance")
    assert str(refused.value).endswith("当前可执行的操作：review、suspend、terminate")


def test_acceptance_needs_every_quarterly_report_of_the_term(ctx: AppContext) -> None:
    project_id = make_project(ctx, category="data_ip_chain")
    with pytest.raises(Refused, match="应交4份，已交0份"):
        advance(on(ctx, AFTER_TERM), project_id, "request_acceptance")


def test_an_amount_on_a_transition_without_money_is_refused(ctx: AppContext) -> None:
    project_id = make_project(ctx, state="applied")
    with pytest.raises(Refused, match="不涉及金额"):
        advance(ctx, project_id, "screen", amount=100)


AFTER_TERM = date(2028, 1, 20)
"""A day after a 2027 one-year term, when its four quarterly reports are in."""


def _accept_and_fail_twice(ctx: AppContext, project_id: int) -> None:
    from workflow.projects.reports import submit

    for due in (date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31)):
        submit(on(ctx, due), project_id, due, {"项目实施": 100})
    for trigger in ("request_acceptance", "fail_acceptance", "fail_reacceptance"):
        advance(ctx, project_id, trigger)


def test_a_double_acceptance_failure_restricts_the_unit_for_three_years(ctx: AppContext) -> None:
    project_id = make_project(ctx, category="data_ip_chain", unit="某数据公司")
    ctx = on(ctx, AFTER_TERM)
    _accept_and_fail_twice(ctx, project_id)
    advance(ctx, project_id, "close", amount=0, note="未拨付资金，无需收回")
    assert show(ctx, project_id).state == "closed"
    with pytest.raises(Refused, match="限制申报期"):
        create(
            ctx,
            new_project(
                category="data_ip_chain",
                unit="某数据公司",
                start=date(2031, 1, 1),
                end=date(2031, 12, 31),
            ),
        )
    later = create(
        ctx,
        new_project(
            category="data_ip_chain",
            unit="某数据公司",
            start=date(2031, 1, 21),
            end=date(2032, 1, 20),
        ),
    )
    assert later.state == "applied"


def test_an_optimistic_lock_stops_a_second_writer_of_a_stale_row(
    ctx: AppContext, engine: Engine
) -> None:
    project_id = make_project(ctx, state="applied")
    with Session(engine) as first, Session(engine, expire_on_commit=False) as second:
        b = second.get(Project, project_id)
        # The stale copy outlives the transaction that read it: on SQLite an open reader's
        # transaction would hold off the first writer's commit (the database lock).
        second.commit()
        a = first.get(Project, project_id)
        assert a is not None and b is not None
        a.state = "screened"
        first.commit()
        b.state = "withdrawn"
        with pytest.raises(StaleDataError):
            second.commit()


def test_concurrent_advances_of_one_project_let_exactly_one_win(
    ctx: AppContext, engine: Engine
) -> None:
    project_id = make_project(ctx, state="applied")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            advance(ctx, project_id, "screen")
            outcomes.append("won")
        except Refused:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["won"]
    with Session(engine) as session:
        triggers = session.scalars(
            select(ProjectEvent.trigger)
            .where(ProjectEvent.project_id == project_id)
            .order_by(ProjectEvent.seq)
        ).all()
    assert triggers == ["create", "screen"]


def test_a_plan_drives_the_progress_that_show_reports(ctx: AppContext) -> None:
    plan = [
        PlanRow("导航分析", date(2027, 1, 1), date(2027, 6, 30), 2),
        PlanRow("专利布局", date(2027, 3, 1), date(2027, 12, 31), 1),
    ]
    project_id = make_project(ctx, plan=plan)
    from workflow.projects.reports import submit

    submit(ctx, project_id, date(2027, 3, 31), {"导航分析": 30})
    shown = show(ctx, project_id)  # clock: 2027-04-15
    # judged at the report of 03-31: 导航分析 89/180 elapsed, 专利布局 30/305
    # → (2·89/180 + 30/305)/3 = 36.24% planned; actual (2·30 + 1·0)/3 = 20%
    assert (shown.planned, shown.actual, shown.lag) == (36.24, 20.0, 16.24)
    # today (04-15): (2·104/180 + 45/305)/3 = 43.44%, for information only
    assert (shown.planned_today, shown.last_report) == (43.44, date(2027, 3, 31))
