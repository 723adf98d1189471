"""Set-based progress of many projects: the sums of the progress formula computed by the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Float, Select, and_, case, cast, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from workflow.db.orm import LedgerSnapshot, PlanTask, Project, Report, ReportDue, ReportItem, Unit
from workflow.progress.rules import Progress, progress_from_sums

DateColumn = ColumnElement[date] | InstrumentedAttribute[date]


def days_between(later: DateColumn, earlier: DateColumn, dialect: str) -> Any:
    """later − earlier in days, as a float, in the dialect's own date arithmetic."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return cast(later - earlier, Float)


def _elapsed(day: date, dialect: str) -> Any:
    """SQL of `workflow.progress.rules.task_elapsed`: clamp((day − start)/(due − start), 0, 1)."""
    today = literal(day)
    span = days_between(PlanTask.due, PlanTask.start, dialect)
    least, greatest = (func.min, func.max) if dialect == "sqlite" else (func.least, func.greatest)
    return case(
        (span <= 0, case((today >= PlanTask.due, 1.0), else_=0.0)),
        else_=least(greatest(days_between(today, PlanTask.start, dialect) / span, 0.0), 1.0),
    )


def _latest_reports(day: date, where: Sequence[ColumnElement[bool]] = ()) -> Any:
    """Per project: the date of its latest report on or before `day`, and how many there are.

    With `where` (conditions on Project), only for the projects it selects: a query about a
    few projects then reads only their reports.
    """
    stmt = select(
        Report.project_id,
        func.max(Report.report_date).label("report_date"),
        func.count().label("submitted"),
    ).where(Report.report_date <= day)
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
                Report.project_id == PlanTask.project_id, Report.report_date == latest.c.report_date
            ),
        )
        .outerjoin(
            ReportItem, and_(ReportItem.report_id == Report.id, ReportItem.task_id == PlanTask.id)
        )
    )


def _sums(day: date, dialect: str) -> list[Any]:
    """The sums of the progress formula over a project's tasks, as `progress_from_sums` takes them."""
    return [
        func.sum(PlanTask.weight),
        func.sum(PlanTask.weight * _elapsed(day, dialect)),
        func.sum(PlanTask.weight * func.coalesce(ReportItem.completion, 0.0)),
    ]


def progress_by_project(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, tuple[Progress, date | None]]:
    """Progress on `day` and date of the latest report (≤ day), for the projects `where` selects.

    One grouped query: the database sums, per project, the weights, the weighted elapsed
    fractions and the weighted completions in the project's latest report on or before
    `day` (the sums of `workflow.progress.rules.progress`); this function applies the formula's
    division and rounding, so the figures are those of `progress` for the same plan.
    """
    dialect = session.get_bind().dialect.name
    where = list(where)
    latest = _latest_reports(day, where)
    stmt = select(PlanTask.project_id, *_sums(day, dialect), func.max(latest.c.report_date))
    rows = session.execute(
        _with_progress(stmt.join(Project, Project.id == PlanTask.project_id), latest)
        .where(*where)
        .group_by(PlanTask.project_id)
    ).tuples()
    return {
        project_id: (progress_from_sums(total or 0.0, planned, actual, last is not None), last)
        for project_id, total, planned, actual, last in rows
    }


class ProjectStatus(NamedTuple):
    """A project as the nightly check sees it on a day: its progress, reports and last flag."""

    project_id: int
    state: str
    progress: Progress
    last_report: date | None
    reports_due: int
    reports_submitted: int
    previous_flag: str | None


def project_statuses(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> list[ProjectStatus]:
    """Every project `where` selects, by id, with its progress and report counts on `day`.

    One grouped query, one pass over projects, plan tasks and the latest reports (the same
    sums as `progress_by_project`); a project without a plan has progress 0 and no actual.
    Reports due counts the deadlines before `day`; submitted, the reports dated on or before.
    The previous flag is that of the project's latest ledger snapshot before `day` (one index
    lookup per project, however long the ledger's history). Titles and addresses, which
    only the projects that get a letter or a notice need, come from `project_contacts`.
    """
    dialect = session.get_bind().dialect.name
    latest = _latest_reports(day)
    due = (
        select(func.count())
        .select_from(ReportDue)
        .where(ReportDue.project_id == Project.id, ReportDue.due < day)
        .scalar_subquery()
    )
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
        *_sums(day, dialect),
        func.max(latest.c.report_date),
        func.max(latest.c.submitted),
        due,
        previous_flag,
    ).outerjoin(PlanTask, PlanTask.project_id == Project.id)
    # Grouped by the primary key alone, so the database can group as it reads in id order.
    rows = session.execute(
        _with_progress(stmt, latest).where(*where).group_by(Project.id).order_by(Project.id)
    ).tuples()
    return [
        ProjectStatus(
            pid,
            state,
            progress_from_sums(total or 0.0, planned, actual, last is not None),
            last,
            n_due,
            submitted or 0,
            previous,
        )
        for pid, state, total, planned, actual, last, submitted, n_due, previous in rows
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
