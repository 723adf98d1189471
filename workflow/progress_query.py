"""Set-based loading of plans and latest reports, feeding the progress formula for many projects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import groupby

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from workflow.db.orm import PlanTask, Project, Report, ReportDue, ReportItem
from workflow.progress import Progress, TaskProgress, progress


def progress_by_project(
    session: Session, day: date, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, tuple[Progress, date | None]]:
    """Progress on `day` and date of the latest report (≤ day), for the projects `where` selects.

    One query: every plan task of the selected projects, joined with its completion in the
    project's latest report on or before `day`.
    """
    latest = (
        select(Report.project_id, func.max(Report.report_date).label("report_date"))
        .where(Report.report_date <= day)
        .group_by(Report.project_id)
        .subquery()
    )
    rows = session.execute(
        select(
            PlanTask.project_id,
            PlanTask.start,
            PlanTask.due,
            PlanTask.weight,
            ReportItem.completion,
            latest.c.report_date,
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
        .order_by(PlanTask.project_id)
    )
    result: dict[int, tuple[Progress, date | None]] = {}
    for project_id, group in groupby(rows, key=lambda r: r[0]):
        tasks = list(group)
        last_report = tasks[0][5]
        result[project_id] = (
            progress(
                (TaskProgress(r[1], r[2], r[3], r[4]) for r in tasks), day, last_report is not None
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
