"""Users and roles: adding, listing and disabling users, and authorising the acting user."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from workflow.access.rules import (
    EVERYTHING,
    OWN_PROJECTS_ONLY,
    PERMISSIONS,
    ROLES,
    USERS,
    allowed,
)
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _, language
from workflow.db.engine import transaction
from workflow.db.orm import Project, Unit
from workflow.db.orm_users import AppUser, RefusalLog


def _role_text(role: str) -> str:
    return _("{label}（{role}）").format(label=_(ROLES.get(role, role)), role=role)


def _denial(
    session: Session, actor: str, action: str, project_id: int | None
) -> tuple[str | None, str] | None:
    """(role, reason) when `actor` may not take `action`; None when it may.

    With no user defined, ipflow is a single-user installation and everyone may do everything.
    """
    if not session.scalar(select(exists().select_from(AppUser))):
        return None
    user = session.scalar(select(AppUser).where(AppUser.name == actor))
    if user is None:
        return None, (
            _(
                "用户“{actor}”未登记，不能执行“{action}”：本系统已启用用户与角色，请由管理员用 ipflow user add 登记后再操作（用 --as 或 IPFLOW_USER 指定操作人）"
            ).format(actor=actor, action=action)
        )
    if not user.active:
        return user.role, _("用户“{actor}”已停用，不能执行“{action}”").format(
            actor=actor, action=action
        )
    if not allowed(user.role, action):
        granted = _("、").join(sorted(PERMISSIONS[user.role] - {EVERYTHING})) or _("无")
        return user.role, (
            _(
                "用户“{actor}”的角色为{role_text}，无权执行“{action}”；该角色可执行：{granted}"
            ).format(actor=actor, role_text=_role_text(user.role), action=action, granted=granted)
        )
    if user.role in OWN_PROJECTS_ONLY and project_id is not None:
        owner = session.scalar(select(Project.unit_id).where(Project.id == project_id))
        if owner is not None and owner != user.unit_id:
            own = session.scalar(select(Unit.name).where(Unit.id == user.unit_id))
            return user.role, (
                _(
                    "用户“{actor}”属于单位“{own}”，只能操作本单位的项目，不能对项目#{project_id}执行“{action}”"
                ).format(actor=actor, own=own, project_id=project_id, action=action)
            )
    return None


def authorize(ctx: AppContext, action: str, project_id: int | None = None) -> None:
    """Refuse, and log the refusal, unless the acting user may take `action` (on `project_id`).

    Call it before the use case opens its own transaction: the refusal is written in a
    transaction of its own, so it stays recorded while the refused action changes nothing.
    The log keeps the reason in Chinese; the refusal says it in the language in force.
    """
    with transaction(ctx.engine) as session:
        denial = _denial(session, ctx.actor, action, project_id)
        if denial is None:
            return
        with language("zh"):
            role, logged = _denial(session, ctx.actor, action, project_id) or denial
    reason = denial[1]
    with transaction(ctx.engine) as session:
        session.add(
            RefusalLog(
                at=ctx.clock(),
                actor=ctx.actor,
                role=role,
                action=action,
                project_id=project_id,
                reason=logged,
            )
        )
    raise Refused(reason)


def _view(user: AppUser, unit: str | None) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "unit": unit,
        "active": user.active,
        "created_by": user.created_by,
        "created_at": user.created_at.isoformat(),
        "disabled_by": user.disabled_by,
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
    }


def add_user(ctx: AppContext, name: str, role: str, unit: str | None) -> dict[str, Any]:
    """Register a user with a role; the unit role names a registered unit, the others none.

    The first user must be an admin, so that someone can manage the users that follow.
    """
    authorize(ctx, USERS)
    name = name.strip()
    if not name or len(name) > 100:
        raise Refused(_("用户名不能为空，且不超过100个字符"))
    if role not in ROLES:
        raise Refused(
            _("未知的角色“{role}”；可选：{choices}").format(role=role, choices=", ".join(ROLES))
        )
    if role == "unit" and not unit:
        raise Refused(_("单位用户（unit）须用 --unit 指定其所属的已登记单位"))
    if role != "unit" and unit:
        raise Refused(
            _("只有单位用户（unit）才属于某个单位；{role_text}不能指定 --unit").format(
                role_text=_role_text(role)
            )
        )
    with transaction(ctx.engine) as session:
        if not session.scalar(select(exists().select_from(AppUser))) and role != "admin":
            raise Refused(
                _("第一个用户须为管理员（admin）：登记用户后即按角色授权，须有人能管理用户")
            )
        if session.scalar(select(exists().where(AppUser.name == name))):
            raise Refused(_("用户“{name}”已存在").format(name=name))
        unit_id = None
        if unit:
            unit_id = session.scalar(select(Unit.id).where(Unit.name == unit.strip()))
            if unit_id is None:
                raise Refused(
                    _("没有名为“{unit}”的单位：请先用 ipflow unit add 登记").format(unit=unit)
                )
        user = AppUser(
            name=name,
            role=role,
            unit_id=unit_id,
            active=True,
            created_by=ctx.actor,
            created_at=ctx.clock(),
        )
        session.add(user)
        session.flush()
        return _view(user, unit.strip() if unit else None)


def list_users(ctx: AppContext) -> list[dict[str, Any]]:
    """Every user, in the order they were added."""
    with transaction(ctx.engine) as session:
        rows = session.execute(
            select(AppUser, Unit.name)
            .outerjoin(Unit, Unit.id == AppUser.unit_id)
            .order_by(AppUser.id)
        ).all()
        return [_view(user, unit) for user, unit in rows]


def disable_user(ctx: AppContext, name: str) -> dict[str, Any]:
    """Disable a user: they may no longer act. The last active admin cannot be disabled."""
    authorize(ctx, USERS)
    with transaction(ctx.engine) as session:
        user = session.scalar(select(AppUser).where(AppUser.name == name))
        if user is None:
            raise Refused(_("没有名为“{name}”的用户").format(name=name))
        if not user.active:
            raise Refused(
                _("用户“{name}”已于{disabled_at}停用").format(
                    name=name, disabled_at=user.disabled_at
                )
            )
        if user.role == "admin":
            admins = session.scalars(
                select(AppUser.id).where(AppUser.role == "admin", AppUser.active.is_(True))
            ).all()
            if len(admins) == 1:
                raise Refused(
                    _("“{name}”是唯一在用的管理员，停用后将无人能管理用户").format(name=name)
                )
        user.active = False
        user.disabled_by = ctx.actor
        user.disabled_at = ctx.clock()
        unit = session.scalar(select(Unit.name).where(Unit.id == user.unit_id))
        return _view(user, unit)


def list_refusals(ctx: AppContext) -> list[dict[str, Any]]:
    """The log of actions refused for lack of permission, oldest first."""
    with transaction(ctx.engine) as session:
        return [
            {
                "at": r.at.isoformat(),
                "actor": r.actor,
                "role": r.role,
                "action": r.action,
                "project_id": r.project_id,
                "reason": r.reason,
            }
            for r in session.scalars(select(RefusalLog).order_by(RefusalLog.id))
        ]
