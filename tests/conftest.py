"""Shared fixtures: a clean SQLite or PostgreSQL database per test, a fixed clock, the CLI."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.db.engine import make_engine, upgrade
from workflow.db.schema import metadata

PG_URL = os.environ.get("IPFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = os.environ.get("IPFLOW_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema of the `test` database, migrated once per session.

    PostgreSQL must be reachable: the suite fails, never skips, when it is not.
    """
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


RESTART_SEQUENCES = text(
    "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false)"
    " FROM pg_sequences WHERE schemaname = current_schema()"
)
"""Every sequence of the test's schema back to its start, as TRUNCATE … RESTART IDENTITY does."""


def _empty_pg(engine: Engine) -> None:
    """Empty every table and restart its ids; retried when PostgreSQL picks it as a deadlock victim.

    DELETE, not TRUNCATE: on tables of a few rows it is ten times faster (TRUNCATE makes new
    files for every table and index and waits for them on disk), and it runs before each of the
    suite's PostgreSQL tests. The append-only tables refuse DELETE by trigger (migrations 0003
    and 0014); the replica role fires no ordinary trigger, for this transaction only (it needs a
    superuser, as the tests' `postgres` is, or PostgreSQL 15's SET privilege on the parameter).
    """
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for table in reversed(metadata.sorted_tables):
                    conn.execute(table.delete())
                conn.execute(RESTART_SEQUENCES)
            break
        except OperationalError as exc:
            if "deadlock" not in str(exc) or attempt == 4:
                raise
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_schema: str) -> Iterator[Engine]:
    """The engine of the session's schema, lent to each PostgreSQL test and disposed after it.

    Its cache of compiled statements outlives a test (a fresh engine compiles every statement
    again, much of a short use case's time); its connections do not: disposing closes them.
    """
    eng = make_engine(pg_schema)
    yield eng
    eng.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        path = tmp_path / "ipflow.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    _empty_pg(request.getfixturevalue("pg_engine"))
    url: str = request.getfixturevalue("pg_schema")
    return url


@pytest.fixture
def pg_url(pg_schema: str, pg_engine: Engine) -> str:
    """An empty, migrated PostgreSQL database, for behaviour only PostgreSQL deployments have."""
    _empty_pg(pg_engine)
    return pg_schema


@pytest.fixture
def engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on the test's database: PostgreSQL's is the session's (see `pg_engine`)."""
    if db_url.startswith("sqlite"):
        eng = make_engine(db_url)
    else:
        eng = request.getfixturevalue("pg_engine")
    yield eng
    eng.dispose()


NOON = datetime(2027, 4, 15, 12, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def ctx(engine: Engine) -> AppContext:
    """Use-case wiring on the test database, with the clock fixed at 2027-04-15 noon."""
    return AppContext(engine, Settings(), fixed_clock(NOON), "tester")


LANGUAGE_ENV = ("IPFLOW_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
"""The variables that choose the language: unset for each run unless a test sets them."""


@dataclass
class Cli:
    """Runs `ipflow` in-process against the test database, as a user would type it.

    The language is the default, Chinese, whatever the locale of the machine running the tests.
    """

    db_url: str
    today: date | None = None

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        from cli import cli

        run_env: dict[str, str | None] = dict.fromkeys(LANGUAGE_ENV)
        if self.today:
            run_env["IPFLOW_TODAY"] = self.today.isoformat()
        run_env.update(env or {})
        return CliRunner().invoke(
            cli, ["--db", self.db_url, "--as", "tester", *args], input=input, env=run_env
        )


CLOCK_NOTICE = "注意：日期按环境变量IPFLOW_TODAY固定为"
"""How every command run with a fixed clock starts its standard error."""


def without_clock_notice(stderr: str) -> str:
    """`stderr` without the fixed-clock notice: the command's own message, stripped."""
    return "\n".join(
        line for line in stderr.splitlines() if not line.startswith(CLOCK_NOTICE)
    ).strip()


@pytest.fixture
def ipflow(db_url: str) -> Cli:
    return Cli(db_url, date(2027, 4, 15))


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table: equal before and after means nothing was written."""
    with engine.connect() as conn:
        return {
            t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar_one()
            for t in metadata.sorted_tables
        }


def database_dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in key order: equal before and after means nothing changed."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(t.select().order_by(*t.primary_key.columns))]
            for t in metadata.sorted_tables
        }


Factory = Callable[..., int]
