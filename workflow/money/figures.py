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

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from states.definitions import DEFINITIONS
from workflow.core.clock import SHANGHAI
from workflow.core.results import Result
from workflow.db.orm import Project, ProjectEvent, UtcDateTime
from workflow.db.orm_money import Disbursement, Expenditure, FinalAccount, ProjectFunding
from workflow.db.prebuilt import DAY, DayValue, Instant, among_ids, parameters

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


def _grants(day: DayValue, where: list[ColumnElement[bool]]) -> Select[Any]:
    """Per project: applied, today's grant (before any release), the claw-back by `day`."""
    return (
        select(
            Project.id,
            Project.budget,
            func.coalesce(FinalAccount.committed, ProjectFunding.committed, 0),
            case((FinalAccount.day <= day, FinalAccount.clawback), else_=0),
        )
        .outerjoin(ProjectFunding, ProjectFunding.project_id == Project.id)
        .outerjoin(FinalAccount, FinalAccount.project_id == Project.id)
        .where(*where)
    )


def _committed_after(end: Instant, where: list[ColumnElement[bool]]) -> Select[Any]:
    """Per project, the events that commit money by rolling or awards at or after `end` (the
    instant the day after the figures' day begins): not granted yet on that day."""
    return (
        select(ProjectEvent.project_id, Project.category, ProjectEvent.trigger, ProjectEvent.data)
        .join(Project, Project.id == ProjectEvent.project_id)
        .where(
            ProjectEvent.trigger.in_(sorted({trigger for _, trigger in COMMITTED_LATER})),
            ProjectEvent.at >= end,
            *where,
        )
    )


def _disbursed(day: DayValue, where: list[ColumnElement[bool]]) -> Select[Any]:
    return (
        select(Disbursement.project_id, func.sum(Disbursement.amount))
        .join(Project, Project.id == Disbursement.project_id)
        .where(Disbursement.day <= day, *where)
        .group_by(Disbursement.project_id)
    )


def _spent(day: DayValue, where: list[ColumnElement[bool]]) -> Select[Any]:
    """Per project: spent, and the part of it accepted by `day` (a later review does not count)."""
    accepted = and_(
        Expenditure.review_status == ACCEPTED,
        or_(Expenditure.reviewed_on.is_(None), Expenditure.reviewed_on <= day),
    )
    return (
        select(
            Expenditure.project_id,
            func.sum(Expenditure.amount),
            func.sum(case((accepted, Expenditure.amount), else_=0)),
        )
        .join(Project, Project.id == Expenditure.project_id)
        .where(Expenditure.day <= day, *where)
        .group_by(Expenditure.project_id)
    )


class _Queries(NamedTuple):
    grants: Select[Any]
    committed_after: Select[Any]
    disbursed: Select[Any]
    spent: Select[Any]


def _queries(day: DayValue, end: Instant, where: list[ColumnElement[bool]]) -> _Queries:
    return _Queries(
        _grants(day, where),
        _committed_after(end, where),
        _disbursed(day, where),
        _spent(day, where),
    )


def _day_after_begins(day: date) -> datetime:
    """The instant (UTC) the day after `day` begins in Guizhou."""
    return datetime.combine(day + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)


def _figures(
    session: Session, queries: _Queries, params: dict[str, object]
) -> dict[int, MoneyFigures]:
    later: dict[int, int] = defaultdict(int)
    for pid, category, trigger, data in session.execute(queries.committed_after, params):
        if (category, trigger) in COMMITTED_LATER:
            later[pid] += int(data.get("amount", 0))
    disbursed = {
        pid: int(amount or 0) for pid, amount in session.execute(queries.disbursed, params)
    }
    spent = {
        pid: (int(total or 0), int(ok or 0))
        for pid, total, ok in session.execute(queries.spent, params)
    }
    return {
        pid: MoneyFigures.of(
            int(applied),
            int(granted) - later.get(pid, 0),
            disbursed.get(pid, 0),
            *spent.get(pid, (0, 0)),
            int(recovered or 0),
        )
        for pid, applied, granted, recovered in session.execute(queries.grants, params)
    }


def money_figures(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, MoneyFigures]:
    """The figures on `day` of every project `where` (conditions on Project) selects."""
    return _figures(session, _queries(day, _day_after_begins(day), list(where)), {})


END = bindparam("end", type_=UtcDateTime())
"""The instant the day after the figures' day begins (`_day_after_begins`)."""


@functools.cache
def _queries_of_ids(dialect: str) -> _Queries:
    return _queries(DAY, END, [among_ids(dialect)])


def money_of(session: Session, day: date, ids: list[int]) -> dict[int, MoneyFigures]:
    """`money_figures` of the projects `ids`, by statements built once: for projects known by id."""
    queries = _queries_of_ids(session.get_bind().dialect.name)
    return _figures(session, queries, {**parameters(day, ids), "end": _day_after_begins(day)})
