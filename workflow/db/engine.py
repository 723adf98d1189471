"""Engines, sessions and the schema migration entry point."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from workflow.core.i18n import _

MIGRATIONS_PACKAGE = "ipflow_migrations"
"""The top-level alembic/ folder as installed (pyproject.toml's package-dir, setup.py)."""


class DatabaseError(Exception):
    """The database URL is wrong, the server unreachable, or the schema out of date."""


IMMEDIATE = "ipflow_immediate"
"""The execution option by which `transaction(..., immediate=True)` asks SQLite for BEGIN IMMEDIATE."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # A writer waits up to 30 s for the write lock: long enough for a nightly check of a large
    # programme, or for a queue of concurrent commands, to finish before this one gives up.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # SQLAlchemy's recipe for pysqlite (dialects/sqlite "Enabling Non-Legacy SQLite
    # Transactional Modes"): the driver stops beginning transactions itself (it would begin only
    # at the first INSERT/UPDATE/DELETE, leaving earlier reads outside), and _sqlite_begin does.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    """BEGIN every transaction at its first statement; IMMEDIATE takes the write lock at once.

    A deferred transaction that has read cannot wait for the write lock (SQLite answers "database
    is locked" at once rather than risk a deadlock), so a use case that reads, then writes what
    it read, asks for IMMEDIATE: it waits (busy_timeout) for the lock before its first read.
    """
    conn.exec_driver_sql(
        "BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN"
    )


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


DRIVER_PACKAGES = {
    "psycopg2": "psycopg2-binary",
    "psycopg": "psycopg[binary]",
    "MySQLdb": "mysqlclient",
    "pymysql": "PyMySQL",
    "mysql": "mysql-connector-python",
    "oracledb": "oracledb",
    "cx_Oracle": "cx_Oracle",
    "pyodbc": "pyodbc",
    "pymssql": "pymssql",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
}
"""The package to install (pip) for each database driver module SQLAlchemy may ask for."""


def masked(url: str) -> str:
    """`url` as it may be shown: its password, if any, replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r":[^:/@]*@", ":***@", url)


def hide_secrets(text: str, url: str) -> str:
    """`text` (a driver's message, say) with the URL and its password masked."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        password = None
    text = text.replace(url, masked(url))
    return text.replace(str(password), "***") if password else text


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type's name when it has none."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _missing_driver(url: str, exc: ImportError) -> DatabaseError:
    module = (exc.name or str(exc)).split(".")[0]
    hint = (
        _("；PostgreSQL 可用 ipflow 自带的驱动：postgresql+psycopg://用户@主机:端口/数据库")
        if url.startswith("postgresql") and module != "psycopg"
        else ""
    )
    return DatabaseError(
        _("数据库地址“{url}”需要数据库驱动 {module}，但它没有安装：请安装 {package}{hint}").format(
            url=masked(url), module=module, package=DRIVER_PACKAGES.get(module, module), hint=hint
        )
    )


def make_engine(url: str, pool: tuple[int, int] | None = None) -> Engine:
    """An engine for `url`; SQLite gets foreign keys and a busy timeout.

    JSON columns keep Chinese text as it is (UTF-8), not as \\uXXXX escapes twice its size. A
    URL whose driver is not installed is refused naming the package to install; no message
    shows the URL's password. `pool`: (pool_size, max_overflow) of a long-running server's
    engine, which also tests a connection before reusing it (the database may have restarted
    since); not for SQLite.
    """
    options: dict[str, Any] = {}
    if pool is not None and not url.startswith("sqlite"):
        options = {"pool_size": pool[0], "max_overflow": pool[1], "pool_pre_ping": True}
    try:
        engine = create_engine(url, json_serializer=_json_dumps, **options)
    except ImportError as exc:
        raise _missing_driver(url, exc) from None
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseError(
            _("数据库地址“{url}”无效：{exc}").format(
                url=masked(url), exc=hide_secrets(str(exc), url)
            )
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def connection_budget_problem(engine: Engine, workers: int, per_worker: int) -> str | None:
    """Why `workers` processes of `per_worker` connections each would not fit in PostgreSQL's
    max_connections (less the superuser's reserve and a margin for the scheduler and commands);
    None when they fit, or on SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        limit = int(conn.scalar(text("SHOW max_connections")) or 0)
        reserved = int(conn.scalar(text("SHOW superuser_reserved_connections")) or 0)
    available = limit - reserved - COMMAND_MARGIN
    if workers * per_worker <= available:
        return None
    return _(
        "{workers}个工作进程每个最多{per_worker}个数据库连接，共{total}个，超过PostgreSQL可用的"
        "{available}个（max_connections {limit}，减去保留的{reserved}个和留给调度器与命令的"
        "{margin}个）：请减少 --workers，调小配置项[web].pool_size与max_overflow，或调大"
        "PostgreSQL的max_connections"
    ).format(
        workers=workers,
        per_worker=per_worker,
        total=workers * per_worker,
        available=available,
        limit=limit,
        reserved=reserved,
        margin=COMMAND_MARGIN,
    )


COMMAND_MARGIN = 10
"""Connections left for the scheduler and the commands beside the server's workers."""


def engine_on(connection: sqlite3.Connection) -> Engine:
    """An engine whose one connection is `connection` (an in-memory SQLite copy, say), set up
    as `make_engine` sets up SQLite: foreign keys, JSON, BEGIN and BEGIN IMMEDIATE."""
    engine = create_engine(
        "sqlite://", creator=lambda: connection, poolclass=StaticPool, json_serializer=_json_dumps
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def transaction(engine: Engine, *, immediate: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception.

    `immediate`: the unit of work writes; SQLite takes its write lock before the first read
    (BEGIN IMMEDIATE, waiting busy_timeout for it), so read-then-write units run one after
    another. PostgreSQL is unaffected: a cap's total is guarded by a lock on its key or row
    (workflow.db.locks).
    """
    # A plain Session: a sessionmaker per call would build a Session subclass, and its event
    # dispatch, on every unit of work.
    session = Session(engine, expire_on_commit=False)
    try:
        with session.begin():
            if immediate:
                session.connection(execution_options={IMMEDIATE: True})
            yield session
    finally:
        session.close()


def migrations_dir() -> Path:
    """The folder of env.py and versions/, found by import: editable and wheel installs alike.

    The folder is a namespace package (it has no `__init__.py`, which in the source tree would
    shadow the Alembic library), so its one location is the first entry of its `__path__`.
    """
    from importlib import import_module

    return Path(next(iter(import_module(MIGRATIONS_PACKAGE).__path__)))


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> str:
    """Migrate the schema to the newest revision (idempotent); return that revision."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = _alembic_config(engine)
    command.upgrade(config, "head")
    head = ScriptDirectory.from_config(config).get_current_head()
    return head or ""


def head_revision() -> str:
    """The newest migration, read from the revision files' names (NNNN_*.py)."""
    return max(p.name.split("_", 1)[0] for p in (migrations_dir() / "versions").glob("[0-9]*_*.py"))


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for a database ipflow has not initialised."""
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        revision: str | None = conn.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalar()
        return revision


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database that `ipflow db upgrade` has not brought to the newest revision."""
    try:
        current = current_revision(engine)
    except Exception as exc:  # driver errors differ per backend: report them all the same way
        reason = hide_secrets(first_line(exc), engine.url.render_as_string(False))
        raise DatabaseError(_("无法连接数据库：{reason}").format(reason=reason)) from None
    if current is None:
        raise DatabaseError(_("数据库尚未初始化：请先运行 ipflow db upgrade"))
    head = head_revision()
    if current > head:
        raise DatabaseError(
            _("数据库结构版本为{current}，比本程序所知的最新版本{head}更新：请升级 ipflow").format(
                current=current, head=head
            )
        )
    if current != head:
        raise DatabaseError(
            _("数据库结构版本为{current}，程序需要{head}：请先运行 ipflow db upgrade").format(
                current=current, head=head
            )
        )
