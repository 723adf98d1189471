"""The nightly check: flags, ledger snapshots, warning letters, idempotency and dry runs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.conftest import database_dump
from tests.factories import make_project, on
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.db.orm import LedgerSnapshot, Letter, OutboxMessage
from workflow.letters.actions import LetterBook, list_letters
from workflow.projects.actions import advance, show
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

# One 10-day task: on 2027-01-07, 6 of 10 days have passed, so planned progress is 60%.
TEN_DAYS = [PlanRow("开展摸底调研", date(2027, 1, 1), date(2027, 1, 11), 1)]
DAY = date(2027, 1, 7)


def _project_reporting(ctx: AppContext, completion: float, **kwargs: object) -> int:
    """A project whose report on DAY (planned 60%) gives `completion`."""
    project_id = make_project(ctx, plan=TEN_DAYS, **kwargs)  # type: ignore[arg-type]
    submit(ctx, project_id, DAY, {"开展摸底调研": completion})
    return project_id


def test_a_lag_of_exactly_ten_points_is_green_and_issues_no_letter(ctx: AppContext) -> None:
    project_id = _project_reporting(ctx, 50)  # 60 − 50 = 10.00, not more than 10
    result = run_check(ctx, DAY)
    assert (result.flags["green"], result.letters_issued) == (1, 0)
    assert show(ctx, project_id).flag == "green"


def test_a_lag_just_over_ten_points_is_amber_and_issues_one_letter(ctx: AppContext) -> None:
    project_id = _project_reporting(ctx, 49.99)  # 60 − 49.99 = 10.01
    result = run_check(ctx, DAY)
    assert (result.flags["amber"], result.letters_issued, result.notices_queued) == (1, 1, 1)
    [letter] = list_letters(ctx, None)
    assert (letter.project_id, letter.lag, letter.status) == (project_id, 10.01, "pending")
    assert letter.number == "黔知运预〔2027〕1号"


def test_a_lag_over_25_points_is_red(ctx: AppContext) -> None:
    _project_reporting(ctx, 34.99)  # 60 − 34.99 = 25.01
    assert run_check(ctx, DAY).flags["red"] == 1


def test_a_second_check_for_the_same_day_issues_nothing_and_keeps_one_snapshot(
    ctx: AppContext, engine: Engine
) -> None:
    _project_reporting(ctx, 20)
    first = run_check(ctx, DAY)
    second = run_check(ctx, DAY)
    assert (first.letters_issued, second.letters_issued, second.notices_queued) == (1, 0, 0)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LedgerSnapshot)) == 1
        letter_rows = select(func.count()).where(OutboxMessage.letter_id.is_not(None))
        assert session.scalar(letter_rows) == 1


def test_a_dry_run_writes_nothing_but_reports_what_it_would_do(
    ctx: AppContext, engine: Engine
) -> None:
    _project_reporting(ctx, 20)
    before = database_dump(engine)
    result = run_check(ctx, DAY, dry_run=True)
    assert (result.dry_run, result.letters_issued, result.flags["red"]) == (True, 1, 1)
    assert database_dump(engine) == before


def test_an_open_letter_is_not_repeated_until_the_flag_worsens_to_red(ctx: AppContext) -> None:
    project_id = _project_reporting(ctx, 45)  # lag 15: amber
    assert run_check(ctx, DAY).letters_issued == 1
    submit(ctx, project_id, date(2027, 1, 8), {"开展摸底调研": 45})
    assert run_check(ctx, date(2027, 1, 8)).letters_issued == 0  # lag 25, still amber
    submit(ctx, project_id, date(2027, 1, 9), {"开展摸底调研": 45})
    red = run_check(ctx, date(2027, 1, 9))  # planned 80 − 45 = 35: red
    assert red.letters_issued == 1
    assert run_check(ctx, date(2027, 1, 10)).letters_issued == 0
    levels = [(x.level, x.project_id) for x in reversed(list_letters(ctx, None))]
    assert levels == [("amber", project_id), ("red", project_id)]


def test_two_missing_quarterly_reports_make_a_project_red_with_the_reason(
    ctx: AppContext,
) -> None:
    project_id = make_project(ctx)  # reports of Q1 and Q2 due 04-10 and 07-10, none submitted
    later = on(ctx, date(2027, 7, 11))
    run_check(later, date(2027, 7, 10))
    assert show(later, project_id).flag == "amber"
    run_check(later, date(2027, 7, 11))
    shown = show(later, project_id)
    assert shown.flag == "red"
    assert [r["code"] for r in shown.flag_reasons] == ["reports_missing"]


def test_one_overdue_report_is_amber(ctx: AppContext) -> None:
    """Q1's report falls due on 03-31 plus the 10-day grace: overdue from 04-11."""
    project_id = make_project(ctx)
    run_check(ctx, date(2027, 4, 11))
    assert show(ctx, project_id).flag == "amber"
    assert [r["code"] for r in show(ctx, project_id).flag_reasons] == ["report_overdue"]


