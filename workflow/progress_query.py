"""Set-based progress of many projects: the sums of the progress formula computed by the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from workflow.db.orm import PlanTask, Project, Report, ReportDue, ReportItem
from workflow.progress import Progress

DateColumn = ColumnElement[date] | InstrumentedAttribute[date]


def _days(later: DateColumn, earlier: DateColumn, dialect: str) -> Any:
    """later − earlier in days, as a float, in the dialect's own date arithmetic."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return cast(later - earlier, Float)


def _elapsed(day: date, dialect: str) -> Any:
    """SQL of `workflow.progress.task_elapsed`: clamp((day − start)/(due − start), 0, 1)."""
    today = literal(day)
    span = _days(PlanTask.due, PlanTask.start, dialect)
    least, greatest = (func.min, func.max) if dialect == "sqlite" else (func.least, func.greatest)
    return case(
        (span <= 0, case((today >= PlanTask.due, 1.0), else_=0.0)),
        else_=least(greatest(_days(today, PlanTask.start, dialect) / span, 0.0), 1.0),
    )


def progress_by_project(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, tuple[Progress, date | None]]:
    """Progress on `day` and date of the latest report (≤ day), for the projects `where` selects.

    One grouped query: the database sums, per project, the weights, the weighted elapsed
    fractions and the weighted completions in the project's latest report on or before
    `day` (the sums of `workflow.progress.progress`); this function applies the formula's
    division and rounding, so the figures are those of `progress` for the same plan.
    """
    dialect = session.get_bind().dialect.name
    latest = (
        select(Report.project_id, func.max(Report.report_date).label("report_date"))
        .where(Report.report_date <= day)
        .group_by(Report.project_id)
        .subquery()
    )
    rows = session.execute(
        select(
            PlanTask.project_id,
            func.sum(PlanTask.weight),
            func.sum(PlanTask.weight * _elapsed(day, dialect)),
            func.sum(PlanTask.weight * func.coalesce(ReportItem.completion, 0.0)),
            func.max(latest.c.report_date),
        )
        .join(Project, Project.id == PlanTask.project_id)
        .outerjoin(latest, latest.c.project_id == PlanTask.project_id)
        .outerjoin(
            Report,
            and_(
                Report.project_id == PlanTask.project_id, Report.report_date == latest.c.report_date
            ),
        )
        .outerjoin(
            ReportItem, and_(ReportItem.report_id == Report.id, ReportItem.task_id == PlanTask.id)
        )
        .where(*where)
        .group_by(PlanTask.project_id)
    ).tuples()
    result: dict[int, tuple[Progress, date | None]] = {}
    for project_id, total, planned, actual, last_report in rows:
        reported = last_report is not None
        if total <= 0:
            result[project_id] = (Progress(0.0, 0.0 if reported else None), last_report)
            continue
        result[project_id] = (
            Progress(
                round(100 * planned / total, 2), round(actual / total, 2) if reported else None
            ),
            last_report,
        )
    return result


def reports_due_and_submitted(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, tuple[int, int]]:
    """Per selected project: reports due before `day` and reports dated on or before it."""
    where = list(where)
    due = dict(
        session.execute(
            select(ReportDue.project_id, func.count())
            .join(Project, Project.id == ReportDue.project_id)
            .where(ReportDue.due < day, *where)
            .group_by(ReportDue.project_id)
        )
        .tuples()
        .all()
    )
    submitted = dict(
        session.execute(
            select(Report.project_id, func.count())
            .join(Project, Project.id == Report.project_id)
            .where(Report.report_date <= day, *where)
            .group_by(Report.project_id)
        )
        .tuples()
        .all()
    )
    return {pid: (due.get(pid, 0), submitted.get(pid, 0)) for pid in due.keys() | submitted.keys()}
