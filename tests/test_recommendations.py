"""Risk-disposal recommendations (SPEC.md §5): the office handles and closes them, a project
red again gets a new one, one that stays red does not; each level's contingency plan (风险预案).

The red project has two tasks, 专利布局 (2027-01-01..03-31) and 成果转化 (04-01..04-30). Its
report of 03-31 at 0% lags 50 points (red); its report of 04-05 at 100% and 20% is ahead of
plan (56.9%), leaving it amber for its open warning letter; its report of 04-30 at the same
figures lags 40 points (the plan is then complete): red again.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import make_project
from workflow.check.actions import run_check
from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.config import CheckSettings, ContingencySettings, Settings, load_settings
from workflow.core.context import AppContext
from workflow.db.orm import OutboxMessage
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

TWO_TASKS = [
    PlanRow("专利布局", date(2027, 1, 1), date(2027, 3, 31), 1),
    PlanRow("成果转化", date(2027, 4, 1), date(2027, 4, 30), 1),
]
YEAR_TASK = [PlanRow("年度任务", date(2027, 1, 1), date(2027, 12, 31), 1)]
DEFAULTS = ContingencySettings()
RED_PLAN = DEFAULTS.red
DECISION = "暂停拨付第二期资金，责令三个月内完成整改"
NOTE = "经2027年4月1日局务会研究"


def _at(ipflow: Cli, day: date, *args: str) -> Result:
    """Run `ipflow --as office ARGS` with the clock on `day`."""
    ipflow.today = day
    return ipflow("--as", "office", *args)


def _check(ipflow: Cli, day: date, *options: str) -> dict[str, Any]:
    result = _at(ipflow, day, *options, "check", "run", "--today", day.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _report(ipflow: Cli, project_id: int, day: date, first: int, second: int) -> None:
    result = _at(
        ipflow,
        day,
        *("report", "submit", str(project_id), "--date", day.isoformat()),
        *("--progress", f"专利布局={first}", "--progress", f"成果转化={second}"),
    )
    assert result.exit_code == 0, result.output


def _listed(ipflow: Cli) -> list[dict[str, Any]]:
    result = ipflow("--as", "office", "recommendations", "list", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _handle(ipflow: Cli, day: date, actor: str, *args: str) -> Result:
    ipflow.today = day
    return ipflow("--as", actor, "recommendations", "handle", *args)


@pytest.fixture
def red(ctx: AppContext, ipflow: Cli) -> int:
    """The red project of the module docstring, reported on 03-31 at 0%, with the office
    (admin), programme staff (manager) and the unit's user registered."""
    project_id = make_project(ctx, plan=TWO_TASKS, contact_email="unit@example.org")
    for name, role, unit in (
        ("office", "admin", None),
        ("staff", "manager", None),
        ("gzu", "unit", "贵州大学"),
    ):
        unit_option = ["--unit", unit] if unit else []
        added = ipflow("--as", "office", "user", "add", name, "--role", role, *unit_option)
        assert added.exit_code == 0, added.output
    _report(ipflow, project_id, date(2027, 3, 31), 0, 0)
    return project_id


def test_a_red_project_gets_an_open_recommendation_carrying_the_red_contingency_plan(
    red: int, ipflow: Cli
) -> None:
    assert _check(ipflow, date(2027, 4, 1))["flags"]["red"] == 1
    [rec] = _listed(ipflow)
    assert {k: rec[k] for k in ("project_id", "source", "created_on", "status")} == {
        "project_id": red,
        "source": "red_flag",
        "created_on": "2027-04-01",
        "status": "open",
    }
    assert "滞后" in rec["reason"]
    assert rec["contingency"] == RED_PLAN
    assert "暂停拨付" in RED_PLAN and "现场核查" in RED_PLAN and "提请省知识产权局" in RED_PLAN
    assert [rec[k] for k in ("decision", "note", "handled_by", "handled_on")] == [None] * 4
    text = ipflow("--as", "office", "recommendations", "list").stdout
    assert f"风险预案：{RED_PLAN}" in text


