"""Lag judged at each report, reports matched to periods, and dates that only move forward.

Each test is a case a programme office met, typed as a user types it: SPEC.md §4, §5, §10.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import CLOCK_NOTICE, Cli, database_dump, without_clock_notice
from tests.factories import make_project
from workflow.core.context import AppContext
from workflow.db.orm import OutboxMessage, Report
from workflow.projects.actions import advance
from workflow.projects.plans import PlanRow

YEAR_TASK = [PlanRow("年度任务", date(2027, 1, 1), date(2027, 12, 31), 1)]
TWO_TASKS = [
    PlanRow("T1", date(2027, 1, 1), date(2027, 12, 31), 1),
    PlanRow("T2", date(2027, 1, 1), date(2027, 12, 31), 1),
]


def _at(cli: Cli, day: str) -> Cli:
    """The command line as typed on `day`."""
    return Cli(cli.db_url, date.fromisoformat(day))


def _report(cli: Cli, project_id: int, day: str, *progress: str, note: str = "") -> str:
    """Submit a report dated `day` on that day; its stdout, or a failure naming its stderr."""
    args = ["report", "submit", str(project_id), "--date", day]
    for pair in progress:
        args += ["--progress", pair]
    if note:
        args += ["--note", note]
    result = _at(cli, day)(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _check(cli: Cli, day: str) -> dict[str, object]:
    result = _at(cli, day)("check", "run", "--today", day, "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def _show(cli: Cli, project_id: int, day: str) -> dict[str, object]:
    result = _at(cli, day)("project", "show", str(project_id), "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def _refused(cli: Cli, engine: Engine, *args: str) -> str:
    """Run a command that must be refused: exit 1, one paragraph, the database unchanged."""
    before = database_dump(engine)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    message = without_clock_notice(result.stderr)
    assert message.startswith("ipflow: ") and "\n" not in message, message
    assert "Traceback" not in result.output
    assert database_dump(engine) == before
    return message


def test_a_project_exactly_on_plan_is_green_six_weeks_after_its_report(
    ctx: AppContext, ipflow: Cli
) -> None:
    """Why 1: 25% on 03-31 against 89/364 = 24.45% planned is lag −0.55; on 05-15 that report's
    lag still counts (the plan's rise since is no lag), so no letter."""
    project_id = make_project(ctx, plan=YEAR_TASK)
    _report(ipflow, project_id, "2027-03-31", "年度任务=25")
    checked = _check(ipflow, "2027-05-15")
    assert (checked["flags"], checked["letters_issued"]) == (
        {"green": 1, "amber": 0, "red": 0},
        0,
    )
    shown = _show(ipflow, project_id, "2027-05-15")
    assert (shown["planned"], shown["actual"], shown["lag"], shown["flag"]) == (
        24.45,
        25.0,
        -0.55,
        "green",
    )
    assert (shown["last_report"], shown["planned_today"]) == ("2027-03-31", 36.81)
    assert json.loads(_at(ipflow, "2027-05-15")("letters", "list", "--json").stdout) == []


def test_two_reports_in_one_quarter_leave_the_next_quarter_overdue(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    """Why 2: 03-20 and 03-31 both fall in Q1; Q2's report, due 06-30 + 10 days, never comes:
    amber on 07-14 with one overdue reminder (07-11, its first day overdue)."""
    project_id = make_project(ctx, plan=YEAR_TASK)
    _report(ipflow, project_id, "2027-03-20", "年度任务=20")
    _report(ipflow, project_id, "2027-03-31", "年度任务=27")
    flags = {day: _check(ipflow, f"2027-07-{day:02d}")["flags"] for day in range(1, 15)}
    assert flags[10] == {"green": 1, "amber": 0, "red": 0}
    assert flags[14] == {"green": 0, "amber": 1, "red": 0}
    shown = _show(ipflow, project_id, "2027-07-14")
    assert [r["text"] for r in shown["flag_reasons"]] == ["季度报告逾期1份"]  # type: ignore[attr-defined]
    with Session(engine) as session:
        overdue = session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.key.contains("/overdue/"))
        ).all()
    assert overdue == [f"notice/{project_id}/overdue/2027-07-10/-1/email/unit@example.org"]


