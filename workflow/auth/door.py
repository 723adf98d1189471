"""The door: checks a name and password (and a TOTP code), opens and resolves sessions and tokens.

These run before anyone is signed in, so they are not use cases of an actor: every attempt is
recorded in `sign_in_log`, consecutive failures lock the account for a while
(`[web] max_failed_sign_ins`, `lock_minutes`), and the answer to a failure never says whether
the name exists. What a signed-in user then does goes through the use-case boundary as that
user.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from workflow.auth.rules import (
    SESSION_PREFIX,
    TOKEN_PREFIX,
    after_failure,
    is_locked,
    new_secret,
    secret_hash,
)
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import N_, _
from workflow.db.engine import transaction
from workflow.db.orm import Unit
from workflow.db.orm_sign_in import ApiToken, SignInLog, WebSession
from workflow.db.orm_users import AppUser


class SignInRefused(Refused):
    """A sign-in refused; the message never tells whether the name exists."""


@dataclass(frozen=True)
class Visitor:
    """Who a session or token belongs to, as the web layer needs it."""

    user_id: int
    name: str
    role: str
    unit: str | None
    stage: str
    """`full`; for a session also `code` (second factor awaited) or `enrol` (to be set up)."""
    csrf: str
    """The session's CSRF token (empty for an API token)."""


@dataclass(frozen=True)
class Opened:
    """A new session: the cookie's secret (shown once) and who it is for."""

    secret: str
    visitor: Visitor


def _log(
    session: Session, ctx: AppContext, name: str, via: str, outcome: str, address: str | None
) -> None:
    session.add(
        SignInLog(at=ctx.clock(), name=name[:100], via=via, outcome=outcome, address=address)
    )


def _unit_name(session: Session, user: AppUser) -> str | None:
    if user.unit_id is None:
        return None
    return session.scalar(select(Unit.name).where(Unit.id == user.unit_id))


def _needs_code(ctx: AppContext, user: AppUser) -> str:
    """The stage a user reaches with a good password: `full`, `code` or `enrol`."""
    if user.totp_confirmed:
        return "code"
    if user.role in ctx.settings.web.totp_roles:
        return "enrol"
    return "full"


BAD_CREDENTIALS = N_("用户名或密码不正确")
LOCKED = N_("连续登录失败次数过多，账户已锁定至{until}，请稍后再试或联系管理员")


def check_password(
    ctx: AppContext, name: str, password: str, *, via: str, address: str | None
) -> tuple[int, str]:
    """(user id, stage) for a good name and password, else `SignInRefused`; the attempt is logged.

    A locked account is refused without looking at the password; a failure counts towards
    the lock; a success resets the count (and rehashes a hash made with older parameters).
    """
    web = ctx.settings.web
    now = ctx.clock()
    refusal: str | None = None
    with transaction(ctx.engine, immediate=True) as session:
        user = session.scalar(select(AppUser).where(AppUser.name == name.strip()).with_for_update())
        if user is None or user.password_hash is None:
            verify_password(dummy_hash(), password)
            outcome = "unknown" if user is None else "no_password"
            refusal = _(BAD_CREDENTIALS)
        elif not user.active:
            outcome, refusal = "disabled", _("该账户已停用，请联系省知识产权局")
        elif is_locked(user.locked_until, now):
            outcome = "locked"
            refusal = _(LOCKED).format(until=_local(user.locked_until))
        elif not verify_password(user.password_hash, password):
            user.failed_sign_ins += 1
            user.locked_until = after_failure(
                user.failed_sign_ins, web.max_failed_sign_ins, web.lock_minutes, now
            )
            outcome, refusal = "bad_password", _(BAD_CREDENTIALS)
        else:
            user.failed_sign_ins, user.locked_until = 0, None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            outcome = "ok"
        _log(session, ctx, name, via, outcome, address)
        if refusal is None and user is not None:
            return user.id, _needs_code(ctx, user)
    raise SignInRefused(refusal)


def _local(moment: datetime | None) -> str:
    from workflow.core.clock import SHANGHAI

    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def check_code(ctx: AppContext, user_id: int, code: str, *, via: str, address: str | None) -> None:
    """Accept a TOTP code of the user's confirmed (or, when enrolling, pending) secret.

    A wrong code counts towards the lock like a wrong password.
    """
    web = ctx.settings.web
    now = ctx.clock()
    with transaction(ctx.engine, immediate=True) as session:
        user = session.get(AppUser, user_id, with_for_update=True)
        if user is None or not user.active or user.totp_secret is None:
            raise SignInRefused(_("请重新登录"))
        if is_locked(user.locked_until, now):
            _log(session, ctx, user.name, via, "locked", address)
            refusal = _(LOCKED).format(until=_local(user.locked_until))
        # Real time, not the programme clock: the code comes from a phone, whatever day a
        # replay or demo pins the programme at.
        elif pyotp.TOTP(user.totp_secret).verify(code.strip(), valid_window=1):
            user.failed_sign_ins, user.locked_until = 0, None
            user.totp_confirmed = True
            _log(session, ctx, user.name, via, "ok_code", address)
            return
        else:
            user.failed_sign_ins += 1
            user.locked_until = after_failure(
                user.failed_sign_ins, web.max_failed_sign_ins, web.lock_minutes, now
            )
            _log(session, ctx, user.name, via, "bad_code", address)
            refusal = _("动态验证码不正确或已过期")
    raise SignInRefused(refusal)


