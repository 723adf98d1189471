"""reminder notices and risk-disposal recommendations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_risk_recommendation_project_id_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_recommendation")),
    )
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_recommendation_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            "uq_risk_recommendation_open",
            ["project_id", "source"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        batch_op.drop_index("uq_risk_recommendation_open")
        batch_op.drop_index(batch_op.f("ix_risk_recommendation_project_id"))
    op.drop_table("risk_recommendation")
