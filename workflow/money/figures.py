"""The six money figures of each project (SPEC.md §7), set-based, for every money view.

- applied (申请金额): the budget the application states (`project.budget`);
- granted (核定资助): what the rules committed — at approval (fixed grant, navigation kind,
  city rank, securitisation subsidy), plus rolling money and awards committed by the day; a
  `release` at termination or claw-back shrinks the commitment, but the grant stays what the
  final accounts recorded before it;
- disbursed (已拨付), spent (已支出: every recorded expenditure), accepted (支出审核认可:
  unflagged, or reviewed and accepted by the day) and recovered (已收回: the claw-back of
  the final accounts), each as of a day.

Rates are against the grant, never against the application: 拨付率 = disbursed ÷ granted,
支出率 = spent ÷ granted; a project without a grant has no rate. One query per table, for
any number of projects. The approval's grant counts on every day (a payment may be dated
before the day its approval was entered); rolling money and awards count from the day their
transition was recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from states.definitions import DEFINITIONS
from workflow.core.clock import SHANGHAI
from workflow.core.results import Result
from workflow.db.orm import Project, ProjectEvent
from workflow.db.orm_money import Disbursement, Expenditure, FinalAccount, ProjectFunding

ACCEPTED = "accepted"
"""Expenditure.review_status of spending that counts (see workflow.money.budget)."""
COMMITTED_LATER = frozenset(
    (code, t.trigger)
    for code, definition in DEFINITIONS.items()
    for t in definition.transitions
    if "commit_amount" in t.effects
)
"""(category, trigger) of the transitions that add to a grant after approval: gi_brand's
rolling year 2, the leader's awards. Their events carry the amount."""


def rate(part: int, granted: int) -> float | None:
    """`part` as a percentage of the grant, to two decimals; None without a grant."""
    return round(100 * part / granted, 2) if granted > 0 else None


@dataclass(frozen=True)
class MoneyFigures(Result):
    """A project's money on a day, in yuan, with its rates against the grant (percent)."""

    applied: int
    granted: int
    disbursed: int
    spent: int
    accepted: int
    recovered: int
    disbursed_rate: float | None
    """拨付率: disbursed ÷ granted, in percent; None before any grant."""
    spent_rate: float | None
    """支出率: spent ÷ granted, in percent; None before any grant."""

    @classmethod
    def of(
        cls, applied: int, granted: int, disbursed: int, spent: int, accepted: int, recovered: int
    ) -> MoneyFigures:
        """The figures with their rates computed."""
        return cls(
            applied,
            granted,
            disbursed,
            spent,
            accepted,
            recovered,
            rate(disbursed, granted),
            rate(spent, granted),
        )


def total(figures: Iterable[MoneyFigures]) -> MoneyFigures:
    """The sum of many projects' figures, rates against their total grant."""
    rows = list(figures)
    return MoneyFigures.of(
        *(
            sum(getattr(f, name) for f in rows)
            for name in ("applied", "granted", "disbursed", "spent", "accepted", "recovered")
        )
    )


def _grants(session: Session, day: date, where: list[ColumnElement[bool]]) -> list[Any]:
    """Per project: applied, today's grant (before any release), the claw-back by `day`."""
    return list(
        session.execute(
            select(
                Project.id,
                Project.budget,
                func.coalesce(FinalAccount.committed, ProjectFunding.committed, 0),
                case((FinalAccount.day <= day, FinalAccount.clawback), else_=0),
            )
            .outerjoin(ProjectFunding, ProjectFunding.project_id == Project.id)
            .outerjoin(FinalAccount, FinalAccount.project_id == Project.id)
            .where(*where)
        ).tuples()
    )


def _committed_after(
    session: Session, day: date, where: list[ColumnElement[bool]]
) -> dict[int, int]:
    """Per project, the money committed after `day` by rolling or awards: not granted yet then."""
    end = datetime.combine(day + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)
    rows = session.execute(
        select(ProjectEvent.project_id, Project.category, ProjectEvent.trigger, ProjectEvent.data)
        .join(Project, Project.id == ProjectEvent.project_id)
        .where(
            ProjectEvent.trigger.in_({trigger for _, trigger in COMMITTED_LATER}),
            ProjectEvent.at >= end,
            *where,
        )
    ).tuples()
    later: dict[int, int] = defaultdict(int)
    for pid, category, trigger, data in rows:
        if (category, trigger) in COMMITTED_LATER:
            later[pid] += int(data.get("amount", 0))
    return later


def _disbursed(session: Session, day: date, where: list[ColumnElement[bool]]) -> dict[int, int]:
    rows = session.execute(
        select(Disbursement.project_id, func.sum(Disbursement.amount))
        .join(Project, Project.id == Disbursement.project_id)
        .where(Disbursement.day <= day, *where)
        .group_by(Disbursement.project_id)
    ).tuples()
    return {pid: int(amount or 0) for pid, amount in rows}


def _spent(
    session: Session, day: date, where: list[ColumnElement[bool]]
) -> dict[int, tuple[int, int]]:
    """Per project: spent, and the part of it accepted by `day` (a later review does not count)."""
    accepted = and_(
        Expenditure.review_status == ACCEPTED,
        or_(Expenditure.reviewed_on.is_(None), Expenditure.reviewed_on <= day),
    )
    rows = session.execute(
        select(
            Expenditure.project_id,
            func.sum(Expenditure.amount),
            func.sum(case((accepted, Expenditure.amount), else_=0)),
        )
        .join(Project, Project.id == Expenditure.project_id)
        .where(Expenditure.day <= day, *where)
        .group_by(Expenditure.project_id)
    ).tuples()
    return {pid: (int(spent or 0), int(ok or 0)) for pid, spent, ok in rows}


def money_figures(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, MoneyFigures]:
    """The figures on `day` of every project `where` (conditions on Project) selects."""
    conditions = list(where)
    later = _committed_after(session, day, conditions)
    disbursed = _disbursed(session, day, conditions)
    spent = _spent(session, day, conditions)
    return {
        pid: MoneyFigures.of(
            int(applied),
            int(granted) - later.get(pid, 0),
            disbursed.get(pid, 0),
            *spent.get(pid, (0, 0)),
            int(recovered or 0),
        )
        for pid, applied, granted, recovered in _grants(session, day, conditions)
    }
