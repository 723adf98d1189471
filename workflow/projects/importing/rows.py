"""Bulk import of projects (and their plans) from CSV files or xlsx sheets: every row or none."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES
from states.eligibility import TIERS
from workflow.core.boundary import orchestration
from workflow.core.codes import code_for
from workflow.core.config import ImportSettings
from workflow.core.context import AppContext
from workflow.core.dates import parse_date
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.money import parse_yuan
from workflow.db.orm import Project, Unit
from workflow.db.rehearsal import rehearse
from workflow.projects.actions import NewProject, add_project, validate
from workflow.projects.importing.files import (
    PLAN_COLUMNS,
    PROJECT_COLUMNS,
    TASK_COLUMNS,
    Columns,
    Problems,
    Table,
    csv_table,
)
from workflow.projects.plans import PlanRow, plan_row

MAX_LENGTHS = {"title": 300, "unit": 200, "contact_email": 200, "ref": 100}
"""Column widths of the schema, checked here so a long value is a reported row, not a crash."""
CHUNK = 1000
"""Values per IN (...) when looking up what a file's rows may already have put in."""

T = TypeVar("T")


@dataclass
class Row:
    """One data row of a projects file: where it is, and the application it states."""

    line: int
    project: NewProject
    plan: list[PlanRow] = field(default_factory=list)


@dataclass
class ProjectsFile:
    """The rows of a projects file that could be read, and how plan rows may name them."""

    rows: list[Row] = field(default_factory=list)
    by_line: dict[int, Row] = field(default_factory=dict)
    by_title: dict[str, Row] = field(default_factory=dict)
    bad_refs: set[str] = field(default_factory=set)
    """Line numbers and titles of rows already reported as bad: their plan rows are not checked."""
    readable: bool = True
    """False when the header is wrong: no row could be read, so plan rows cannot be matched."""

    def find(self, ref: str) -> Row | None:
        """The row a plan file's `project` value names: a line number or an exact title."""
        row = self.by_line.get(int(ref)) if ref.isdigit() else None
        return row or self.by_title.get(ref)


@orchestration("project_import", write=True)
def import_projects(ctx: AppContext, path: Path, plan_path: Path | None) -> list[int]:
    """Import every project of `path` with the plans of `plan_path`, or none of them.

    `path` is a CSV file (plans in `plan_path`, by default NAME.plan.csv beside it) or an
    xlsx workbook (plans in its plan sheet; see workflow.projects.importing.xlsx). The files
    are read and every row checked first, with no transaction open; then the rows are added
    as `project create` adds one, with every rule it applies, in a rehearsal on a copy of
    the database (workflow.db.rehearsal): SQLite's write lock is held only while the outcome
    is written. A row whose application number (ref) is already used, or without one whose
    unit, title and start date a project already has, was imported before and is refused,
    naming that project. Every problem is reported in one refusal naming file (and sheet),
    line and reason, and the database is unchanged. Returns the new projects' ids in file order.
    """
    problems = Problems()
    projects_table, plans_table = read_tables(path, plan_path, ctx.settings.imports, problems)
    projects = _read_projects(projects_table, problems)
    if projects.readable and plans_table is not None:
        _read_plans(plans_table, projects, problems)
    source = projects_table.source
    return rehearse(
        ctx,
        lambda session, work_ctx: _insert_rows(session, work_ctx, source, projects, problems),
    )


def read_tables(
    path: Path, plan_path: Path | None, limits: ImportSettings, problems: Problems
) -> tuple[Table, Table | None]:
    """The projects table of `path` and its plan table (None when there is none)."""
    if _is_workbook(path):
        from workflow.projects.importing.xlsx import read_workbook

        if plan_path is not None:
            raise Refused(
                _(
                    "xlsx工作簿{path}的计划应放在其“plan”（或“计划”）工作表中，不能另用 --plan 指定"
                ).format(path=path)
            )
        return read_workbook(path, limits, problems)
    projects = csv_table(path, _("项目文件"), PROJECT_COLUMNS, limits, problems)
    plan_file = plan_path or default_plan_path(path)
    if projects.records is None or (plan_path is None and not plan_file.exists()):
        return projects, None
    return projects, _plan_table(plan_file, PLAN_COLUMNS, limits, problems)