def start_enrolment(ctx: AppContext, user_id: int) -> str:
    """A new, unconfirmed TOTP secret for a user who must set up an authenticator."""
    secret = pyotp.random_base32()
    with transaction(ctx.engine, immediate=True) as session:
        session.execute(
            update(AppUser)
            .where(AppUser.id == user_id, AppUser.totp_confirmed.is_(False))
            .values(totp_secret=secret)
        )
    return secret


def provisioning_uri(name: str, secret: str) -> str:
    """The otpauth:// address an authenticator app reads (as a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="ipflow")


def _visitor(session: Session, user: AppUser, stage: str, csrf: str) -> Visitor:
    return Visitor(user.id, user.name, user.role, _unit_name(session, user), stage, csrf)


def open_session(ctx: AppContext, user_id: int, stage: str) -> Opened:
    """A new browser session at `stage`; the secret goes in the cookie, its hash in the table."""
    secret = new_secret(SESSION_PREFIX)
    now = ctx.clock()
    with transaction(ctx.engine) as session:
        user = session.get(AppUser, user_id)
        if user is None:
            raise SignInRefused(_("请重新登录"))
        row = WebSession(
            secret_hash=secret_hash(secret),
            user_id=user_id,
            stage=stage,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(hours=ctx.settings.web.session_hours),
        )
        session.add(row)
        return Opened(secret, _visitor(session, user, stage, row.csrf))


def session_visitor(ctx: AppContext, secret: str) -> Visitor | None:
    """Who holds the session `secret`, or None when it is unknown, ended, expired or disabled."""
    now = ctx.clock()
    with transaction(ctx.engine) as session:
        found = session.execute(
            select(WebSession, AppUser)
            .join(AppUser, AppUser.id == WebSession.user_id)
            .where(WebSession.secret_hash == secret_hash(secret))
        ).first()
        if found is None:
            return None
        row, user = found
        if row.ended_at is not None or row.expires_at <= now or not user.active:
            return None
        return _visitor(session, user, row.stage, row.csrf)


def end_session(ctx: AppContext, secret: str) -> None:
    """Sign out: the session ends now, whatever its expiry."""
    with transaction(ctx.engine) as session:
        session.execute(
            update(WebSession)
            .where(WebSession.secret_hash == secret_hash(secret), WebSession.ended_at.is_(None))
            .values(ended_at=ctx.clock())
        )


def end_token(ctx: AppContext, secret: str) -> None:
    """Sign out of the API: the token `secret` is revoked now, by its holder."""
    with transaction(ctx.engine) as session:
        holder = select(AppUser.name).where(AppUser.id == ApiToken.user_id).scalar_subquery()
        session.execute(
            update(ApiToken)
            .where(ApiToken.secret_hash == secret_hash(secret), ApiToken.revoked_at.is_(None))
            .values(revoked_at=ctx.clock(), revoked_by=holder)
        )


def token_visitor(ctx: AppContext, secret: str) -> Visitor | None:
    """Who holds the API token `secret`, or None when it is unknown, revoked, expired or disabled."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = ctx.clock()
    with transaction(ctx.engine) as session:
        found = session.execute(
            select(ApiToken, AppUser)
            .join(AppUser, AppUser.id == ApiToken.user_id)
            .where(ApiToken.secret_hash == secret_hash(secret))
        ).first()
        if found is None:
            return None
        token, user = found
        if token.revoked_at is not None or token.expires_at <= now or not user.active:
            return None
        return _visitor(session, user, "full", "")


def issue_signed_in_token(ctx: AppContext, user_id: int, label: str) -> tuple[str, datetime]:
    """A new API token for a user who has just signed in (`POST /api/v1/token`)."""
    secret = new_secret(TOKEN_PREFIX)
    now = ctx.clock()
    expires = now + timedelta(days=ctx.settings.web.token_days)
    with transaction(ctx.engine) as session:
        user = session.get(AppUser, user_id)
        if user is None:
            raise SignInRefused(_(BAD_CREDENTIALS))
        session.add(
            ApiToken(
                secret_hash=secret_hash(secret),
                user_id=user_id,
                label=label[:100],
                created_by=user.name,
                created_at=now,
                expires_at=expires,
            )
        )
    return secret, expires


def pending_secret(ctx: AppContext, user_id: int) -> str | None:
    """The TOTP secret a user is enrolling (not yet confirmed), to show on the enrolment page."""
    with transaction(ctx.engine) as session:
        user = session.get(AppUser, user_id)
        if user is None or user.totp_confirmed:
            return None
        return user.totp_secret
