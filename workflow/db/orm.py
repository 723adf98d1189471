"""The database schema as SQLAlchemy 2 ORM classes; Alembic migrations mirror it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware timestamps stored in UTC; SQLite, which keeps no zone, gets them back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, int: Integer}


class Unit(Base):
    """An organisation that applies for and carries out projects (项目承担单位)."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="enterprise")
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    records: Mapped[list[CreditRecord]] = relationship(order_by="CreditRecord.id")


class CreditRecord(Base):
    """An adverse credit record or an application restriction, active over a date range."""

    __tablename__ = "credit_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    source_project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    """When the record was revoked as entered in error (it is then never in force); kept."""
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_note: Mapped[str | None] = mapped_column(Text)


class Project(Base):
    """A funded (or applying) project and its lifecycle state."""

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    state: Mapped[str] = mapped_column(String(30), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    budget: Mapped[int] = mapped_column(BigInteger)
    contact_email: Mapped[str | None] = mapped_column(String(200))
    ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    """The application number (申报编号), unique when given."""
    tier: Mapped[str | None] = mapped_column(String(20))
    """The tier applied for (states.eligibility.TIERS), where the category has tiers."""
    definition_version: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    unit: Mapped[Unit] = relationship()
    __mapper_args__ = {"version_id_col": version}


class PlanTask(Base):
    """A task or milestone of a project's plan (任务清单、进度节点)."""

    __tablename__ = "plan_task"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    weight: Mapped[float] = mapped_column(Float)


class ReportDue(Base):
    """A reporting period of a project's term (`workflow.progress.rules.report_periods`).

    `opens` and `due` are its first and last days; its report is due at `due` plus the
    configured grace (`[check] report_grace_days`).
    """

    __tablename__ = "report_due"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    opens: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date, index=True)


class Report(Base):
    """A progress report (季度报告 or 年度报告): completion of every plan task on its date."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("project_id", "report_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    report_date: Mapped[date] = mapped_column(Date)
    period: Mapped[int | None]
    """The seq of the reporting period its date belongs to (`workflow.progress.rules.period_of`);
    None where the category owes no periodic report."""
    actor: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list[ReportItem]] = relationship(order_by="ReportItem.task_id")


class ReportItem(Base):
    """One task's completion percent (0-100) on a report's date.

    `stated`: the report gives it; otherwise it is carried from the latest earlier report that
    states the task (0 before any), and recomputed when an earlier report is entered later.
    """

    __tablename__ = "report_item"
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id"), primary_key=True)
    completion: Mapped[float] = mapped_column(Float)
    stated: Mapped[bool] = mapped_column(default=True)


class ProjectEvent(Base):
    """One accepted transition; rows are only ever appended."""

    __tablename__ = "project_event"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    seq: Mapped[int]
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    trigger: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    definition_version: Mapped[int]


class LedgerSnapshot(Base):
    """The nightly check's finding for one active project on one logical date."""

    __tablename__ = "ledger_snapshot"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    state: Mapped[str] = mapped_column(String(30))
    planned: Mapped[float | None] = mapped_column(Float)
    """P(d) of the latest report d (None before any); `planned_today` is P(day)."""
    planned_today: Mapped[float | None] = mapped_column(Float)
    actual: Mapped[float | None] = mapped_column(Float)
    lag: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    reports_overdue: Mapped[int]
    open_letters: Mapped[int]
    last_report: Mapped[date | None] = mapped_column(Date)


class Letter(Base):
    """A warning letter (预警告知书), stored with the data it was rendered from."""

    __tablename__ = "letter"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "episode"),
        UniqueConstraint("year", "seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    episode: Mapped[int]
    level: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    rectification_due: Mapped[date] = mapped_column(Date)
    plan_received_on: Mapped[date | None] = mapped_column(Date)
    lag: Mapped[float]
    data: Mapped[dict[str, Any]]
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to deliver, written in the same transaction as what caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    # A warning letter's row leaves both bodies empty: it is sent as the letter stores them.
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class CheckRun(Base):
    """One claimed run of a job for a logical date, with its owner and outcome."""

    __tablename__ = "check_run"
    __table_args__ = (UniqueConstraint("job", "logical_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    logical_date: Mapped[date] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
