"""The outbox dispatcher: claims due rows, sends them after commit and records each outcome.

How a flush works
-----------------
1. **Claim** (one short transaction): a single `UPDATE outbox SET status='sending',
   next_attempt_at=<now + 10 min> WHERE id IN (SELECT … due … LIMIT batch FOR UPDATE SKIP
   LOCKED) RETURNING …`. Due means `pending` with `next_attempt_at <= now`, or `sending`
   whose claim has expired (a dispatcher crashed more than 10 minutes ago). While a row is
   `sending`, `next_attempt_at` holds the end of its claim, so no extra column is needed.
   PostgreSQL skips rows another dispatcher holds; SQLite takes its write lock with the
   UPDATE itself, so two SQLite dispatchers queue rather than both claim (SQLite mode is
   single-instance all the same).
2. **Send**, with no transaction open, through the notifier of the row's channel.
3. **Record** (one short transaction per message): `sent` with `sent_at`; or, for a
   TransientError, `attempts + 1` and `next_attempt_at = now + 1 min × 2^(attempts-1)`
   (capped at 6 h) with `last_error`; or `failed` for a PermanentError or once
   MAX_ATTEMPTS (12, about 20 hours of outage) are used up. Failure outcomes are written
   only while the claim is still ours; `sent` is always written, because it is the truth.

A row is claimed only while `pending`/`sending`, so once it is `sent` it is never sent again.
The one window left is a crash (or a timeout) after the server accepted a message and
before `sent` was committed: that message is sent again after the claim expires, with the
same Message-ID, which mail clients use to drop the copy; the file channel writes the same
file name and so does not duplicate at all. A row whose channel has no notifier configured
is not claimed: it stays `pending`, and `last_error` says which channel is missing.

Backoff lives in the table, not in the process (tenacity would wait inside one run): the
wait survives restarts, and `flush(retry_all=True)` (`ipflow notify flush --all`) makes
every row that waits for a later attempt (`attempts > 0`) due at once after an outage.
Rows queued for a future time without any attempt yet are left alone.

When a channel is unreachable (TransientError with `channel_down`, e.g. connection refused),
its other due rows in the same run take the same transient outcome without being tried, so
a dead server costs one connection attempt per run, not one per message.

Chat bots: a digest per run
---------------------------
WeCom and DingTalk bots accept 20 messages a minute. Rather than pacing sends (which would
make a flush sleep and needs a shared counter across processes), the dispatcher groups the
claimed rows of a bot channel (a DigestNotifier) by recipient, and by the nightly check that
queued them, into digests: one message listing every warning letter and red notice, split
only where the service's size limit requires (`fits`, measured on the request body or field
the service limits) and never inside a row. A nightly run therefore posts one or two
messages per bot, whatever the number of notices; the outcome of a digest is recorded on all
of its rows, so a size or configuration error (permanent) fails them at once, and a rate
limit or an outage (transient) makes them wait with backoff. As a guard, a run posts at most
BOT_SENDS_PER_RUN (20) messages to one bot; rows beyond that are released unattempted and go
out in the next run. If a bot still answers "too fast", that is a TransientError and the
rows wait with backoff like any other failure.

Letters as PDF
--------------
A row that delivers a warning letter (`letter_id` set) holds no copy of it: the claim reads
the text and HTML the letter stores. It goes out on the mail and folder channels with the
letter's A4 PDF attached (rendered from its stored HTML at send time, once
per letter per run). Bots get the text alone. A PDF that cannot be rendered fails the
attempt like a channel error, so the row waits and is retried; on a host without a Chinese
font the letter is not sent without its Chinese, and the row's error names the package.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from notifiers.base import (
    Attachment,
    DigestNotifier,
    Message,
    Notifier,
    PermanentError,
    TransientError,
)
from workflow.core.boundary import orchestration
from workflow.core.context import AppContext
from workflow.core.results import Result
from workflow.db.engine import transaction
from workflow.db.orm import Letter, OutboxMessage

log = logging.getLogger("ipflow.delivery")

CLAIM_LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY_WAIT = timedelta(hours=6)
MAX_ATTEMPTS = 12
BOT_SENDS_PER_RUN = 20
WAITING = ("pending", "sending")
ERROR_CHARS = 2000
CUT_MARK = "……（过长，已截断；全文见 ipflow）"
"""Ends a bot message too large for its service even alone, once cut to fit."""
LETTER_CHANNELS = ("email", "file")
"""The channels that carry a letter's PDF along with its message."""


