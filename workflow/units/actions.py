"""Units (applicants) and their credit records: adding, listing, and eligibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from states.categories import CONTRACTOR_CATEGORY
from states.eligibility import UNIT_KINDS
from workflow.core.boundary import Work, use_case
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import N_, _
from workflow.core.results import Result
from workflow.db.orm import CreditRecord, Project, Unit
from workflow.db.orm_eligibility import ProjectPartner
from workflow.units.facts import effective_facts, facts_of, record_facts

RECORD_KINDS = {
    "penalty": N_("行政处罚"),
    "abnormal_operation": N_("经营异常"),
    "serious_dishonesty": N_("严重失信"),
    "blacklist": N_("社会组织失信名单"),
    "restricted": N_("限制申报省级知识产权项目"),
}

DEAD_STATES = ("rejected", "withdrawn")


@dataclass(frozen=True)
class RecordView(Result):
    """A credit record as users read it."""

    id: int
    unit: str
    kind: str
    start: date
    end: date | None
    note: str
    active: bool


def describe(record: CreditRecord) -> str:
    """A one-line account of a record: kind, dates and note."""
    until = record.end.isoformat() if record.end else _("长期")
    note = _("，{note}").format(note=record.note) if record.note else ""
    return _("{kind}（#{id}，{start}至{until}{note}）").format(
        kind=_(RECORD_KINDS[record.kind]),
        id=record.id,
        start=record.start.isoformat(),
        until=until,
        note=note,
    )


def is_active(record: CreditRecord, day: date) -> bool:
    """Whether a record is in force on `day`."""
    return record.start <= day and (record.end is None or record.end >= day)


def active_records(session: Session, unit_id: int, day: date) -> list[CreditRecord]:
    """The unit's records in force on `day`."""
    return list(
        session.scalars(
            select(CreditRecord)
            .where(CreditRecord.unit_id == unit_id, CreditRecord.start <= day)
            .where(or_(CreditRecord.end.is_(None), CreditRecord.end >= day))
            .order_by(CreditRecord.id)
        )
    )


def conflict_of_interest(
    session: Session, unit_id: int, category: str, exclude: int | None
) -> str | None:
    """Why `unit_id` may not take part in a `category` project next to its others, if so.

    The risk-control contractor (a unit leading or partnering a live risk_control project)
    may take part in no project of another category, and a unit taking part in other
    projects may not become it. Taking part is leading or being a partner.
    """
    partnered = select(ProjectPartner.project_id).where(ProjectPartner.unit_id == unit_id)
    other = session.execute(
        select(Project.id, Project.category)
        .where(or_(Project.unit_id == unit_id, Project.id.in_(partnered)))
        .where(Project.state.not_in(DEAD_STATES))
        .where(Project.id != (exclude or 0))
        .where(
            Project.category != CONTRACTOR_CATEGORY
            if category == CONTRACTOR_CATEGORY
            else Project.category == CONTRACTOR_CATEGORY
        )
        .limit(1)
    ).first()
    if other is None:
        return None
    if category == CONTRACTOR_CATEGORY:
        return _(
            "该单位已承担或参与其他类别项目（#{id}，{category}），不得承担风险防控项目"
        ).format(id=other.id, category=other.category)
    return _("该单位是风险防控机构（项目#{id}），不得申报或参与其他类别项目").format(id=other.id)


def find_unit(session: Session, name: str) -> Unit:
    """The unit called `name`, or a refusal naming it."""
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        raise Refused(_("没有名为“{name}”的单位：请先用 ipflow unit add 登记").format(name=name))
    return unit


def ensure_unit(
    session: Session, ctx: AppContext, name: str, contact_email: str | None = None
) -> Unit:
    """The unit called `name`, created (as an enterprise) when it is new."""
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(
            name=name, kind="enterprise", contact_email=contact_email, created_at=ctx.clock()
        )
        session.add(unit)
        session.flush()
    return unit


def check_kind(kind: str) -> None:
    """Refuse a unit kind that is not one of the call's (states.eligibility.UNIT_KINDS)."""
    if kind not in UNIT_KINDS:
        choices = ", ".join(f"{code}（{_(label)}）" for code, label in UNIT_KINDS.items())
        raise Refused(
            _("未知的单位类型“{kind}”；可选：{choices}").format(kind=kind, choices=choices)
        )


