"""ORM tables of reminder notices' companions: the office's risk-disposal recommendations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base

OPEN = "open"
HANDLED = "handled"


class RiskRecommendation(Base):
    """A risk-disposal recommendation (风险处置建议) for the provincial office.

    At most one open recommendation per (project, source): a project that stays red does
    not get a new one every night until the office has handled the open one. The office
    handles it with a decision (and a note), which closes it.
    """

    __tablename__ = "risk_recommendation"
    __table_args__ = (
        Index(
            "uq_risk_recommendation_open",
            "project_id",
            "source",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    contingency: Mapped[str] = mapped_column(Text, server_default="")
    """The contingency plan (风险预案) of the level it answers, as configured that day."""
    decision: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handled_on: Mapped[date | None] = mapped_column(Date)