@dataclass(frozen=True)
class Claimed:
    """An outbox row this dispatcher holds: what to send, and the claim that proves it."""

    id: int
    key: str
    channel: str
    recipient: str
    subject: str
    body_text: str
    body_html: str | None
    attempts: int
    created_at: datetime
    claim_until: datetime
    letter_id: int | None = None

    def message(self) -> Message:
        """The row as a message for its channel."""
        return Message(
            key=self.key,
            recipient=self.recipient,
            subject=self.subject,
            text=self.body_text,
            html=self.body_html,
            date=self.created_at,
        )


def backoff(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed attempt: 1, 2, 4 … min, at most 6 h."""
    if attempts <= 0:
        return timedelta(0)
    return min(FIRST_RETRY * (1 << min(attempts - 1, 20)), MAX_RETRY_WAIT)


def claim_due(
    ctx: AppContext,
    channels: Collection[str],
    *,
    batch: int = 100,
    due_by: datetime | None = None,
) -> list[Claimed]:
    """Claim up to `batch` rows of `channels` due by `due_by` (default now), oldest first."""
    if not channels:
        return []
    now = ctx.clock()
    due = due_by or now
    claim_until = now + CLAIM_LEASE
    due_ids = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel.in_(sorted(channels)),
            OutboxMessage.status.in_(WAITING),
            OutboxMessage.next_attempt_at <= due,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )
    if ctx.engine.dialect.name == "postgresql":
        due_ids = due_ids.with_for_update(skip_locked=True)
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids))
        .values(status="sending", next_attempt_at=claim_until)
        .returning(
            OutboxMessage.id,
            OutboxMessage.key,
            OutboxMessage.channel,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body_text,
            OutboxMessage.body_html,
            OutboxMessage.attempts,
            OutboxMessage.created_at,
            OutboxMessage.letter_id,
        )
        .execution_options(synchronize_session=False)
    )
    with transaction(ctx.engine) as session:
        rows = session.execute(statement).all()
        letter_ids = [row.letter_id for row in rows if row.body_text is None]
        letters = {
            letter_id: (text, html)
            for letter_id, text, html in session.execute(
                select(Letter.id, Letter.body_text, Letter.body_html).where(
                    Letter.id.in_(letter_ids)
                )
            ).tuples()
        }
    claimed = [
        Claimed(
            id=row.id,
            key=row.key,
            channel=row.channel,
            recipient=row.recipient,
            subject=row.subject,
            body_text=row.body_text if row.body_text is not None else letters[row.letter_id][0],
            body_html=row.body_html if row.body_text is not None else letters[row.letter_id][1],
            attempts=row.attempts,
            created_at=row.created_at,
            claim_until=claim_until,
            letter_id=row.letter_id,
        )
        for row in rows
    ]
    return sorted(claimed, key=lambda c: c.id)


def letter_attachment(ctx: AppContext, letter_id: int) -> Attachment:
    """The letter's A4 PDF, named after its number, to attach to the message delivering it.

    Without a Chinese font the PDF would have no Chinese: the delivery then fails (and waits
    for a later attempt) with the reason, naming the font package to install.
    """
    from workflow.documents.fonts import NoCjkFont
    from workflow.documents.pdf import html_to_pdf

    with transaction(ctx.engine) as session:
        number, html = session.execute(
            select(Letter.number, Letter.body_html).where(Letter.id == letter_id)
        ).one()
    try:
        pdf = html_to_pdf(html)
    except NoCjkFont as exc:
        raise TransientError(str(exc)) from None
    return Attachment(f"预警告知书{number}.pdf", pdf, "application/pdf")


def _ours(row: Claimed) -> Any:
    """The condition that the claim on `row` is still this dispatcher's."""
    return (
        (OutboxMessage.id == row.id)
        & (OutboxMessage.status == "sending")
        & (OutboxMessage.next_attempt_at == row.claim_until)
    )


def _execute(ctx: AppContext, statement: Any) -> int:
    with transaction(ctx.engine) as session:
        result = cast(CursorResult[Any], session.execute(statement))
        return result.rowcount


def record_sent(ctx: AppContext, rows: Sequence[Claimed]) -> None:
    """Mark `rows` sent (whoever holds them now: they were delivered)."""
    now = ctx.clock()
    _execute(
        ctx,
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([r.id for r in rows]), OutboxMessage.status != "sent")
        .values(
            status="sent",
            sent_at=now,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now,
            last_error=None,
        )
        .execution_options(synchronize_session=False),
    )


