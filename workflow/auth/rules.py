"""The rules of signing in, as plain functions: password strength, lock-out, secrets and their hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from workflow.core.i18n import _

MIN_PASSWORD_LENGTH = 10
"""The shortest password accepted."""
MAX_PASSWORD_LENGTH = 200
"""The longest password accepted (argon2 hashes any length; this bounds the work a form costs)."""

SESSION_PREFIX = "ips_"
TOKEN_PREFIX = "ipt_"
"""How an API token starts, so that a leaked one is recognisable in logs and scanners."""


def password_problem(name: str, password: str) -> str | None:
    """Why `password` may not be `name`'s password, or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("密码至少{n}个字符").format(n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("密码不能超过{n}个字符").format(n=MAX_PASSWORD_LENGTH)
    if len(set(password)) < 4:
        return _("密码至少应包含4个不同的字符")
    if name.strip() and name.strip().lower() in password.lower():
        return _("密码不能包含用户名")
    return None


def new_secret(prefix: str) -> str:
    """A fresh random secret (256 bits) with a recognisable prefix."""
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What is stored of a session's or token's secret: its SHA-256, hex.

    The secrets are 256 random bits, so a fast hash is enough; passwords use argon2id.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Whether an account locked until `locked_until` is still locked at `now`."""
    return locked_until is not None and now < locked_until


def after_failure(failed: int, limit: int, lock_minutes: int, now: datetime) -> datetime | None:
    """Until when the account is locked after its `failed`-th consecutive failure, or None."""
    return now + timedelta(minutes=lock_minutes) if failed >= limit else None
