"""Risk-disposal recommendations (风险处置建议) for the provincial office: record, list, handle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, Table, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow.access.store import visible_projects
from workflow.core.boundary import Work, use_case
from workflow.core.errors import NotFound, Refused
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
    contingency: str
    """The contingency plan (风险预案) of the level it answers."""
    decision: str | None
    note: str | None
    handled_by: str | None
    handled_on: date | None


def _latest(session: Session, rows: Sequence[dict[str, Any]]) -> dict[tuple[int, str], date]:
    """The day of the latest recommendation of each (project, source) the rows name."""
    found = session.execute(
        select(
            RiskRecommendation.project_id,
            RiskRecommendation.source,
            func.max(RiskRecommendation.created_on),
        )
        .where(RiskRecommendation.source.in_({r["source"] for r in rows}))
        .group_by(RiskRecommendation.project_id, RiskRecommendation.source)
    ).tuples()
    return {(project_id, source): day for project_id, source, day in found}


def _wanted(row: dict[str, Any], latest: date | None) -> bool:
    """Whether `row` calls for a new recommendation, given the latest one of its project
    from its source (None when it never had one)."""
    if latest is None:
        return True
    return bool(row.get("new_episode", True)) and latest < row["day"]


def record_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Record recommendations {project_id, day, reason, source, contingency[, new_episode]};
    return how many are new.

    A row with `new_episode` False (the project was already red at the previous check) is
    recorded only when its project never had a recommendation from that source: a project
    that stays red after the office handled its recommendation gets no new one every night,
    and one that turns red again does. None is recorded twice on one day from one source (a
    rerun of the day after the office handled that day's one). A row whose project already
    has an open recommendation from the same source is skipped (INSERT … ON CONFLICT DO
    NOTHING on the partial unique index of open ones).
    """
    if not rows:
        return 0
    latest = _latest(session, rows)
    rows = [r for r in rows if _wanted(r, latest.get((r["project_id"], r["source"])))]
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
            "contingency": r["contingency"],
        }
        for r in rows
    ]
    return len(session.execute(stmt, values).all())


def recommend(
    session: Session, project_id: int, day: date, reason: str, source: str, contingency: str
) -> bool:
    """Record a recommendation in the caller's transaction; True when a new one was recorded.

    False when the project already has an open recommendation from `source`, or had one
    from it on `day`.
    """
    row = {
        "project_id": project_id,
        "day": day,
        "reason": reason,
        "source": source,
        "contingency": contingency,
    }
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
    query = _with_project().order_by(
        RiskRecommendation.created_on.desc(), RiskRecommendation.id.desc()
    )
    if status:
        query = query.where(RiskRecommendation.status == status)
    query = query.where(*visible_projects(work))
    return [_view(r, title, unit) for r, title, unit in session.execute(query).tuples()]


def _with_project() -> Select[tuple[RiskRecommendation, str, str]]:
    """Recommendations with their project's title and unit's name."""
    return (
        select(RiskRecommendation, Project.title, Unit.name)
        .join(Project, Project.id == RiskRecommendation.project_id)
        .join(Unit, Unit.id == Project.unit_id)
    )


def _view(r: RiskRecommendation, title: str, unit: str) -> RecommendationView:
    return RecommendationView(
        r.id,
        r.project_id,
        title,
        unit,
        r.source,
        r.reason,
        r.created_on,
        r.status,
        r.contingency,
        r.decision,
        r.note,
        r.handled_by,
        r.handled_on,
    )


def _refusal(session: Session, recommendation_id: int) -> Refused:
    """Why recommendation `recommendation_id` cannot be handled: unknown (not found) or
    already handled."""
    found = session.get(RiskRecommendation, recommendation_id)
    if found is None:
        return NotFound(
            _(
                "没有编号为{id}的风险处置建议：请用 ipflow recommendations list 查看待处置的建议"
            ).format(id=recommendation_id)
        )
    return Refused(
        _("风险处置建议#{id}已于{day}由{actor}办结（处置决定：{decision}），不能再次办结").format(
            id=found.id, day=found.handled_on, actor=found.handled_by, decision=found.decision
        )
    )


@use_case("recommendation_handle", write=True)
def handle_recommendation(
    work: Work, recommendation_id: int, decision: str, note: str | None
) -> RecommendationView:
    """The office's decision on an open recommendation, with an optional note: it is closed
    (handled) by the actor on today's date. Refused when unknown or already handled.

    One conditional UPDATE (… WHERE status = 'open'): of two offices handling the same
    recommendation at once, exactly one succeeds.
    """
    ctx, session = work.ctx, work.session
    decision = decision.strip()
    if not decision:
        raise Refused(
            _("处置决定不能为空：请用 --decision 写明省知识产权局对风险处置建议#{id}的决定").format(
                id=recommendation_id
            )
        )
    handled = session.execute(
        update(RiskRecommendation)
        .where(RiskRecommendation.id == recommendation_id, RiskRecommendation.status == OPEN)
        .values(
            status=HANDLED,
            decision=decision,
            note=(note or "").strip() or None,
            handled_by=ctx.actor,
            handled_on=ctx.today(),
        )
        .returning(RiskRecommendation.id)
        .execution_options(synchronize_session=False)
    ).first()
    if handled is None:
        raise _refusal(session, recommendation_id)
    row = session.execute(
        _with_project()
        .where(RiskRecommendation.id == recommendation_id)
        .execution_options(populate_existing=True)
    ).one()
    return _view(*row)
