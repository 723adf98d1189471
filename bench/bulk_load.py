"""The bulk path: many projects with plans, report calendars, reports and history in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session

from states.categories import CATEGORIES, CONTRACTOR_CATEGORY
from states.definitions import ACTIVE_STATES, DEFINITION_VERSION
from states.eligibility import resolved_tier
from states.guards import Facts
from states.machines import definition_for
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm import (
    Base,
    CreditRecord,
    PlanTask,
    Project,
    ProjectEvent,
    Report,
    ReportDue,
    ReportItem,
    Unit,
)
from workflow.progress.rules import period_of, report_periods
from workflow.projects.actions import NewProject, validate
from workflow.projects.plans import default_plan, plan_row
from workflow.units.actions import DEAD_STATES, active_records, describe

BATCH = 2_000
"""Projects per round of inserts; each round writes every table with one executemany."""


@dataclass(frozen=True)
class BulkReport:
    """A quarterly report: its date and the completion percent of each plan task, in plan order."""

    report_date: date
    completions: tuple[float, ...]


@dataclass(frozen=True)
class BulkProject:
    """An application, the triggers it has passed along its machine, and its reports so far."""

    application: NewProject
    path: tuple[str, ...] = ()
    reports: tuple[BulkReport, ...] = field(default_factory=tuple)


@dataclass
class _Ids:
    """The next free primary key of each table the load writes."""

    project: int
    plan_task: int
    report: int
    event: int


def _next_id(conn: Connection, model: type[Base]) -> int:
    table: Table = model.__table__  # type: ignore[assignment]
    return int(conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def _walk(
    item: BulkProject, line: int, credit_block: str | None, conflict: str | None
) -> list[str]:
    """The states `item` passes along its path; a refusal naming the step that is not allowed."""
    p = item.application
    definition = definition_for(p.category, DEFINITION_VERSION)
    state = definition.initial
    states = [state]
    for trigger in item.path:
        transition = definition.transition(trigger, state)
        if transition is None:
            possible = "、".join(definition.triggers_from(state)) or "无"
            raise Refused(
                f"第{line}个项目“{p.title}”：状态{state}下不能执行{trigger}；可执行：{possible}"
            )
        facts = Facts(
            project_id=0,
            category=p.category,
            state=state,
            credit_block=credit_block,
            conflict=conflict,
            term_years=1,
        )
        refusals = [r for guard in transition.guards if (r := guard(facts))]
        if refusals:
            raise Refused(f"第{line}个项目“{p.title}”不能执行{trigger}：{'；'.join(refusals)}")
        state = transition.dest
        states.append(state)
    return states


def _check_reports(item: BulkProject, line: int, state: str, tasks: int) -> None:
    p = item.application
    if item.reports and state not in ACTIVE_STATES:
        raise Refused(f"第{line}个项目“{p.title}”状态为{state}，不在实施期内，不能有季度报告")
    dates = [r.report_date for r in item.reports]
    if len(set(dates)) != len(dates):
        raise Refused(f"第{line}个项目“{p.title}”有同一日期的两份季度报告")
    for r in item.reports:
        if not p.start <= r.report_date <= p.end:
            raise Refused(
                f"第{line}个项目“{p.title}”的报告日期{r.report_date}不在实施期{p.start}至{p.end}内"
            )
        if len(r.completions) != tasks or not all(0 <= c <= 100 for c in r.completions):
            raise Refused(
                f"第{line}个项目“{p.title}”的{r.report_date}报告须为{tasks}项任务各填0至100的完成度"
            )


def _units(conn: Connection, ctx: AppContext, names: set[str]) -> dict[str, int]:
    """Ids of the units called `names`, registering the new ones as enterprises."""
    table: Table = Unit.__table__  # type: ignore[assignment]
    known = dict(conn.execute(select(table.c.name, table.c.id)).tuples().all())
    new = sorted(names - known.keys())
    if new:
        now = ctx.clock()
        conn.execute(
            insert(table),
            [
                {"name": n, "kind": "enterprise", "contact_email": None, "created_at": now}
                for n in new
            ],
        )
        known = dict(conn.execute(select(table.c.name, table.c.id)).tuples().all())
    return {n: known[n] for n in names}


def _contractor_units(conn: Connection) -> tuple[set[int], set[int]]:
    """Units holding a live risk-control project, and units holding any other live project."""
    rows = conn.execute(
        select(Project.unit_id, Project.category == CONTRACTOR_CATEGORY)
        .where(Project.state.not_in(DEAD_STATES))
        .distinct()
    ).all()
    return {u for u, c in rows if c}, {u for u, c in rows if not c}


def _chunks(items: Iterable[BulkProject], size: int) -> Iterator[list[BulkProject]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def bulk_load(ctx: AppContext, items: Iterable[BulkProject], batch: int = BATCH) -> int:
    """Insert every project of `items` with the rules `project create` applies, all or none.

    Each application is validated as `create` validates it, its plan rows as a plan file's,
    its path is walked on its category's machine with the guards a bulk load can decide
    (eligibility, conflict of interest; approval by ranking is refused), and its reports
    must fall inside the term and give every task a completion. Rows go in through
    SQLAlchemy Core, `batch` projects per round. Returns the number of projects loaded.
    """
    loaded = 0
    line = 0
    with transaction(ctx.engine) as session:
        conn = session.connection()
        contractors, others = _contractor_units(conn)
        ids = _Ids(
            _next_id(conn, Project),
            _next_id(conn, PlanTask),
            _next_id(conn, Report),
            _next_id(conn, ProjectEvent),
        )
        recorded = set(conn.scalars(select(CreditRecord.unit_id).distinct()))
        for chunk in _chunks(items, batch):
            units = _units(conn, ctx, {b.application.unit.strip() for b in chunk})
            rows: dict[str, list[dict[str, Any]]] = {
                k: [] for k in ("project", "plan_task", "report_due", "event", "report", "item")
            }
            for item in chunk:
                line += 1
                _add(ctx, session, item, line, units, contractors, others, recorded, ids, rows)
            for model, key in (
                (Project, "project"),
                (PlanTask, "plan_task"),
                (ReportDue, "report_due"),
                (ProjectEvent, "event"),
                (Report, "report"),
                (ReportItem, "item"),
            ):
                if rows[key]:
                    conn.execute(insert(model.__table__), rows[key])  # type: ignore[arg-type]
            loaded += len(chunk)
        if conn.dialect.name == "postgresql":
            for name in ("unit", "project", "plan_task", "report", "project_event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                    )
                )
    return loaded


def _add(
    ctx: AppContext,
    session: Session,
    item: BulkProject,
    line: int,
    units: dict[str, int],
    contractors: set[int],
    others: set[int],
    recorded: set[int],
    ids: _Ids,
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    """Validate one project and append its rows to `rows`, numbering them from `ids`."""
    p = item.application
    try:
        validate(p)
    except Refused as exc:
        raise Refused(f"第{line}个项目“{p.title}”：{exc}") from None
    unit_id = units[p.unit.strip()]
    credit_block = None
    if unit_id in recorded:
        restricted = [
            r for r in active_records(session, unit_id, p.start) if r.kind == "restricted"
        ]
        if restricted:
            raise Refused(
                f"第{line}个项目“{p.title}”：单位“{p.unit}”处于限制申报期：{describe(restricted[0])}"
            )
        records = active_records(session, unit_id, ctx.today())
        credit_block = "；".join(describe(r) for r in records) or None
    is_contractor = p.category == CONTRACTOR_CATEGORY
    clash = others if is_contractor else contractors
    conflict = (
        f"单位“{p.unit}”{'已承担其他类别项目' if is_contractor else '是风险防控机构'}，利益冲突"
        if unit_id in clash
        else None
    )
    states = _walk(item, line, credit_block, conflict)
    state = states[-1]
    (contractors if is_contractor else others).add(unit_id)
    seen: set[str] = set()
    try:
        plan = [
            plan_row(
                {
                    "task": r.task,
                    "start": r.start.isoformat(),
                    "due": r.due.isoformat(),
                    "weight": repr(r.weight),
                },
                p.start,
                p.end,
                seen,
            )
            for r in p.plan or default_plan(p.start, p.end)
        ]
    except ValueError as exc:
        raise Refused(f"第{line}个项目“{p.title}”的计划：{exc}") from None
    _check_reports(item, line, state, len(plan))
    project_id = ids.project
    ids.project += 1
    now = ctx.clock()
    rows["project"].append(
        {
            "id": project_id,
            "category": p.category,
            "title": p.title.strip(),
            "unit_id": unit_id,
            "state": state,
            "start": p.start,
            "end": p.end,
            "budget": p.budget,
            "contact_email": p.contact_email,
            "tier": resolved_tier(p.category, p.tier),
            "definition_version": DEFINITION_VERSION,
            "version": 1 + len(item.path),
            "created_at": now,
        }
    )
    task_ids = list(range(ids.plan_task, ids.plan_task + len(plan)))
    ids.plan_task += len(plan)
    rows["plan_task"].extend(
        {
            "id": task_id,
            "project_id": project_id,
            "seq": seq,
            "name": r.task,
            "start": r.start,
            "due": r.due,
            "weight": r.weight,
        }
        for seq, (task_id, r) in enumerate(zip(task_ids, plan, strict=True), start=1)
    )
    periods = report_periods(p.start, p.end, CATEGORIES[p.category].report_months)
    rows["report_due"].extend(
        {"project_id": project_id, "seq": r.seq, "opens": r.opens, "due": r.closes} for r in periods
    )
    for seq, trigger in enumerate(("create", *item.path), start=1):
        rows["event"].append(
            {
                "id": ids.event,
                "project_id": project_id,
                "seq": seq,
                "from_state": states[seq - 2] if seq > 1 else None,
                "to_state": states[seq - 1],
                "trigger": trigger,
                "actor": ctx.actor,
                "at": now,
                "note": "批量导入",
                "data": {"budget": p.budget} if seq == 1 else {},
                "definition_version": DEFINITION_VERSION,
            }
        )
        ids.event += 1
    for report in sorted(item.reports, key=lambda r: r.report_date):
        rows["report"].append(
            {
                "id": ids.report,
                "project_id": project_id,
                "report_date": report.report_date,
                "period": period.seq
                if (period := period_of(periods, report.report_date))
                else None,
                "actor": ctx.actor,
                "submitted_at": now,
            }
        )
        rows["item"].extend(
            {"report_id": ids.report, "task_id": task_id, "completion": c}
            for task_id, c in zip(task_ids, report.completions, strict=True)
        )
        ids.report += 1