def _is_workbook(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def _plan_table(path: Path, columns: Columns, limits: ImportSettings, problems: Problems) -> Table:
    if _is_workbook(path):
        from workflow.projects.importing.xlsx import read_plan_workbook

        return read_plan_workbook(path, columns, limits, problems)
    return csv_table(path, _("计划文件"), columns, limits, problems)


def read_plan_file(path: Path, start: date, end: date, limits: ImportSettings) -> list[PlanRow]:
    """The plan of one project (`project create --plan`): a CSV file or a workbook's plan
    sheet with task,start,due[,weight] (or 任务,开始,截止,权重); every bad row refused at once."""
    problems = Problems()
    found = _plan_table(path, TASK_COLUMNS, limits, problems)
    rows: list[PlanRow] = []
    seen: set[str] = set()
    for line, record in found.records or []:
        try:
            rows.append(plan_row(record, start, end, seen))
        except ValueError as exc:
            problems.add(found.source, line, str(exc))
    if found.records is not None and not rows and not problems.lines:
        problems.add(found.source, 2, _("没有任何任务"))
    if problems.lines:
        raise Refused(_("计划文件有误：{problems}").format(problems=_("；").join(problems.lines)))
    return rows


def _insert_rows(
    session: Session, ctx: AppContext, source: str, projects: ProjectsFile, found: Problems
) -> list[int]:
    """Add every readable row as `project create` would, after refusing those imported before."""
    problems = Problems(list(found.lines))
    earlier = imported_before(session, projects.rows)
    ids: list[int] = []
    for row in projects.rows:
        if row.line in earlier:
            problems.add(source, row.line, earlier[row.line])
            continue
        try:
            ids.append(add_project(session, ctx, replace(row.project, plan=row.plan)).id)
        except Refused as exc:
            problems.add(source, row.line, str(exc))
    if problems.lines:
        raise problems.refusal()
    return ids


def _chunks(items: list[T]) -> Iterable[list[T]]:
    return (items[i : i + CHUNK] for i in range(0, len(items), CHUNK))


def imported_before(session: Session, rows: list[Row]) -> dict[int, str]:
    """Why a row's application already stands in the database, by line, for those that do.

    With an application number (ref), the number is the application: a project holding it
    is the same one. Without one, the same unit, title and start date are: a second
    application of one unit under one title for one term is the same file imported again,
    and one that truly differs can say so with its own ref.
    """
    found: dict[int, str] = {}
    by_ref = {row.project.ref.strip(): row for row in rows if row.project.ref}
    for refs in _chunks(list(by_ref)):
        for ref, project_id, title in session.execute(
            select(Project.ref, Project.id, Project.title).where(Project.ref.in_(refs))
        ):
            found[by_ref[ref].line] = _(
                "申报编号“{ref}”已被项目#{id}“{title}”使用：该申请此前已导入或创建，不能重复导入"
            ).format(ref=ref, id=project_id, title=title)
    plain = {
        (row.project.unit.strip(), row.project.title.strip(), row.project.start): row
        for row in rows
        if not row.project.ref
    }
    for titles in _chunks(sorted({title for _unit, title, _start in plain})):
        for unit, title, start, project_id in session.execute(
            select(Unit.name, Project.title, Project.start, Project.id)
            .join(Unit, Unit.id == Project.unit_id)
            .where(Project.title.in_(titles))
        ):
            row = plain.get((unit, title, start))
            if row is not None:
                found[row.line] = _(
                    "单位“{unit}”开始日期为{start}的项目“{title}”已有项目#{id}：该申请此前已导入或创建，不能重复导入（确为另一申请的，请在ref（申报编号）列填写其编号）"
                ).format(unit=unit, start=start, title=title, id=project_id)
    return found


def default_plan_path(path: Path) -> Path:
    """The plan file beside a projects file: projects.csv → projects.plan.csv."""
    stem = path.name[: -len(".csv")] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}.plan.csv")


