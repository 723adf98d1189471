"""What people do with the outbox besides flushing it: see what waits or failed, and requeue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from notifiers.base import redact
from workflow.access.store import visible_projects
from workflow.core.boundary import Work, use_case
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import OutboxMessage, Project
from workflow.outbox.store import FAILED

STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "pending": ("pending", "sending"),
    "failed": (FAILED,),
    "sent": ("sent",),
}
"""`notify list --status` → the stored statuses it shows ("sending": claimed, not yet done)."""


@dataclass(frozen=True)
class OutboxRow(Result):
    """An outbox row as `notify list --json` shows it; secrets never appear in its error."""

    id: int
    channel: str
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    subject: str
    project_id: int | None
    next_attempt_at: datetime | None
    """When it is tried next (waiting rows only)."""
    sent_at: datetime | None


def _row(m: OutboxMessage) -> OutboxRow:
    return OutboxRow(
        id=m.id,
        channel=m.channel,
        recipient=m.recipient,
        status=m.status,
        attempts=m.attempts,
        last_error=redact(m.last_error) if m.last_error else None,
        subject=m.subject,
        project_id=m.project_id,
        next_attempt_at=m.next_attempt_at if m.status in STATUS_FILTERS["pending"] else None,
        sent_at=m.sent_at,
    )


@use_case("notify_list", write=False)
def list_outbox(work: Work, status: str | None = None) -> list[OutboxRow]:
    """The outbox rows, oldest first, optionally only those pending, failed or sent; the
    contractor sees the rows about the projects it monitors."""
    if status is not None and status not in STATUS_FILTERS:
        raise Refused(
            _("未知的投递状态“{status}”；可选：{choices}").format(
                status=status, choices=", ".join(STATUS_FILTERS)
            )
        )
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if status is not None:
        query = query.where(OutboxMessage.status.in_(STATUS_FILTERS[status]))
    if visible := visible_projects(work):
        query = query.join(Project, Project.id == OutboxMessage.project_id).where(*visible)
    return [_row(m) for m in work.session.scalars(query)]


@dataclass(frozen=True)
class Requeued(Result):
    """What `notify retry` put back in the queue."""

    requeued: int
    ids: list[int]


@use_case("notify_retry", write=True)
def retry_failed(work: Work, outbox_id: int | None = None) -> Requeued:
    """Put a failed row (`outbox_id`), or every failed row (None), back in the queue.

    Each is pending again, due now, with its attempts counted afresh; its last error stays
    until the next attempt. Only a failed row can be requeued: a sent one is never sent again.
    """
    session = work.session
    if outbox_id is not None:
        found = session.get(OutboxMessage, outbox_id)
        if found is None:
            raise NotFound(_("没有编号为{id}的待投递消息").format(id=outbox_id))
        if found.status != FAILED:
            raise Refused(
                _("消息#{id}的状态是{status}，只有失败（failed）的消息可以重新排队").format(
                    id=outbox_id, status=found.status
                )
            )
    chosen = OutboxMessage.status == FAILED
    if outbox_id is not None:
        chosen = chosen & (OutboxMessage.id == outbox_id)
    ids = list(
        session.scalars(
            update(OutboxMessage)
            .where(chosen)
            .values(status="pending", attempts=0, next_attempt_at=work.ctx.clock())
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    return Requeued(requeued=len(ids), ids=sorted(ids))
