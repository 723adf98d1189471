"""Set-based progress of many projects: the sums of the progress formula computed by the database."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from workflow.db.orm import LedgerSnapshot, PlanTask, Project, Report, ReportDue, ReportItem, Unit
from workflow.db.prebuilt import DAY, DayValue, among_ids, parameters
from workflow.progress.rules import Period, Standing, standing_from_sums

DateColumn = ColumnElement[date] | InstrumentedAttribute[date]


def days_between(later: DateColumn, earlier: DateColumn, dialect: str) -> Any:
    """later − earlier in days, as a float, in the dialect's own date arithmetic."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return cast(later - earlier, Float)


def _elapsed(day: DateColumn | date, dialect: str) -> Any:
    """SQL of `workflow.progress.rules.task_elapsed`: clamp((day − start)/(due − start), 0, 1)."""
    on = literal(day) if isinstance(day, date) else day
    span = days_between(PlanTask.due, PlanTask.start, dialect)
    least, greatest = (func.min, func.max) if dialect == "sqlite" else (func.least, func.greatest)
    return case(
        (span <= 0, case((on >= PlanTask.due, 1.0), else_=0.0)),
        else_=least(greatest(days_between(on, PlanTask.start, dialect) / span, 0.0), 1.0),
    )


def _latest_reports(day: DayValue, where: Sequence[ColumnElement[bool]] = ()) -> Any:
    """Per project: the date of its latest report on or before `day`.

    With `where` (conditions on Project), only for the projects it selects: a query about a
    few projects then reads only their reports.
    """
    stmt = select(Report.project_id, func.max(Report.report_date).label("report_date")).where(
        Report.report_date <= day
    )
    if where:
        stmt = stmt.join(Project, Project.id == Report.project_id).where(*where)
    return stmt.group_by(Report.project_id).subquery()


def _with_progress(stmt: Select[Any], latest: Any) -> Select[Any]:
    """`stmt` (rows of PlanTask) joined to the items of each project's latest report."""
    return (
        stmt.outerjoin(latest, latest.c.project_id == PlanTask.project_id)
        .outerjoin(
            Report,
            and_(
                Report.project_id == latest.c.project_id, Report.report_date == latest.c.report_date
            ),
        )
        .outerjoin(
            ReportItem, and_(ReportItem.report_id == Report.id, ReportItem.task_id == PlanTask.id)
        )
    )


def _sums(day: DayValue, latest: Any, dialect: str) -> list[Any]:
    """The sums `standing_from_sums` takes: Σ wᵢ, Σ wᵢ · elapsedᵢ at the latest report's date,
    Σ wᵢ · completionᵢ in that report, and Σ wᵢ · elapsedᵢ on `day`."""
    return [
        func.sum(PlanTask.weight),
        func.sum(PlanTask.weight * _elapsed(latest.c.report_date, dialect)),
        func.sum(PlanTask.weight * func.coalesce(ReportItem.completion, 0.0)),
        func.sum(PlanTask.weight * _elapsed(day, dialect)),
    ]


def _progress_query(day: DayValue, where: list[ColumnElement[bool]], dialect: str) -> Select[Any]:
    latest = _latest_reports(day, where)
    stmt = select(PlanTask.project_id, *_sums(day, latest, dialect), func.max(latest.c.report_date))
    return (
        _with_progress(stmt.join(Project, Project.id == PlanTask.project_id), latest)
        .where(*where)
        .group_by(PlanTask.project_id)
    )


def _standings(rows: Iterable[Any]) -> dict[int, Standing]:
    return {
        pid: standing_from_sums(total or 0.0, at_report, actual, today, last)
        for pid, total, at_report, actual, today, last in rows
    }


def progress_by_project(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, Standing]:
    """Where the projects `where` selects stand on `day` (`workflow.progress.rules.Standing`).

    One grouped query: the database sums, per project, the weights, the weighted elapsed
    fractions on the date of the project's latest report on or before `day` and on `day`,
    and the weighted completions in that report; `standing_from_sums` applies the formula's
    division and rounding, so the figures are those of `progress` for the same plan.
    """
    dialect = session.get_bind().dialect.name
    return _standings(session.execute(_progress_query(day, list(where), dialect)).tuples())


@functools.cache
def _progress_of_ids(dialect: str) -> Select[Any]:
    return _progress_query(DAY, [among_ids(dialect)], dialect)


def progress_of(session: Session, day: date, ids: list[int]) -> dict[int, Standing]:
    """`progress_by_project` of the projects `ids`, by a statement built once: for projects
    known by id."""
    statement = _progress_of_ids(session.get_bind().dialect.name)
    return _standings(session.execute(statement, parameters(day, ids)).tuples())


def period_reported(day: date) -> ColumnElement[bool]:
    """SQL, correlated to ReportDue: the period has a report dated on or before `day` (each
    report records its period, `workflow.progress.rules.period_of`, when it is submitted)."""
    report = aliased(Report)
    return exists().where(
        report.project_id == ReportDue.project_id,
        report.period == ReportDue.seq,
        report.report_date <= day,
    )


