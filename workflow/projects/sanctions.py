"""Sanctions and conditions on applying: restriction periods, re-application, acceptance grades.

- An application is judged against restrictions (`restricted` credit records, whether recorded
  by the office at closing or by hand) on the day it is *filed*, whatever the project's start:
  `create` and `import` refuse it, and approval looks at the filing day too (SPEC.md §3).
- After a double acceptance failure of a category in states.rules.RESTRICTING_CATEGORIES,
  closing records the office's decision: `--data restrict_years=N` (0: no restriction), by
  default `[rules] restriction_years`; the unit may file nothing for N years from that day.
- 数据知识产权运用促进 (states.rules.REAPPLICATION_CATEGORIES): a unit whose project of one of
  them, of the previous programme year, was not accepted "excellent" may not apply for either.
- Acceptance records a grade: `--data grade=excellent|pass` on a passed acceptance (default
  pass), "fail" on a failed one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.definitions import DEFINITIONS, Transition
from states.guards import failing_grade, passing_grade
from states.rules import (
    ACCEPTANCE_GRADES,
    FAILING_GRADES,
    PASSING_GRADES,
    REAPPLICATION_CATEGORIES,
    REAPPLICATION_GRADE,
)
from workflow.core.clock import SHANGHAI
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.db.orm import CreditRecord, Project, ProjectEvent, Unit
from workflow.progress.rules import add_months
from workflow.units.actions import active_records, describe

RESTRICTED = "restricted"
"""The credit record kind of a restriction on applying (限制申报)."""
NOT_UNDERTAKEN = ("applied", "screened", "rejected", "withdrawn")
"""States of an application never approved: it does not count as an earlier project."""

ACCEPTANCE_DEFAULTS: dict[str, str] = {
    t.trigger: (PASSING_GRADES if passing_grade in t.guards else FAILING_GRADES)[0]
    for definition in DEFINITIONS.values()
    for t in definition.transitions
    if passing_grade in t.guards or failing_grade in t.guards
}
"""The acceptance triggers and the grade each records when none is given."""


def filing_day(project: Project) -> date:
    """The day the application was filed (created), in Asia/Shanghai."""
    return project.created_at.astimezone(SHANGHAI).date()


def restriction_on(session: Session, unit_id: int, day: date) -> CreditRecord | None:
    """The unit's restriction in force on `day`, if any."""
    return next((r for r in active_records(session, unit_id, day) if r.kind == RESTRICTED), None)


def blocking_records(
    session: Session, unit_id: int, today: date, filed: date
) -> list[CreditRecord]:
    """The unit's records that bar approving an application filed on `filed`: adverse records
    in force today, and a restriction in force on the filing day."""
    records = [r for r in active_records(session, unit_id, today) if r.kind != RESTRICTED]
    restriction = restriction_on(session, unit_id, filed)
    return records + ([restriction] if restriction else [])


def approval_blocks(session: Session, project: Project, today: date) -> list[CreditRecord]:
    """The records of the project's lead unit that bar its approval today."""
    return blocking_records(session, project.unit_id, today, filing_day(project))


def check_filing(session: Session, ctx: AppContext, unit: Unit, category: str, start: date) -> None:
    """Refuse an application that `unit` files today for a `category` project starting `start`."""
    today = ctx.today()
    restriction = restriction_on(session, unit.id, today)
    if restriction is not None:
        raise Refused(
            _(
                "单位“{name}”处于限制申报期：{record}；申报日{today}在此期间，无论项目何时开始均不予受理"
            ).format(name=unit.name, record=describe(restriction), today=today)
        )
    refusal = reapplication_refusal(session, unit, category, start)
    if refusal:
        raise Refused(refusal)


def reapplication_refusal(session: Session, unit: Unit, category: str, start: date) -> str | None:
    """Why `unit` may not apply for a data-IP promotion project of `start`'s year, if it may not:
    its project of either such category of the year before was not accepted "excellent"."""
    if category not in REAPPLICATION_CATEGORIES:
        return None
    year = start.year - 1
    earlier = session.scalars(
        select(Project)
        .where(
            Project.unit_id == unit.id,
            Project.category.in_(REAPPLICATION_CATEGORIES),
            Project.start.between(date(year, 1, 1), date(year, 12, 31)),
            Project.state.not_in(NOT_UNDERTAKEN),
        )
        .order_by(Project.id)
    ).all()
    for project in earlier:
        grade = acceptance_grade(session, project.id)
        if grade != REAPPLICATION_GRADE:
            return _(
                "单位“{name}”的{year}年度项目#{id}“{title}”{outcome}：数据知识产权运用促进项目验收优秀的方可申报下年度项目"
            ).format(
                name=unit.name,
                year=year,
                id=project.id,
                title=project.title,
                outcome=_outcome(project, grade),
            )
    return None


def _outcome(project: Project, grade: str | None) -> str:
    if grade is None:
        return _("尚无验收结论（当前状态{state}）").format(state=project.state)
    return _("验收等级为{label}（{grade}）").format(label=_(ACCEPTANCE_GRADES[grade]), grade=grade)


def acceptance_grade(session: Session, project_id: int) -> str | None:
    """The grade of the project's latest acceptance, or None before any."""
    latest = session.execute(
        select(ProjectEvent.trigger, ProjectEvent.data)
        .where(
            ProjectEvent.project_id == project_id,
            ProjectEvent.trigger.in_(ACCEPTANCE_DEFAULTS),
        )
        .order_by(ProjectEvent.seq.desc())
        .limit(1)
    ).first()
    return grade_of(latest.trigger, latest.data) if latest else None


def grade_of(trigger: str, data: dict[str, Any]) -> str | None:
    """The grade an event of `trigger` records (None: not an acceptance)."""
    if trigger not in ACCEPTANCE_DEFAULTS:
        return None
    return str(data.get("grade", ACCEPTANCE_DEFAULTS[trigger]))


def acceptance_data(transition: Transition | None, data: dict[str, str]) -> dict[str, str]:
    """`data` with the grade an acceptance records when none is given."""
    if transition is None or transition.trigger not in ACCEPTANCE_DEFAULTS:
        return data
    return {"grade": ACCEPTANCE_DEFAULTS[transition.trigger], **data}


def restrict_unit(
    session: Session, ctx: AppContext, project: Project, data: dict[str, str]
) -> dict[str, Any]:
    """Carry out the office's restriction decision at closing; return data for the event.

    `restrict_years` (validated by the restriction_decision_valid guard) or the configured
    default; 0 records no restriction. The period runs from today for whole years.
    """
    given = data.get("restrict_years")
    years = int(given) if given is not None else ctx.settings.rules.restriction_years
    if years == 0:
        return {"restrict_years": 0}
    start = ctx.today()
    end = add_months(start, 12 * years) - timedelta(days=1)
    session.add(
        CreditRecord(
            unit_id=project.unit_id,
            kind=RESTRICTED,
            start=start,
            end=end,
            note=f"项目#{project.id}两次验收不通过，省知识产权局决定限制申报{years}年",
            source_project_id=project.id,
            actor=ctx.actor,
            created_at=ctx.clock(),
        )
    )
    return {"restrict_years": years, "restricted_until": end.isoformat()}


def sanction_facts(ctx: AppContext, project: Project) -> dict[str, Any]:
    """The facts the sanction and condition guards look at (see states.guards.Facts)."""
    if project.category == "service_brand":
        return {"condition_deadline": ctx.settings.rules.service_brand_deadline}
    return {}
