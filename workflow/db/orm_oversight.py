"""ORM tables of the contractor's oversight: budget reviews, fund evaluations, the risk register."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class BudgetReview(Base):
    """The contractor's review of a project's budget before implementation (事前预算审核)."""

    __tablename__ = "budget_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    opinion: Mapped[str] = mapped_column(String(20))
    """"approve" (同意) or "revise" (建议调整)."""
    reviewed_lines: Mapped[dict[str, int]] = mapped_column(JSON)
    """The budget lines as they stood when reviewed, name → yuan."""
    suggestions: Mapped[list[str]] = mapped_column(JSON)
    """The optimisation suggestions (预算优化建议), in the order given."""
    suggested_lines: Mapped[dict[str, int]] = mapped_column(JSON)
    """Suggested amounts of the lines to change, name → yuan (0: drop the line)."""
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class FundEvaluation(Base):
    """The contractor's fund summary evaluation (资金总结评价) of one stage of a project.

    A stage is the event that put the project where it was evaluated (a yearly review, an
    acceptance, or the final accounts of its end), so each stage is evaluated once.
    """

    __tablename__ = "fund_evaluation"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    event_id: Mapped[int] = mapped_column(unique=True)
    """The project_event that opened the stage. No foreign key: the history is append-only
    (nothing it points to can go), and a key would stand in the way of its TRUNCATE guard."""
    day: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(20))
    """"final" (the final accounts, 决算) or "stage" (a stage evaluation, 阶段评价)."""
    state: Mapped[str] = mapped_column(String(30))
    granted: Mapped[int] = mapped_column(BigInteger)
    disbursed: Mapped[int] = mapped_column(BigInteger)
    spent: Mapped[int] = mapped_column(BigInteger)
    accepted: Mapped[int] = mapped_column(BigInteger)
    balance: Mapped[int] = mapped_column(BigInteger)
    carry_over: Mapped[int] = mapped_column(BigInteger)
    recovered: Mapped[int] = mapped_column(BigInteger)
    conclusion: Mapped[str] = mapped_column(Text)
    findings: Mapped[list[str]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class RiskPoint(Base):
    """A risk point of the register (风险点台账) kept for the semi-annual risk assessment."""

    __tablename__ = "risk_point"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    """The project it concerns, or None for a risk of the whole programme."""
    point: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(10))
    """The current level: "high", "medium" or "low" (its history is in RiskPointChange)."""
    owner: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    """The current status: "open" or "closed" (its history is in RiskPointChange)."""
    identified_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class RiskPointChange(Base):
    """One update of a risk point: its status and level before and after, with a note."""

    __tablename__ = "risk_point_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk_point.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    from_level: Mapped[str] = mapped_column(String(10))
    to_level: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
