"""risk-disposal recommendations carry their contingency plan and the office's handling

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The office handles an open recommendation with a decision and an optional note, which
closes it (status handled, who and on which day). Each recommendation also keeps the
contingency plan (风险预案) of its level as configured when it was made; those made before
this revision carry none.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contingency", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("decision", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("handled_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("handled_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        for column in ("handled_on", "handled_by", "note", "decision", "contingency"):
            batch_op.drop_column(column)
