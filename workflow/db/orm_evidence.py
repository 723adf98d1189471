"""ORM table of the evidence files a unit attaches to a progress report (佐证材料)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class ReportEvidence(Base):
    """One evidence file of a report, kept in the database beside the report it supports.

    Stored in the database, not on a disk beside it, so that every worker of a server on one
    PostgreSQL reads it and a backup of the database holds it; its size is capped by
    `[web] evidence_max_bytes`.
    """

    __tablename__ = "report_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    """The file's name as the unit gave it (its folder left out)."""
    media_type: Mapped[str] = mapped_column(String(100))
    """The type its name and its first bytes agree on (`workflow.projects.evidence.KINDS`)."""
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    actor: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime]
