"""ORM tables of letter review and rectification: review decisions, plans and their follow-up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class LetterReview(Base):
    """One review decision on a warning letter (pending → reviewed → closed or escalated)."""

    __tablename__ = "letter_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text)
    day: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class RectificationPlan(Base):
    """The unit's rectification plan (整改方案) answering a letter, and when it must be done."""

    __tablename__ = "rectification_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), unique=True)
    received_on: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class RectificationFollowUp(Base):
    """One follow-up of a rectification plan: what was found on a day, and whether it is done."""

    __tablename__ = "rectification_follow_up"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("rectification_plan.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
