"""Alembic environment: migrates the engine ipflow hands over, or the URL in $IPFLOW_DB."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from workflow.db.schema import metadata

config = context.config
engine = config.attributes.get("engine") or create_engine(
    os.environ.get("IPFLOW_DB", "sqlite:///ipflow.db")
)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