def test_a_report_dated_after_today_before_the_start_or_after_the_grace_is_refused(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    """Why 2: a report dated 2027-12-31 typed on 2027-04-05 would later drive a red flag."""
    project_id = make_project(ctx, plan=YEAR_TASK)
    submit = ("report", "submit", str(project_id), "--progress", "年度任务=100", "--date")
    message = _refused(_at(ipflow, "2027-04-05"), engine, *submit, "2027-12-31")
    assert "2027-12-31" in message and "晚于今天2027-04-05" in message
    message = _refused(_at(ipflow, "2027-04-05"), engine, *submit, "2026-12-31")
    assert "实施期2027-01-01至2027-12-31" in message
    message = _refused(_at(ipflow, "2028-02-01"), engine, *submit, "2028-01-11")
    assert "2028-01-10" in message  # the term's end plus the 10-day grace
    assert _report(ipflow, project_id, "2028-01-10", "年度任务=100")


def test_reports_give_the_same_progress_whatever_order_they_are_entered_in(
    ctx: AppContext, ipflow: Cli
) -> None:
    """Why 3: 06-30 giving only T2 = 60, then 03-31 giving T1 = 50: on 06-30 T1 is 50
    (carried from 03-31), so actual progress is (50 + 60) / 2 = 55%, not 30%."""
    project_id = make_project(ctx, plan=TWO_TASKS)
    late = _at(ipflow, "2027-07-01")
    for day, pair in (("2027-06-30", "T2=60"), ("2027-03-31", "T1=50")):
        result = late("report", "submit", str(project_id), "--date", day, "--progress", pair)
        assert result.exit_code == 0, result.output
    assert _show(ipflow, project_id, "2027-07-01")["actual"] == 55.0
    earlier = _at(ipflow, "2027-04-01")("project", "show", str(project_id), "--json")
    assert json.loads(earlier.stdout)["actual"] == 25.0  # on 04-01: T1 50, T2 not yet reported


def test_a_completion_that_goes_down_needs_a_note(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    project_id = make_project(ctx, plan=YEAR_TASK)
    _report(ipflow, project_id, "2027-03-31", "年度任务=30")
    args = (
        "report",
        "submit",
        str(project_id),
        "--date",
        "2027-06-30",
        "--progress",
        "年度任务=20",
    )
    message = _refused(_at(ipflow, "2027-06-30"), engine, *args)
    assert "--note" in message and "年度任务 30→20" in message
    _report(ipflow, project_id, "2027-06-30", "年度任务=20", note="复核后调减：部分专利申请被驳回")
    with Session(engine) as session:
        notes = session.scalars(select(Report.note).order_by(Report.report_date)).all()
    assert notes == ["", "复核后调减：部分专利申请被驳回"]


def test_a_check_after_today_or_before_the_latest_check_is_refused(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    """Why 4: a check a year ahead would issue 〔2028〕 letters and make the scheduler skip the
    real nights; one for 06-29 after 06-30 would issue a second letter in the same episode."""
    project_id = make_project(ctx, plan=YEAR_TASK)
    _report(ipflow, project_id, "2027-03-31", "年度任务=5")  # lag 19.45: amber, a letter
    today = _at(ipflow, "2027-06-30")
    message = _refused(today, engine, "check", "run", "--today", "2028-06-30")
    assert "晚于今天2027-06-30" in message
    assert _check(ipflow, "2027-06-30")["letters_issued"] == 1
    message = _refused(today, engine, "check", "run", "--today", "2027-06-29")
    assert "早于最近一次已完成的检查2027-06-30" in message and "--dry-run" in message
    before = database_dump(engine)
    look_back = today("check", "run", "--today", "2027-06-29", "--dry-run", "--json")
    assert look_back.exit_code == 0, look_back.output
    assert json.loads(look_back.stdout)["flags"]["amber"] == 1
    assert database_dump(engine) == before
    assert _check(ipflow, "2027-06-30")["letters_issued"] == 0  # the same day again: nothing new
    assert len(json.loads(today("letters", "list", "--json").stdout)) == 1
    assert project_id


def test_a_fixed_clock_says_so_and_a_wrong_one_is_refused(ipflow: Cli) -> None:
    shown = ipflow("project", "list")
    assert shown.exit_code == 0
    assert shown.stderr.startswith(CLOCK_NOTICE + "2027-04-15")
    wrong = ipflow("project", "list", env={"IPFLOW_TODAY": "2027-13-01"})
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    assert "IPFLOW_TODAY" in wrong.stderr and "2027-13-01" in wrong.stderr
    unpinned = ipflow("project", "list", env={"IPFLOW_TODAY": ""})
    assert CLOCK_NOTICE not in unpinned.stderr


def test_a_leader_owes_annual_reports_and_is_not_red_for_missing_quarterly_ones(
    ctx: AppContext, ipflow: Cli
) -> None:
    """Why 8: data_ip_leader owes an implementation report after each year, due 12-31 + 10."""
    project_id = make_project(ctx, category="data_ip_leader", plan=YEAR_TASK)
    assert _check(ipflow, "2027-07-11")["flags"] == {"green": 1, "amber": 0, "red": 0}
    assert _check(ipflow, "2028-01-10")["flags"] == {"green": 1, "amber": 0, "red": 0}
    assert _check(ipflow, "2028-01-11")["flags"] == {"green": 0, "amber": 1, "red": 0}
    shown = _show(ipflow, project_id, "2028-01-11")
    assert [r["text"] for r in shown["flag_reasons"]] == ["年度报告逾期1份"]  # type: ignore[attr-defined]
    listed = _at(ipflow, "2028-01-11")("recommendations", "list", "--json")
    assert json.loads(listed.stdout) == []


def test_navigation_and_securitisation_owe_no_periodic_report(ctx: AppContext, ipflow: Cli) -> None:
    navigation = make_project(ctx, state="screened", category="patent_navigation", plan=YEAR_TASK)
    advance(ctx, navigation, "approve", data={"kind": "industry"})
    securitisation = make_project(
        ctx, state="screened", category="data_ip_securitization", unit="甲数据公司"
    )
    terms = {"issuance": "10000000", "financing": "10000000", "ends": "2027-12-31"}
    advance(ctx, securitisation, "approve", data=terms)
    for project_id in (navigation, securitisation):
        advance(ctx, project_id, "start")
    # Outside the contractor's scope too: the check neither flags nor reminds them (SPEC §2).
    assert _check(ipflow, "2027-10-11")["flags"] == {"green": 0, "amber": 0, "red": 0}
    for project_id in (navigation, securitisation):
        shown = _show(ipflow, project_id, "2027-10-11")
        assert (shown["flag"], shown["flag_reasons"], shown["monitored"]) == (None, [], False)


def test_acceptance_needs_a_report_in_every_period_not_a_count_of_reports(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    """Why 2: four reports (two in Q1, none in Q2) do not make the term's four reports."""
    project_id = make_project(ctx, category="data_ip_chain", plan=YEAR_TASK)
    for day, pct in (("2027-03-20", 20), ("2027-03-31", 25), ("2027-09-30", 75)):
        _report(ipflow, project_id, day, f"年度任务={pct}")
    _report(ipflow, project_id, "2027-12-01", "年度任务=95")
    december = _at(ipflow, "2027-12-01")
    advance = ("project", "advance", str(project_id), "request_acceptance")
    message = _refused(december, engine, *advance)
    assert "应交4份，已交3份" in message
    late = december(
        "report", "submit", str(project_id), "--date", "2027-06-30", "--progress", "年度任务=50"
    )
    assert late.exit_code == 0, late.output  # Q2's report, typed late, dated in Q2
    accepted = december(*advance)
    assert accepted.exit_code == 0, accepted.output