def record_failure(ctx: AppContext, row: Claimed, error: str, *, permanent: bool) -> str:
    """Record a failed attempt on `row`; return its new status ("pending" or "failed")."""
    now = ctx.clock()
    attempts = row.attempts + 1
    status = "failed" if permanent or attempts >= MAX_ATTEMPTS else "pending"
    if status == "failed" and not permanent:
        error = f"已尝试{attempts}次仍未送达，不再重试：{error}"
    _execute(
        ctx,
        update(OutboxMessage)
        .where(_ours(row))
        .values(
            status=status,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts) if status == "pending" else now,
            last_error=error[:ERROR_CHARS],
        )
        .execution_options(synchronize_session=False),
    )
    return status


def release(ctx: AppContext, rows: Sequence[Claimed], note: str) -> None:
    """Give claimed rows back unattempted: pending and due, with `note` as their last error."""
    now = ctx.clock()
    for row in rows:
        _execute(
            ctx,
            update(OutboxMessage)
            .where(_ours(row))
            .values(status="pending", next_attempt_at=now, last_error=note)
            .execution_options(synchronize_session=False),
        )


DIGEST_PREFIX = "digest/"
"""Keys of the rows a nightly check queues for the bots: `digest/<date>/<bot>/…`."""


def digest_key(day: date, channel: str, item: str) -> str:
    """The key of a bot's digest row about `item` (e.g. "red/12") from the check of `day`."""
    return f"{DIGEST_PREFIX}{day.isoformat()}/{channel}/{item}"


def _run_of(row: Claimed) -> str | None:
    """The date of the check whose digest `row` belongs to, or None for any other row."""
    if not row.key.startswith(DIGEST_PREFIX):
        return None
    return row.key[len(DIGEST_PREFIX) :].split("/", 1)[0]


def _digest_entry(index: int, row: Claimed) -> str:
    return f"{index}. 【{row.subject}】\n{row.body_text.strip()}"


def make_digests(
    rows: Sequence[Claimed], fits: Callable[[Message], bool]
) -> list[tuple[Message, list[Claimed]]]:
    """Group bot rows into as few messages as the service accepts (`fits`), rows kept whole.

    Rows go together by recipient and, for the rows a nightly check queued, by the check's
    date: one digest per check, split where the size limit requires, never inside a row.
    A lone row goes out as itself (its own key, subject and text); one too large even alone
    is shortened, visibly, to fit. Several rows become one message titled "ipflow 通知汇总
    （N条）" (for a check's rows, "ipflow <date>夜间检查预警汇总（N条）") listing each subject
    and text; its key is derived from its rows' keys.
    """
    groups: dict[tuple[str, str | None], list[Claimed]] = {}
    for row in rows:
        groups.setdefault((row.recipient, _run_of(row)), []).append(row)
    digests: list[tuple[Message, list[Claimed]]] = []
    for (recipient, run), items in groups.items():
        chunk: list[Claimed] = []
        for row in items:
            if chunk and not fits(_digest_message(recipient, run, [*chunk, row])):
                digests.append((_fitted(_digest_message(recipient, run, chunk), fits), chunk))
                chunk = []
            chunk.append(row)
        digests.append((_fitted(_digest_message(recipient, run, chunk), fits), chunk))
    return digests


