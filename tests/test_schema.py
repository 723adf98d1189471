"""The migrated schema equals the ORM metadata, and upgrading twice changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from workflow.db.engine import upgrade
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
