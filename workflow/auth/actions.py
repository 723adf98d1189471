"""Use cases of sign-in credentials: passwords, API tokens, authenticators and the sign-in log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from workflow.auth.passwords import hash_password, verify_password
from workflow.auth.rules import TOKEN_PREFIX, new_secret, password_problem, secret_hash
from workflow.core.boundary import Work, use_case
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm_sign_in import ApiToken, SignInLog
from workflow.db.orm_users import AppUser


@dataclass(frozen=True)
class PasswordSet(Result):
    """A password set: for whom, by whom, when."""

    name: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class TokenView(Result):
    """An API token as listed (never its secret)."""

    id: int
    user: str
    label: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken(Result):
    """A new API token: its secret, shown this once."""

    id: int
    user: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SignInView(Result):
    """One sign-in attempt from the log."""

    at: datetime
    name: str
    via: str
    outcome: str
    address: str | None


def _user(work: Work, name: str) -> AppUser:
    user = work.session.scalar(select(AppUser).where(AppUser.name == name.strip()))
    if user is None:
        raise Refused(_("没有名为“{name}”的用户").format(name=name))
    return user


def store_password(work: Work, user: AppUser, password: str) -> PasswordSet:
    """Check `password` against the rules and store its hash on `user`."""
    problem = password_problem(user.name, password)
    if problem:
        raise Refused(_("密码不符合要求：{problem}").format(problem=problem))
    now = work.ctx.clock()
    user.password_hash = hash_password(password)
    user.password_set_at = now
    user.failed_sign_ins, user.locked_until = 0, None
    return PasswordSet(user.name, work.ctx.actor, now)


@use_case("user_password", write=True)
def set_password(work: Work, name: str, password: str) -> PasswordSet:
    """Set (or reset) a user's web sign-in password; unlocks a locked account."""
    return store_password(work, _user(work, name), password)


@use_case("password_own", write=True)
def change_own_password(work: Work, current: str, password: str) -> PasswordSet:
    """Change one's own password, proving the current one."""
    user = _user(work, work.ctx.actor)
    if user.password_hash is None or not verify_password(user.password_hash, current):
        raise Refused(_("当前密码不正确，密码未修改"))
    return store_password(work, user, password)


def _view(token: ApiToken, user: str) -> TokenView:
    return TokenView(
        token.id,
        user,
        token.label,
        token.created_by,
        token.created_at,
        token.expires_at,
        token.revoked_at,
    )


def _issue(work: Work, user: AppUser, label: str, days: int | None) -> IssuedToken:
    if days is not None and not 1 <= days <= 366:
        raise Refused(_("令牌有效期须为1到366天，得到{days}").format(days=days))
    if not user.active:
        raise Refused(_("用户“{name}”已停用，不能为其签发令牌").format(name=user.name))
    label = label.strip() or _("命令行")
    if len(label) > 100:
        raise Refused(_("令牌说明不能超过100个字符"))
    secret = new_secret(TOKEN_PREFIX)
    now = work.ctx.clock()
    expires = now + timedelta(days=days or work.ctx.settings.web.token_days)
    token = ApiToken(
        secret_hash=secret_hash(secret),
        user_id=user.id,
        label=label,
        created_by=work.ctx.actor,
        created_at=now,
        expires_at=expires,
    )
    work.session.add(token)
    work.session.flush()
    return IssuedToken(token.id, user.name, secret, expires)


@use_case("token_issue", write=True)
def issue_token(work: Work, name: str, label: str, days: int | None = None) -> IssuedToken:
    """Issue an API token to a user (the office's admin, for scripts and staff off the server)."""
    return _issue(work, _user(work, name), label, days)


@use_case("token_own", write=True)
def issue_own_token(work: Work, label: str, days: int | None = None) -> IssuedToken:
    """Issue an API token to oneself."""
    return _issue(work, _user(work, work.ctx.actor), label, days)


@use_case("token_list", write=False)
def list_tokens(work: Work, everyone: bool = False) -> list[TokenView]:
    """One's own API tokens, or (`everyone`, the admin) every user's; secrets are never shown."""
    query = select(ApiToken, AppUser.name).join(AppUser, AppUser.id == ApiToken.user_id)
    if not everyone or not _is_admin(work):
        query = query.where(AppUser.name == work.ctx.actor)
    return [_view(token, user) for token, user in work.session.execute(query.order_by(ApiToken.id))]


def _is_admin(work: Work) -> bool:
    role = work.session.scalar(select(AppUser.role).where(AppUser.name == work.ctx.actor))
    # With no user registered (single-user mode) the operator may do everything.
    return role == "admin" or role is None


@use_case("token_revoke", write=True)
def revoke_token(work: Work, token_id: int, only_own: bool = False) -> TokenView:
    """Revoke an API token at once: one's own, or any (the admin) unless `only_own`."""
    found = work.session.execute(
        select(ApiToken, AppUser.name)
        .join(AppUser, AppUser.id == ApiToken.user_id)
        .where(ApiToken.id == token_id)
    ).first()
    if found is None or (found[1] != work.ctx.actor and (only_own or not _is_admin(work))):
        raise NotFound(_("没有编号为{id}的令牌").format(id=token_id))
    token, user = found
    if token.revoked_at is not None:
        raise Refused(_("令牌#{id}已于{at}吊销").format(id=token_id, at=token.revoked_at))
    token.revoked_at, token.revoked_by = work.ctx.clock(), work.ctx.actor
    return _view(token, user)


@use_case("user_password", write=True)
def reset_authenticator(work: Work, name: str) -> PasswordSet:
    """Forget a user's authenticator (lost phone): they enrol a new one at the next sign-in."""
    user = _user(work, name)
    user.totp_secret, user.totp_confirmed = None, False
    return PasswordSet(user.name, work.ctx.actor, work.ctx.clock())


@use_case("sign_in_list", write=False)
def list_sign_ins(work: Work, limit: int = 200) -> list[SignInView]:
    """The latest sign-in attempts, newest first."""
    rows = work.session.scalars(select(SignInLog).order_by(SignInLog.id.desc()).limit(limit))
    return [SignInView(r.at, r.name, r.via, r.outcome, r.address) for r in rows]
