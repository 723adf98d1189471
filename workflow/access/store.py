"""The acting user read from the database, decided against the permission table, refusals logged."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES, MONITORED
from workflow.access.rules import DENY, IN_SCOPE, OWN, ROLES, granted, right
from workflow.core.boundary import SubjectKind, Work
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _, language
from workflow.db.engine import transaction
from workflow.db.orm import Letter, Project, Unit
from workflow.db.orm_users import AppUser, RefusalLog


class Denied(Refused):
    """A refusal for lack of permission, with what the refusal log records of it."""

    def __init__(
        self,
        reason: str,
        logged: str,
        actor: str,
        role: str | None,
        action: str,
        project: int | None,
        out_of_scope: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason, self.logged = reason, logged
        self.actor, self.role, self.action, self.project_id = actor, role, action, project
        self.out_of_scope = out_of_scope
        """The role may take the action, but not on this subject (another unit's, say): the
        web answers 404, as if the subject did not exist."""


def role_text(role: str) -> str:
    """A role as users read it: its Chinese name with the code."""
    return _("{label}（{role}）").format(label=_(ROLES.get(role, role)), role=role)


def subject_owner(
    session: Session, kind: SubjectKind | None, value: Any
) -> tuple[int | None, int | None]:
    """(unit id, project id) of the subject a use case names; (None, None) when it names none.

    A subject that does not exist has no owner: the use case itself refuses it by name.
    """
    if kind is None or value is None:
        return None, None
    if kind == "project":
        return session.scalar(select(Project.unit_id).where(Project.id == value)), int(value)
    if kind == "unit":
        return session.scalar(select(Unit.id).where(Unit.name == str(value).strip())), None
    from workflow.db.orm_money import Expenditure  # money tables load only for an expense

    model = Letter if kind == "letter" else Expenditure
    row = session.execute(
        select(Project.unit_id, Project.id)
        .join(model, model.project_id == Project.id)
        .where(model.id == value)
    ).first()
    return (row[0], row[1]) if row else (None, None)


RECORDS: frozenset[SubjectKind] = frozenset({"project", "letter", "expense"})
"""Subjects named by number: one that does not exist is refused as not found before the use
case reads anything else of the call, as another unit's is (so the two answer alike)."""


class Confinement(NamedTuple):
    """What the permission table confines an actor to for one action (nothing: None, False)."""

    unit: int | None
    """The actor's own unit, where the right is on its own unit's subjects only."""
    monitored: bool
    """Only projects of the contractor's monitored categories (states.categories.MONITORED)."""
    missing: bool = False
    """The project, letter or expenditure the use case names does not exist."""


def visible_projects(work: Work) -> list[ColumnElement[bool]]:
    """Conditions on Project that narrow a list to what the actor may read for the action:
    its own unit's projects (a unit user), the monitored ones (the contractor), else all."""
    conditions: list[ColumnElement[bool]] = []
    if work.only_unit is not None:
        conditions.append(Project.unit_id == work.only_unit)
    if work.only_monitored:
        conditions.append(Project.category.in_(MONITORED))
    return conditions


def _category(session: Session, project_id: int | None) -> str | None:
    if project_id is None:
        return None
    return session.scalar(select(Project.category).where(Project.id == project_id))


def _within(
    session: Session, user: AppUser, action: str, owner: int | None, project: int | None
) -> bool:
    """Whether the right of `user` on `action` reaches a subject of unit `owner`, project `project`."""
    granted_right = right(user.role, action)
    if granted_right == OWN:
        return owner is None or owner == user.unit_id
    if granted_right == IN_SCOPE:
        category = _category(session, project)
        return category is None or category in MONITORED
    return granted_right != DENY


def _reasons(
    session: Session, user: AppUser | None, name: str, action: str, project_id: int | None
) -> str:
    if user is None:
        return _(
            "用户“{actor}”未登记，不能执行“{action}”：本系统已启用用户与角色，请由管理员用 ipflow user add 登记后再操作（用 --as 或 IPFLOW_USER 指定操作人）"
        ).format(actor=name, action=action)
    if not user.active:
        return _("用户“{actor}”已停用，不能执行“{action}”").format(actor=name, action=action)
    if right(user.role, action) == DENY:
        return _(
            "用户“{actor}”的角色为{role_text}，无权执行“{action}”；该角色可执行：{granted}"
        ).format(
            actor=name,
            role_text=role_text(user.role),
            action=action,
            granted=_("、").join(granted(user.role)) or _("无"),
        )
    if right(user.role, action) == IN_SCOPE:
        category = CATEGORIES[_category(session, project_id) or ""]
        return _(
            "用户“{actor}”的角色为{role_text}，只能对其监测范围内的项目执行“{action}”：项目#{project_id}是{category}，不在风险防控机构的监测范围内（专利导航、数据知识产权证券化和风险防控项目本身不在其中）"
        ).format(
            actor=name,
            role_text=role_text(user.role),
            action=action,
            project_id=project_id,
            category=_(category.name),
        )
    own = session.scalar(select(Unit.name).where(Unit.id == user.unit_id))
    return _(
        "用户“{actor}”属于单位“{own}”，只能操作本单位的项目和数据，不能对项目#{project_id}执行“{action}”"
    ).format(actor=name, own=own, project_id=project_id, action=action)


def authorize(
    session: Session, name: str, action: str, kind: SubjectKind | None, value: Any
) -> Confinement:
    """What the actor is confined to for `action`, or `Denied`.

    With no user registered, ipflow is a single-user installation and everyone may do
    everything. Otherwise the actor must be a registered, active user whose role the table
    allows `action`; a right on its own unit only is checked against the subject's unit, and
    a right on the monitored projects only against the subject's category.
    """
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None and not session.scalar(select(exists().select_from(AppUser))):
        return Confinement(None, False)
    owner, project_id = subject_owner(session, kind, value)
    if user is not None and user.active and _within(session, user, action, owner, project_id):
        granted_right = right(user.role, action)
        return Confinement(
            user.unit_id if granted_right == OWN else None,
            granted_right == IN_SCOPE,
            kind in RECORDS and value is not None and owner is None,
        )
    reason = _reasons(session, user, name, action, project_id)
    with language("zh"):
        logged = _reasons(session, user, name, action, project_id)
    out_of_scope = user is not None and user.active and right(user.role, action) != DENY
    raise Denied(
        reason, logged, name, user.role if user else None, action, project_id, out_of_scope
    )


def log_refusal(ctx: AppContext, denied: Denied) -> None:
    """Append the refusal to the log, in a transaction of its own (the action changed nothing)."""
    with transaction(ctx.engine) as session:
        session.add(
            RefusalLog(
                at=ctx.clock(),
                actor=denied.actor,
                role=denied.role,
                action=denied.action,
                project_id=denied.project_id,
                reason=denied.logged,
            )
        )
