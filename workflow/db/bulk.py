"""Portable bulk upsert (INSERT … ON CONFLICT) for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow.db.orm import Base


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: bool = True,
) -> int:
    """Insert `rows`; on a clash of `keys`, overwrite the other columns (or keep the old row).

    Returns the number of rows written: exact for a single row (0 when it was kept),
    len(rows) for a batch.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Table = model.__table__  # type: ignore[assignment]
    stmt = insert(table)
    if update:
        columns = [c for c in rows[0] if c not in keys]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    connection = session.connection()
    if len(rows) == 1:
        key = next(iter(table.primary_key))
        return len(connection.execute(stmt.returning(key), rows[0]).all())
    for start in range(0, len(rows), 5000):
        connection.execute(stmt, rows[start : start + 5000])
    return len(rows)
