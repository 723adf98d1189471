"""The programme year: the office's budget per category and its use (committed, disbursed, left)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from states.categories import CATEGORIES
from states.rules import SECURITIZATION_YEAR_CAP
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.locks import lock_key
from workflow.db.orm_money import Disbursement, ProgrammeBudget, ProjectFunding
from workflow.money.funding import committed_in_year, year_budget_key


@dataclass(frozen=True)
class YearBudget(Result):
    """A category's year budget just set: `programme budget --json`."""

    year: int
    category: str
    budget: int
    committed: int


@dataclass(frozen=True)
class CategoryUse(Result):
    """One category's money in a programme year."""

    category: str
    name: str
    budget: int | None
    """None when no budget is set for the year."""
    committed: int
    disbursed: int
    remaining: int | None


@dataclass(frozen=True)
class Totals(Result):
    """The programme year's money over all categories."""

    budget: int
    committed: int
    disbursed: int


@dataclass(frozen=True)
class ProgrammeStatus(Result):
    """The programme year's money per category and in total: `programme status --json`."""

    year: int
    categories: list[CategoryUse]
    total: Totals


@use_case("programme_budget", write=True)
def set_year_budget(work: Work, year: int, category: str, amount: int) -> YearBudget:
    """Set the year's budget of a category; never below what is already committed."""
    ctx, session = work.ctx, work.session
    if category not in CATEGORIES:
        raise Refused(
            _("未知的项目类别“{category}”；可选：{choices}").format(
                category=category, choices=", ".join(CATEGORIES)
            )
        )
    if amount <= 0:
        raise Refused(_("年度预算须为正整数元，得到{amount}").format(amount=amount))
    if category == "data_ip_securitization" and amount > SECURITIZATION_YEAR_CAP:
        raise Refused(
            _("证券化资助全年最多{cap}元，预算{amount}元超过上限").format(
                cap=SECURITIZATION_YEAR_CAP, amount=amount
            )
        )
    lock_key(session, year_budget_key(year, category))  # no approval commits meanwhile
    committed = committed_in_year(session, year, category)
    if amount < committed:
        raise Refused(
            _("{year}年度{category}已承诺{committed}元，预算不能低于此数（{amount}元）").format(
                year=year, category=category, committed=committed, amount=amount
            )
        )
    row = session.get(ProgrammeBudget, (year, category))
    if row is None:
        row = ProgrammeBudget(year=year, category=category, amount=amount)
        session.add(row)
    row.amount, row.actor, row.updated_at = amount, ctx.actor, ctx.clock()
    return YearBudget(year, category, amount, committed)


@use_case("programme_status", write=False)
def programme_status(work: Work, year: int) -> ProgrammeStatus:
    """Per category: budget (null when not set), committed, disbursed, remaining; and totals."""
    session = work.session
    budgets = dict(
        session.execute(
            select(ProgrammeBudget.category, ProgrammeBudget.amount).where(
                ProgrammeBudget.year == year
            )
        )
        .tuples()
        .all()
    )
    committed = dict(
        session.execute(
            select(ProjectFunding.category, func.sum(ProjectFunding.committed))
            .where(ProjectFunding.year == year)
            .group_by(ProjectFunding.category)
        )
        .tuples()
        .all()
    )
    disbursed = dict(
        session.execute(
            select(ProjectFunding.category, func.sum(Disbursement.amount))
            .join(Disbursement, Disbursement.project_id == ProjectFunding.project_id)
            .where(ProjectFunding.year == year)
            .group_by(ProjectFunding.category)
        )
        .tuples()
        .all()
    )
    rows = []
    for code, category in CATEGORIES.items():
        budget = budgets.get(code)
        if budget is None and code == "data_ip_securitization":
            budget = SECURITIZATION_YEAR_CAP
        used = int(committed.get(code) or 0)
        rows.append(
            CategoryUse(
                category=code,
                name=category.name,
                budget=budget,
                committed=used,
                disbursed=int(disbursed.get(code) or 0),
                remaining=None if budget is None else budget - used,
            )
        )
    total = Totals(
        budget=sum(r.budget or 0 for r in rows),
        committed=sum(r.committed for r in rows),
        disbursed=sum(r.disbursed for r in rows),
    )
    return ProgrammeStatus(year, rows, total)
