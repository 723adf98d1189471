"""securitisation subsidies are reserved when the application is filed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10

data_ip_securitization is first applied, first served (先申请先资助): the application states
its product (issuance, financing, size, issue and end dates) and reserves its subsidy against the year's cap when it is filed. Applications
filed before this revision and not yet approved have no claim: approving them is refused
until they are filed again with their terms.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subsidy_claim",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("issuance", sa.BigInteger(), nullable=False),
        sa.Column("financing", sa.BigInteger(), nullable=False),
        sa.Column("issue_size", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("product_end", sa.Date(), nullable=False),
        sa.Column("subsidy", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_subsidy_claim_project_id_project")
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_subsidy_claim")),
    )
    op.create_index(op.f("ix_subsidy_claim_year"), "subsidy_claim", ["year"])


def downgrade() -> None:
    op.drop_index(op.f("ix_subsidy_claim_year"), table_name="subsidy_claim")
    op.drop_table("subsidy_claim")
