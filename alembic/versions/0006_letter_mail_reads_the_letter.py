"""a warning letter's outbox row carries no copy of the letter

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("body_text", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute(
        "UPDATE outbox SET "
        "body_text = (SELECT letter.body_text FROM letter WHERE letter.id = outbox.letter_id), "
        "body_html = (SELECT letter.body_html FROM letter WHERE letter.id = outbox.letter_id) "
        "WHERE body_text IS NULL"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("body_text", existing_type=sa.Text(), nullable=False)
