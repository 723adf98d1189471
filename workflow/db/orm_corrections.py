"""The corrections log: what a user corrected after typing it wrong, before and after; appended only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class Correction(Base):
    """One correction: a unit's kind or contact, a project's plan or term, a report superseded,
    a credit record revoked, a payment reversed. Database triggers refuse UPDATE and DELETE."""

    __tablename__ = "correction"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    """What was corrected: unit, credit_record, plan, term, report or disbursement."""
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    subject_id: Mapped[int | None]
    """The corrected row (report, credit record, disbursement), where it has its own number."""
    state: Mapped[str | None] = mapped_column(String(30))
    """The project's state when it was corrected."""
    before: Mapped[dict[str, Any]]
    after: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
