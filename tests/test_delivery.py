"""The outbox dispatcher on SQLite and PostgreSQL, with a real SMTP server and a real bot server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from notifiers.base import Message, Notifier
from notifiers.filechannel import FileNotifier
from notifiers.webhook import WeComNotifier
from tests.conftest import NOON
from tests.test_notifiers import BotServer, MailSink, free_port
from workflow.core.clock import fixed_clock
from workflow.core.context import AppContext
from workflow.db.engine import make_engine, transaction
from workflow.db.orm import OutboxMessage
from workflow.outbox.delivery import (
    MAX_ATTEMPTS,
    Claimed,
    Delivery,
    backoff,
    claim_due,
    flush,
    make_digests,
)


def queue(
    ctx: AppContext,
    key: str,
    channel: str = "email",
    recipient: str = "kjc@example.org",
    *,
    subject: str = "【进度提醒】季度报告将于7日后到期",
    text: str = "贵州大学：请于2027年4月22日前提交季度报告。",
    **columns: Any,
) -> int:
    """Insert one outbox row as the nightly check would, due now unless told otherwise."""
    row = OutboxMessage(
        key=key,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=f"<p>{text}</p>",
        status=columns.pop("status", "pending"),
        attempts=columns.pop("attempts", 0),
        next_attempt_at=columns.pop("next_attempt_at", NOON),
        created_at=NOON,
        **columns,
    )
    with transaction(ctx.engine) as session:
        session.add(row)
        session.flush()
        return row.id


def rows(engine: Engine) -> list[OutboxMessage]:
    with transaction(engine) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def later(ctx: AppContext, delta: timedelta) -> AppContext:
    """The same wiring with the clock moved on by `delta`."""
    return replace(ctx, clock=fixed_clock(NOON + delta))


def message_id(key: str) -> str:
    return Message(key=key, recipient="", subject="", text="").message_id


@pytest.fixture
def mail_server() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def bots() -> Iterator[BotServer]:
    server = BotServer()
    yield server
    server.close()


def test_due_rows_are_sent_once_and_marked_sent(ctx: AppContext, mail_server: MailSink) -> None:
    keys = [f"notice/{n}/email/kjc@example.org" for n in range(3)]
    for key in keys:
        queue(ctx, key)
    channels: dict[str, Notifier] = {"email": mail_server.notifier()}

    assert flush(ctx, channels) == Delivery(sent=3, failed=0, retried=0, pending=0, unrouted=0)
    assert flush(ctx, channels, retry_all=True).sent == 0
    assert mail_server.message_ids() == {message_id(k): 1 for k in keys}
    assert [(r.status, r.attempts, r.sent_at, r.last_error) for r in rows(ctx.engine)] == [
        ("sent", 1, NOON, None)
    ] * 3


def test_rows_wait_with_backoff_while_the_mail_server_is_down_and_go_once_when_it_is_back(
    ctx: AppContext,
) -> None:
    server = MailSink(free_port())  # not started: the mail server is down
    keys = [f"letter/2027/{n}/email/kjc@example.org" for n in range(1, 4)]
    for key in keys:
        queue(ctx, key)
    channels: dict[str, Notifier] = {"email": server.notifier()}

    down = flush(ctx, channels)
    assert (down.sent, down.retried, down.pending) == (0, 3, 3)
    waiting = rows(ctx.engine)
    assert {(r.status, r.attempts, r.next_attempt_at) for r in waiting} == {
        ("pending", 1, NOON + timedelta(minutes=1))
    }
    assert all("无法连接邮件服务器" in (r.last_error or "") for r in waiting)
    assert flush(ctx, channels).retried == 0  # not due yet: nobody is tried again

    server.start()
    try:
        back = flush(ctx, channels, retry_all=True)
        again = flush(later(ctx, timedelta(hours=1)), channels, retry_all=True)
    finally:
        server.stop()
    assert (back.sent, back.pending, again.sent) == (3, 0, 0)
    assert server.message_ids() == {message_id(k): 1 for k in keys}
    assert {(r.status, r.attempts) for r in rows(ctx.engine)} == {("sent", 2)}


def test_each_failure_doubles_the_wait_up_to_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 9, 10, 30)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=256),
        timedelta(hours=6),
        timedelta(hours=6),
    ]


def test_a_row_due_again_is_retried_by_a_plain_flush(ctx: AppContext) -> None:
    channels: dict[str, Notifier] = {"email": MailSink(free_port()).notifier()}
    queue(ctx, "notice/1")
    flush(ctx, channels)
    flush(later(ctx, timedelta(minutes=1)), channels)
    [row] = rows(ctx.engine)
    assert (row.attempts, row.next_attempt_at) == (2, NOON + timedelta(minutes=3))


def test_a_row_is_given_up_visibly_after_the_last_attempt(ctx: AppContext) -> None:
    queue(ctx, "notice/1", attempts=MAX_ATTEMPTS - 1)
    result = flush(ctx, {"email": MailSink(free_port()).notifier()})
    [row] = rows(ctx.engine)
    assert (result.failed, row.status, row.attempts) == (1, "failed", MAX_ATTEMPTS)
    assert f"已尝试{MAX_ATTEMPTS}次" in (row.last_error or "")


def test_a_permanently_refused_recipient_is_marked_failed_and_not_tried_again(
    ctx: AppContext, mail_server: MailSink
) -> None:
    queue(ctx, "notice/1/email/nobody", recipient="nobody@example.org")
    queue(ctx, "notice/1/email/kjc")
    channels: dict[str, Notifier] = {"email": mail_server.notifier()}

    result = flush(ctx, channels)
    assert (result.sent, result.failed, result.pending) == (1, 1, 0)
    assert flush(later(ctx, timedelta(days=1)), channels, retry_all=True).sent == 0
    refused, delivered = rows(ctx.engine)
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "550" in (refused.last_error or "")
    assert delivered.status == "sent"
    assert list(mail_server.message_ids()) == [message_id("notice/1/email/kjc")]


def test_a_bot_answering_a_non_zero_errcode_is_retried_not_counted_as_sent(
    ctx: AppContext, bots: BotServer
) -> None:
    queue(ctx, "notice/1/wecom", channel="wecom", recipient="group")
    channels: dict[str, Notifier] = {"wecom": WeComNotifier(bots.url("wecom"), timeout=5)}
    bots.script.append((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))

    refused = flush(ctx, channels)
    [row] = rows(ctx.engine)
    assert (refused.sent, refused.retried, row.status, row.attempts) == (0, 1, "pending", 1)
    assert "45009" in (row.last_error or "")

    accepted = flush(ctx, channels, retry_all=True)
    [row] = rows(ctx.engine)
    assert (accepted.sent, row.status, len(bots.posts)) == (1, "sent", 2)


def test_the_notices_for_one_bot_go_out_as_one_digest(ctx: AppContext, bots: BotServer) -> None:
    subjects = [f"【进度预警】项目{n}滞后" for n in range(1, 6)]
    for n, subject in enumerate(subjects, 1):
        queue(ctx, f"notice/{n}/wecom", channel="wecom", recipient="group", subject=subject)
    channels: dict[str, Notifier] = {"wecom": WeComNotifier(bots.url("wecom"), timeout=5)}

    assert flush(ctx, channels).sent == 5
    [post] = bots.posts
    content = post.body["markdown"]["content"]
    assert "通知汇总（5条）" in content
    assert all(subject in content for subject in subjects)
    assert {r.status for r in rows(ctx.engine)} == {"sent"}


def test_a_digest_is_split_where_the_bots_size_limit_requires(
    ctx: AppContext, bots: BotServer
) -> None:
    for n in range(1, 9):
        queue(ctx, f"notice/{n}/wecom", channel="wecom", recipient="group", text="滞后" * 300)
    channels: dict[str, Notifier] = {"wecom": WeComNotifier(bots.url("wecom"), timeout=5)}

    assert flush(ctx, channels).sent == 8
    sizes = [len(p.body["markdown"]["content"].encode()) for p in bots.posts]
    assert 1 < len(sizes) < 8 and max(sizes) <= 4096


def test_a_run_posts_at_most_twenty_messages_to_one_bot_and_leaves_the_rest_for_the_next(
    ctx: AppContext, bots: BotServer
) -> None:
    for n in range(1, 45):  # two long notices fill one post: 22 posts would be needed
        queue(ctx, f"notice/{n}/wecom", channel="wecom", recipient="group", text="滞后" * 300)
    channels: dict[str, Notifier] = {"wecom": WeComNotifier(bots.url("wecom"), timeout=5)}

    first = flush(ctx, channels)
    assert (first.sent, first.pending, len(bots.posts)) == (40, 4, 20)
    waiting = [r for r in rows(ctx.engine) if r.status == "pending"]
    assert {r.attempts for r in waiting} == {0}
    assert all("上限" in (r.last_error or "") for r in waiting)
    second = flush(later(ctx, timedelta(minutes=1)), channels)
    assert (second.sent, second.pending, len(bots.posts)) == (4, 0, 22)


def test_make_digests_keeps_a_lone_row_as_it_is() -> None:
    row = Claimed(7, "notice/7", "wecom", "group", "标题", "正文", None, 0, NOON, NOON)
    [(message, members)] = make_digests([row], lambda message: True)
    assert (message.key, message.subject, message.text, members) == (
        "notice/7",
        "标题",
        "正文",
        [row],
    )


def test_a_crashed_claim_is_taken_over_after_ten_minutes(
    ctx: AppContext, mail_server: MailSink
) -> None:
    queue(ctx, "letter/2027/1/email/kjc@example.org")
    assert len(claim_due(ctx, ["email"])) == 1  # ...and the dispatcher dies before sending
    channels: dict[str, Notifier] = {"email": mail_server.notifier()}

    assert flush(later(ctx, timedelta(minutes=9)), channels, retry_all=True).sent == 0
    assert rows(ctx.engine)[0].status == "sending"
    assert flush(later(ctx, timedelta(minutes=11)), channels).sent == 1
    assert flush(later(ctx, timedelta(minutes=30)), channels, retry_all=True).sent == 0
    assert mail_server.message_ids() == {message_id("letter/2027/1/email/kjc@example.org"): 1}


def test_an_outcome_is_not_recorded_over_a_claim_taken_over_by_another(
    ctx: AppContext,
) -> None:
    queue(ctx, "notice/1")
    [stale] = claim_due(ctx, ["email"])
    [fresh] = claim_due(later(ctx, timedelta(minutes=11)), ["email"])
    from workflow.outbox.delivery import record_failure

    record_failure(ctx, stale, "旧的认领", permanent=True)
    [row] = rows(ctx.engine)
    assert (row.status, row.next_attempt_at) == ("sending", fresh.claim_until)


def test_a_row_whose_channel_is_not_configured_waits_and_says_why(
    ctx: AppContext, mail_server: MailSink
) -> None:
    queue(ctx, "notice/1/dingtalk", channel="dingtalk", recipient="group")
    result = flush(ctx, {"email": mail_server.notifier()})
    [row] = rows(ctx.engine)
    assert (result.unrouted, result.pending, row.status, row.attempts) == (1, 1, "pending", 0)
    assert "未配置通道“dingtalk”" in (row.last_error or "")


def test_retry_all_leaves_rows_queued_for_later_alone(
    ctx: AppContext, mail_server: MailSink
) -> None:
    queue(ctx, "reminder/later", next_attempt_at=NOON + timedelta(days=7))
    assert flush(ctx, {"email": mail_server.notifier()}, retry_all=True).sent == 0
    assert mail_server.mails == []


def test_letters_for_offices_without_mail_land_in_the_outbox_folder(
    ctx: AppContext, tmp_path: Path
) -> None:
    queue(ctx, "letter/2027/1/file/unit-贵州大学", channel="file", recipient="unit-贵州大学")
    folder = tmp_path / "outbox"
    assert flush(ctx, {"file": FileNotifier(folder)}).sent == 1
    [written] = list(folder.iterdir())
    assert message_id("letter/2027/1/file/unit-贵州大学").encode() in written.read_bytes()


def test_two_dispatchers_at_once_send_every_row_exactly_once(
    ctx: AppContext, db_url: str, mail_server: MailSink
) -> None:
    keys = [f"notice/{n}/email/kjc@example.org" for n in range(40)]
    for key in keys:
        queue(ctx, key)
    results: list[Delivery] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        engine = make_engine(db_url)
        try:
            own = replace(ctx, engine=engine)
            results.append(flush(own, {"email": mail_server.notifier()}, batch=5))
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.sent for r in results) == 40
    assert mail_server.message_ids() == {message_id(k): 1 for k in keys}
