"""The risk-point register (风险点台账): add, list and update points; the points of a period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core.boundary import Work, use_case
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import Project, Unit
from workflow.db.orm_oversight import RiskPoint, RiskPointChange
from workflow.risks.rules import CLOSED, LEVELS, OPEN, STATUSES, Change, in_period, standing


@dataclass(frozen=True)
class RiskChangeView(Result):
    """One change of a risk point."""

    day: date
    from_status: str
    to_status: str
    from_level: str
    to_level: str
    note: str
    actor: str


@dataclass(frozen=True)
class RiskPointView(Result):
    """A risk point as `risk list --json` shows it, with its changes, oldest first."""

    id: int
    project_id: int | None
    title: str | None
    unit: str | None
    point: str
    level: str
    """"high", "medium" or "low"."""
    owner: str
    action: str
    status: str
    """"open" or "closed"."""
    identified_on: date
    actor: str
    changes: list[RiskChangeView]


def _choice(value: str, choices: dict[str, str], what: str) -> str:
    value = value.strip()
    if value not in choices:
        raise Refused(
            _("未知的{what}“{value}”；可选：{choices}").format(
                what=what, value=value, choices=", ".join(choices)
            )
        )
    return value


def _level(value: str) -> str:
    return _choice(value, LEVELS, _("风险等级"))


def _status(value: str) -> str:
    return _choice(value, STATUSES, _("风险点状态"))


def _text(value: str, option: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise Refused(_("须写明{what}（{option}）").format(what=what, option=option))
    return text


@use_case("risk_add", write=True, subject=("project", "project_id"))
def add_risk(
    work: Work, project_id: int | None, point: str, level: str, owner: str, action: str
) -> RiskPointView:
    """Enter a risk point in the register, identified today, open; of a project or, without
    one, of the whole programme."""
    ctx, session = work.ctx, work.session
    texts = {
        "point": _text(point, "--point", _("风险点")),
        "owner": _text(owner, "--owner", _("责任方")),
        "action": _text(action, "--action", _("应对措施")),
    }
    level = _level(level)
    if project_id is not None and session.get(Project, project_id) is None:
        raise NotFound(
            _("没有编号为{project_id}的项目，风险点未登记").format(project_id=project_id)
        )
    row = RiskPoint(
        project_id=project_id,
        level=level,
        status=OPEN,
        identified_on=ctx.today(),
        actor=ctx.actor,
        created_at=ctx.clock(),
        **texts,
    )
    session.add(row)
    session.flush()
    return _views(session, [row.id])[0]


@use_case("risk_list", write=False)
def list_risks(
    work: Work, status: str | None = None, project_id: int | None = None
) -> list[RiskPointView]:
    """The register's points, newest first, by status or project; a unit sees its own
    projects' points only."""
    session = work.session
    query = select(RiskPoint.id).order_by(RiskPoint.identified_on.desc(), RiskPoint.id.desc())
    if status is not None:
        query = query.where(RiskPoint.status == _status(status))
    if project_id is not None:
        query = query.where(RiskPoint.project_id == project_id)
    if work.only_unit is not None:
        query = query.join(Project, Project.id == RiskPoint.project_id).where(
            Project.unit_id == work.only_unit
        )
    return _views(session, list(session.scalars(query)))


def _what_changes(row: RiskPoint, status: str | None, level: str | None, note: str) -> None:
    if status is None and level is None:
        raise Refused(_("请用 --status 或 --level 写明风险点#{id}要更新的内容").format(id=row.id))
    if (status or row.status) == row.status and (level or row.level) == row.level:
        raise Refused(
            _("风险点#{id}已是{status}、{level}风险，没有需要更新的内容").format(
                id=row.id, status=_(STATUSES[row.status]), level=_(LEVELS[row.level])
            )
        )
    if status is not None and status != row.status and not note:
        what = _("关闭") if status == CLOSED else _("重新打开")
        raise Refused(
            _("{what}风险点#{id}须用 --note 说明处置情况或理由").format(what=what, id=row.id)
        )