def _fitted(message: Message, fits: Callable[[Message], bool]) -> Message:
    """`message`, or, when even a lone row is too large, its text cut (marked) to fit."""
    if fits(message):
        return message
    low, high = 0, len(message.text)  # the longest prefix that fits, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if fits(replace(message, text=message.text[:middle] + CUT_MARK)):
            low = middle
        else:
            high = middle - 1
    return replace(message, text=message.text[:low] + CUT_MARK)


def _digest_message(recipient: str, run: str | None, chunk: list[Claimed]) -> Message:
    if len(chunk) == 1:
        row = chunk[0]
        return Message(
            key=row.key,
            recipient=recipient,
            subject=row.subject,
            text=row.body_text,
            date=row.created_at,
        )
    keys = "\n".join(row.key for row in chunk)
    title = f"ipflow {run}夜间检查预警汇总" if run else "ipflow 通知汇总"
    return Message(
        key=f"digest/{hashlib.sha1(keys.encode('utf-8')).hexdigest()}",
        recipient=recipient,
        subject=f"{title}（{len(chunk)}条）",
        text="\n\n".join(_digest_entry(i, row) for i, row in enumerate(chunk, 1)),
        date=max(row.created_at for row in chunk),
    )


def _hurry(ctx: AppContext, channels: Collection[str], now: datetime) -> int:
    """Make every row that waits for a later attempt due now; return how many."""
    return _execute(
        ctx,
        update(OutboxMessage)
        .where(
            OutboxMessage.channel.in_(sorted(channels)),
            OutboxMessage.status == "pending",
            OutboxMessage.attempts > 0,
            OutboxMessage.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False),
    )


def _note_unrouted(ctx: AppContext, channels: Collection[str], now: datetime) -> int:
    """Say on each due row of an unconfigured channel why it waits; return how many wait so."""
    with transaction(ctx.engine, immediate=True) as session:  # reads, then writes what it read
        counts = session.execute(
            select(OutboxMessage.channel, func.count())
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.channel.not_in(sorted(channels)),
                OutboxMessage.next_attempt_at <= now,
            )
            .group_by(OutboxMessage.channel)
        ).all()
        for channel, _ in counts:
            note = f"未配置通道“{channel}”：消息保留待发，配置该通道后即可发送"
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel == channel,
                    OutboxMessage.next_attempt_at <= now,
                    (OutboxMessage.last_error.is_(None)) | (OutboxMessage.last_error != note),
                )
                .values(last_error=note)
                .execution_options(synchronize_session=False)
            )
    return sum(int(n) for _, n in counts)


