"""Reminder notices of SPEC.md §5 driven by the flag, and risk-disposal recommendations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import Cli, database_dump
from tests.factories import make_project, on
from workflow.check.actions import run_check
from workflow.check.recommendations import list_recommendations, recommend
from workflow.check.reminders import notices_for
from workflow.core.config import CheckSettings, RecipientSettings, Settings
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import OutboxMessage
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit
from workflow.units.actions import add_unit

UNIT = "unit@example.org"
CONTRACTOR = "risk@example.org"
OFFICE = "office@example.org"
# One task over 2027 (364 days); quarterly periods close 03-31, 06-30, 09-30 and 12-31, and
# each period's report falls due 10 days later (the default grace): 04-10, 07-10, 10-10, 01-10.
YEAR_TASK = [PlanRow("年度任务", date(2027, 1, 1), date(2027, 12, 31), 1)]


@pytest.fixture
def office_ctx(ctx: AppContext) -> AppContext:
    """The check's wiring with contractor and office addresses configured, as CLI.md shows.

    A letter's rectification plan never counts as overdue here, so an amber project stays amber.
    Its clock is at 2027-08-31, so the checks of June and July are in the past.
    """
    settings = Settings(
        check=CheckSettings(rectification_overdue_red_days=365),
        recipients=RecipientSettings(contractor=(CONTRACTOR,), office=(OFFICE,)),
    )
    return replace(on(ctx, date(2027, 8, 31)), settings=settings)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _notices(engine: Engine) -> list[tuple[str, str, str]]:
    """(created day, recipient, key without the recipient) of every queued notice."""
    with Session(engine) as session:
        rows = session.execute(
            select(OutboxMessage.key, OutboxMessage.recipient)
            .where(OutboxMessage.key.startswith("notice/"))
            .order_by(OutboxMessage.id)
        ).all()
    return [(key.rsplit("/", 2)[0], recipient, key) for key, recipient in rows]


def _check_daily(ctx: AppContext, first: date, last: date) -> dict[date, int]:
    """Run the check every day from `first` to `last`; the days on which it queued notices."""
    queued = {day: run_check(ctx, day).notices_queued for day in _days(first, last)}
    return {day: n for day, n in queued.items() if n}


def _project_reported_on_march_31(ctx: AppContext, completion: float) -> int:
    project_id = make_project(ctx, plan=YEAR_TASK, contact_email=UNIT)
    submit(ctx, project_id, date(2027, 3, 31), {"年度任务": completion})
    return project_id


def test_a_green_project_gets_one_reminder_seven_days_before_its_report_is_due_and_no_copy(
    office_ctx: AppContext, engine: Engine
) -> None:
    project_id = _project_reported_on_march_31(office_ctx, 60)  # ahead of plan: green
    queued = _check_daily(office_ctx, date(2027, 6, 20), date(2027, 7, 10))
    assert queued == {date(2027, 7, 3): 1}
    [(key, recipient, _)] = _notices(engine)
    assert (key, recipient) == (f"notice/{project_id}/reminder/2027-07-10/7", UNIT)


def test_an_amber_project_gets_reminders_14_7_and_3_days_before_and_weekly_while_overdue(
    office_ctx: AppContext, engine: Engine
) -> None:
    # 10% done on 03-31, planned 24.45%: lag 14.45 points (amber) until the next report,
    # which, due 07-10, never comes.
    project_id = _project_reported_on_march_31(office_ctx, 10)
    _check_daily(office_ctx, date(2027, 6, 20), date(2027, 8, 7))  # 08-08 would be the next
    keys = sorted({key for key, _, _ in _notices(engine)})
    prefix = f"notice/{project_id}"
    assert keys == sorted(
        [
            f"{prefix}/reminder/2027-07-10/14",  # 06-26
            f"{prefix}/reminder/2027-07-10/7",  # 07-03
            f"{prefix}/reminder/2027-07-10/3",  # 07-07
            f"{prefix}/overdue/2027-07-10/-1",  # 07-11
            f"{prefix}/overdue/2027-07-10/-8",  # 07-18
            f"{prefix}/overdue/2027-07-10/-15",  # 07-25
            f"{prefix}/overdue/2027-07-10/-22",  # 08-01
        ]
    )


def test_amber_reminders_are_copied_to_the_contractor_but_not_the_office(
    office_ctx: AppContext, engine: Engine
) -> None:
    _project_reported_on_march_31(office_ctx, 10)
    assert run_check(office_ctx, date(2027, 6, 25)).letters_issued == 1
    assert run_check(office_ctx, date(2027, 6, 26)).notices_queued == 2
    with Session(engine) as session:
        rows = session.execute(
            select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text).where(
                OutboxMessage.key.startswith("notice/")
            )
        ).all()
    assert sorted(r.recipient for r in rows) == [CONTRACTOR, UNIT]
    copy = next(r for r in rows if r.recipient == CONTRACTOR)
    assert copy.subject == "【季度报告提醒】测试项目（抄送）"
    assert "2027年7月10日前提交，距截止还有14天" in copy.body_text
    assert "当前预警等级为黄色" in copy.body_text


def test_a_submitted_report_stops_its_reminders(office_ctx: AppContext, engine: Engine) -> None:
    project_id = _project_reported_on_march_31(office_ctx, 10)
    submit(office_ctx, project_id, date(2027, 6, 20), {"年度任务": 50})  # planned 46.7: green
    assert _check_daily(office_ctx, date(2027, 6, 21), date(2027, 7, 31)) == {}


def test_a_project_turning_red_notifies_unit_contractor_and_office_at_once(
    office_ctx: AppContext, engine: Engine
) -> None:
    project_id = make_project(office_ctx, contact_email=UNIT)  # reports due 04-10 and 07-10
    run_check(office_ctx, date(2027, 7, 10))  # one report missing: amber
    assert not [n for n in _notices(engine) if "/red/" in n[0]]
    result = run_check(office_ctx, date(2027, 7, 11))  # two missing: red
    red = [(key, recipient) for key, recipient, _ in _notices(engine) if "/red/" in key]
    assert result.flags["red"] == 1
    assert result.notices_queued == 3
    assert sorted(red) == [
        (f"notice/{project_id}/red/2027-07-11/0", recipient)
        for recipient in sorted([UNIT, CONTRACTOR, OFFICE])
    ]
    with Session(engine) as session:
        body = session.scalar(
            select(OutboxMessage.body_text).where(OutboxMessage.recipient == OFFICE)
        )
    assert body is not None and "缺交季度报告2份" in body and "风险处置建议" in body


def test_a_project_that_stays_red_is_not_notified_again(
    office_ctx: AppContext, engine: Engine
) -> None:
    make_project(office_ctx, contact_email=UNIT)
    run_check(office_ctx, date(2027, 7, 11))
    assert _check_daily(office_ctx, date(2027, 7, 12), date(2027, 7, 31)) == {}


def test_rerunning_a_day_queues_nothing_twice(office_ctx: AppContext, engine: Engine) -> None:
    _project_reported_on_march_31(office_ctx, 10)
    make_project(office_ctx, unit="另一单位", contact_email="other@example.org")
    first = run_check(office_ctx, date(2027, 7, 18))
    before = database_dump(engine)
    second = run_check(office_ctx, date(2027, 7, 18))
    assert (first.notices_queued > 0, second.notices_queued) == (True, 0)
    assert database_dump(engine)["outbox"] == before["outbox"]
    assert database_dump(engine)["risk_recommendation"] == before["risk_recommendation"]


def test_notices_queued_counts_every_outbox_row_of_letters_and_notices(
    office_ctx: AppContext, engine: Engine
) -> None:
    _project_reported_on_march_31(office_ctx, 10)
    make_project(office_ctx, unit="另一单位", contact_email="other@example.org")
    total = sum(
        run_check(office_ctx, day).notices_queued
        for day in _days(date(2027, 6, 20), date(2027, 7, 12))
    )
    with Session(engine) as session:
        assert total == len(session.scalars(select(OutboxMessage.id)).all())


def test_a_red_project_gets_one_recommendation_while_it_is_open(
    office_ctx: AppContext,
) -> None:
    project_id = make_project(office_ctx, contact_email=UNIT)
    _check_daily(office_ctx, date(2027, 7, 11), date(2027, 7, 20))
    [rec] = list_recommendations(office_ctx, "open")
    assert (rec.project_id, rec.source, rec.created_on) == (
        project_id,
        "red_flag",
        date(2027, 7, 11),
    )
    assert rec.reason == "缺交季度报告2份"


def test_recommend_records_one_open_recommendation_per_project_and_source(
    ctx: AppContext,
) -> None:
    project_id = make_project(ctx)
    with transaction(ctx.engine) as session:
        first = recommend(session, project_id, date(2027, 7, 1), "整改方案逾期", "escalation", "")
        again = recommend(session, project_id, date(2027, 7, 2), "整改方案逾期", "escalation", "")
        other = recommend(session, project_id, date(2027, 7, 2), "红色预警", "red_flag", "")
    assert (first, again, other) == (True, False, True)
    assert [r.source for r in list_recommendations(ctx, None)] == ["red_flag", "escalation"]


def test_notices_go_to_the_unit_address_when_the_project_has_none(
    ctx: AppContext, engine: Engine
) -> None:
    add_unit(ctx, "贵州大学", "university", "kjc@gzu.edu.cn", {"valid_patents": "1260"})
    make_project(ctx, unit="贵州大学", contact_email=None)
    run_check(ctx, date(2027, 4, 3))  # Q1's report due 04-10, green
    assert [recipient for _, recipient, _ in _notices(engine)] == ["kjc@gzu.edu.cn"]


def test_notices_for_a_unit_without_any_address_go_to_the_file_channel(
    ctx: AppContext, engine: Engine
) -> None:
    make_project(ctx, unit="无邮箱单位", contact_email=None)
    run_check(ctx, date(2027, 4, 3))
    with Session(engine) as session:
        row = session.execute(select(OutboxMessage.channel, OutboxMessage.recipient)).one()
    assert tuple(row) == ("file", "unit-无邮箱单位")


def test_the_policy_gives_red_news_only_on_the_day_a_project_turns_red() -> None:
    day, deadlines = date(2027, 7, 1), [date(2027, 7, 8)]
    assert [n.kind for n in notices_for("red", day, deadlines, was_red=False)] == ["red"]
    assert notices_for("red", day, deadlines, was_red=True) == []


def test_recommendations_list_prints_json_and_refuses_an_unknown_status(
    office_ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    project_id = make_project(office_ctx, contact_email=UNIT)
    run_check(office_ctx, date(2027, 7, 11))
    listed = ipflow("recommendations", "list", "--status", "open", "--json")
    assert listed.exit_code == 0, listed.output
    assert f'"project_id": {project_id}' in listed.stdout
    before = database_dump(engine)
    refused = ipflow("recommendations", "list", "--status", "done")
    assert (refused.exit_code, "未知的处置建议状态" in refused.stderr) == (1, True)
    assert database_dump(engine) == before
