"""A project's plan tasks planned against actual, and its reports with their evidence files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.core.boundary import Work, use_case
from workflow.core.results import Result
from workflow.db.orm import PlanTask, Report
from workflow.progress.rules import TaskProgress, task_elapsed, to_cent
from workflow.projects.actions import get_project
from workflow.projects.evidence import EvidenceView, evidence_by_report


@dataclass(frozen=True)
class TaskStanding(Result):
    """One plan task: its dates and weight, planned today and completion in the latest report."""

    name: str
    start: date
    due: date
    weight: float
    planned: float
    """Percent of the task the plan expects done today (SPEC.md §4's elapsed fraction)."""
    completion: float
    """Percent done in the latest report on or before today (0 before any)."""


@dataclass(frozen=True)
class ReportEntry(Result):
    """A submitted report: what it states (carried tasks left out), who sent it, its files."""

    id: int
    date_: date
    period: int | None
    actor: str
    submitted_at: datetime
    note: str
    stated: dict[str, float]
    evidence: list[EvidenceView]


@dataclass(frozen=True)
class ProjectPlan(Result):
    """A project's plan as of today and its reports, newest first."""

    project_id: int
    as_of: date
    tasks: list[TaskStanding]
    reports: list[ReportEntry]


@use_case("project_show", write=False, subject=("project", "project_id"))
def project_plan(work: Work, project_id: int) -> ProjectPlan:
    """The tasks of a project's plan, planned today against the latest report's completion,
    and every report with the files that support it."""
    return plan_view(work, project_id)


def plan_view(work: Work, project_id: int) -> ProjectPlan:
    """What `project_plan` reads, in the transaction of a use case that shows more."""
    session, day = work.session, work.ctx.today()
    project = get_project(session, project_id)
    tasks = session.scalars(
        select(PlanTask).where(PlanTask.project_id == project.id).order_by(PlanTask.seq)
    ).all()
    reports = session.scalars(
        select(Report)
        .options(selectinload(Report.items))
        .where(Report.project_id == project.id)
        .order_by(Report.report_date.desc())
    ).all()
    latest = next((r for r in reports if r.report_date <= day), None)
    done = {i.task_id: i.completion for i in latest.items} if latest else {}
    names = {t.id: t.name for t in tasks}
    evidence = evidence_by_report(session, project.id)
    return ProjectPlan(
        project_id=project.id,
        as_of=day,
        tasks=[
            TaskStanding(
                name=t.name,
                start=t.start,
                due=t.due,
                weight=t.weight,
                planned=to_cent(100 * task_elapsed(TaskProgress(t.start, t.due, t.weight), day)),
                completion=done.get(t.id, 0.0),
            )
            for t in tasks
        ],
        reports=[
            ReportEntry(
                id=r.id,
                date_=r.report_date,
                period=r.period,
                actor=r.actor,
                submitted_at=r.submitted_at,
                note=r.note,
                stated={names[i.task_id]: i.completion for i in r.items if i.stated},
                evidence=evidence.get(r.id, []),
            )
            for r in reports
        ],
    )
