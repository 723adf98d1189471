"""performance indicators with targets, their recorded values, and performance evaluations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10

A project's performance indicators (绩效指标) are quantitative, with a target and a unit of
measure, or qualitative, with the criterion they are assessed against; each recorded actual or
assessment is kept with its day. A recorded evaluation keeps its score, grade, findings and the
figures they were computed from, so that the unit's earlier results can be shown when it
applies again (评价成果应用).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "performance_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("measure", sa.String(length=40), nullable=True),
        sa.Column("criterion", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_performance_indicator_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_indicator")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_performance_indicator_project_id")),
    )
    with op.batch_alter_table("performance_indicator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_performance_indicator_project_id"), ["project_id"], unique=False
        )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actual", sa.Float(), nullable=True),
        sa.Column("assessment", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["performance_indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_performance_indicator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint("indicator_id", "day", name=op.f("uq_indicator_value_indicator_id")),
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_value_indicator_id"), ["indicator_id"], unique=False
        )
    op.create_table(
        "performance_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_performance_evaluation_project_id_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_evaluation")),
        sa.UniqueConstraint("project_id", "day", name=op.f("uq_performance_evaluation_project_id")),
    )
    with op.batch_alter_table("performance_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_performance_evaluation_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:
    for table, column in (
        ("performance_evaluation", "project_id"),
        ("indicator_value", "indicator_id"),
        ("performance_indicator", "project_id"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
