"""budgets, disbursements, expenditures and programme money

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"], ["project.id"], name=op.f(f"fk_{table}_project_id_project")
    )


def upgrade() -> None:
    op.create_table(
        "programme_budget",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", "category", name=op.f("pk_programme_budget")),
    )
    op.create_table(
        "project_funding",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("committed", sa.BigInteger(), nullable=False),
        sa.Column("issuance", sa.BigInteger(), nullable=True),
        sa.Column("financing", sa.BigInteger(), nullable=True),
        sa.Column("issue_size", sa.BigInteger(), nullable=True),
        sa.Column("product_end", sa.Date(), nullable=True),
        _project_fk("project_funding"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_funding")),
    )
    op.create_index(op.f("ix_project_funding_year"), "project_funding", ["year"])
    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _project_fk("budget_line"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_budget_line_project_id")),
    )
    op.create_index(op.f("ix_budget_line_project_id"), "budget_line", ["project_id"])
    op.create_table(
        "disbursement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("disbursement"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disbursement")),
    )
    op.create_index(op.f("ix_disbursement_project_id"), "disbursement", ["project_id"])
    op.create_table(
        "expenditure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("reviewer", sa.String(length=100), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("expenditure"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenditure")),
    )
    op.create_index(op.f("ix_expenditure_project_id"), "expenditure", ["project_id"])
    op.create_index("ix_expenditure_review", "expenditure", ["project_id", "review_status"])
    op.create_table(
        "final_account",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("committed", sa.BigInteger(), nullable=False),
        sa.Column("disbursed", sa.BigInteger(), nullable=False),
        sa.Column("spent_accepted", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("carry_over", sa.BigInteger(), nullable=False),
        sa.Column("clawback", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("final_account"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_final_account")),
    )


def downgrade() -> None:
    op.drop_table("final_account")
    op.drop_index("ix_expenditure_review", table_name="expenditure")
    op.drop_index(op.f("ix_expenditure_project_id"), table_name="expenditure")
    op.drop_table("expenditure")
    op.drop_index(op.f("ix_disbursement_project_id"), table_name="disbursement")
    op.drop_table("disbursement")
    op.drop_index(op.f("ix_budget_line_project_id"), table_name="budget_line")
    op.drop_table("budget_line")
    op.drop_index(op.f("ix_project_funding_year"), table_name="project_funding")
    op.drop_table("project_funding")
    op.drop_table("programme_budget")
