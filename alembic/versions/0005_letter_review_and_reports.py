"""letter review, rectification plans and report artefacts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "letter_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_letter_review_letter_id_letter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_review")),
    )
    with op.batch_alter_table("letter_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_review_letter_id"), ["letter_id"], unique=False
        )
    op.create_table(
        "rectification_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_rectification_plan_letter_id_letter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_plan")),
        sa.UniqueConstraint("letter_id", name=op.f("uq_rectification_plan_letter_id")),
    )
    op.create_table(
        "rectification_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["rectification_plan.id"],
            name=op.f("fk_rectification_follow_up_plan_id_rectification_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_follow_up")),
    )
    with op.batch_alter_table("rectification_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_follow_up_plan_id"), ["plan_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rectification_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_follow_up_plan_id"))
    op.drop_table("rectification_follow_up")
    op.drop_table("rectification_plan")
    with op.batch_alter_table("letter_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_review_letter_id"))
    op.drop_table("letter_review")