def test_the_office_handles_a_recommendation_which_closes_it_with_who_and_when(
    red: int, ipflow: Cli
) -> None:
    _check(ipflow, date(2027, 4, 1))
    [rec] = _listed(ipflow)
    handled = _handle(
        ipflow,
        date(2027, 4, 2),
        "office",
        *(str(rec["id"]), "--decision", f"  {DECISION} ", "--note", NOTE, "--json"),
    )
    assert handled.exit_code == 0, handled.output
    shown = json.loads(handled.stdout)
    [listed] = _listed(ipflow)
    assert shown == listed
    assert {k: listed[k] for k in ("id", "status", "decision", "note", "handled_by")} == {
        "id": rec["id"],
        "status": "handled",
        "decision": DECISION,
        "note": NOTE,
        "handled_by": "office",
    }
    assert listed["handled_on"] == "2027-04-02"  # the clock's day, not the check's
    assert _listed(ipflow) == [listed]
    text = ipflow("--as", "office", "recommendations", "list", "--status", "handled").stdout
    assert f"2027-04-02 office办结，处置决定：{DECISION}；处置备注：{NOTE}" in text
    assert ipflow("--as", "office", "recommendations", "list", "--status", "open").stdout == ""


def test_the_handle_command_prints_one_line_and_the_note_is_optional(red: int, ipflow: Cli) -> None:
    _check(ipflow, date(2027, 4, 1))
    [rec] = _listed(ipflow)
    handled = _handle(ipflow, date(2027, 4, 1), "office", str(rec["id"]), "--decision", DECISION)
    assert handled.exit_code == 0, handled.output
    assert handled.stdout == (
        f"风险处置建议#{rec['id']}（项目#{red}）已办结，处置决定：{DECISION}\n"
    )
    [listed] = _listed(ipflow)
    assert (listed["status"], listed["note"], listed["handled_on"]) == (
        "handled",
        None,
        "2027-04-01",
    )


def test_a_project_that_stays_red_after_its_recommendation_was_handled_gets_no_new_one(
    red: int, ipflow: Cli
) -> None:
    _check(ipflow, date(2027, 4, 1))
    [rec] = _listed(ipflow)
    handled = _handle(ipflow, date(2027, 4, 1), "office", str(rec["id"]), "--decision", DECISION)
    assert handled.exit_code == 0, handled.output
    _check(ipflow, date(2027, 4, 1))  # a rerun of the day after the office handled it
    for day in (date(2027, 4, 2), date(2027, 4, 3), date(2027, 4, 4)):
        assert _check(ipflow, day)["flags"]["red"] == 1
    assert [r["status"] for r in _listed(ipflow)] == ["handled"]


def test_a_project_red_again_after_its_recommendation_was_closed_gets_a_new_one(
    red: int, ipflow: Cli
) -> None:
    _check(ipflow, date(2027, 4, 1))
    [first] = _listed(ipflow)
    _handle(ipflow, date(2027, 4, 2), "office", str(first["id"]), "--decision", DECISION)
    _check(ipflow, date(2027, 4, 2))
    _report(ipflow, red, date(2027, 4, 5), 100, 20)  # ahead of plan: amber (open letter)
    assert _check(ipflow, date(2027, 4, 6))["flags"] == {"green": 0, "amber": 1, "red": 0}
    assert len(_listed(ipflow)) == 1
    _report(ipflow, red, date(2027, 4, 30), 100, 20)  # lag 40 points
    assert _check(ipflow, date(2027, 5, 1))["flags"]["red"] == 1
    second, again = _listed(ipflow)
    assert (again["id"], again["status"], again["created_on"]) == (
        first["id"],
        "handled",
        "2027-04-01",
    )
    assert (second["status"], second["created_on"], second["id"] > first["id"]) == (
        "open",
        "2027-05-01",
        True,
    )
    assert (second["project_id"], second["source"], second["contingency"]) == (
        red,
        "red_flag",
        RED_PLAN,
    )
    assert _check(ipflow, date(2027, 5, 2))["flags"]["red"] == 1
    assert len(_listed(ipflow)) == 2


