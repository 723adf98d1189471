"""web sign-in: passwords, two-factor secrets, lock-out, sessions, API tokens, idempotency keys

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-11

A user may carry an argon2id password hash and a TOTP secret (confirmed or not yet), and counts
failed sign-ins since the last good one; past the limit the account is locked until a time.
`sign_in_log` records every attempt, good or bad, and refuses UPDATE and DELETE (and TRUNCATE
on PostgreSQL) like the project history. Browser sessions and API tokens are stored as SHA-256
hashes of their secrets, with an expiry and a revocation time. `idempotency_record` keeps the
answer to a POST made with an Idempotency-Key, per user and key, so a retried request is not
run twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMP = sa.DateTime(timezone=True)


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
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200)))
        batch.add_column(sa.Column("password_set_at", STAMP))
        batch.add_column(sa.Column("totp_secret", sa.String(64)))
        batch.add_column(
            sa.Column("totp_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", STAMP))
    op.create_table(
        "sign_in_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("address", sa.String(64)),
    )
    _append_only("sign_in_log")
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("ended_at", STAMP),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("revoked_at", STAMP),
        sa.Column("revoked_by", sa.String(100)),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_record")
    op.drop_table("api_token")
    op.drop_table("web_session")
    op.drop_table("sign_in_log")
    with op.batch_alter_table("app_user") as batch:
        for column in (
            "locked_until",
            "failed_sign_ins",
            "totp_confirmed",
            "totp_secret",
            "password_set_at",
            "password_hash",
        ):
            batch.drop_column(column)
