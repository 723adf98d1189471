"""Queries of the performance evaluation: indicators as they stood on a day, recorded evaluations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from workflow.core.results import Result
from workflow.db.orm import Project
from workflow.db.orm_performance import Evaluation, Indicator, IndicatorValue
from workflow.performance.rules import Reading


@dataclass(frozen=True)
class IndicatorView(Result):
    """An indicator with its target (or criterion) and its latest value on a day."""

    name: str
    kind: str
    """quantitative or qualitative."""
    target: float | None
    unit: str | None
    """The target's unit of measure."""
    criterion: str | None
    actual: float | None
    assessment: str | None
    """met, partly or not_met: the latest assessment of a qualitative indicator."""
    recorded_on: date | None
    """The day of the latest actual or assessment, None before any."""
    met: bool | None
    """Whether a quantitative target is met; None for a qualitative indicator."""

    @property
    def reading(self) -> Reading:
        """What the evaluation's arithmetic needs of it."""
        return Reading(self.kind, self.target, self.actual, self.assessment)


def indicators_on(
    session: Session, day: date, where: Sequence[ColumnElement[bool]]
) -> dict[int, list[IndicatorView]]:
    """Per project that `where` (conditions on Project) selects, its indicators in the order
    they were set, each with its latest value on or before `day`. One query."""
    latest = (
        select(IndicatorValue.indicator_id, func.max(IndicatorValue.day).label("day"))
        .where(IndicatorValue.day <= day)
        .group_by(IndicatorValue.indicator_id)
        .subquery()
    )
    rows = session.execute(
        select(Indicator, IndicatorValue)
        .join(Project, Project.id == Indicator.project_id)
        .outerjoin(latest, latest.c.indicator_id == Indicator.id)
        .outerjoin(
            IndicatorValue,
            and_(IndicatorValue.indicator_id == Indicator.id, IndicatorValue.day == latest.c.day),
        )
        .where(*where)
        .order_by(Indicator.project_id, Indicator.id)
    ).tuples()
    found: dict[int, list[IndicatorView]] = defaultdict(list)
    for indicator, value in rows:
        reading = Reading(
            indicator.kind,
            indicator.target,
            value.actual if value else None,
            value.assessment if value else None,
        )
        found[indicator.project_id].append(
            IndicatorView(
                name=indicator.name,
                kind=indicator.kind,
                target=indicator.target,
                unit=indicator.measure,
                criterion=indicator.criterion,
                actual=reading.actual,
                assessment=reading.assessment,
                recorded_on=value.day if value else None,
                met=reading.met,
            )
        )
    return dict(found)


@dataclass(frozen=True)
class EvaluationView(Result):
    """A recorded performance evaluation of a project, as shown when its unit applies again."""

    project_id: int
    category: str
    title: str
    day: date
    score: float
    grade: str
    """excellent, good, pass or fail (workflow.performance.rules.GRADE_LABELS)."""
    achievement: float | None
    """绩效目标达成率 on the day, in percent."""
    fund_use: float | None
    """Spent ÷ granted on the day, in percent."""
    findings: str


def evaluations(session: Session, where: Sequence[ColumnElement[bool]]) -> list[EvaluationView]:
    """The evaluations of the projects `where` selects, newest first."""
    rows = session.execute(
        select(Evaluation, Project.category, Project.title)
        .join(Project, Project.id == Evaluation.project_id)
        .where(*where)
        .order_by(Evaluation.day.desc(), Evaluation.id.desc())
    ).tuples()
    return [
        EvaluationView(
            project_id=e.project_id,
            category=category,
            title=title,
            day=e.day,
            score=e.score,
            grade=e.grade,
            achievement=e.figures.get("achievement"),
            fund_use=e.figures.get("fund_use"),
            findings=e.findings,
        )
        for e, category, title in rows
    ]


def unit_evaluations(session: Session, unit_id: int, project_id: int) -> list[EvaluationView]:
    """The evaluations of the unit's projects other than `project_id` (评价成果应用): what the
    office reads when the unit applies again."""
    return evaluations(session, [Project.unit_id == unit_id, Project.id != project_id])
