"""ORM tables of the performance evaluation: indicators with targets, their values, evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class Indicator(Base):
    """A performance indicator of a project (绩效指标): quantitative, with a target in a unit of
    measure, or qualitative, with the criterion it is assessed against."""

    __tablename__ = "performance_indicator"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    """quantitative or qualitative."""
    target: Mapped[float | None] = mapped_column(Float)
    measure: Mapped[str | None] = mapped_column(String(40))
    """The target's unit of measure (件, 万元, 家 …); quantitative indicators only."""
    criterion: Mapped[str | None] = mapped_column(Text)
    """What a qualitative indicator is assessed against."""
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class IndicatorValue(Base):
    """What an indicator stood at on a day: a quantitative actual, or a qualitative assessment
    (met, partly, not_met). The latest on or before a day counts on that day."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("performance_indicator.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    actual: Mapped[float | None] = mapped_column(Float)
    assessment: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class Evaluation(Base):
    """A recorded performance evaluation of a project (项目绩效评价结果): its score, grade and
    findings, with the figures it was computed from, shown when the unit applies again."""

    __tablename__ = "performance_evaluation"
    __table_args__ = (UniqueConstraint("project_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(20))
    figures: Mapped[dict[str, Any]]
    """The figures of the day (`workflow.performance.rules.Figures` as JSON)."""
    findings: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