class _Run:
    """The state of one flush: tallies, channels found down, posts per bot."""

    def __init__(self, ctx: AppContext, channels: Mapping[str, Notifier]) -> None:
        self.ctx = ctx
        self.channels = channels
        self.active = set(channels)
        self.down: dict[str, str] = {}
        self.bot_sends: Counter[str] = Counter()
        self.tally: Counter[str] = Counter()
        self.letter_pdfs: dict[int, Attachment] = {}

    def process(self, claimed: Sequence[Claimed]) -> None:
        by_channel: dict[str, list[Claimed]] = {}
        for row in claimed:
            by_channel.setdefault(row.channel, []).append(row)
        for channel, rows in by_channel.items():
            notifier = self.channels[channel]
            if isinstance(notifier, DigestNotifier):
                units = make_digests(rows, notifier.fits)
            else:
                units = [(row.message(), [row]) for row in rows]
            for index, (message, unit) in enumerate(units):
                if isinstance(notifier, DigestNotifier):
                    if self.bot_sends[channel] >= BOT_SENDS_PER_RUN:
                        rest = [row for _, later in units[index:] for row in later]
                        release(
                            self.ctx, rest, "本次运行向该机器人发送的消息已达上限，下次运行补发"
                        )
                        self.active.discard(channel)
                        break
                    self.bot_sends[channel] += 1
                self.deliver(channel, notifier, message, unit)

    def deliver(
        self, channel: str, notifier: Notifier, message: Message, rows: list[Claimed]
    ) -> None:
        if channel in self.down:
            for row in rows:
                self.failed(row, f"本次运行中通道不可用，未尝试发送：{self.down[channel]}", False)
            return
        if self.ctx.clock() >= min(row.claim_until for row in rows):
            return  # our claim ran out: the rows are anyone's again, ours included
        try:
            notifier.send(self.with_letter(channel, message, rows))
        except TransientError as exc:
            if exc.channel_down:
                self.down[channel] = str(exc)
            for row in rows:
                self.failed(row, str(exc), False)
        except PermanentError as exc:
            for row in rows:
                self.failed(row, str(exc), True)
        except Exception as exc:  # a bug in a channel must not leave rows stuck in "sending"
            log.exception("channel %s raised unexpectedly on %s", channel, message.key)
            for row in rows:
                self.failed(row, f"通道内部错误：{type(exc).__name__}: {exc}", False)
        else:
            record_sent(self.ctx, rows)
            self.tally["sent"] += len(rows)
            for row in rows:
                log.info("sent %s via %s to %s", row.key, channel, row.recipient)

    def with_letter(self, channel: str, message: Message, rows: list[Claimed]) -> Message:
        """`message` with its letter's PDF attached, when it delivers one by mail or to the folder."""
        letter_id = rows[0].letter_id
        if channel not in LETTER_CHANNELS or len(rows) != 1 or letter_id is None:
            return message
        if letter_id not in self.letter_pdfs:
            self.letter_pdfs[letter_id] = letter_attachment(self.ctx, letter_id)
        return replace(message, attachments=(*message.attachments, self.letter_pdfs[letter_id]))

    def failed(self, row: Claimed, error: str, permanent: bool) -> None:
        status = record_failure(self.ctx, row, error, permanent=permanent)
        self.tally["failed" if status == "failed" else "retried"] += 1
        log.warning("%s %s via %s: %s", status, row.key, row.channel, error)


@dataclass(frozen=True)
class Delivery(Result):
    """What one flush of the outbox did: `notify flush --json`."""

    sent: int
    """Rows delivered now."""
    failed: int
    """Rows given up now."""
    retried: int
    """Rows that failed now and wait for a later attempt."""
    pending: int
    """Rows still waiting after the run, all channels."""
    unrouted: int
    """Due rows whose channel is not configured."""


@orchestration("notify_flush", write=True)
def flush(
    ctx: AppContext,
    channels: Mapping[str, Notifier],
    retry_all: bool = False,
    batch: int = 100,
) -> Delivery:
    """Deliver every due outbox row through `channels`; return the run's figures.

    With `retry_all`, rows waiting for a later attempt are tried now instead.
    """
    start = ctx.clock()
    run = _Run(ctx, channels)
    if retry_all:
        _hurry(ctx, channels, start)
    while run.active:
        claimed = claim_due(ctx, run.active, batch=batch, due_by=start)
        if not claimed:
            break
        run.process(claimed)
    unrouted = _note_unrouted(ctx, channels, start)
    with transaction(ctx.engine) as session:
        pending = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(WAITING))
        )
    return Delivery(
        sent=run.tally["sent"],
        failed=run.tally["failed"],
        retried=run.tally["retried"],
        pending=int(pending or 0),
        unrouted=unrouted,
    )
