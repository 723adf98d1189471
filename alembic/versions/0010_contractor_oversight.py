"""the contractor's budget reviews, fund summary evaluations and risk-point register

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10

Before implementation the contractor reviews a project's budget and records its opinion and
optimisation suggestions (budget_review); at a stage evaluation or the final accounts it
evaluates the project's funds (fund_evaluation, one per stage); and it keeps the register of
risk points of the semi-annual risk assessment (risk_point, with every change of status or
level in risk_point_change).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"], ["project.id"], name=op.f(f"fk_{table}_project_id_project")
    )


def _money(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "budget_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opinion", sa.String(length=20), nullable=False),
        sa.Column("reviewed_lines", sa.JSON(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("suggested_lines", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("budget_review"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_review")),
    )
    op.create_index(op.f("ix_budget_review_project_id"), "budget_review", ["project_id"])
    op.create_table(
        "fund_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        *_money("granted", "disbursed", "spent", "accepted", "balance", "carry_over", "recovered"),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("fund_evaluation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_evaluation")),
        sa.UniqueConstraint("event_id", name=op.f("uq_fund_evaluation_event_id")),
    )
    op.create_index(op.f("ix_fund_evaluation_project_id"), "fund_evaluation", ["project_id"])
    op.create_table(
        "risk_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("point", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("identified_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("risk_point"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_point")),
    )
    op.create_index(op.f("ix_risk_point_project_id"), "risk_point", ["project_id"])
    op.create_table(
        "risk_point_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("from_status", sa.String(length=10), nullable=False),
        sa.Column("to_status", sa.String(length=10), nullable=False),
        sa.Column("from_level", sa.String(length=10), nullable=False),
        sa.Column("to_level", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk_point.id"], name=op.f("fk_risk_point_change_risk_id_risk_point")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_point_change")),
    )
    op.create_index(op.f("ix_risk_point_change_risk_id"), "risk_point_change", ["risk_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_point_change_risk_id"), table_name="risk_point_change")
    op.drop_table("risk_point_change")
    op.drop_index(op.f("ix_risk_point_project_id"), table_name="risk_point")
    op.drop_table("risk_point")
    op.drop_index(op.f("ix_fund_evaluation_project_id"), table_name="fund_evaluation")
    op.drop_table("fund_evaluation")
    op.drop_index(op.f("ix_budget_review_project_id"), table_name="budget_review")
    op.drop_table("budget_review")
