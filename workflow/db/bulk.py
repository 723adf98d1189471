"""Portable bulk writes for SQLite and PostgreSQL: many-row inserts and upserts (ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, Table
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
    if len(rows) == 1:
        key = next(iter(table.primary_key))
        return len(session.connection().execute(stmt.returning(key), rows[0]).all())
    insert_many(session, stmt, rows)
    return len(rows)


def insert_many(session: Session, stmt: Insert, rows: Sequence[dict[str, Any]]) -> None:
    """Execute `stmt` once for each of `rows` (all with the same keys) in one DBAPI executemany.

    Values are bound exactly as SQLAlchemy binds them (each column type's bind processor),
    but looked up once per column instead of once per row: for the tens of thousands of rows
    of a nightly check, SQLAlchemy's per-row parameter handling costs more than the database.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = stmt.compile(dialect=dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)
    if missing := set(names) - set(rows[0]):
        raise ValueError(f"insert_many rows lack {sorted(missing)} (give every column a value)")
    columns = stmt.table.c
    processors = [(n, columns[n].type.dialect_impl(dialect).bind_processor(dialect)) for n in names]
    if compiled.positional:
        params: list[Any] = [
            tuple(row[n] if process is None else process(row[n]) for n, process in processors)
            for row in rows
        ]
    else:
        params = [
            {n: row[n] if process is None else process(row[n]) for n, process in processors}
            for row in rows
        ]
    connection.exec_driver_sql(compiled.string, params)
