"""Correcting an application: its term or plan before the project starts, its tier and partners
before approval, and the tier that an application filed before tiers existed never stated."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES
from states.definitions import STATE_LABELS
from states.eligibility import TIERS, tier_problem
from workflow.core.boundary import Work, use_case
from workflow.core.codes import code_for
from workflow.core.config import ImportSettings
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.corrections.log import record_correction
from workflow.db.orm import PlanTask, Project, Report, ReportDue
from workflow.db.orm_eligibility import ProjectPartner
from workflow.progress.rules import report_periods
from workflow.projects.actions import NewProject, lock_project, validate
from workflow.projects.eligibility import add_partners, check_application, partners_of
from workflow.projects.plans import PlanRow, default_plan

BEFORE_START = ("applied", "screened", "approved")
"""The states in which a project's term and plan may still be corrected: it has not started."""
BEFORE_APPROVAL = ("applied", "screened")
"""The states in which an application's tier and partners may still be corrected."""


@dataclass(frozen=True)
class Amended(Result):
    """A project's corrected application: `project amend --json`."""

    id: int
    start: date
    end: date
    plan: list[dict[str, Any]]
    """The plan's tasks: task, start, due, weight."""
    tier: str | None
    partners: list[str]


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


def _amend_application(
    session: Session,
    ctx: AppContext,
    project: Project,
    tier: str | None,
    partner_names: tuple[str, ...] | None,
    note: str,
) -> bool:
    """Correct the tier and the partners where given; whether anything changed.

    Before approval both may change, and the application is then checked as `project create`
    checks one (its applicants against the rule of its category and tier). After it, only a
    tier that the application never stated (one filed before tiers existed) may be recorded.
    """
    new_tier = project.tier if tier is None else code_for(tier, TIERS.get(project.category, {}))
    problem = tier_problem(project.category, new_tier)
    if problem:
        raise Refused(problem)
    old = partners_of(session, project.id)
    names = tuple(u.name for u in old) if partner_names is None else partner_names
    tier_changed = new_tier != project.tier
    partners_changed = [n.strip() for n in names] != [u.name for u in old]
    if not (tier_changed or partners_changed):
        return False
    if project.state in BEFORE_APPROVAL:
        partners = check_application(
            session, ctx, project.category, project.title, new_tier, None, project.unit, names
        )
    elif partners_changed or project.tier is not None:
        raise Refused(
            _(
                "项目#{id}当前状态为{label}（{state}）：申报层级和合作单位只能在立项（approve）前更正；立项后只能补录未填写的申报层级"
            ).format(id=project.id, label=_(STATE_LABELS[project.state]), state=project.state)
        )
    else:
        partners = old
    if tier_changed:
        before, after = {"tier": project.tier}, {"tier": new_tier}
        project.tier = new_tier
        record_correction(session, ctx, "tier", before, after, note, project=project)
    if partners_changed:
        was = {"partners": [u.name for u in old]}
        now = {"partners": [u.name for u in partners]}
        session.execute(delete(ProjectPartner).where(ProjectPartner.project_id == project.id))
        add_partners(session, project, partners)
        record_correction(session, ctx, "partners", was, now, note, project=project)
    return True


@use_case("project_amend", write=True, subject=("project", "project_id"))
def amend(
    work: Work,
    project_id: int,
    start: date | None,
    end: date | None,
    plan_path: str | None,
    note: str,
    tier: str | None = None,
    partners: tuple[str, ...] | None = None,
) -> Amended:
    """Correct the term, plan, tier or partners of an application, as it should have given
    them; logged as corrections with what they were before.

    The term and plan may change until the project starts; the term is checked as at `project
    create` (the category's years), and an approved project keeps its start year, the
    programme year its grant was committed in. The reporting periods follow the term. The tier
    and partners may change until approval (see `_amend_application`); `partners`, when given,
    replace the application's partners.
    """
    ctx, session = work.ctx, work.session
    if not note.strip():
        raise Refused(_("更正申报内容须写明理由（--note）"))
    project = lock_project(session, project_id)
    applied = (tier is not None or partners is not None) and _amend_application(
        session, ctx, project, tier, partners, note.strip()
    )
    if start is None and end is None and plan_path is None:
        if not applied:
            raise Refused(
                _("项目#{id}的申报层级和合作单位没有变化，没有要更正的").format(id=project.id)
                if tier is not None or partners is not None
                else _(
                    "项目#{id}没有要更正的内容：请给出 --start、--end、--plan、--tier 或 --partner"
                ).format(id=project.id)
            )
        session.flush()
        return _amended(session, project, _plan_rows(session, project.id))
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
    if not term_changed and plan == old and not applied:
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
    return _amended(session, project, plan)


def _amended(session: Session, project: Project, plan: list[PlanRow]) -> Amended:
    partners = [u.name for u in partners_of(session, project.id)]
    return Amended(project.id, project.start, project.end, _as_json(plan), project.tier, partners)
