"""The corrections log: appending a correction, and reading those of a project or a unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core.context import AppContext
from workflow.core.i18n import N_
from workflow.core.results import Result
from workflow.db.orm import Project
from workflow.db.orm_corrections import Correction

KINDS = {
    "unit": N_("更正单位信息"),
    "credit_record": N_("撤销误录的信用记录"),
    "plan": N_("更正实施计划"),
    "term": N_("更正实施期"),
    "tier": N_("更正申报层级"),
    "partners": N_("更正合作单位"),
    "report": N_("更正进度报告"),
    "disbursement": N_("拨付冲正"),
}
"""What can be corrected, with the label history shows for it."""
CORRECTION_TRIGGERS = {
    "plan": "correct_plan",
    "term": "correct_term",
    "tier": "correct_tier",
    "partners": "correct_partners",
    "report": "correct_report",
    "disbursement": "reverse_disbursement",
}
"""The name a project's history gives each correction of the project (beside its triggers)."""


@dataclass(frozen=True)
class CorrectionView(Result):
    """A correction as `project show` and `unit show` list it."""

    id: int
    kind: str
    subject_id: int | None
    before: dict[str, Any]
    after: dict[str, Any]
    note: str
    actor: str
    at: datetime


def record_correction(
    session: Session,
    ctx: AppContext,
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    note: str,
    *,
    project: Project | None = None,
    unit_id: int | None = None,
    subject_id: int | None = None,
) -> Correction:
    """Append one correction, in the transaction that makes it, with who and when."""
    row = Correction(
        kind=kind,
        project_id=project.id if project is not None else None,
        unit_id=unit_id if unit_id is not None else project.unit_id if project else None,
        subject_id=subject_id,
        state=project.state if project is not None else None,
        before=before,
        after=after,
        note=note,
        actor=ctx.actor,
        at=ctx.clock(),
    )
    session.add(row)
    session.flush()
    return row


def project_corrections(session: Session, project_id: int) -> list[Correction]:
    """The corrections of one project, oldest first."""
    return list(
        session.scalars(
            select(Correction).where(Correction.project_id == project_id).order_by(Correction.id)
        )
    )


def unit_corrections(session: Session, unit_id: int) -> list[CorrectionView]:
    """The corrections of a unit's own records (its kind, contact, credit records), oldest first."""
    rows = session.scalars(
        select(Correction)
        .where(Correction.unit_id == unit_id, Correction.project_id.is_(None))
        .order_by(Correction.id)
    )
    return [
        CorrectionView(c.id, c.kind, c.subject_id, c.before, c.after, c.note, c.actor, c.at)
        for c in rows
    ]
