"""ORM tables of programme money: funding, budget lines, disbursements, expenditures, accounts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class ProgrammeBudget(Base):
    """The office's budget for one category in one programme year (年度预算)."""

    __tablename__ = "programme_budget"
    year: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class ProjectFunding(Base):
    """What the rules commit to one project: its year, funding attributes and committed money."""

    __tablename__ = "project_funding"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    category: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str | None] = mapped_column(String(20))
    """patent_navigation: "industry" or "enterprise"."""
    committed: Mapped[int] = mapped_column(BigInteger)
    """Money the programme owes or has paid the project, in yuan (reservations included)."""
    issuance: Mapped[int | None] = mapped_column(BigInteger)
    """data_ip_securitization: the product's issuance amount (发行金额)."""
    financing: Mapped[int | None] = mapped_column(BigInteger)
    """data_ip_securitization: the enterprise's own financing in the product (实际融资额)."""
    issue_size: Mapped[int | None] = mapped_column(BigInteger)
    """data_ip_securitization: the product's issuance size (发行规模)."""
    product_end: Mapped[date | None] = mapped_column(Date)
    """data_ip_securitization: the day the product ends (产品到期日)."""


class BudgetLine(Base):
    """One approved budget line of a project (预算科目)."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger)


class Disbursement(Base):
    """Money paid to a project (拨付), at one stage, on one day; or the reversal (冲正) of such a
    payment: a negative entry naming the one it reverses, which stays as it was."""

    __tablename__ = "disbursement"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    stage: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    voucher: Mapped[str | None] = mapped_column(String(100))
    """The payment voucher's reference (凭证号), unique among a project's unreversed payments."""
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("disbursement.id"), unique=True)
    """The payment this entry reverses (its amount is that payment's, negated); at most one."""
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class Expenditure(Base):
    """One expenditure (支出) recorded by the unit, with the flags it raised and its review."""

    __tablename__ = "expenditure"
    __table_args__ = (Index("ix_expenditure_review", "project_id", "review_status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    line: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_status: Mapped[str] = mapped_column(String(20))
    """"accepted" (no flag, or reviewed as compliant), "pending" (flagged) or "misuse"."""
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewer: Mapped[str | None] = mapped_column(String(100))
    review_note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class FinalAccount(Base):
    """A project's final accounts (决算) at completion or closure: balance, carry-over, claw-back."""

    __tablename__ = "final_account"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(40))
    committed: Mapped[int] = mapped_column(BigInteger)
    disbursed: Mapped[int] = mapped_column(BigInteger)
    spent_accepted: Mapped[int] = mapped_column(BigInteger)
    balance: Mapped[int] = mapped_column(BigInteger)
    carry_over: Mapped[int] = mapped_column(BigInteger)
    clawback: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
