"""Users and roles: who may fire which trigger, refusals logged, and the append-only history."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import DatabaseError

from tests.conftest import NOON, Cli, database_dump
from tests.factories import enrol_university, make_project
from workflow.access import rules as permissions
from workflow.access.actions import add_user, disable_user, list_refusals, list_users
from workflow.core.clock import fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import make_engine
from workflow.db.orm import ProjectEvent
from workflow.db.orm_users import RefusalLog
from workflow.projects.actions import advance
from workflow.projects.reports import submit
from workflow.units.actions import add_unit


def as_user(ctx: AppContext, name: str) -> AppContext:
    return replace(ctx, actor=name)


@pytest.fixture
def office(ctx: AppContext) -> AppContext:
    """Roles enforced: `office` is the admin, and a manager, a contractor and two unit users exist."""
    add_unit(ctx, "贵州大学", "university", None, {"valid_patents": "1260"})
    add_unit(ctx, "贵州磷化集团", "enterprise", None, {"chain_leader": "yes"})
    add_user(ctx, "office", "admin", None)
    admin = as_user(ctx, "office")
    add_user(admin, "manager", "manager", None)
    add_user(admin, "contractor", "contractor", None)
    add_user(admin, "gzu", "unit", "贵州大学")
    add_user(admin, "phos", "unit", "贵州磷化集团")
    return admin


def refused_without_change(engine: Engine, action: object) -> str:
    """Run `action`, expect a refusal; assert only the refusal log changed, by one row."""
    before = database_dump(engine)
    with pytest.raises(Refused) as refused:
        action()  # type: ignore[operator]
    after = database_dump(engine)
    assert len(after.pop("refusal_log")) == len(before.pop("refusal_log")) + 1
    assert after == before
    return str(refused.value)


def test_with_no_user_defined_any_actor_may_approve(ctx: AppContext) -> None:
    project_id = make_project(ctx, state="screened")
    assert advance(as_user(ctx, "anyone"), project_id, "approve").to == "approved"


def test_the_first_user_must_be_an_admin(ctx: AppContext) -> None:
    with pytest.raises(Refused, match="第一个用户须为管理员"):
        add_user(ctx, "manager", "manager", None)
    assert list_users(ctx) == []


def test_once_a_user_exists_an_unknown_actor_is_refused_and_logged(
    office: AppContext, engine: Engine
) -> None:
    project_id = make_project(office, state="screened")
    reason = refused_without_change(
        engine, lambda: advance(as_user(office, "stranger"), project_id, "approve")
    )
    assert "“stranger”未登记" in reason
    [logged] = list_refusals(office)
    assert logged.actor == "stranger" and logged.role is None
    assert logged.action == "approve" and logged.project_id == project_id
    assert logged.reason == reason and logged.at.isoformat().startswith("2027-04-15T04:00")


def test_a_disabled_user_is_refused(office: AppContext, engine: Engine) -> None:
    project_id = make_project(office, state="applied")
    disable_user(office, "manager")
    reason = refused_without_change(
        engine, lambda: advance(as_user(office, "manager"), project_id, "screen")
    )
    assert "“manager”已停用" in reason


def test_a_manager_screens_and_starts_but_the_office_approves(
    office: AppContext, engine: Engine
) -> None:
    manager = as_user(office, "manager")
    project_id = make_project(manager, state="screened")
    reason = refused_without_change(engine, lambda: advance(manager, project_id, "approve"))
    assert "项目管理员（manager），无权执行“approve”" in reason
    advance(office, project_id, "approve")
    assert advance(manager, project_id, "start").to == "in_progress"


@pytest.mark.parametrize("trigger", ["reject", "suspend", "terminate", "pass_acceptance", "close"])
def test_a_manager_takes_no_decision_of_the_office(trigger: str) -> None:
    assert not permissions.allowed("manager", trigger)
    assert permissions.allowed("admin", trigger)


@pytest.mark.parametrize("trigger", ["approve", "terminate", "roll", "pass_acceptance"])
def test_the_contractor_cannot_approve_or_terminate(
    office: AppContext, engine: Engine, trigger: str
) -> None:
    project_id = make_project(office, state="in_progress")
    reason = refused_without_change(
        engine, lambda: advance(as_user(office, "contractor"), project_id, trigger)
    )
    assert f"风险防控机构（contractor），无权执行“{trigger}”" in reason


def test_the_contractor_reviews_letters_and_records_rectification() -> None:
    assert permissions.allowed("contractor", "letter_review")
    assert permissions.allowed("contractor", "rectification")


def test_a_unit_user_submits_reports_for_its_own_projects_only(
    office: AppContext, engine: Engine
) -> None:
    own = make_project(office, unit="贵州大学", title="高校项目")
    other = make_project(office, unit="贵州磷化集团", title="企业项目")
    gzu = as_user(office, "gzu")
    submit(gzu, own, date(2027, 3, 31), {"项目实施": 40})
    reason = refused_without_change(
        engine, lambda: submit(gzu, other, date(2027, 3, 31), {"项目实施": 40})
    )
    assert "只能操作本单位的项目" in reason and f"项目#{other}" in reason


def test_a_unit_user_may_withdraw_its_own_application_but_not_screen_it(
    office: AppContext, engine: Engine
) -> None:
    project_id = make_project(office, state="applied", unit="贵州大学")
    gzu = as_user(office, "gzu")
    reason = refused_without_change(engine, lambda: advance(gzu, project_id, "screen"))
    assert "项目承担单位（unit），无权执行“screen”" in reason
    assert advance(gzu, project_id, "withdraw").to == "withdrawn"


def test_a_unit_user_cannot_create_a_project(office: AppContext, engine: Engine) -> None:
    reason = refused_without_change(
        engine, lambda: make_project(as_user(office, "gzu"), state="applied")
    )
    assert "无权执行“project_create”" in reason


def test_a_unit_user_needs_a_registered_unit(office: AppContext) -> None:
    with pytest.raises(Refused, match="须用 --unit"):
        add_user(office, "nobody", "unit", None)
    with pytest.raises(Refused, match="没有名为“黔南某公司”的单位"):
        add_user(office, "nobody", "unit", "黔南某公司")
    with pytest.raises(Refused, match="只有单位用户"):
        add_user(office, "nobody", "manager", "贵州大学")


def test_only_the_office_manages_users(office: AppContext, engine: Engine) -> None:
    reason = refused_without_change(
        engine, lambda: add_user(as_user(office, "manager"), "helper", "manager", None)
    )
    assert "无权执行“user_add”" in reason


def test_the_last_active_admin_cannot_be_disabled(office: AppContext) -> None:
    with pytest.raises(Refused, match="唯一在用的管理员"):
        disable_user(office, "office")
    add_user(office, "deputy", "admin", None)
    assert disable_user(office, "office").active is False


def test_user_commands_add_list_and_disable(ipflow: Cli) -> None:
    assert ipflow("unit", "add", "贵州大学").exit_code == 0
    assert ipflow("user", "add", "tester", "--role", "admin").exit_code == 0
    added = ipflow("user", "add", "gzu", "--role", "unit", "--unit", "贵州大学", "--json")
    assert added.exit_code == 0 and json.loads(added.stdout)["unit"] == "贵州大学"
    assert ipflow("user", "disable", "gzu").exit_code == 0
    listed = json.loads(ipflow("user", "list", "--json").stdout)
    assert [(u["name"], u["role"], u["unit"], u["active"]) for u in listed] == [
        ("tester", "admin", None, True),
        ("gzu", "unit", "贵州大学", False),
    ]
    assert listed[1]["disabled_by"] == "tester"


def test_a_refused_command_exits_1_with_the_reason_and_is_listed(
    ipflow: Cli, engine: Engine
) -> None:
    ipflow("user", "add", "tester", "--role", "admin")
    ipflow("user", "add", "li", "--role", "manager")
    enrol_university(ipflow)
    created = ipflow(
        "--as", "li", "project", "create", "--category", "high_value_patent", "--title", "磷化工",
        "--unit", "贵州大学", "--start", "2027-01-01", "--end", "2028-12-31",
        "--budget", "500000", "--json",
    )  # fmt: skip
    project_id = json.loads(created.stdout)["id"]
    before = database_dump(engine)
    result = ipflow("--as", "li", "project", "advance", str(project_id), "reject")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "无权执行“reject”" in result.stderr
    after = database_dump(engine)
    assert len(after.pop("refusal_log")) == 1 and before.pop("refusal_log") == []
    assert after == before
    [row] = json.loads(ipflow("user", "refusals", "--json").stdout)
    assert (row["actor"], row["role"], row["action"]) == ("li", "manager", "reject")


def test_an_unknown_role_is_a_usage_error(ipflow: Cli) -> None:
    assert ipflow("user", "add", "x", "--role", "boss").exit_code == 2


def _event_row(ctx: AppContext) -> int:
    project_id = make_project(ctx, state="applied")
    with ctx.engine.connect() as conn:
        return conn.execute(
            select(ProjectEvent.id).where(ProjectEvent.project_id == project_id)
        ).scalar_one()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE project_event SET note = 'rewritten' WHERE id = :id",
        "DELETE FROM project_event WHERE id = :id",
    ],
    ids=["update", "delete"],
)
def test_the_history_cannot_be_rewritten(ctx: AppContext, statement: str) -> None:
    event_id = _event_row(ctx)
    before = database_dump(ctx.engine)
    with pytest.raises(DatabaseError, match="project_event is append-only"):  # noqa: SIM117
        with ctx.engine.begin() as conn:
            conn.execute(text(statement), {"id": event_id})
    assert database_dump(ctx.engine) == before


@pytest.mark.parametrize(
    "statement", ["UPDATE refusal_log SET reason = ''", "DELETE FROM refusal_log"]
)
def test_the_refusal_log_cannot_be_rewritten(ctx: AppContext, statement: str) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(RefusalLog),
            {"at": ctx.clock(), "actor": "x", "action": "approve", "reason": "无权"},
        )
    with pytest.raises(DatabaseError, match="refusal_log is append-only"):  # noqa: SIM117
        with ctx.engine.begin() as conn:
            conn.execute(text(statement))
    assert len(list_refusals(ctx)) == 1


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("TRUNCATE project_event", "project_event"),
        ("TRUNCATE refusal_log", "refusal_log"),
        ("TRUNCATE project CASCADE", "project_event"),
    ],
    ids=["history", "refusal-log", "cascading-from-project"],
)
def test_truncate_cannot_empty_the_append_only_tables_on_postgresql(
    pg_url: str, statement: str, refused: str
) -> None:
    engine = make_engine(pg_url)
    try:
        ctx = AppContext(engine, Settings(), fixed_clock(NOON), "tester")
        make_project(ctx, state="screened")
        with engine.begin() as conn:
            conn.execute(
                insert(RefusalLog),
                {"at": ctx.clock(), "actor": "x", "action": "approve", "reason": "无权"},
            )
        before = database_dump(engine)
        with pytest.raises(DatabaseError, match=f"{refused} is append-only: TRUNCATE refused"):  # noqa: SIM117
            with engine.begin() as conn:
                conn.execute(text(statement))
        assert database_dump(engine) == before
    finally:
        engine.dispose()


def _letter_on(office: AppContext, unit: str) -> int:
    from workflow.check.actions import run_check
    from workflow.letters.actions import list_letters
    from workflow.projects.plans import PlanRow

    plan = [PlanRow("任务", date(2027, 1, 1), date(2027, 1, 11), 1)]
    project_id = make_project(office, plan=plan, unit=unit)
    submit(office, project_id, date(2027, 1, 5), {"任务": 10})
    run_check(office, date(2027, 1, 7))
    return list_letters(office, None)[0].id


def test_the_contractor_reviews_a_letter_but_a_unit_may_not(
    office: AppContext, engine: Engine
) -> None:
    from workflow.letters.review import review_letter

    letter_id = _letter_on(office, "贵州大学")
    message = refused_without_change(
        engine, lambda: review_letter(as_user(office, "gzu"), letter_id, "reviewed", "已阅")
    )
    assert "gzu" in message
    reviewed = review_letter(as_user(office, "contractor"), letter_id, "reviewed", "已核实")
    assert reviewed.status == "reviewed"


def test_a_unit_records_the_rectification_plan_of_its_own_letter_only(
    office: AppContext, engine: Engine
) -> None:
    from workflow.letters.review import record_plan

    letter_id = _letter_on(office, "贵州大学")
    refused_without_change(
        engine, lambda: record_plan(as_user(office, "phos"), letter_id, date(2027, 1, 10), None, "")
    )
    record_plan(as_user(office, "gzu"), letter_id, date(2027, 1, 10), None, "整改方案")


def test_only_the_office_approves_the_city_ranking(office: AppContext, engine: Engine) -> None:
    from workflow.projects.city_rank import city_rank

    scores = "unit,专利运用\n" + "".join(f"城市{i},{90 - i}\n" for i in range(10))
    refused_without_change(
        engine, lambda: city_rank(as_user(office, "manager"), 2027, scores, approve=True)
    )
