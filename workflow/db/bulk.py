"""Portable bulk writes for SQLite and PostgreSQL: many-row inserts and upserts (ON CONFLICT).

Rows are bound exactly as SQLAlchemy binds them (each column type's bind processor), but the
processors are looked up once per column instead of once per row: for the tens of thousands
of rows of a nightly check, SQLAlchemy's per-row parameter handling costs more than the
database. SQLite takes them in one DBAPI executemany; PostgreSQL in one COPY, straight into
the table or, for an upsert, into a temporary table merged with INSERT … SELECT … ON CONFLICT.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Insert, MetaData, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from workflow.db.orm import Base

_temporary_names = itertools.count(1)


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
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    table: Table = model.__table__  # type: ignore[assignment]
    source = _copied(connection, table, rows) if postgres and len(rows) > 1 else None
    stmt = (postgresql.insert if postgres else sqlite.insert)(table)
    if source is not None:
        stmt = stmt.from_select(list(rows[0]), select(*source.c))
    if update:
        columns = [c for c in rows[0] if c not in keys]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if len(rows) == 1:
        key = next(iter(table.primary_key))
        return len(connection.execute(stmt.returning(key), rows[0]).all())
    if source is not None:
        connection.execute(stmt)
        source.drop(connection)
    else:
        _execute_many(connection, stmt, rows)
    return len(rows)


def insert_many(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (all with the same keys, every column with a default given) into `model`."""
    if not rows:
        return
    connection = session.connection()
    table: Table = model.__table__  # type: ignore[assignment]
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        _execute_many(connection, sqlite.insert(table), rows)


def _processors(
    connection: Connection, table: Table, names: Sequence[str]
) -> list[tuple[str, Callable[[Any], Any] | None]]:
    dialect = connection.dialect
    return [(n, table.c[n].type.dialect_impl(dialect).bind_processor(dialect)) for n in names]


def _execute_many(connection: Connection, stmt: Insert, rows: Sequence[dict[str, Any]]) -> None:
    """`stmt` once for each of `rows`, in one DBAPI executemany."""
    compiled = stmt.compile(dialect=connection.dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)
    if missing := set(names) - set(rows[0]):
        raise ValueError(f"bulk rows lack {sorted(missing)} (give every column a value)")
    processors = _processors(connection, stmt.table, names)  # type: ignore[arg-type]
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


def _copy(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY `rows` into `table` (PostgreSQL); columns left out take their server defaults."""
    names = list(rows[0])
    required = {c.name for c in table.c if c.default is not None} - set(names)
    if required:
        raise ValueError(f"bulk rows lack {sorted(required)} (give every column a value)")
    processors = _processors(connection, table, names)
    columns = ", ".join(f'"{n}"' for n in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    dbapi = connection.dialect.loaded_dbapi
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [row[n] if process is None else process(row[n]) for n, process in processors]
                )
    except dbapi.Error as exc:  # as SQLAlchemy raises it for its own statements
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from None


def _copied(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> Table:
    """A temporary table with `rows`, shaped like `table`'s columns that the rows carry."""
    names = list(rows[0])
    source = Table(
        f"bulk_{table.name}_{next(_temporary_names)}",
        MetaData(),
        *(Column(n, table.c[n].type) for n in names),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    source.create(connection)
    _copy(connection, source, rows)
    return source