def test_a_report_due_today_is_not_yet_overdue(ctx: AppContext) -> None:
    project_id = make_project(ctx)
    run_check(ctx, date(2027, 3, 31))
    run_check(ctx, date(2027, 4, 10))
    assert show(ctx, project_id).flag == "green"


def test_rectification_overdue_by_more_than_fifteen_days_turns_red(ctx: AppContext) -> None:
    plan = [PlanRow("任务", date(2027, 1, 1), date(2027, 12, 31), 1)]
    project_id = make_project(ctx, plan=plan)
    later = on(ctx, date(2027, 5, 6))
    submit(ctx, project_id, date(2027, 3, 31), {"任务": 15})
    run_check(ctx, date(2027, 3, 31))  # planned 24.73, lag 9.73: green
    submit(later, project_id, date(2027, 4, 5), {"任务": 15})
    run_check(later, date(2027, 4, 5))  # planned 26.1, lag 11.1: letter, plan due 04-20
    run_check(later, date(2027, 5, 5))  # plan overdue 15 days: not yet red for that reason
    assert "rectification_overdue" not in [r["code"] for r in show(later, project_id).flag_reasons]
    run_check(later, date(2027, 5, 6))
    assert "rectification_overdue" in [r["code"] for r in show(later, project_id).flag_reasons]


def test_only_active_projects_are_checked_and_snapshotted(ctx: AppContext, engine: Engine) -> None:
    make_project(ctx, state="applied")
    make_project(ctx, state="approved", unit="另一单位")
    active = make_project(ctx, unit="第三单位")
    terminated = make_project(ctx, unit="第四单位")
    advance(ctx, terminated, "terminate")
    assert run_check(ctx, DAY).checked == 1
    with Session(engine) as session:
        assert session.scalars(select(LedgerSnapshot.project_id)).all() == [active]


def test_a_letter_stores_the_figures_it_was_rendered_from(ctx: AppContext, engine: Engine) -> None:
    _project_reporting(ctx, 20, unit="遵义市某科技有限公司", title="酱香白酒专利培育")
    run_check(ctx, DAY)
    with Session(engine) as session:
        letter = session.scalars(select(Letter)).one()
        outbox = session.scalars(
            select(OutboxMessage).where(OutboxMessage.letter_id.is_not(None))
        ).one()
    assert (letter.data["planned"], letter.data["actual"], letter.data["lag"]) == ("60", "20", "40")
    for text in (
        "遵义市某科技有限公司：",
        "酱香白酒专利培育",
        "按计划应完成60%",
        "实际完成20%",
        "进度滞后40个百分点",
        "2027年1月22日前",
        "黔知运预〔2027〕1号",
    ):
        assert text in letter.body_text
        assert text in letter.body_html
    assert (outbox.channel, outbox.recipient, outbox.letter_id) == (
        "email",
        "unit@example.org",
        letter.id,
    )


def test_letters_written_in_batches_are_numbered_in_order_and_linked_to_their_mail(
    ctx: AppContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LetterBook, "BATCH", 2)  # five letters: batches of 2, 2 and 1
    ids = [
        _project_reporting(ctx, 20, title=f"测试项目{i}", contact_email=f"u{i}@example.cn")
        for i in range(5)
    ]
    assert run_check(ctx, DAY).letters_issued == 5
    with Session(engine) as session:
        letters = session.scalars(select(Letter).order_by(Letter.seq)).all()
        mails = {m.letter_id: m for m in session.scalars(select(OutboxMessage))}
    assert [(x.seq, x.project_id) for x in letters] == [(i + 1, pid) for i, pid in enumerate(ids)]
    for letter in letters:
        mail = mails[letter.id]
        assert (mail.project_id, mail.recipient) == (
            letter.project_id,
            f"u{letter.seq - 1}@example.cn",
        )
        assert letter.number in mail.subject
        assert (mail.body_text, mail.body_html) == (None, None)  # sent as the letter stores it
