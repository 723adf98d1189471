"""Bulk writes store exactly what SQLAlchemy's own insert stores, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from tests.factories import make_project
from workflow.core.context import AppContext
from workflow.db.bulk import insert_many, upsert
from workflow.db.engine import transaction
from workflow.db.orm import LedgerSnapshot, OutboxMessage

AT = datetime(2027, 4, 15, 4, 30, 15, 123456, tzinfo=UTC)


def _message(key: str, **changes: Any) -> dict[str, Any]:
    row = {
        "key": key,
        "channel": "email",
        "recipient": "unit@example.cn",
        "subject": "【预警告知书】黔知运预〔2027〕1号",
        "body_text": "特此告知。",
        "body_html": None,
        "project_id": None,
        "letter_id": None,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": AT,
        "last_error": None,
        "created_at": AT,
        "sent_at": None,
    }
    return {**row, **changes}


def _raw(engine: Engine, table: str, key_column: str) -> dict[Any, tuple[Any, ...]]:
    """Rows as the database returns them, uninterpreted, keyed by `key_column`."""
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY {key_column}")).all()
    return {row._mapping[key_column]: tuple(row)[1:] for row in rows}


def test_insert_many_stores_what_a_plain_insert_stores(engine: Engine) -> None:
    with transaction(engine) as session:
        session.execute(insert(OutboxMessage), [_message("a")])
        insert_many(session, OutboxMessage, [_message("b")])
    raw = _raw(engine, "outbox", "key")
    assert raw["a"][1:] == raw["b"][1:]  # every column but the key itself
    with transaction(engine) as session:
        b = session.scalars(select(OutboxMessage).where(OutboxMessage.key == "b")).one()
        assert (b.created_at, b.next_attempt_at, b.sent_at) == (AT, AT, None)


def test_upsert_of_many_rows_binds_dates_and_json_and_overwrites_on_a_clash(
    ctx: AppContext, engine: Engine
) -> None:
    ids = [make_project(ctx, title=f"测试项目{i}") for i in range(3)]
    reasons = [{"level": "amber", "code": "lag", "text": "进度滞后12个百分点，超过10"}]

    def snapshot(pid: int, flag: str) -> dict[str, Any]:
        return {
            "project_id": pid,
            "day": date(2027, 4, 15),
            "state": "in_progress",
            "planned": 60.0,
            "actual": 48.0,
            "lag": 12.0,
            "flag": flag,
            "reasons": reasons,
            "reports_overdue": 0,
            "open_letters": 1,
            "last_report": date(2027, 3, 31),
        }

    with transaction(engine) as session:
        upsert(
            session, LedgerSnapshot, [snapshot(pid, "green") for pid in ids], ["project_id", "day"]
        )
        upsert(
            session, LedgerSnapshot, [snapshot(pid, "amber") for pid in ids], ["project_id", "day"]
        )
    with transaction(engine) as session:
        found = session.scalars(select(LedgerSnapshot).order_by(LedgerSnapshot.project_id)).all()
        assert [(s.project_id, s.flag, s.day, s.last_report, s.reasons) for s in found] == [
            (pid, "amber", date(2027, 4, 15), date(2027, 3, 31), reasons) for pid in ids
        ]


def test_insert_many_refuses_rows_lacking_a_column_with_a_default(engine: Engine) -> None:
    row = _message("c")
    del row["attempts"]
    with transaction(engine) as session, pytest.raises(ValueError, match="attempts"):
        insert_many(session, OutboxMessage, [row])
