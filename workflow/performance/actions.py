"""Performance use cases: indicators with targets, their actuals and assessments, evaluations.

The office (manager, admin) sets a monitored project's indicators: quantitative ones with a
target and a unit of measure, qualitative ones with the criterion they are assessed against.
The unit records its actuals, the contractor assesses the qualitative ones, and the contractor
records the project's evaluation: the figures of the day (`workflow.performance.rules`), a
score (the computed one unless it gives its own), its grade and its findings. The unit's
earlier evaluations are shown when it applies again (`project create`, `project show`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES, MONITORED
from states.definitions import STATE_LABELS
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import Project
from workflow.db.orm_performance import Evaluation, Indicator, IndicatorValue
from workflow.money.figures import money_of
from workflow.performance.rules import (
    ASSESSMENTS,
    KINDS,
    QUALITATIVE,
    QUANTITATIVE,
    Figures,
    figures,
    grade,
)
from workflow.performance.store import EvaluationView, IndicatorView, evaluations, indicators_on
from workflow.projects.actions import get_project

NOT_SET = frozenset({"rejected", "withdrawn"})
"""States of an application that was never approved: it has no performance to evaluate."""
NAME_LENGTH = 200


@dataclass(frozen=True)
class IndicatorList(Result):
    """A project's indicators on a day and the evaluation's figures: `indicator list --json`."""

    project_id: int
    as_of: date
    indicators: list[IndicatorView]
    figures: dict[str, Any]
    """Counts, 绩效目标达成率 (achievement), fund use, qualitative rate, computed score."""


def _evaluated(session: Session, project_id: int) -> Project:
    """The project, refused when it has no performance to evaluate: outside the contractor's
    scope, or an application that was rejected or withdrawn."""
    project = get_project(session, project_id)
    if project.category not in MONITORED:
        raise Refused(
            _(
                "项目#{id}“{title}”是{category}，不在风险防控机构的监测范围内：不设绩效指标，也不做绩效评价"
            ).format(
                id=project.id,
                title=project.title,
                category=_(CATEGORIES[project.category].name),
            )
        )
    if project.state in NOT_SET:
        raise Refused(
            _("项目#{id}“{title}”{state}，没有可评价的绩效").format(
                id=project.id, title=project.title, state=_(STATE_LABELS[project.state])
            )
        )
    return project


def _name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > NAME_LENGTH or not cleaned.isprintable():
        raise Refused(
            _("指标名称“{name}”无效：不能为空、不超过{length}个字符，且不含控制字符").format(
                name=name, length=NAME_LENGTH
            )
        )
    return cleaned


def _number(value: float, what: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise Refused(_("{what}须为不小于0的数，得到{value}").format(what=what, value=value))
    return value


def _indicator(session: Session, project: Project, name: str) -> Indicator:
    found = session.scalars(
        select(Indicator).where(Indicator.project_id == project.id).order_by(Indicator.id)
    ).all()
    for indicator in found:
        if indicator.name == name.strip():
            return indicator
    raise Refused(
        _("项目#{id}没有名为“{name}”的绩效指标；已设指标：{names}").format(
            id=project.id, name=name, names=_("、").join(i.name for i in found) or _("无")
        )
    )


def _day(work: Work, project: Project, day: date) -> date:
    """A value's or evaluation's day: not after today, not before the project's start."""
    if day > work.ctx.today():
        raise Refused(_("日期{day}晚于今天（{today}）").format(day=day, today=work.ctx.today()))
    if day < project.start:
        raise Refused(
            _("日期{day}早于项目#{id}的开始日期{start}").format(
                day=day, id=project.id, start=project.start
            )
        )
    return day


def _view(session: Session, project: Project, name: str, day: date) -> IndicatorView:
    shown = indicators_on(session, day, [Project.id == project.id])[project.id]
    return next(i for i in shown if i.name == name)


@use_case("indicator_add", write=True, subject=("project", "project_id"))
def add_indicator(
    work: Work,
    project_id: int,
    name: str,
    target: float | None,
    unit: str | None,
    criterion: str | None,
) -> IndicatorView:
    """Set a performance indicator of a monitored project: a quantitative target (with its
    unit of measure) or a qualitative criterion, exactly one of them."""
    session, ctx = work.session, work.ctx
    project = _evaluated(session, project_id)
    cleaned = _name(name)
    if (target is None) == (criterion is None):
        raise Refused(
            _(
                "指标“{name}”须给出目标值（定量，--target）或评价标准（定性，--qualitative）之一"
            ).format(name=cleaned)
        )
    if criterion is not None and (unit is not None or not criterion.strip()):
        raise Refused(
            _("定性指标“{name}”须给出非空的评价标准，且没有计量单位").format(name=cleaned)
        )
    if target is not None and _number(target, _("目标值")) == 0:
        raise Refused(_("定量指标“{name}”的目标值须大于0").format(name=cleaned))
    if session.scalar(
        select(Indicator.id).where(Indicator.project_id == project.id, Indicator.name == cleaned)
    ):
        raise Refused(_("项目#{id}已有名为“{name}”的绩效指标").format(id=project.id, name=cleaned))
    session.add(
        Indicator(
            project_id=project.id,
            name=cleaned,
            kind=QUANTITATIVE if target is not None else QUALITATIVE,
            target=target,
            measure=unit.strip() if unit else None,
            criterion=criterion.strip() if criterion else None,
            actor=ctx.actor,
            created_at=ctx.clock(),
        )
    )
    session.flush()
    return _view(session, project, cleaned, ctx.today())


