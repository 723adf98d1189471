"""Users and roles: adding, listing and disabling users, and the log of refused actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from workflow.access.rules import ROLES
from workflow.access.store import role_text
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import Unit
from workflow.db.orm_users import AppUser, RefusalLog


@dataclass(frozen=True)
class UserView(Result):
    """A user as the user commands show them."""

    name: str
    role: str
    unit: str | None
    active: bool
    created_by: str
    created_at: datetime
    disabled_by: str | None
    disabled_at: datetime | None


@dataclass(frozen=True)
class RefusalView(Result):
    """One action refused for lack of permission."""

    at: datetime
    actor: str
    role: str | None
    action: str
    project_id: int | None
    reason: str


def _view(user: AppUser, unit: str | None) -> UserView:
    return UserView(
        name=user.name,
        role=user.role,
        unit=unit,
        active=user.active,
        created_by=user.created_by,
        created_at=user.created_at,
        disabled_by=user.disabled_by,
        disabled_at=user.disabled_at,
    )


@use_case("user_add", write=True)
def add_user(
    work: Work, name: str, role: str, unit: str | None, password: str | None = None
) -> UserView:
    """Register a user with a role; the unit role names a registered unit, the others none.

    The first user must be an admin, so that someone can manage the users that follow. With
    `password`, the user can sign in on the web console and the API.
    """
    session, ctx = work.session, work.ctx
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
                role_text=role_text(role)
            )
        )
    if not session.scalar(select(exists().select_from(AppUser))) and role != "admin":
        raise Refused(_("第一个用户须为管理员（admin）：登记用户后即按角色授权，须有人能管理用户"))
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
    if password is not None:
        from workflow.auth.actions import store_password

        store_password(work, user, password)
    session.flush()
    return _view(user, unit.strip() if unit else None)


@use_case("user_list", write=False)
def list_users(work: Work) -> list[UserView]:
    """Every user, in the order they were added."""
    rows = work.session.execute(
        select(AppUser, Unit.name).outerjoin(Unit, Unit.id == AppUser.unit_id).order_by(AppUser.id)
    ).all()
    return [_view(user, unit) for user, unit in rows]


@use_case("user_disable", write=True)
def disable_user(work: Work, name: str) -> UserView:
    """Disable a user: they may no longer act. The last active admin cannot be disabled."""
    session, ctx = work.session, work.ctx
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None:
        raise Refused(_("没有名为“{name}”的用户").format(name=name))
    if not user.active:
        raise Refused(
            _("用户“{name}”已于{disabled_at}停用").format(name=name, disabled_at=user.disabled_at)
        )
    if user.role == "admin":
        admins = session.scalars(
            select(AppUser.id).where(AppUser.role == "admin", AppUser.active.is_(True))
        ).all()
        if len(admins) == 1:
            raise Refused(_("“{name}”是唯一在用的管理员，停用后将无人能管理用户").format(name=name))
    user.active = False
    user.disabled_by = ctx.actor
    user.disabled_at = ctx.clock()
    unit = session.scalar(select(Unit.name).where(Unit.id == user.unit_id))
    return _view(user, unit)


@use_case("refusal_list", write=False)
def list_refusals(work: Work) -> list[RefusalView]:
    """The log of actions refused for lack of permission, oldest first."""
    return [
        RefusalView(r.at, r.actor, r.role, r.action, r.project_id, r.reason)
        for r in work.session.scalars(select(RefusalLog).order_by(RefusalLog.id))
    ]
