"""the append-only tables refuse TRUNCATE on PostgreSQL

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

0003's row triggers refuse UPDATE and DELETE, but TRUNCATE fires no row trigger: one
statement-level BEFORE TRUNCATE trigger per table closes that gap, with 0003's function
(it names the table and TG_OP, which is 'TRUNCATE' here). It also fires when a TRUNCATE of
another table cascades into these. SQLite has no TRUNCATE (its truncate optimisation of a
DELETE without WHERE is off for tables with DELETE triggers), so nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("project_event", "refusal_log")
"""0003's append-only tables."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ipflow_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
