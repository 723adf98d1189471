"""corrections: payment vouchers and reversals, revoked credit records, the corrections log

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10

A disbursement may carry its voucher reference (凭证号) and a note; a reversal (冲正) is a
negative disbursement naming the one it reverses (at most one reversal each). A credit record
entered in error is revoked, not deleted: who, when and why are kept on it. The `correction`
table logs every correction (before, after, note, who, when) and, like the project history,
refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) with 0003's trigger function.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ipflow_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ipflow_append_only()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
        )


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=30), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_correction_project_id_project")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_correction_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_correction_unit_id"), ["unit_id"], unique=False)
    _append_only("correction")
    with op.batch_alter_table("disbursement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voucher", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_disbursement_reverses_id"), ["reverses_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_disbursement_reverses_id_disbursement"),
            "disbursement",
            ["reverses_id"],
            ["id"],
        )
    with op.batch_alter_table("credit_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("revoke_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_record", schema=None) as batch_op:
        batch_op.drop_column("revoke_note")
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("disbursement", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_disbursement_reverses_id_disbursement"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_disbursement_reverses_id"), type_="unique")
        batch_op.drop_column("note")
        batch_op.drop_column("reverses_id")
        batch_op.drop_column("voucher")
    op.drop_table("correction")