def _read_projects(table: Table, problems: Problems) -> ProjectsFile:
    """The valid rows of a projects table; every bad row is recorded in `problems`."""
    source = table.source
    found = ProjectsFile()
    if table.records is None:
        found.readable = False
        return found
    lines_by_ref: dict[str, int] = {}
    for line, record in table.records:
        title = record["title"]
        try:
            project = _project(record)
            validate(project)
            if title in found.by_title:
                raise ValueError(
                    _("项目名称“{title}”与第{line}行重复").format(
                        title=title, line=found.by_title[title].line
                    )
                )
            if project.ref is not None:
                first = lines_by_ref.setdefault(project.ref, line)
                if first != line:
                    raise ValueError(
                        _("申报编号“{ref}”与第{line}行重复").format(ref=project.ref, line=first)
                    )
        except (ValueError, Refused) as exc:
            problems.add(source, line, str(exc))
            found.bad_refs.update({str(line), title})
            continue
        row = Row(line, project)
        found.rows.append(row)
        found.by_line[line] = row
        found.by_title[title] = row
    return found


def _project(record: dict[str, str]) -> NewProject:
    """The application a projects-file row states; ValueError naming every unreadable field."""
    reasons = [
        _("{label}长度超过{limit}个字符").format(label=_label(column), limit=limit)
        for column, limit in MAX_LENGTHS.items()
        if len(record.get(column, "")) > limit
    ]
    start = _field(lambda: parse_date(record["start"], what=_("开始日期"), serials=True), reasons)
    end = _field(lambda: parse_date(record["end"], what=_("结束日期"), serials=True), reasons)
    budget = _field(lambda: _budget(record["budget"]), reasons)
    data = _field(lambda: _data(record.get("data", "")), reasons)
    if reasons or start is None or end is None or budget is None or data is None:
        raise ValueError(_("；").join(reasons))
    category = code_for(record["category"], {c: k.name for c, k in CATEGORIES.items()})
    tier = record.get("tier") or None
    return NewProject(
        category=category,
        title=record["title"],
        unit=record["unit"],
        start=start,
        end=end,
        budget=budget,
        contact_email=record.get("contact_email") or None,
        ref=record.get("ref") or None,
        tier=code_for(tier, TIERS.get(category, {})) if tier else None,
        partners=split_partners(record.get("partners", "")),
        data=data,
    )


def split_partners(cell: str) -> tuple[str, ...]:
    """The partners a cell lists, separated by 、 or ; (full- or half-width)."""
    return tuple(name.strip() for name in re.split(r"[、;；]", cell) if name.strip())


def _label(column: str) -> str:
    return {
        "title": _("项目名称"),
        "unit": _("承担单位"),
        "contact_email": _("联系邮箱"),
        "ref": _("申报编号"),
    }[column]


def _field(parse: Callable[[], T], reasons: list[str]) -> T | None:
    """The parsed value, or None with the ValueError's message added to `reasons`."""
    try:
        return parse()
    except ValueError as exc:
        reasons.append(str(exc))
        return None


def _data(text: str) -> dict[str, str]:
    """The `data` cell's KEY=VALUE pairs, separated by semicolons (ASCII or full-width)."""
    data: dict[str, str] = {}
    for pair in text.replace("；", ";").split(";"):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(_("data列的“{pair}”应为 KEY=VALUE").format(pair=pair.strip()))
        data[key.strip()] = value.strip()
    return data


def _budget(text: str) -> int:
    if not text:
        raise ValueError(_("预算为空"))
    try:
        return parse_yuan(text)
    except ValueError as exc:
        raise ValueError(_("预算：{reason}").format(reason=exc)) from None


def _read_plans(table: Table, projects: ProjectsFile, problems: Problems) -> None:
    """Attach each plan row to the project it names; every bad row is recorded."""
    source = table.source
    seen: dict[int, set[str]] = {}
    for line, record in table.records or []:
        ref = record["project"]
        row = projects.find(ref)
        if row is None:
            if ref not in projects.bad_refs:
                problems.add(
                    source, line, _("“{ref}”不是项目文件中任何项目的行号或名称").format(ref=ref)
                )
            continue
        p = row.project
        try:
            row.plan.append(plan_row(record, p.start, p.end, seen.setdefault(row.line, set())))
        except ValueError as exc:
            problems.add(
                source,
                line,
                _("项目“{title}”（第{line}行）：{exc}").format(
                    title=p.title, line=row.line, exc=exc
                ),
            )
