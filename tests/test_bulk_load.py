"""The bulk path: projects loaded in bulk behave as if created, advanced and reported one by one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bench.bulk_load import BulkProject, BulkReport, bulk_load
from tests.conftest import database_dump
from tests.factories import make_project, new_project
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm import LedgerSnapshot, Project
from workflow.progress.rules import TaskProgress, progress, standing
from workflow.progress.store import progress_by_project
from workflow.projects.actions import show
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

START = ("screen", "approve", "start")
PLAN = [
    PlanRow("调研", date(2027, 1, 1), date(2027, 3, 31), 1.0),
    PlanRow("布局", date(2027, 2, 1), date(2027, 9, 30), 2.0),
    PlanRow("里程碑", date(2027, 4, 10), date(2027, 4, 10), 1.0),
    PlanRow("转化", date(2027, 6, 1), date(2027, 12, 31), 3.0),
]
REPORTS = (
    BulkReport(date(2027, 3, 31), (100.0, 20.0, 0.0, 0.0)),
    BulkReport(date(2027, 4, 12), (100.0, 35.5, 100.0, 2.0)),
)


def _item(title: str, **kwargs: object) -> BulkProject:
    application = new_project(title=title, plan=PLAN, **kwargs)  # type: ignore[arg-type]
    return BulkProject(application, START, REPORTS)


def test_a_bulk_loaded_project_is_checked_exactly_like_one_created_one_by_one(
    ctx: AppContext,
) -> None:
    by_hand = make_project(ctx, title="逐个创建", plan=PLAN)
    for report in REPORTS:
        completions = dict(zip([r.task for r in PLAN], report.completions, strict=True))
        submit(ctx, by_hand, report.report_date, completions)
    assert bulk_load(ctx, [_item("批量导入")]) == 1
    run_check(ctx, date(2027, 4, 15))
    with transaction(ctx.engine) as session:
        rows = session.scalars(select(LedgerSnapshot).order_by(LedgerSnapshot.project_id)).all()
        found = [(r.state, r.planned, r.actual, r.lag, r.flag, r.reasons) for r in rows]
    assert len(found) == 2
    assert found[0] == found[1]
    shown = [show(ctx, pid) for pid in (by_hand, by_hand + 1)]
    assert [s.triggers for s in shown] == [shown[0].triggers] * 2
    assert [len(s.history) for s in shown] == [4, 4]


def test_progress_by_project_matches_the_progress_formula(ctx: AppContext) -> None:
    bulk_load(ctx, [_item("甲"), BulkProject(new_project(title="乙", plan=PLAN), START)])
    day = date(2027, 4, 20)
    with transaction(ctx.engine) as session:
        found = progress_by_project(session, day, [Project.state == "in_progress"])
    tasks = [
        TaskProgress(r.start, r.due, r.weight, c)
        for r, c in zip(PLAN, REPORTS[-1].completions, strict=True)
    ]
    assert found[1] == standing(tasks, date(2027, 4, 12), day)
    assert found[1].lag == progress(tasks, date(2027, 4, 12), True).lag
    assert found[2] == standing(tasks, None, day)


def test_projects_created_after_a_bulk_load_get_fresh_ids(ctx: AppContext) -> None:
    bulk_load(ctx, [_item(f"项目{k}") for k in range(3)], batch=2)
    # The bulk loader registers 贵州大学 as an enterprise, which may apply for data_ip_chain.
    assert make_project(ctx, title="之后创建", category="data_ip_chain") == 4


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (
            BulkProject(new_project(title="市州", category="capability_city"), START),
            "统一立项",
        ),
        (BulkProject(new_project(title="跳步"), ("start",)), "不能执行start"),
        (
            BulkProject(
                new_project(title="越界", plan=PLAN),
                START,
                (BulkReport(date(2030, 1, 1), (1.0,) * 4),),
            ),
            "不在实施期",
        ),
        (
            BulkProject(
                new_project(title="缺项", plan=PLAN), START, (BulkReport(date(2027, 3, 1), (1.0,)),)
            ),
            "完成度",
        ),
        (BulkProject(new_project(title="未立项", plan=PLAN), ("screen",), REPORTS), "不在实施期内"),
        (BulkProject(new_project(title="坏预算", budget=-1)), "预算"),
    ],
)
def test_a_bulk_load_with_one_bad_project_refuses_all_and_changes_nothing(
    ctx: AppContext, item: BulkProject, reason: str
) -> None:
    make_project(ctx, title="已有项目")
    before = database_dump(ctx.engine)
    with pytest.raises(Refused, match=reason) as refused:
        bulk_load(ctx, [_item("好项目"), item])
    assert "第2个项目" in str(refused.value)
    assert database_dump(ctx.engine) == before


def test_the_contractor_may_not_be_loaded_with_another_project(ctx: AppContext) -> None:
    contractor = BulkProject(
        new_project(title="风控", category="risk_control", unit="风控所"), START
    )
    other = BulkProject(new_project(title="其他", unit="风控所"), START)
    before = database_dump(ctx.engine)
    with pytest.raises(Refused, match="风险防控机构"):
        bulk_load(ctx, [contractor, other])
    assert database_dump(ctx.engine) == before


def test_the_benchmark_programme_loads_with_the_tier_each_category_needs(ctx: AppContext) -> None:
    from bench.generate import programme

    assert bulk_load(ctx, programme(40)) == 40
    with transaction(ctx.engine) as session:
        tiers = dict(session.execute(select(Project.category, Project.tier)).tuples().all())
    assert tiers["gi_brand"] in ("county", "prefecture", "provincial")
    assert tiers["strong_enterprise"] == "basic"
    assert tiers["high_value_patent"] is None
