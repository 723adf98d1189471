"""Quarterly reports: validation and recording of completion per plan task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from states.definitions import ACTIVE_STATES, STATE_LABELS
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import PlanTask, Report, ReportItem
from workflow.projects.actions import get_project


@dataclass(frozen=True)
class Submitted(Result):
    """A quarterly report just recorded: `report submit --json`."""

    id: int
    project_id: int
    date_: date
    progress: dict[str, float]
    """Completion per plan task, those left out carried from the previous report."""


def parse_percent(text: str, task: str) -> float:
    """A completion percent between 0 and 100; ValueError naming the task otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            _("任务“{task}”的完成度“{text}”不是数字").format(task=task, text=text)
        ) from None
    if not 0 <= value <= 100:
        raise ValueError(_("任务“{task}”的完成度{text}须在0至100之间").format(task=task, text=text))
    return value


@use_case("report_submit", write=True, subject=("project", "project_id"))
def submit(
    work: Work, project_id: int, report_date: date, completions: dict[str, float]
) -> Submitted:
    """Record a quarterly report; tasks it leaves out keep their previously reported completion."""
    ctx, session = work.ctx, work.session
    if not completions:
        raise Refused(_("季度报告至少须填写一项任务的完成度（--progress 任务=百分比）"))
    project = get_project(session, project_id)
    if project.state not in ACTIVE_STATES:
        raise Refused(
            _("项目#{id}当前状态为{label}（{state}），不在实施期内，不能提交季度报告").format(
                id=project.id, label=_(STATE_LABELS[project.state]), state=project.state
            )
        )
    if not project.start <= report_date <= project.end:
        raise Refused(
            _("报告日期{report_date}不在项目#{id}的实施期{start}至{end}内").format(
                report_date=report_date, id=project.id, start=project.start, end=project.end
            )
        )
    tasks = {
        t.name: t
        for t in session.scalars(select(PlanTask).where(PlanTask.project_id == project.id))
    }
    unknown = sorted(set(completions) - set(tasks))
    if unknown:
        raise Refused(
            _("项目#{id}的计划中没有任务：{unknown}；计划任务为：{tasks}").format(
                id=project.id, unknown="、".join(unknown), tasks="、".join(tasks)
            )
        )
    if session.scalar(
        select(Report.id).where(Report.project_id == project.id, Report.report_date == report_date)
    ):
        raise Refused(
            _("项目#{id}已有{report_date}的季度报告").format(id=project.id, report_date=report_date)
        )
    previous = session.scalar(
        select(Report)
        .where(Report.project_id == project.id, Report.report_date < report_date)
        .order_by(Report.report_date.desc())
        .limit(1)
    )
    carried = {item.task_id: item.completion for item in previous.items} if previous else {}
    report = Report(
        project_id=project.id,
        report_date=report_date,
        actor=ctx.actor,
        submitted_at=ctx.clock(),
    )
    session.add(report)
    session.flush()
    for name, task in tasks.items():
        completion = completions.get(name, carried.get(task.id, 0.0))
        session.add(ReportItem(report_id=report.id, task_id=task.id, completion=completion))
    return Submitted(
        report.id,
        project.id,
        report_date,
        {name: completions.get(name, carried.get(t.id, 0.0)) for name, t in tasks.items()},
    )
