"""ORM tables of who may apply: unit facts (states.eligibility.FACTS) and joint applications."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class UnitFact(Base):
    """A unit's recorded fact (valid patents, 链主/龙头, …): its value, who recorded it and when."""

    __tablename__ = "unit_fact"
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(40))
    recorded_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime]


class ProjectPartner(Base):
    """A co-applicant (合作单位) of a joint application, in the order the application lists it."""

    __tablename__ = "project_partner"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
    seq: Mapped[int]
