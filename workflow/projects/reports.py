"""Progress reports: validation, recording of the completions they state, and carrying forward."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from states.definitions import ACTIVE_STATES, STATE_LABELS
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.corrections.log import record_correction
from workflow.db.orm import PlanTask, Project, Report, ReportItem
from workflow.progress.rules import period_of
from workflow.progress.store import stored_periods
from workflow.projects.actions import get_project, project_for_change
from workflow.projects.evidence import EvidenceFile, attach


@dataclass(frozen=True)
class Submitted(Result):
    """A report just recorded: `report submit --json`."""

    id: int
    project_id: int
    date_: date
    progress: dict[str, float]
    """Completion per plan task on the report's date, those it leaves out carried forward."""


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


def _refuse_date(project: Project, report_date: date, today: date, grace_days: int) -> None:
    """A report is dated on or before today, not before the start, and not after the term's end
    plus the grace in which its last period's report is due (SPEC.md §4, §10)."""
    last = project.end + timedelta(days=grace_days)
    if report_date > today:
        raise Refused(
            _("报告日期{report_date}晚于今天{today}：报告只能填报已发生的进度").format(
                report_date=report_date, today=today
            )
        )
    if not project.start <= report_date <= last:
        raise Refused(
            _(
                "报告日期{report_date}不在项目#{id}的报告期内：实施期{start}至{end}，"
                "期末报告最迟可填报至{last}"
            ).format(
                report_date=report_date,
                id=project.id,
                start=project.start,
                end=project.end,
                last=last,
            )
        )


def completions_on(reports: Sequence[Report], day: date) -> dict[int, float]:
    """Each task's completion on `day`: that of the latest report on or before it (the items of
    a report hold every task, carried or stated)."""
    earlier = [r for r in reports if r.report_date <= day]
    return {i.task_id: i.completion for i in earlier[-1].items} if earlier else {}


def _decreases(
    reports: Sequence[Report], report_date: date, stated: dict[int, float], names: dict[int, str]
) -> list[str]:
    """The tasks whose completion would go down at this report or at the next report that
    states them, each as "name a→b"."""
    before = completions_on(reports, report_date)
    found = []
    for task_id, value in stated.items():
        previous = before.get(task_id, 0.0)
        if value < previous:
            found.append(f"{names[task_id]} {previous:g}→{value:g}")
        later = next(
            (
                i.completion
                for r in reports
                if r.report_date > report_date
                for i in r.items
                if i.task_id == task_id and i.stated
            ),
            None,
        )
        if later is not None and later < value:
            found.append(f"{names[task_id]} {value:g}→{later:g}")
    return found


def carry_forward(reports: Sequence[Report], task_ids: Sequence[int]) -> None:
    """Give every report an item per task: its stated completion, else the value of the latest
    earlier report that states the task (0 before any). Reports in date order; an earlier
    report entered later thus changes what the later ones carry, never what they state."""
    current = dict.fromkeys(task_ids, 0.0)
    for report in reports:
        items = {i.task_id: i for i in report.items}
        for task_id in task_ids:
            item = items.get(task_id)
            if item is None:
                report.items.append(
                    ReportItem(task_id=task_id, completion=current[task_id], stated=False)
                )
            elif item.stated:
                current[task_id] = item.completion
            else:
                item.completion = current[task_id]


def _plan_tasks(
    session: Session, project: Project, completions: dict[str, float]
) -> list[PlanTask]:
    """The project's plan tasks in order; a refusal naming the tasks `completions` gives that
    the plan does not have."""
    tasks = list(
        session.scalars(
            select(PlanTask).where(PlanTask.project_id == project.id).order_by(PlanTask.seq)
        )
    )
    unknown = sorted(set(completions) - {t.name for t in tasks})
    if unknown:
        raise Refused(
            _("项目#{id}的计划中没有任务：{unknown}；计划任务为：{tasks}").format(
                id=project.id, unknown="、".join(unknown), tasks="、".join(t.name for t in tasks)
            )
        )
    return tasks


def _reports(session: Session, project_id: int) -> list[Report]:
    """The project's reports with their items, in date order."""
    return list(
        session.scalars(
            select(Report)
            .options(selectinload(Report.items))
            .where(Report.project_id == project_id)
            .order_by(Report.report_date)
        )
    )


