"""Which projects a report of a period covers, in which state: their history and the checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from states.definitions import ACTIVE_STATES
from workflow.core.clock import SHANGHAI
from workflow.db.orm import LedgerSnapshot, ProjectEvent


def day_start(day: date) -> datetime:
    """The first instant of `day` in Asia/Shanghai, as an aware UTC timestamp."""
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


@dataclass(frozen=True)
class Scope:
    """The projects a report of a period covers: those active at some time in the period."""

    states: dict[int, str]
    """Each project of the period with its state at the period's end (ended ones included)."""
    snapshots: dict[int, LedgerSnapshot]
    """Each project's latest ledger snapshot of the period, where a check recorded one."""


def snapshots_between(session: Session, first: date, last: date) -> dict[int, LedgerSnapshot]:
    """Each project's latest ledger snapshot dated from `first` to `last`."""
    latest = (
        select(LedgerSnapshot.project_id, func.max(LedgerSnapshot.day).label("day"))
        .where(LedgerSnapshot.day.between(first, last))
        .group_by(LedgerSnapshot.project_id)
        .subquery()
    )
    rows = session.scalars(
        select(LedgerSnapshot).join(
            latest,
            (latest.c.project_id == LedgerSnapshot.project_id)
            & (latest.c.day == LedgerSnapshot.day),
        )
    )
    return {s.project_id: s for s in rows}


def active_between(session: Session, first: date, last: date) -> dict[int, str]:
    """Projects whose event history puts them in an active state at some time from `first` to
    `last` (days in Asia/Shanghai), each with its state when `last` ends.

    A project counts when it was active as the period began or entered an active state within
    it: one that ended in the period is included, one not yet started or ended before is not.
    """
    start, end = day_start(first), day_start(last + timedelta(days=1))
    events = session.execute(
        select(ProjectEvent.project_id, ProjectEvent.to_state, ProjectEvent.at)
        .where(ProjectEvent.at < end)
        .order_by(ProjectEvent.project_id, ProjectEvent.seq)
    ).tuples()
    at_end: dict[int, str] = {}
    at_start: dict[int, str] = {}
    entered: set[int] = set()
    for project_id, state, at in events:
        at_end[project_id] = state
        if at < start:
            at_start[project_id] = state
        elif state in ACTIVE_STATES:
            entered.add(project_id)
    entered.update(p for p, state in at_start.items() if state in ACTIVE_STATES)
    return {p: at_end[p] for p in entered}


def period_scope(session: Session, first: date, last: date) -> Scope:
    """The projects active from `first` to `last` and their latest snapshots of those days.

    A project a check recorded in the period was active then, in the state the check found,
    even where its history was written later (a check run for a past day).
    """
    snapshots = snapshots_between(session, first, last)
    states = {p: s.state for p, s in snapshots.items()}
    states.update(active_between(session, first, last))
    return Scope(states, snapshots)
