"""Queries on the outbox that other features read (the nightly check's summary)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.db.orm import OutboxMessage

FAILED = "failed"


def count_failed(session: Session) -> int:
    """How many outbox rows were given up and wait for someone (`ipflow notify retry`)."""
    return int(
        session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == FAILED)
        )
        or 0
    )
