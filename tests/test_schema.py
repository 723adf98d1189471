"""The migrations: no drift from the ORM, idempotent, shipped as our package, reversible."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from tests.conftest import PG_URL
from workflow.db.engine import _alembic_config, head_revision, make_engine, migrations_dir, upgrade
from workflow.db.schema import metadata


def test_migrated_schema_has_no_drift_from_the_orm(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_upgrade_is_idempotent_and_reaches_the_newest_revision(engine: Engine) -> None:
    head = upgrade(engine)
    assert upgrade(engine) == head
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_migrations_are_our_package_and_leave_the_alembic_library_unshadowed() -> None:
    import alembic.command

    location = migrations_dir()
    assert (location / "env.py").is_file() and (location / "script.py.mako").is_file()
    assert list(location.glob(f"versions/{head_revision()}_*.py"))
    assert not Path(alembic.command.__file__).is_relative_to(location)


@pytest.fixture
def new_pg_schema() -> Iterator[Engine]:
    """An engine on a new, empty PostgreSQL schema of its own, dropped afterwards."""
    schema = f"m_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_downgrading_0007_lets_truncate_empty_the_history_and_upgrading_refuses_it_again(
    new_pg_schema: Engine,
) -> None:
    from alembic import command

    config = _alembic_config(new_pg_schema)
    upgrade(new_pg_schema)
    command.downgrade(config, "0006")
    log = "INSERT INTO refusal_log (at, actor, action, reason) VALUES (now(), 'x', 'approve', '')"
    with new_pg_schema.begin() as conn:
        conn.execute(text(log))
        conn.execute(text("TRUNCATE project_event, refusal_log"))
        assert conn.execute(text("SELECT count(*) FROM refusal_log")).scalar_one() == 0
    command.upgrade(config, "head")
    with new_pg_schema.begin() as conn:
        conn.execute(text(log))
    with pytest.raises(DatabaseError, match="refusal_log is append-only: TRUNCATE refused"):  # noqa: SIM117
        with new_pg_schema.begin() as conn:
            conn.execute(text("TRUNCATE refusal_log"))
