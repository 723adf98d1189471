"""Transaction-scoped locks on a key (a money cap's), so that one writer at a time checks it."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

from workflow.db.engine import IMMEDIATE


def key_number(key: str) -> int:
    """A stable signed 64-bit number for `key`: PostgreSQL's advisory lock keys are bigint."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_key(session: Session, key: str) -> None:
    """Hold `key` until the transaction ends; a concurrent transaction locking it waits here.

    PostgreSQL: pg_advisory_xact_lock on the key's number, released at commit or rollback.
    SQLite: nothing more to take, the transaction already holds the database's write lock.
    Either way the caller must have opened `transaction(engine, immediate=True)`, so a
    forgotten `immediate` fails on both backends instead of silently racing on SQLite.
    """
    connection = session.connection()
    if not connection.get_execution_options().get(IMMEDIATE):
        raise RuntimeError(f"lock_key({key!r}) needs transaction(engine, immediate=True)")
    if connection.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key_number(key)})
