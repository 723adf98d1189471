"""Unit facts (states.eligibility.FACTS): recording them, and units as the applicant rules see them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.eligibility import FACTS, Applicant, parse_fact
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.db.orm import Unit
from workflow.db.orm_eligibility import UnitFact


def parsed_facts(unit: Unit, facts: dict[str, str]) -> dict[str, str | None]:
    """`facts` as stored (None: clear), or one refusal naming the unit and every bad value."""
    parsed: dict[str, str | None] = {}
    problems: list[str] = []
    for name, text in facts.items():
        try:
            parsed[name] = parse_fact(name, text)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise Refused(
            _("单位“{unit}”的信息有误：{problems}").format(
                unit=unit.name, problems=_("；").join(problems)
            )
        )
    return parsed


def record_facts(
    session: Session, ctx: AppContext, unit: Unit, facts: dict[str, str], note: str
) -> None:
    """Record (or, given an empty value, clear) facts of `unit`, with who and when."""
    for name, value in parsed_facts(unit, facts).items():
        row = session.get(UnitFact, (unit.id, name))
        if value is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = UnitFact(unit_id=unit.id, name=name)
            session.add(row)
        row.value, row.note, row.actor = value, note, ctx.actor
        row.recorded_on, row.recorded_at = ctx.today(), ctx.clock()
    session.flush()


def facts_of(session: Session, unit_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """The recorded facts of each unit of `unit_ids` (a unit with none maps to {})."""
    ids = list(unit_ids)
    found: dict[int, dict[str, str]] = {i: {} for i in ids}
    rows = session.execute(
        select(UnitFact.unit_id, UnitFact.name, UnitFact.value).where(UnitFact.unit_id.in_(ids))
    )
    for unit_id, name, value in rows:
        found[unit_id][name] = value
    return found


def effective_facts(recorded: dict[str, str]) -> dict[str, str]:
    """Recorded facts with the defaults of those not recorded (legal_person: yes)."""
    defaults = {name: f.default for name, f in FACTS.items() if f.default is not None}
    return {**defaults, **recorded}


def applicants(session: Session, units: list[Unit]) -> list[Applicant]:
    """`units` as the applicant rules see them: name, kind and recorded facts."""
    facts = facts_of(session, [u.id for u in units])
    return [Applicant(u.name, u.kind, facts[u.id]) for u in units]
