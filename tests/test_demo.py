"""The demo: a realistic 2027 programme on a fresh database, checked once, refused on a used one."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from states.categories import CATEGORIES
from tests.conftest import Cli, database_dump
from tests.factories import make_project
from workflow.core.clock import SHANGHAI
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm import CreditRecord, LedgerSnapshot, Letter, Project, ProjectEvent, Unit
from workflow.db.orm_eligibility import ProjectPartner
from workflow.demo.programme import (
    BLOCKED_UNIT,
    REFUSED_CITY_APPLICANT,
    RESTRICTED_UNIT,
    build_demo,
)

TODAY = date(2027, 9, 30)


def test_a_fresh_database_gets_thirty_projects_over_every_category_and_every_flag(
    ctx: AppContext, engine: Engine
) -> None:
    build_demo(ctx, TODAY)

    with transaction(engine) as session:
        categories = Counter(session.scalars(select(Project.category)).all())
        flags = Counter(
            session.scalars(select(LedgerSnapshot.flag).where(LedgerSnapshot.day == TODAY)).all()
        )
        letters = session.scalar(select(func.count()).select_from(Letter)) or 0
    assert sum(categories.values()) >= 30
    assert set(categories) == set(CATEGORIES)
    assert categories["capability_city"] == 10
    assert flags["green"] > 0 and flags["amber"] > 0 and flags["red"] > 0
    assert letters >= 1


def test_the_demo_walks_projects_as_far_as_the_rules_allow(ctx: AppContext, engine: Engine) -> None:
    summary = build_demo(ctx, TODAY)

    with transaction(engine) as session:
        states = set(session.execute(select(Project.category, Project.state)).tuples().all())
        blocked = session.scalars(select(Unit).where(Unit.name == BLOCKED_UNIT)).one()
        records = session.scalars(
            select(CreditRecord.kind).where(CreditRecord.unit_id == blocked.id)
        ).all()
        blocked_states = session.scalars(
            select(Project.state).where(Project.unit_id == blocked.id)
        ).all()
        emails = session.scalars(select(Unit.contact_email)).all()
    assert {("data_ip_leader", "in_library"), ("capability_city", "screened")} <= states
    # gi_brand's year-1 review opens on 2027-12-01 (30 days before 2027's end), not by 09-30.
    assert {s for c, s in states if c == "gi_brand"} == {"in_progress"}
    assert {"applied", "screened", "approved", "completed", "terminated"} <= {s for _, s in states}
    assert records == ["abnormal_operation"] and blocked_states == ["screened"]
    assert "批准被拒" in summary
    assert emails and all(e and e.endswith("example.org") for e in emails)


def test_the_demo_shows_a_joint_application_and_an_enterprise_refused_for_the_city_ranking(
    ctx: AppContext, engine: Engine
) -> None:
    summary = build_demo(ctx, TODAY)

    with transaction(engine) as session:
        first = session.execute(
            select(Unit.name)
            .join(ProjectPartner, ProjectPartner.unit_id == Unit.id)
            .where(ProjectPartner.project_id == 1)
        ).scalar_one()
        city_units = session.scalars(
            select(Unit.kind)
            .join(Project, Project.unit_id == Unit.id)
            .where(Project.category == "capability_city")
        ).all()
    assert first == "黔南某磷化工有限责任公司"
    assert "演示联合申报：7个项目有合作单位" in summary
    assert "由贵州大学牵头，合作单位：黔南某磷化工有限责任公司" in summary
    refused = next(line for line in summary.splitlines() if "（排序）申报被拒" in line)
    assert f"“{REFUSED_CITY_APPLICANT}”是企业" in refused
    assert set(city_units) == {"city_ip_office"} and len(city_units) == 10


def test_the_demo_shows_a_unit_restricted_after_a_double_acceptance_failure(
    ctx: AppContext, engine: Engine
) -> None:
    summary = build_demo(ctx, TODAY)

    with transaction(engine) as session:
        unit = session.scalars(select(Unit).where(Unit.name == RESTRICTED_UNIT)).one()
        projects = session.execute(
            select(Project.category, Project.state).where(Project.unit_id == unit.id)
        ).all()
        records = session.execute(
            select(CreditRecord.kind, CreditRecord.start, CreditRecord.end).where(
                CreditRecord.unit_id == unit.id
            )
        ).all()
    assert [tuple(p) for p in projects] == [("data_ip_leader", "closed")]
    assert [tuple(r) for r in records] == [("restricted", date(2027, 3, 31), date(2030, 3, 30))]
    refusal = next(line for line in summary.splitlines() if "演示限制申报" in line)
    assert RESTRICTED_UNIT in refusal and "申报日2027-09-16" in refusal


def test_the_gi_brand_year_one_review_is_held_in_its_window_in_december(
    ctx: AppContext, engine: Engine
) -> None:
    build_demo(ctx, date(2027, 12, 10))

    with transaction(engine) as session:
        reviewed = session.execute(
            select(Project.state, ProjectEvent.at)
            .join(ProjectEvent, ProjectEvent.project_id == Project.id)
            .where(Project.category == "gi_brand", ProjectEvent.trigger == "review")
        ).all()
    assert [(state, at.astimezone(SHANGHAI).date()) for state, at in reviewed] == [
        ("yearly_review", date(2027, 12, 6))
    ]


def test_the_cli_prints_the_summary_and_refuses_a_second_run(ipflow: Cli, engine: Engine) -> None:
    first = ipflow("demo")
    before = database_dump(engine)
    second = ipflow("demo")

    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert "检查日 2027-09-30" in lines[0]
    for code, category in CATEGORIES.items():
        assert any(code in line and category.name in line for line in lines)
    assert any(line.startswith("合计") for line in lines)
    assert "ipflow project list --flag red" in lines[-1] and "ipflow letters list" in lines[-1]
    assert second.exit_code == 1
    assert "空数据库" in second.stderr
    assert "Traceback" not in second.output
    assert database_dump(engine) == before


def test_a_database_with_projects_is_refused(ctx: AppContext) -> None:
    make_project(ctx)

    with pytest.raises(Refused, match="空数据库"):
        build_demo(ctx, TODAY)


@pytest.mark.parametrize("day", ["2027-10-15", "2027-12-31", "2028-03-01"])
def test_the_demo_runs_to_any_later_day_with_no_report_after_a_project_ended(
    ipflow: Cli, engine: Engine, day: str
) -> None:
    """Project 6 is terminated during 2027: the demo files no report for it afterwards."""
    result = Cli(ipflow.db_url, date(2028, 6, 30))("demo", "--today", day)
    assert result.exit_code == 0, result.output
    with transaction(engine) as session:
        ended = session.execute(
            select(Project.id).where(Project.state.in_(("terminated", "closed", "completed")))
        ).all()
        checked = session.scalar(select(func.max(LedgerSnapshot.day)))
    assert ended and checked == date.fromisoformat(day)


def test_the_demo_shows_a_handled_recommendation(ipflow: Cli) -> None:
    built = ipflow("demo")
    assert built.exit_code == 0, built.output
    assert "演示风险处置：省局已处理项目#" in built.stdout
    handled = json.loads(ipflow("recommendations", "list", "--status", "handled", "--json").stdout)
    assert len(handled) == 1 and handled[0]["decision"].startswith("约谈项目承担单位")