def _record(
    work: Work,
    project_id: int,
    name: str,
    kind: str,
    day: date,
    note: str,
    **value: Any,
) -> IndicatorView:
    """Record an indicator's value of `kind` on `day`: one a day."""
    session = work.session
    project = _evaluated(session, project_id)
    indicator = _indicator(session, project, name)
    if indicator.kind != kind:
        command = "indicator record" if indicator.kind == QUANTITATIVE else "indicator assess"
        raise Refused(
            _("“{name}”是{kind}指标：请用 ipflow {command} 记录").format(
                name=indicator.name, kind=_(KINDS[indicator.kind]), command=command
            )
        )
    _day(work, project, day)
    if session.scalar(
        select(IndicatorValue.id).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.day == day
        )
    ):
        raise Refused(
            _("项目#{id}的指标“{name}”在{day}已有记录").format(
                id=project.id, name=indicator.name, day=day
            )
        )
    session.add(
        IndicatorValue(
            indicator_id=indicator.id,
            day=day,
            note=note,
            actor=work.ctx.actor,
            at=work.ctx.clock(),
            **value,
        )
    )
    session.flush()
    return _view(session, project, indicator.name, work.ctx.today())


@use_case("indicator_record", write=True, subject=("project", "project_id"))
def record_actual(
    work: Work, project_id: int, name: str, actual: float, day: date, note: str = ""
) -> IndicatorView:
    """Record the actual of a quantitative indicator on `day` (the unit's own, or the office)."""
    return _record(
        work, project_id, name, QUANTITATIVE, day, note, actual=_number(actual, _("实际值"))
    )


@use_case("indicator_assess", write=True, subject=("project", "project_id"))
def assess_indicator(
    work: Work, project_id: int, name: str, assessment: str, day: date, note: str = ""
) -> IndicatorView:
    """Record the contractor's assessment of a qualitative indicator on `day`."""
    if assessment not in ASSESSMENTS:
        raise Refused(
            _("未知的评估结论“{assessment}”；可选：{choices}").format(
                assessment=assessment, choices=", ".join(ASSESSMENTS)
            )
        )
    return _record(work, project_id, name, QUALITATIVE, day, note, assessment=assessment)


def project_figures(session: Session, project: Project, day: date) -> Figures:
    """The evaluation's figures of `project` on `day`: its indicators and its money."""
    where = [Project.id == project.id]
    readings = [i.reading for i in indicators_on(session, day, where).get(project.id, [])]
    money = money_of(session, day, [project.id])[project.id]
    return figures(readings, money.granted, money.spent)


@use_case("indicator_list", write=False, subject=("project", "project_id"))
def list_indicators(work: Work, project_id: int) -> IndicatorList:
    """A monitored project's indicators as they stand today, with the evaluation's figures."""
    session, day = work.session, work.ctx.today()
    project = _evaluated(session, project_id)
    shown = indicators_on(session, day, [Project.id == project.id]).get(project.id, [])
    found = project_figures(session, project, day)
    return IndicatorList(
        project.id, day, shown, found.as_record(work.ctx.settings.performance.weights)
    )


@use_case("evaluation_record", write=True, subject=("project", "project_id"))
def record_evaluation(
    work: Work, project_id: int, findings: str, day: date, score: float | None = None
) -> EvaluationView:
    """Record a monitored project's performance evaluation on `day`: the figures of that day,
    the score (the computed one unless `score` is given), its grade and the findings."""
    session, ctx = work.session, work.ctx
    project = _evaluated(session, project_id)
    _day(work, project, day)
    if not findings.strip():
        raise Refused(_("评价结论（--findings）不能为空"))
    weights = ctx.settings.performance.weights
    found = project_figures(session, project, day)
    chosen = found.score(weights) if score is None else score
    if chosen is None:
        raise Refused(
            _(
                "项目#{id}在{day}没有可计算的综合得分（未设绩效指标）：请用 --score 给出综合得分"
            ).format(id=project.id, day=day)
        )
    if not 0 <= chosen <= 100:
        raise Refused(_("综合得分须在0到100之间，得到{score}").format(score=chosen))
    if session.scalar(
        select(Evaluation.id).where(Evaluation.project_id == project.id, Evaluation.day == day)
    ):
        raise Refused(_("项目#{id}在{day}已有绩效评价记录").format(id=project.id, day=day))
    session.add(
        Evaluation(
            project_id=project.id,
            day=day,
            score=chosen,
            grade=grade(chosen),
            figures=found.as_record(weights),
            findings=findings.strip(),
            actor=ctx.actor,
            at=ctx.clock(),
        )
    )
    session.flush()
    return next(e for e in evaluations(session, [Project.id == project.id]) if e.day == day)