@use_case("unit_add", write=True)
def add_unit(
    work: Work,
    name: str,
    kind: str,
    contact_email: str | None,
    facts: dict[str, str] | None = None,
    note: str = "",
) -> int:
    """Register a unit with its kind and facts; refused when the name is taken or the kind unknown."""
    ctx, session = work.ctx, work.session
    name = name.strip()
    if not name:
        raise Refused(_("单位名称不能为空"))
    check_kind(kind)
    if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise Refused(_("单位“{name}”已登记").format(name=name))
    unit = Unit(name=name, kind=kind, contact_email=contact_email, created_at=ctx.clock())
    session.add(unit)
    session.flush()
    record_facts(session, ctx, unit, facts or {}, note)
    return unit.id


@dataclass(frozen=True)
class UnitView(Result):
    """A unit as `unit list --json` shows it."""

    id: int
    name: str
    kind: str
    contact_email: str | None
    active_records: int
    """Credit records in force today."""
    facts: dict[str, str]
    """The unit's facts (states.eligibility.FACTS): those recorded, and the defaults of others."""


def _views(session: Session, units: list[Unit], day: date) -> list[UnitView]:
    facts = facts_of(session, [u.id for u in units])
    return [
        UnitView(
            u.id,
            u.name,
            u.kind,
            u.contact_email,
            sum(is_active(r, day) for r in u.records),
            effective_facts(facts[u.id]),
        )
        for u in units
    ]


@use_case("unit_list", write=False)
def list_units(work: Work) -> list[UnitView]:
    """Every unit with its kind, contact, facts and number of records in force today."""
    ctx, session = work.ctx, work.session
    mine = [Unit.id == work.only_unit] if work.only_unit is not None else []
    units = list(session.scalars(select(Unit).where(*mine).order_by(Unit.name)))
    return _views(session, units, ctx.today())


@use_case("unit_show", write=False, subject=("unit", "unit_name"))
def show_unit(work: Work, unit_name: str) -> UnitView:
    """One unit: its kind, contact, facts and number of records in force today."""
    unit = find_unit(work.session, unit_name)
    return _views(work.session, [unit], work.ctx.today())[0]


@use_case("unit_set", write=True, subject=("unit", "unit_name"))
def set_unit(
    work: Work, unit_name: str, kind: str | None, facts: dict[str, str], note: str
) -> UnitView:
    """Correct a unit's kind and record (or clear, with an empty value) its facts."""
    ctx, session = work.ctx, work.session
    unit = find_unit(session, unit_name)
    if kind is None and not facts:
        raise Refused(_("没有要登记的内容：请给出 --kind 或 --fact KEY=VALUE"))
    if kind is not None:
        check_kind(kind)
        unit.kind = kind
    record_facts(session, ctx, unit, facts, note)
    return _views(session, [unit], ctx.today())[0]


@use_case("credit_record_add", write=True, subject=("unit", "unit_name"))
def add_record(
    work: Work, unit_name: str, kind: str, start: date, end: date | None, note: str
) -> int:
    """Record an adverse credit finding against a unit, active from `start` to `end`."""
    ctx, session = work.ctx, work.session
    if kind not in RECORD_KINDS:
        raise Refused(
            _("未知的信用记录类型“{kind}”；可选：{choices}").format(
                kind=kind, choices=", ".join(RECORD_KINDS)
            )
        )
    if end is not None and end < start:
        raise Refused(_("信用记录的结束日期{end}早于开始日期{start}").format(end=end, start=start))
    unit = find_unit(session, unit_name)
    record = CreditRecord(
        unit_id=unit.id,
        kind=kind,
        start=start,
        end=end,
        note=note,
        actor=ctx.actor,
        created_at=ctx.clock(),
    )
    session.add(record)
    session.flush()
    return record.id


@use_case("credit_record_list", write=False, subject=("unit", "unit_name"))
def list_records(work: Work, unit_name: str) -> list[RecordView]:
    """A unit's credit records, oldest first, each marked active or not today."""
    ctx, session = work.ctx, work.session
    day = ctx.today()
    unit = find_unit(session, unit_name)
    return [
        RecordView(r.id, unit.name, r.kind, r.start, r.end, r.note, is_active(r, day))
        for r in unit.records
    ]
