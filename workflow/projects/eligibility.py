"""Applications held against the applicant rules (states.eligibility): at filing, at approval,
and before the city ranking; joint applications' partners, and application numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from states.eligibility import ANNUAL_LIMITS, application_problems, resolved_tier, tier_problem
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.db.orm import Project, Unit
from workflow.db.orm_eligibility import ProjectPartner
from workflow.units.actions import active_records, conflict_of_interest, describe
from workflow.units.facts import applicants

MAX_REF = 100
"""The longest application number the schema stores."""

NOT_APPROVED = ("applied", "screened", "rejected", "withdrawn")
"""States of a project that has not been approved (and never will be, for the last two)."""


def clean_ref(ref: str | None) -> str | None:
    """The application number as stored: stripped, None when empty; refused when too long."""
    ref = (ref or "").strip() or None
    if ref is not None and len(ref) > MAX_REF:
        raise Refused(_("申报编号长度超过{limit}个字符").format(limit=MAX_REF))
    return ref


def _check_ref(session: Session, ref: str | None) -> None:
    if ref is None:
        return
    taken = session.execute(select(Project.id, Project.title).where(Project.ref == ref)).first()
    if taken is not None:
        raise Refused(
            _("申报编号“{ref}”已被项目#{id}“{title}”使用，同一编号不能重复申报").format(
                ref=ref, id=taken.id, title=taken.title
            )
        )


def _partner_units(session: Session, names: tuple[str, ...], lead: Unit) -> list[Unit]:
    """The registered units `names` lists, in order; refused for an unknown, repeated or lead one."""
    units: list[Unit] = []
    for raw in names:
        name = raw.strip()
        unit = session.scalar(select(Unit).where(Unit.name == name))
        if unit is None:
            raise Refused(
                _(
                    "合作单位“{name}”尚未登记：请先用 ipflow unit add {name} --kind 类型 登记"
                ).format(name=name)
            )
        if unit.id == lead.id:
            raise Refused(_("“{name}”是申报（牵头）单位，不能同时列为合作单位").format(name=name))
        if unit in units:
            raise Refused(_("合作单位“{name}”重复列出").format(name=name))
        units.append(unit)
    return units


def _check_partners_may_apply(
    session: Session, ctx: AppContext, category: str, partners: list[Unit]
) -> None:
    """Refuse partners restricted on the filing day or barred as the risk-control contractor."""
    for partner in partners:
        restricted = [
            r for r in active_records(session, partner.id, ctx.today()) if r.kind == "restricted"
        ]
        if restricted:
            raise Refused(
                _("合作单位“{name}”处于限制申报期：{record}").format(
                    name=partner.name, record=describe(restricted[0])
                )
            )
        conflict = conflict_of_interest(session, partner.id, category, None)
        if conflict:
            raise Refused(
                _("合作单位“{name}”不能参与该项目：{conflict}").format(
                    name=partner.name, conflict=conflict
                )
            )


def check_application(
    session: Session,
    ctx: AppContext,
    category: str,
    title: str,
    tier: str | None,
    ref: str | None,
    lead: Unit,
    partner_names: tuple[str, ...],
) -> list[Unit]:
    """Refuse an application its applicants may not file; return its partner units.

    Refused: an application number already used, an unknown or repeated partner, a partner
    restricted or barred as the contractor, and applicants the category's rule does not admit
    (kinds, unit facts, required partners), each naming the unit and what to record.
    """
    _check_ref(session, ref)
    partners = _partner_units(session, partner_names, lead)
    _check_partners_may_apply(session, ctx, category, partners)
    lead_applicant, *partner_applicants = applicants(session, [lead, *partners])
    problems = application_problems(
        category, resolved_tier(category, tier), lead_applicant, partner_applicants
    )
    if problems:
        raise Refused(
            _("项目“{title}”的申报主体不符合要求：{problems}").format(
                title=title, problems=_("；").join(problems)
            )
        )
    return partners


def add_partners(session: Session, project: Project, partners: list[Unit]) -> None:
    """Store the partners of a joint application in the order it lists them."""
    for seq, unit in enumerate(partners, start=1):
        session.add(ProjectPartner(project_id=project.id, unit_id=unit.id, seq=seq))


def partners_of(session: Session, project_id: int) -> list[Unit]:
    """The partners of one project, in the order its application lists them."""
    return list(
        session.scalars(
            select(Unit)
            .join(ProjectPartner, ProjectPartner.unit_id == Unit.id)
            .where(ProjectPartner.project_id == project_id)
            .order_by(ProjectPartner.seq)
        )
    )


def partner_names(session: Session, where: list[ColumnElement[bool]]) -> dict[int, list[str]]:
    """The partners' names of every project matching `where`, by project, in application order."""
    rows = session.execute(
        select(ProjectPartner.project_id, Unit.name)
        .join(Unit, Unit.id == ProjectPartner.unit_id)
        .join(Project, Project.id == ProjectPartner.project_id)
        .where(*where)
        .order_by(ProjectPartner.project_id, ProjectPartner.seq)
    )
    names: dict[int, list[str]] = {}
    for project_id, name in rows:
        names.setdefault(project_id, []).append(name)
    return names


def project_problems(session: Session, project: Project) -> list[str]:
    """Why the project's applicants do not meet its category's rule today (its unit facts now)."""
    problem = tier_problem(project.category, project.tier)
    if problem:
        return [problem]
    lead, *partners = applicants(session, [project.unit, *partners_of(session, project.id)])
    return application_problems(project.category, project.tier, lead, partners)


def _partner_block(session: Session, ctx: AppContext, partners: list[Unit]) -> str | None:
    blocks = [
        _("合作单位“{name}”：{records}").format(
            name=p.name, records=_("；").join(describe(r) for r in records)
        )
        for p in partners
        if (records := active_records(session, p.id, ctx.today()))
    ]
    return _("；").join(blocks) or None


def _conflict(session: Session, project: Project, partners: list[Unit]) -> str | None:
    """The contractor's conflict of interest of the lead, else of the first partner that has one."""
    conflict = conflict_of_interest(session, project.unit_id, project.category, project.id)
    if conflict:
        return conflict
    for p in partners:
        conflict = conflict_of_interest(session, p.id, project.category, project.id)
        if conflict:
            return _("合作单位“{name}”：{conflict}").format(name=p.name, conflict=conflict)
    return None


def _approved_in_year(session: Session, project: Project) -> tuple[int, ...]:
    if project.category not in ANNUAL_LIMITS:
        return ()
    year = project.start.year
    rows = session.scalars(
        select(Project.id)
        .where(Project.category == project.category, Project.id != project.id)
        .where(Project.start.between(date(year, 1, 1), date(year, 12, 31)))
        .where(Project.state.not_in(NOT_APPROVED))
        .order_by(Project.id)
    )
    return tuple(rows)


def eligibility_facts(
    session: Session, ctx: AppContext, project: Project, trigger: str
) -> dict[str, Any]:
    """The facts the applicant guards of `approve` look at (states.guards.Facts); none otherwise.

    Gathered after the approval has locked the category's year budget, so two approvals of a
    category with an annual limit cannot both count the other one out.
    """
    if trigger != "approve":
        return {}
    partners = partners_of(session, project.id)
    return {
        "applicant_problem": _("；").join(project_problems(session, project)) or None,
        "partner_block": _partner_block(session, ctx, partners),
        "conflict": _conflict(session, project, partners),
        "approved_in_year": _approved_in_year(session, project),
        "programme_year": project.start.year,
    }