@use_case("risk_update", write=True)
def update_risk(
    work: Work, risk_id: int, status: str | None, level: str | None, note: str
) -> RiskPointView:
    """Close or reopen a risk point, or reassess its level, today, with a note."""
    ctx, session = work.ctx, work.session
    status = None if status is None else _status(status)
    level = None if level is None else _level(level)
    note = note.strip()
    row = session.get(RiskPoint, risk_id, with_for_update=True)
    if row is None:
        raise Refused(
            _("没有编号为{id}的风险点：请用 ipflow risk list 查看风险点台账").format(id=risk_id)
        )
    _what_changes(row, status, level, note)
    changed = session.scalars(select(RiskPointChange.day).where(RiskPointChange.risk_id == row.id))
    latest = max([row.identified_on, *changed])
    if ctx.today() < latest:
        raise Refused(
            _("风险点#{id}最近一次记录于{latest}，今天（{today}）不能早于它").format(
                id=row.id, latest=latest, today=ctx.today()
            )
        )
    session.add(
        RiskPointChange(
            risk_id=row.id,
            day=ctx.today(),
            from_status=row.status,
            to_status=status or row.status,
            from_level=row.level,
            to_level=level or row.level,
            note=note,
            actor=ctx.actor,
            at=ctx.clock(),
        )
    )
    row.status, row.level = status or row.status, level or row.level
    session.flush()
    return _views(session, [row.id])[0]


def _changes(session: Session, ids: list[int]) -> dict[int, list[RiskPointChange]]:
    found: dict[int, list[RiskPointChange]] = defaultdict(list)
    for change in session.scalars(
        select(RiskPointChange)
        .where(RiskPointChange.risk_id.in_(ids))
        .order_by(RiskPointChange.day, RiskPointChange.id)
    ):
        found[change.risk_id].append(change)
    return found


def _views(session: Session, ids: list[int]) -> list[RiskPointView]:
    """The points `ids`, in that order, with their projects and changes."""
    rows = {
        point.id: (point, title, unit)
        for point, title, unit in session.execute(
            select(RiskPoint, Project.title, Unit.name)
            .outerjoin(Project, Project.id == RiskPoint.project_id)
            .outerjoin(Unit, Unit.id == Project.unit_id)
            .where(RiskPoint.id.in_(ids))
        ).tuples()
    }
    changes = _changes(session, ids)
    return [
        RiskPointView(
            p.id,
            p.project_id,
            title,
            unit,
            p.point,
            p.level,
            p.owner,
            p.action,
            p.status,
            p.identified_on,
            p.actor,
            [
                RiskChangeView(
                    c.day, c.from_status, c.to_status, c.from_level, c.to_level, c.note, c.actor
                )
                for c in changes[p.id]
            ],
        )
        for p, title, unit in (rows[i] for i in ids)
    ]


def risks_of_period(session: Session, first: date, last: date) -> list[RiskPointView]:
    """The points of the period first..last (see workflow.risks.rules.in_period), as they stood
    on `last`: status and level of that day, only the changes up to it; highest level first."""
    points = list(
        session.scalars(
            select(RiskPoint.id).where(RiskPoint.identified_on <= last).order_by(RiskPoint.id)
        )
    )
    found = []
    for view in _views(session, points):
        first_level = view.changes[0].from_level if view.changes else view.level
        changes = [Change(c.day, c.to_status, c.to_level) for c in view.changes]
        if not in_period(view.identified_on, first_level, changes, first, last):
            continue
        status, level = standing(first_level, changes, last)
        kept = [c for c in view.changes if c.day <= last]
        found.append(replace(view, status=status, level=level, changes=kept))
    order = list(LEVELS)
    return sorted(found, key=lambda v: (order.index(v.level), v.identified_on, v.id))