def _overdue(day: date, grace_days: int) -> tuple[Any, Any]:
    """Per project, the periods due (closing day + grace) before `day`, and how many of them
    have a report dated on or before `day` (`workflow.progress.rules.overdue_periods`).

    Periods are numbered in order, so those due are seqs 1..n: the reports that count are
    those whose period is at most n. Two grouped passes, no per-period probe.
    """
    due = (
        select(ReportDue.project_id, func.count().label("n"))
        .where(ReportDue.due < day - timedelta(days=grace_days))
        .group_by(ReportDue.project_id)
        .subquery()
    )
    report = aliased(Report)
    reported = (
        select(report.project_id, func.count(distinct(report.period)).label("m"))
        .join(due, due.c.project_id == report.project_id)
        .where(report.report_date <= day, report.period <= due.c.n)
        .group_by(report.project_id)
        .subquery()
    )
    return due, reported


def stored_periods(session: Session, project_id: int) -> list[Period]:
    """A project's reporting periods as stored at its creation (report_due), in order."""
    rows = session.scalars(
        select(ReportDue).where(ReportDue.project_id == project_id).order_by(ReportDue.seq)
    )
    return [Period(d.seq, d.opens, d.due) for d in rows]


class ProjectStatus(NamedTuple):
    """A project as the nightly check sees it on a day: its standing, reports and last flag."""

    project_id: int
    state: str
    category: str
    standing: Standing
    reports_overdue: int
    previous_flag: str | None


def project_statuses(
    session: Session, day: date, grace_days: int, where: Iterable[ColumnElement[bool]] = ()
) -> list[ProjectStatus]:
    """Every project `where` selects, by id, with its standing and overdue reports on `day`.

    One grouped query, one pass over projects, plan tasks and the latest reports (the same
    sums as `progress_by_project`); a project without a plan has progress 0 and no actual.
    Reports overdue counts the periods due (closing day + `grace_days`) before `day` that no
    report dated on or before `day` covers. The previous flag is that of the project's latest
    ledger snapshot before `day` (one index lookup per project, however long the ledger's
    history). Titles and addresses, which only the projects that get a letter or a notice
    need, come from `project_contacts`.
    """
    dialect = session.get_bind().dialect.name
    latest = _latest_reports(day)
    due, reported = _overdue(day, grace_days)
    earlier = aliased(LedgerSnapshot)
    previous_day = (
        select(func.max(earlier.day))
        .where(earlier.project_id == Project.id, earlier.day < day)
        .correlate(Project)
        .scalar_subquery()
    )
    previous_flag = (
        select(LedgerSnapshot.flag)
        .where(LedgerSnapshot.project_id == Project.id, LedgerSnapshot.day == previous_day)
        .correlate(Project)
        .scalar_subquery()
    )
    stmt = select(
        Project.id,
        Project.state,
        Project.category,
        *_sums(day, latest, dialect),
        func.max(latest.c.report_date),
        func.coalesce(func.max(due.c.n), 0) - func.coalesce(func.max(reported.c.m), 0),
        previous_flag,
    ).outerjoin(PlanTask, PlanTask.project_id == Project.id)
    # Grouped by the primary key alone, so the database can group as it reads in id order.
    stmt = _with_progress(stmt, latest)
    stmt = stmt.outerjoin(due, due.c.project_id == Project.id).outerjoin(
        reported, reported.c.project_id == Project.id
    )
    rows = session.execute(stmt.where(*where).group_by(Project.id).order_by(Project.id)).tuples()
    return [
        ProjectStatus(
            pid,
            state,
            category,
            standing_from_sums(total or 0.0, at_report, actual, today, last),
            overdue or 0,
            previous,
        )
        for pid, state, category, total, at_report, actual, today, last, overdue, previous in rows
    ]


class ProjectContact(NamedTuple):
    """Who a project's letters and notices concern and where they go."""

    title: str
    category: str
    start: date
    end: date
    unit: str
    email: str | None


def project_contacts(session: Session, ids: Iterable[int]) -> dict[int, ProjectContact]:
    """Title, category, term, unit and address (the project's, else the unit's) of `ids`."""
    wanted = sorted(set(ids))
    found: dict[int, ProjectContact] = {}
    for start in range(0, len(wanted), 5000):
        rows = session.execute(
            select(
                Project.id,
                Project.title,
                Project.category,
                Project.start,
                Project.end,
                Unit.name,
                func.coalesce(Project.contact_email, Unit.contact_email),
            )
            .join(Unit, Unit.id == Project.unit_id)
            .where(Project.id.in_(wanted[start : start + 5000]))
        ).tuples()
        found.update(
            (pid, ProjectContact(title, category, begin, end, unit, email))
            for pid, title, category, begin, end, unit, email in rows
        )
    return found
