"""ORM tables of web sign-in: the sign-in log, browser sessions, API tokens, idempotency records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class SignInLog(Base):
    """One sign-in attempt on the web or the API, good or bad; rows are only appended."""

    __tablename__ = "sign_in_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    name: Mapped[str] = mapped_column(String(100))
    via: Mapped[str] = mapped_column(String(10))
    """web or api."""
    outcome: Mapped[str] = mapped_column(String(20))
    """ok, unknown, disabled, locked, bad_password, bad_code or no_password."""
    address: Mapped[str | None] = mapped_column(String(64))


class WebSession(Base):
    """A browser session: the hash of the cookie's secret, its user, stage and CSRF token."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    stage: Mapped[str] = mapped_column(String(10))
    """`code`: the password passed, the second factor is awaited; `full`: signed in."""
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token for scripts and the CLI against a server, stored as a hash."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    label: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class IdempotencyRecord(Base):
    """The stored answer to a POST sent with an Idempotency-Key, per user and key."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of method, path and body: the same key with another request is refused."""
    status: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
