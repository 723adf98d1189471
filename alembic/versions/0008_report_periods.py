"""reporting periods, carried report items, and progress judged at the latest report

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

report_due rows become periods with a first day (`opens`); patent_navigation and
data_ip_securitization owe no periodic report and lose theirs, and data_ip_leader's become
annual. A report records the period it belongs to, and may carry a note (a completion that goes down needs one) and its items say
whether the report states them or carries them. A ledger row's `planned` is that of the latest
report (null before any), beside the plan of the day (`planned_today`).
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_REPORTS = ("patent_navigation", "data_ip_securitization")
ANNUAL = "data_ip_leader"


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _annual_closes(start: date, end: date) -> list[date]:
    """The closing days of 12-month periods from `start`, as the application computes them."""
    closes, k = [], 1
    while (last := _add_months(start, 12 * k) - timedelta(days=1)) < end:
        closes.append(last)
        k += 1
    if closes and (end - closes[-1]).days < 31:
        closes.pop()
    return [*closes, end]


def upgrade() -> None:
    with op.batch_alter_table("report_due", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opens", sa.Date(), nullable=True))
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("period", sa.Integer(), nullable=True))
    with op.batch_alter_table("report_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stated", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("ledger_snapshot", schema=None) as batch_op:
        batch_op.alter_column("planned", existing_type=sa.Float(), nullable=True)
        batch_op.add_column(sa.Column("planned_today", sa.Float(), nullable=True))

    bind = op.get_bind()
    project = sa.table(
        "project",
        sa.column("id", sa.Integer),
        sa.column("category", sa.String),
        sa.column("start", sa.Date),
        sa.column("end", sa.Date),
    )
    due = sa.table(
        "report_due",
        sa.column("project_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("opens", sa.Date),
        sa.column("due", sa.Date),
    )
    unreported = sa.select(project.c.id).where(project.c.category.in_(NO_REPORTS))
    bind.execute(sa.delete(due).where(due.c.project_id.in_(unreported)))
    leaders = bind.execute(
        sa.select(project.c.id, project.c.start, project.c.end).where(
            project.c.category == ANNUAL
        )
    ).all()
    if leaders:
        bind.execute(sa.delete(due).where(due.c.project_id.in_([p.id for p in leaders])))
        bind.execute(
            sa.insert(due),
            [
                {"project_id": p.id, "seq": seq, "due": close}
                for p in leaders
                for seq, close in enumerate(_annual_closes(p.start, p.end), start=1)
            ],
        )
    # A period opens the day after the previous one closes; the first on the project's start.
    earlier = due.alias("earlier")
    previous_close = (
        sa.select(earlier.c.due)
        .where(earlier.c.project_id == due.c.project_id, earlier.c.seq == due.c.seq - 1)
        .scalar_subquery()
    )
    start = sa.select(project.c.start).where(project.c.id == due.c.project_id).scalar_subquery()
    bind.execute(sa.update(due).where(due.c.seq == 1).values(opens=start))
    closes = bind.execute(
        sa.select(due.c.project_id, due.c.seq, previous_close).where(due.c.seq > 1)
    ).all()
    if closes:
        bind.execute(
            sa.update(due)
            .where(due.c.project_id == sa.bindparam("pid"), due.c.seq == sa.bindparam("s"))
            .values(opens=sa.bindparam("opens_on")),
            [
                {"pid": pid, "s": seq, "opens_on": close + timedelta(days=1)}
                for pid, seq, close in closes
            ],
        )
    with op.batch_alter_table("report_due", schema=None) as batch_op:
        batch_op.alter_column("opens", existing_type=sa.Date(), nullable=False)
    # A report's period: the first whose close is on or after its date, else the last.
    report = sa.table(
        "report",
        sa.column("project_id", sa.Integer),
        sa.column("report_date", sa.Date),
        sa.column("period", sa.Integer),
    )
    of_project = due.c.project_id == report.c.project_id
    bind.execute(
        sa.update(report).values(
            period=sa.func.coalesce(
                sa.select(sa.func.min(due.c.seq))
                .where(of_project, due.c.due >= report.c.report_date)
                .scalar_subquery(),
                sa.select(sa.func.max(due.c.seq)).where(of_project).scalar_subquery(),
            )
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("report_due", schema=None) as batch_op:
        batch_op.drop_column("opens")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("period")
    with op.batch_alter_table("report_item", schema=None) as batch_op:
        batch_op.drop_column("stated")
    op.execute("UPDATE ledger_snapshot SET planned = planned_today WHERE planned IS NULL")
    with op.batch_alter_table("ledger_snapshot", schema=None) as batch_op:
        batch_op.drop_column("planned_today")
        batch_op.alter_column("planned", existing_type=sa.Float(), nullable=False)
