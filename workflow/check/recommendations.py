"""Risk-disposal recommendations (风险处置建议) for the provincial office: record once, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import N_, _
from workflow.core.results import Result
from workflow.db.orm import Project, Unit
from workflow.db.orm_notices import HANDLED, OPEN, RiskRecommendation

STATUSES = (OPEN, HANDLED)
SOURCE_LABELS = {"red_flag": N_("红色预警"), "escalation": N_("告知书升级")}


@dataclass(frozen=True)
class RecommendationView(Result):
    """A risk-disposal recommendation as `recommendations list --json` shows it."""

    id: int
    project_id: int
    title: str
    unit: str
    source: str
    reason: str
    created_on: date
    status: str


def record_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Record recommendations {project_id, day, reason, source}; return how many are new.

    A row whose project already has an open recommendation from the same source is skipped
    (INSERT … ON CONFLICT DO NOTHING on the partial unique index of open ones).
    """
    if not rows:
        return 0
    table: Table = RiskRecommendation.__table__  # type: ignore[assignment]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .on_conflict_do_nothing(
            # A literal, not a parameter: PostgreSQL must match it to the partial index even
            # when psycopg runs the statement as a prepared (generic) plan.
            index_elements=["project_id", "source"],
            index_where=text(f"status = '{OPEN}'"),
        )
        .returning(table.c.id)
    )
    values = [
        {
            "project_id": r["project_id"],
            "source": r["source"],
            "reason": r["reason"],
            "created_on": r["day"],
            "status": OPEN,
        }
        for r in rows
    ]
    return len(session.execute(stmt, values).all())


def recommend(session: Session, project_id: int, day: date, reason: str, source: str) -> bool:
    """Record a recommendation in the caller's transaction; True when a new one was recorded.

    False when the project already has an open recommendation from `source`.
    """
    row = {"project_id": project_id, "day": day, "reason": reason, "source": source}
    return record_many(session, [row]) == 1


@use_case("recommendation_list", write=False)
def list_recommendations(work: Work, status: str | None) -> list[RecommendationView]:
    """Recommendations, newest first, optionally only those with `status` (open or handled)."""
    session = work.session
    if status is not None and status not in STATUSES:
        raise Refused(
            _("未知的处置建议状态“{status}”；可选：{choices}").format(
                status=status, choices=", ".join(STATUSES)
            )
        )
    query = (
        select(RiskRecommendation, Project.title, Unit.name)
        .join(Project, Project.id == RiskRecommendation.project_id)
        .join(Unit, Unit.id == Project.unit_id)
        .order_by(RiskRecommendation.created_on.desc(), RiskRecommendation.id.desc())
    )
    if status:
        query = query.where(RiskRecommendation.status == status)
    return [
        RecommendationView(
            r.id, r.project_id, title, unit, r.source, r.reason, r.created_on, r.status
        )
        for r, title, unit in session.execute(query).tuples()
    ]
