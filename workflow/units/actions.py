"""Units (applicants) and their credit records: adding, listing, and eligibility."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from states.categories import CONTRACTOR_CATEGORY
from states.eligibility import UNIT_KINDS
from workflow.core.boundary import Work, use_case
from workflow.core.clock import SHANGHAI
from workflow.core.context import AppContext
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import N_, _
from workflow.core.results import Result
from workflow.core.text import entry_email, entry_text
from workflow.corrections.log import CorrectionView, record_correction, unit_corrections
from workflow.db.orm import CreditRecord, Project, Unit
from workflow.db.orm_eligibility import ProjectPartner
from workflow.db.widths import width
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
    revoked_at: datetime | None = None
    """When the record was revoked as entered in error (it is then never in force)."""
    revoke_note: str | None = None


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
    """Whether a record is in force on `day`: not revoked, and `day` in its date range."""
    in_range = record.start <= day and (record.end is None or record.end >= day)
    return in_range and record.revoked_at is None


def active_records(session: Session, unit_id: int, day: date) -> list[CreditRecord]:
    """The unit's records in force on `day`."""
    return list(
        session.scalars(
            select(CreditRecord)
            .where(CreditRecord.unit_id == unit_id, CreditRecord.start <= day)
            .where(CreditRecord.revoked_at.is_(None))
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
    """The unit called `name`, created (as an enterprise) when it is new.

    Safe when concurrent commands name the same new unit: the row is inserted with ON CONFLICT
    DO NOTHING, so a second insert waits for the first transaction and then finds its unit
    (PostgreSQL reads it in the next statement's snapshot; SQLite runs writers one at a time).
    """
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is not None:
        return unit
    values = {
        "name": name,
        "kind": "enterprise",
        "contact_email": contact_email,
        "created_at": ctx.clock(),
    }
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            pg_insert(Unit).values(values).on_conflict_do_nothing(index_elements=["name"])
        )
    else:
        session.execute(
            sqlite_insert(Unit).values(values).on_conflict_do_nothing(index_elements=["name"])
        )
    return session.scalars(select(Unit).where(Unit.name == name)).one()


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
    name = entry_text(name, _("单位名称"), limit=width(Unit.name))
    if contact_email:
        contact_email = entry_email(contact_email, _("联系邮箱"))
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
    corrections: list[CorrectionView] = field(default_factory=list)
    """`unit show`: corrections of its kind and contact, and its credit records revoked."""


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
    view = _views(work.session, [unit], work.ctx.today())[0]
    return replace(view, corrections=unit_corrections(work.session, unit.id))


def _contact(email: str | None) -> str | None:
    """A contact address as stored: stripped, None when empty; refused when it is no address."""
    email = (email or "").strip() or None
    return entry_email(email, _("联系邮箱")) if email is not None else None


@use_case("unit_set", write=True, subject=("unit", "unit_name"))
def set_unit(
    work: Work,
    unit_name: str,
    kind: str | None,
    facts: dict[str, str],
    note: str,
    contact_email: str | None = None,
) -> UnitView:
    """Correct a unit's kind or contact (an empty contact clears it) and record (or clear, with
    an empty value) its facts. A change of kind or contact is logged as a correction, with
    what it was before; facts keep who recorded them and when."""
    ctx, session = work.ctx, work.session
    unit = find_unit(session, unit_name)
    if kind is None and contact_email is None and not facts:
        raise Refused(_("没有要登记的内容：请给出 --kind、--contact-email 或 --fact KEY=VALUE"))
    before = {"kind": unit.kind, "contact_email": unit.contact_email}
    if kind is not None:
        check_kind(kind)
        unit.kind = kind
    if contact_email is not None:
        unit.contact_email = _contact(contact_email)
    after = {"kind": unit.kind, "contact_email": unit.contact_email}
    changed = {key: value for key, value in before.items() if after[key] != value}
    if changed:
        after = {key: after[key] for key in changed}
        record_correction(session, ctx, "unit", changed, after, note.strip(), unit_id=unit.id)
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
    return [_record_view(r, unit, day) for r in unit.records]


def _record_view(record: CreditRecord, unit: Unit, day: date) -> RecordView:
    return RecordView(
        record.id,
        unit.name,
        record.kind,
        record.start,
        record.end,
        record.note,
        is_active(record, day),
        record.revoked_at,
        record.revoke_note,
    )


@use_case("credit_record_revoke", write=True)
def revoke_record(work: Work, record_id: int, note: str) -> RecordView:
    """Revoke a credit record entered in error: kept, with who, when and why, never in force
    again (for any day); logged as a correction of its unit. A restriction that a double
    acceptance failure imposed is the rules' decision, not an entry, and is not revoked here."""
    ctx, session = work.ctx, work.session
    if not note.strip():
        raise Refused(_("撤销信用记录须写明理由（--note）"))
    record = session.get(CreditRecord, record_id, with_for_update=True)
    if record is None:
        raise NotFound(_("没有编号为{id}的信用记录").format(id=record_id))
    unit = session.get_one(Unit, record.unit_id)
    if record.revoked_at is not None:
        raise Refused(
            _("单位“{unit}”的信用记录#{id}已于{at}由{actor}撤销：{note}").format(
                unit=unit.name,
                id=record.id,
                at=record.revoked_at.astimezone(SHANGHAI).date(),
                actor=record.revoked_by,
                note=record.revoke_note,
            )
        )
    if record.source_project_id is not None:
        raise Refused(
            _(
                "单位“{unit}”的信用记录#{id}是项目#{project_id}两次验收不通过后依规则作出的限制申报，不是录入的记录，不能作为误录撤销"
            ).format(unit=unit.name, id=record.id, project_id=record.source_project_id)
        )
    record.revoked_at, record.revoked_by, record.revoke_note = ctx.clock(), ctx.actor, note.strip()
    before = {"kind": record.kind, "start": record.start.isoformat(), "note": record.note}
    after = {"revoked": True}
    record_correction(
        session,
        ctx,
        "credit_record",
        before,
        after,
        note.strip(),
        unit_id=unit.id,
        subject_id=record.id,
    )
    return _record_view(record, unit, ctx.today())
