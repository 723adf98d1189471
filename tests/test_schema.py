"""The migrated schema equals the ORM metadata, upgrading twice changes nothing, migrations ship."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from workflow.db.engine import head_revision, migrations_dir, upgrade
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
