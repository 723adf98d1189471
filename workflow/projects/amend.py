"""Correcting an application's term or plan before the project starts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES
from states.definitions import STATE_LABELS
from workflow.core.boundary import Work, use_case
from workflow.core.config import ImportSettings
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.corrections.log import record_correction
from workflow.db.orm import PlanTask, Project, Report, ReportDue
from workflow.progress.rules import report_periods
from workflow.projects.actions import NewProject, lock_project, validate
from workflow.projects.plans import PlanRow, default_plan

BEFORE_START = ("applied", "screened", "approved")
"""The states in which a project's term and plan may still be corrected: it has not started."""


@dataclass(frozen=True)
class Amended(Result):
    """A project's corrected term and plan: `project amend --json`."""

    id: int
    start: date
    end: date
    plan: list[dict[str, Any]]
    """The plan's tasks: task, start, due, weight."""


def _plan_rows(session: Session, project_id: int) -> list[PlanRow]:
    return [
        PlanRow(t.name, t.start, t.due, t.weight)
        for t in session.scalars(
            select(PlanTask).where(PlanTask.project_id == project_id).order_by(PlanTask.seq)
        )
    ]


def _as_json(plan: list[PlanRow]) -> list[dict[str, Any]]:
    return [
        {"task": r.task, "start": r.start.isoformat(), "due": r.due.isoformat(), "weight": r.weight}
        for r in plan
    ]


def _refuse(project: Project) -> None:
    """Refuse a project that has started, or has a report."""
    if project.state not in BEFORE_START:
        raise Refused(
            _(
                "项目#{id}当前状态为{label}（{state}）：实施期和实施计划只能在开始实施（start）前更正"
            ).format(id=project.id, label=_(STATE_LABELS[project.state]), state=project.state)
        )


def _new_plan(
    project: Project,
    old: list[PlanRow],
    start: date,
    end: date,
    plan_path: str | None,
    limits: ImportSettings,
) -> list[PlanRow]:
    """The plan after the correction: the file given (read as `project create --plan` reads
    it), else the old one if it fits the term (the default one-task plan follows the term)."""
    if plan_path is not None:
        from workflow.projects.importing.rows import read_plan_file

        return read_plan_file(Path(plan_path), start, end, limits)
    if old == default_plan(project.start, project.end):
        return default_plan(start, end)
    outside = [r.task for r in old if r.start < start or r.due > end]
    if outside:
        raise Refused(
            _(
                "项目#{id}计划中的任务{tasks}超出更正后的实施期{start}至{end}：请用 --plan 同时给出更正后的计划"
            ).format(id=project.id, tasks="、".join(outside), start=start, end=end)
        )
    return old


def _write(session: Session, project: Project, plan: list[PlanRow], term_changed: bool) -> None:
    session.execute(delete(PlanTask).where(PlanTask.project_id == project.id))
    for seq, row in enumerate(plan, start=1):
        session.add(
            PlanTask(
                project_id=project.id,
                seq=seq,
                name=row.task,
                start=row.start,
                due=row.due,
                weight=row.weight,
            )
        )
    if term_changed:
        session.execute(delete(ReportDue).where(ReportDue.project_id == project.id))
        months = CATEGORIES[project.category].report_months
        for period in report_periods(project.start, project.end, months):
            session.add(
                ReportDue(
                    project_id=project.id, seq=period.seq, opens=period.opens, due=period.closes
                )
            )


@use_case("project_amend", write=True, subject=("project", "project_id"))
def amend(
    work: Work,
    project_id: int,
    start: date | None,
    end: date | None,
    plan_path: str | None,
    note: str,
) -> Amended:
    """Correct the term or the plan of a project that has not started, as the application
    should have given them; logged as corrections with what they were before.

    The term is checked as at `project create` (the category's years); an approved project
    keeps its start year, the programme year its grant was committed in. The reporting periods
    follow the term.
    """
    ctx, session = work.ctx, work.session
    if not note.strip():
        raise Refused(_("更正实施期或计划须写明理由（--note）"))
    project = lock_project(session, project_id)
    _refuse(project)
    new_start, new_end = start or project.start, end or project.end
    application = NewProject(
        project.category, project.title, project.unit.name, new_start, new_end, project.budget
    )
    validate(replace(application, tier=project.tier))
    if project.state == "approved" and new_start.year != project.start.year:
        raise Refused(
            _("项目#{id}已按{year}年度立项，更正后的开始日期{start}须仍在{year}年内").format(
                id=project.id, year=project.start.year, start=new_start
            )
        )
    if session.scalar(select(Report.id).where(Report.project_id == project.id).limit(1)):
        raise Refused(_("项目#{id}已有进度报告，实施计划不能再更正").format(id=project.id))
    old = _plan_rows(session, project.id)
    plan = _new_plan(project, old, new_start, new_end, plan_path, ctx.settings.imports)
    term_changed = (new_start, new_end) != (project.start, project.end)
    if not term_changed and plan == old:
        raise Refused(_("项目#{id}的实施期和计划没有变化，没有要更正的").format(id=project.id))
    if term_changed:
        before = {"start": project.start.isoformat(), "end": project.end.isoformat()}
        project.start, project.end = new_start, new_end
        after = {"start": new_start.isoformat(), "end": new_end.isoformat()}
        record_correction(session, ctx, "term", before, after, note.strip(), project=project)
    if plan != old:
        was, now = {"plan": _as_json(old)}, {"plan": _as_json(plan)}
        record_correction(session, ctx, "plan", was, now, note.strip(), project=project)
    _write(session, project, plan, term_changed)
    session.flush()
    return Amended(project.id, project.start, project.end, _as_json(plan))
