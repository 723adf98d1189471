"""ORM tables of users and roles, and the append-only log of refused actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class AppUser(Base):
    """A person allowed to act through ipflow, with one role (and a unit for the unit role)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    disabled_by: Mapped[str | None] = mapped_column(String(100))
    disabled_at: Mapped[datetime | None]
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """argon2id hash of the web sign-in password; None: the user cannot sign in on the web."""
    password_set_at: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether a code from the authenticator has proved the secret: only then is it asked for."""
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    """Failed sign-ins since the last good one; at the limit the account is locked."""
    locked_until: Mapped[datetime | None]


class RefusalLog(Base):
    """One action refused for lack of permission: who, what, when and why; rows are only appended.

    `project_id` is what the actor named, kept as given (no foreign key): the log records
    attempts, including attempts on projects that do not exist.
    """

    __tablename__ = "refusal_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
