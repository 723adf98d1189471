"""Idempotency keys: the answer to a POST kept in the same transaction as what it did.

A `KeptAnswer` is the `TransactionHook` of one request with an Idempotency-Key. Before the
use case's body it locks the key (PostgreSQL: an advisory lock; SQLite: the write lock the
transaction already holds), so that a second request with the same key waits for the first to
commit or roll back, and then finds its answer: it is replayed (`Replay`) and the body never
runs twice. After the body, the answer is stored in the same transaction: a request whose use
case was refused, or whose transaction rolled back, keeps nothing, and its retry runs again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core.clock import Clock
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import to_json
from workflow.db.locks import lock_key
from workflow.db.orm_sign_in import IdempotencyRecord


class Replay(Exception):
    """The request was answered before: its status and JSON body as kept."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(status)
        self.status, self.body = status, body


@dataclass(frozen=True)
class KeptAnswer:
    """Keeps the answer to one request with an idempotency key (a `TransactionHook`)."""

    user_id: int
    key: str
    fingerprint: str
    status: int
    clock: Clock

    def before(self, session: Session) -> None:
        """Wait for any request with the same key, then replay its answer if it has one."""
        lock_key(session, f"idempotency:{self.user_id}:{self.key}")
        kept = session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == self.user_id, IdempotencyRecord.key == self.key
            )
        )
        if kept is None:
            return
        if kept.fingerprint != self.fingerprint:
            raise Refused(
                _(
                    "Idempotency-Key“{key}”已用于另一个请求（{day}），本次请求未执行：每个不同的请求须用新的键"
                ).format(key=self.key, day=kept.created_at.date())
            )
        raise Replay(kept.status, kept.body)

    def after(self, session: Session, result: object) -> None:
        """Keep the answer `result` gives, in the use case's transaction."""
        session.add(
            IdempotencyRecord(
                user_id=self.user_id,
                key=self.key,
                fingerprint=self.fingerprint,
                status=self.status,
                body=json.dumps(to_json(result), ensure_ascii=False),
                created_at=self.clock(),
            )
        )
        session.flush()