@use_case("report_submit", write=True, subject=("project", "project_id"))
def submit(
    work: Work,
    project_id: int,
    report_date: date,
    completions: dict[str, float],
    note: str = "",
    evidence: Sequence[EvidenceFile] = (),
    expected_version: int | None = None,
) -> Submitted:
    """Record a progress report stating the completion of some tasks on `report_date`.

    Tasks it leaves out are carried from the latest report on or before that date that states
    them, so the order in which reports are entered never matters. A completion that goes
    down (against the report before, or the next one stating the task) needs a note.
    `evidence`: files kept with the report (`workflow.projects.evidence`), all or none.
    `expected_version`: refused unless the project is at that version.
    """
    ctx, session = work.ctx, work.session
    if not completions:
        raise Refused(_("报告至少须填写一项任务的完成度（--progress 任务=百分比）"))
    for name, value in completions.items():
        if not 0 <= value <= 100:  # NaN too
            raise Refused(
                _("任务“{task}”的完成度{text}须在0至100之间").format(task=name, text=value)
            )
    project = project_for_change(session, project_id, expected_version)
    if project.state not in ACTIVE_STATES:
        raise Refused(
            _("项目#{id}当前状态为{label}（{state}），不在实施期内，不能提交报告").format(
                id=project.id, label=_(STATE_LABELS[project.state]), state=project.state
            )
        )
    _refuse_date(project, report_date, ctx.today(), ctx.settings.check.report_grace_days)
    tasks = {t.name: t for t in _plan_tasks(session, project, completions)}
    reports = _reports(session, project.id)
    if any(r.report_date == report_date for r in reports):
        raise Refused(
            _("项目#{id}已有{report_date}的报告").format(id=project.id, report_date=report_date)
        )
    stated = {tasks[name].id: value for name, value in completions.items()}
    decreases = _decreases(reports, report_date, stated, {t.id: n for n, t in tasks.items()})
    if decreases and not note.strip():
        raise Refused(
            _("完成度下降须说明原因（--note）：{tasks}").format(tasks="、".join(decreases))
        )
    period = period_of(stored_periods(session, project.id), report_date)
    report = Report(
        project_id=project.id,
        report_date=report_date,
        period=period.seq if period else None,
        actor=ctx.actor,
        submitted_at=ctx.clock(),
        note=note.strip(),
        items=[
            ReportItem(task_id=task_id, completion=value, stated=True)
            for task_id, value in stated.items()
        ],
    )
    session.add(report)
    session.flush()
    attach(session, ctx, report, evidence)
    reports = sorted([*reports, report], key=lambda r: r.report_date)
    carry_forward(reports, [t.id for t in tasks.values()])
    session.flush()
    on_date = completions_on(reports, report_date)
    return Submitted(
        report.id,
        project.id,
        report_date,
        {name: on_date.get(t.id, 0.0) for name, t in tasks.items()},
    )


def _stated(report: Report, names: dict[int, str]) -> dict[str, float]:
    """The completions a report states, by task name (the carried ones left out)."""
    return {names[i.task_id]: i.completion for i in report.items if i.stated}


def _report_on(reports: Sequence[Report], project: Project, report_date: date) -> Report:
    found = next((r for r in reports if r.report_date == report_date), None)
    if found is None:
        dates = "、".join(r.report_date.isoformat() for r in reports) or _("无")
        raise Refused(
            _("项目#{id}没有{report_date}的报告；已有报告的日期：{dates}").format(
                id=project.id, report_date=report_date, dates=dates
            )
        )
    return found


def _move(
    work: Work, project: Project, report: Report, reports: Sequence[Report], new_date: date
) -> None:
    """Give the report a corrected date (in its project's reporting window, not taken)."""
    ctx, session = work.ctx, work.session
    _refuse_date(project, new_date, ctx.today(), ctx.settings.check.report_grace_days)
    if any(r.report_date == new_date and r is not report for r in reports):
        raise Refused(
            _("项目#{id}已有{report_date}的报告").format(id=project.id, report_date=new_date)
        )
    periods = stored_periods(session, project.id)
    period = period_of(periods, new_date)
    report.report_date, report.period = new_date, period.seq if period else None


@use_case("report_correct", write=True, subject=("project", "project_id"))
def correct(
    work: Work,
    project_id: int,
    report_date: date,
    completions: dict[str, float],
    note: str,
    new_date: date | None = None,
) -> Submitted:
    """Correct a report typed wrong: the completions given (and the date, with `new_date`)
    supersede the report's; the tasks not given keep what it states.

    The original (its date, what it stated, who submitted it and when) is kept in the
    corrections log with the reason, and shown in the project's history. What the other
    reports carry forward from it is recomputed, as when an earlier report is entered later;
    what they state themselves never changes.
    """
    ctx, session = work.ctx, work.session
    if not note.strip():
        raise Refused(_("更正报告须写明理由（--note）"))
    if not completions and new_date is None:
        raise Refused(_("没有要更正的内容：请给出 --progress 任务=百分比 或 --new-date"))
    project = get_project(session, project_id)
    if project.state not in ACTIVE_STATES:
        raise Refused(
            _("项目#{id}当前状态为{label}（{state}），不在实施期内，不能更正报告").format(
                id=project.id, label=_(STATE_LABELS[project.state]), state=project.state
            )
        )
    tasks = {t.name: t.id for t in _plan_tasks(session, project, completions)}
    reports = _reports(session, project.id)
    report = _report_on(reports, project, report_date)
    names = {task_id: name for name, task_id in tasks.items()}
    before = {"date": report.report_date.isoformat(), "progress": _stated(report, names)}
    before |= {"note": report.note, "actor": report.actor}
    if new_date is not None:
        _move(work, project, report, reports, new_date)
    items = {i.task_id: i for i in report.items}
    for name, value in completions.items():
        item = items.get(tasks[name])
        if item is None:
            report.items.append(ReportItem(task_id=tasks[name], completion=value, stated=True))
        else:
            item.completion, item.stated = value, True
    session.flush()
    reports.sort(key=lambda r: r.report_date)
    carry_forward(reports, list(tasks.values()))
    after = {"date": report.report_date.isoformat(), "progress": _stated(report, names)}
    if after == {k: before[k] for k in after}:
        raise Refused(
            _("项目#{id}{report_date}的报告已是这些内容，没有要更正的").format(
                id=project.id, report_date=report_date
            )
        )
    record_correction(
        session, ctx, "report", before, after, note.strip(), project=project, subject_id=report.id
    )
    session.flush()
    on_date = completions_on(reports, report.report_date)
    return Submitted(
        report.id,
        project.id,
        report.report_date,
        {name: on_date.get(task_id, 0.0) for name, task_id in tasks.items()},
    )