def test_red_again_while_the_recommendation_is_still_open_adds_none(red: int, ipflow: Cli) -> None:
    _check(ipflow, date(2027, 4, 1))
    _report(ipflow, red, date(2027, 4, 5), 100, 20)
    _check(ipflow, date(2027, 4, 6))
    _report(ipflow, red, date(2027, 4, 30), 100, 20)
    _check(ipflow, date(2027, 5, 1))
    assert [(r["status"], r["created_on"]) for r in _listed(ipflow)] == [("open", "2027-04-01")]


@pytest.mark.parametrize("actor", ["staff", "gzu"])
def test_a_manager_or_a_unit_user_may_not_handle_a_recommendation(
    red: int, ipflow: Cli, engine: Engine, actor: str
) -> None:
    _check(ipflow, date(2027, 4, 1))
    [rec] = _listed(ipflow)
    before = database_dump(engine)
    refused = _handle(ipflow, date(2027, 4, 2), actor, str(rec["id"]), "--decision", DECISION)
    after = database_dump(engine)
    assert refused.exit_code == 1, refused.output
    message = without_clock_notice(refused.stderr)
    assert "\n" not in message and f"用户“{actor}”" in message and "无权执行" in message
    assert "recommendation_handle" in message
    assert len(after.pop("refusal_log")) == len(before.pop("refusal_log")) + 1
    assert after == before
    assert _listed(ipflow)[0]["status"] == "open"


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("handled", [f"已于2027-04-02由office办结（处置决定：{DECISION}）", "不能再次办结"]),
        ("unknown", ["没有编号为999的风险处置建议"]),
        ("empty", ["处置决定不能为空"]),
    ],
)
def test_handling_one_already_handled_an_unknown_id_or_with_an_empty_decision_is_refused(
    red: int, ipflow: Cli, engine: Engine, case: str, words: list[str]
) -> None:
    _check(ipflow, date(2027, 4, 1))
    [rec] = _listed(ipflow)
    target, decision = str(rec["id"]), DECISION
    if case == "handled":
        _handle(ipflow, date(2027, 4, 2), "office", target, "--decision", DECISION)
    elif case == "unknown":
        target = "999"
    else:
        decision = "   "
    before = database_dump(engine)
    refused = _handle(ipflow, date(2027, 4, 3), "office", target, "--decision", decision)
    assert refused.exit_code == 1, refused.output
    message = without_clock_notice(refused.stderr)
    assert "\n" not in message and refused.stdout == ""
    assert all(w in message for w in words), message
    assert database_dump(engine) == before


