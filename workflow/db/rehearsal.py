"""Rehearse a long write on a copy of a SQLite database, then replay it under a short lock.

SQLite has one write lock for the whole database: a use case that checks ten thousand rows
while holding it keeps the nightly check (and every other writer) waiting. `rehearse` runs
the use case's body on an in-memory copy of the database, taken in one short read
transaction, while the live database stays free. Temporary triggers on the copy note every
row the body inserts, updates or deletes; then, in one BEGIN IMMEDIATE transaction on the
live database, those rows are written as the copy holds them (one executemany per table),
provided no other connection has committed since the copy was taken: `PRAGMA data_version`,
read on the connection that took the copy, tells. If one has, the rehearsal is repeated on
a fresh copy, up to ATTEMPTS times. The outcome is the one the body would have had in a
write transaction of its own, all or nothing, and the same rules decided it.

PostgreSQL has no such lock (writers wait only for the rows they touch): there the body
runs in one ordinary transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.db.engine import engine_on, transaction
from workflow.db.schema import metadata

R = TypeVar("R")

ATTEMPTS = 3
"""Rehearsals tried before giving up when other writers keep changing the database."""

LOG = "ipflow_rehearsal_log"
"""The copy's temporary table of written rows: (table, rowid, i|u|d)."""


@dataclass
class TableChanges:
    """The rows one table gained, changed and lost in the rehearsal, as the copy holds them."""

    name: str
    columns: list[str]
    inserted: list[tuple[Any, ...]] = field(default_factory=list)
    updated: list[tuple[Any, ...]] = field(default_factory=list)
    """Rows that existed before, with their rowid last."""
    deleted: list[int] = field(default_factory=list)
    """Rowids of rows that existed before."""

    def count(self) -> int:
        """How many rows the replay writes."""
        return len(self.inserted) + len(self.updated) + len(self.deleted)


def rehearse(ctx: AppContext, body: Callable[[Session, AppContext], R]) -> R:
    """`body(session, ctx)` with the effect of one write transaction, holding SQLite's write
    lock only to write its outcome. A Refused from the body leaves the database unchanged."""
    try:
        if ctx.engine.dialect.name != "sqlite":
            with transaction(ctx.engine, immediate=True) as session:
                return body(session, ctx)
        return _rehearsed(ctx, body)
    except IntegrityError as exc:  # a concurrent writer took a unique value first
        detail = str(exc.orig).strip().splitlines()[0]
        raise Refused(_("与已有数据冲突，本次操作未生效：{detail}").format(detail=detail)) from None


def _rehearsed(ctx: AppContext, body: Callable[[Session, AppContext], R]) -> R:
    """`rehearse` on SQLite: on a copy, then on the live database if nothing changed meanwhile."""
    live = ctx.engine.raw_connection()
    try:
        connection: sqlite3.Connection = live.driver_connection  # type: ignore[assignment]
        for _attempt in range(ATTEMPTS):
            version, copy = _snapshot(connection)
            try:
                result = _run(copy, ctx, body)
                changes = _changes(copy)
            finally:
                copy.close()
            if _replay(connection, version, changes):
                return result
    finally:
        live.close()
    raise Refused(
        _(
            "数据库在校验期间被其他操作修改了{count}次，本次操作未执行，数据库未作任何修改：请稍后重试"
        ).format(count=ATTEMPTS)
    )


def _data_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA data_version").fetchone()[0])


def _snapshot(connection: sqlite3.Connection) -> tuple[int, sqlite3.Connection]:
    """The live database's data version and an in-memory copy of it, read consistently."""
    copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN")
    try:
        version = _data_version(connection)
        connection.backup(copy)
    finally:
        connection.execute("COMMIT")
    _watch(copy)
    return version, copy


def _tables(connection: sqlite3.Connection) -> list[str]:
    """The database's tables in the order they can be written: parents before children."""
    present = {
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    ordered = [t.name for t in metadata.sorted_tables if t.name in present]
    return ordered + sorted(present - set(ordered))


def _watch(copy: sqlite3.Connection) -> None:
    """Temporary triggers that note the rowid of every row written in the copy."""
    copy.execute(
        f"CREATE TEMP TABLE {LOG} (tbl TEXT NOT NULL, rid INTEGER NOT NULL, op TEXT NOT NULL)"
    )
    for name in _tables(copy):
        for op, event, row in (
            ("i", "INSERT", "NEW"),
            ("u", "UPDATE", "NEW"),
            ("d", "DELETE", "OLD"),
        ):
            copy.execute(
                f'CREATE TEMP TRIGGER "ipflow_rehearsal_{op}_{name}" AFTER {event} ON main."{name}" '
                f"BEGIN INSERT INTO {LOG} VALUES ('{name}', {row}.rowid, '{op}'); END"
            )


def _run(copy: sqlite3.Connection, ctx: AppContext, body: Callable[[Session, AppContext], R]) -> R:
    engine = engine_on(copy)
    try:
        with transaction(engine, immediate=True) as session:
            return body(session, replace(ctx, engine=engine))
    finally:
        engine.dispose(close=False)


def _changes(copy: sqlite3.Connection) -> list[TableChanges]:
    """What the rehearsal wrote, table by table in writing order, rows as the copy holds them."""
    changes: list[TableChanges] = []
    for name in _tables(copy):
        ops: dict[int, set[str]] = {}
        for rid, op in copy.execute(f"SELECT rid, op FROM {LOG} WHERE tbl = ?", (name,)):
            ops.setdefault(rid, set()).add(op)
        if not ops:
            continue
        columns = [row[1] for row in copy.execute(f'PRAGMA table_info("{name}")')]
        found = TableChanges(name, columns)
        select = f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}, rowid FROM "{name}" WHERE rowid = ?'
        for rid, seen in sorted(ops.items()):
            row = copy.execute(select, (rid,)).fetchone()
            if "i" in seen:
                if row is not None:
                    found.inserted.append(row[:-1])
            elif row is None:
                found.deleted.append(rid)
            else:
                found.updated.append(row)
        changes.append(found)
    return changes


def _replay(connection: sqlite3.Connection, version: int, changes: list[TableChanges]) -> bool:
    """Write `changes` on the live database in one transaction, unless another connection has
    committed since `version` was read; whether they were written."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if _data_version(connection) != version:
            connection.execute("ROLLBACK")
            return False
        before = connection.total_changes
        for t in reversed(changes):
            connection.executemany(
                f'DELETE FROM "{t.name}" WHERE rowid = ?', [(r,) for r in t.deleted]
            )
        for t in changes:
            names = ", ".join(f'"{c}"' for c in t.columns)
            marks = ", ".join("?" for _c in t.columns)
            sets = ", ".join(f'"{c}" = ?' for c in t.columns)
            connection.executemany(f'UPDATE "{t.name}" SET {sets} WHERE rowid = ?', t.updated)
            connection.executemany(f'INSERT INTO "{t.name}" ({names}) VALUES ({marks})', t.inserted)
        written = connection.total_changes - before
        if written != sum(t.count() for t in changes):
            raise RuntimeError(
                f"replaying the rehearsal wrote {written} rows, not {sum(t.count() for t in changes)}: "
                "a trigger of the live database writes rows of its own"
            )
        connection.execute("COMMIT")
        return True
    except BaseException:
        connection.execute("ROLLBACK")
        raise