def _config(tmp_path: Path, **plans: str) -> Path:
    path = tmp_path / "ipflow.toml"
    lines = ["[contingency]", *(f'{level} = "{text}"' for level, text in plans.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


OVERRIDES = {
    "green": "绿色预案：按季度跟踪",
    "amber": "黄色预案：约谈并限期十日整改",
    "red": "红色预案：立即暂停拨付，七日内现场核查",
}


def test_the_contingency_table_of_the_configuration_overrides_each_level(tmp_path: Path) -> None:
    settings = load_settings(str(_config(tmp_path, **OVERRIDES)))
    assert [settings.contingency.plan(level) for level in OVERRIDES] == list(OVERRIDES.values())
    only_red = load_settings(str(_config(tmp_path, red=OVERRIDES["red"]))).contingency
    assert (only_red.green, only_red.amber, only_red.red) == (
        DEFAULTS.green,
        DEFAULTS.amber,
        OVERRIDES["red"],
    )
    assert (
        "约谈" in DEFAULTS.amber and "限期整改" in DEFAULTS.amber and "加密跟踪" in DEFAULTS.amber
    )


def test_a_configured_red_plan_goes_into_the_red_notice_and_the_recommendation(
    red: int, ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    config = _config(tmp_path, **OVERRIDES)
    _check(ipflow, date(2027, 4, 1), "--config", str(config))
    [rec] = _listed(ipflow)
    assert rec["contingency"] == OVERRIDES["red"]
    with Session(engine) as session:
        bodies = session.execute(
            select(OutboxMessage.body_text, OutboxMessage.body_html).where(
                OutboxMessage.key.startswith(f"notice/{red}/red/")
            )
        ).all()
    assert bodies
    for body_text, body_html in bodies:
        for body in (body_text, body_html):
            assert f"风险预案（红色）：{OVERRIDES['red']}。" in body
            assert RED_PLAN not in body


# ------------------------------------------------------------- every level's notices


def _later(ctx: AppContext, settings: Settings) -> AppContext:
    """`ctx` with `settings` and the clock at the end of 2027, so any 2027 day may be checked."""
    end = datetime(2027, 12, 31, 12, tzinfo=SHANGHAI).astimezone(UTC)
    return replace(ctx, settings=settings, clock=fixed_clock(end))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _notice_plans(engine: Engine, plans: ContingencySettings) -> set[tuple[str, str]]:
    """(notice kind, level whose plan its body carries) of every queued notice; each body
    (text and HTML) carries exactly one level's plan, with the level named."""
    with Session(engine) as session:
        rows = session.execute(
            select(OutboxMessage.key, OutboxMessage.body_text, OutboxMessage.body_html).where(
                OutboxMessage.key.startswith("notice/")
            )
        ).all()
    labels = {"green": "绿", "amber": "黄", "red": "红"}
    found = set()
    for key, body_text, body_html in rows:
        for body in (body_text, body_html):
            carried = [
                level
                for level in labels
                if f"风险预案（{labels[level]}色）：{plans.plan(level)}。" in body
            ]
            assert len(carried) == 1, body
        found.add((key.split("/")[2], carried[0]))
    return found


@pytest.mark.parametrize("plans", [DEFAULTS, ContingencySettings(**OVERRIDES)])
def test_each_levels_notices_carry_that_levels_contingency_plan(
    ctx: AppContext, engine: Engine, plans: ContingencySettings
) -> None:
    # Green: 60% on 03-31, ahead of plan, then no report. Amber: 12% on 03-31 (a letter), then
    # 80% on 04-10, ahead of plan but its letter stays open; no report after. Red: as above.
    later = _later(
        ctx,
        Settings(check=CheckSettings(rectification_overdue_red_days=365), contingency=plans),
    )
    green = make_project(later, title="绿色项目", plan=YEAR_TASK)
    amber = make_project(later, title="黄色项目", plan=YEAR_TASK)
    red = make_project(later, title="红色项目", plan=TWO_TASKS)
    submit(later, green, date(2027, 3, 31), {"年度任务": 60})
    submit(later, amber, date(2027, 3, 31), {"年度任务": 12})
    submit(later, red, date(2027, 3, 31), {"专利布局": 0, "成果转化": 0})
    assert run_check(later, date(2027, 4, 1)).flags == {"green": 1, "amber": 1, "red": 1}
    submit(later, amber, date(2027, 4, 10), {"年度任务": 80})
    # Around the second and third quarters' deadlines (with or without a grace period).
    for day in _days(date(2027, 6, 20), date(2027, 7, 12)) + _days(
        date(2027, 9, 10), date(2027, 10, 20)
    ):
        run_check(later, day)
    found = _notice_plans(engine, plans)
    assert {("reminder", "green"), ("reminder", "amber"), ("overdue", "amber")} <= found
    assert ("red", "red") in found
    assert {level for kind, level in found if kind == "red"} == {"red"}
