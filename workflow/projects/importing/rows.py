"""Bulk import of projects (and their plans) from CSV files or xlsx sheets: every row or none."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.money import parse_yuan
from workflow.projects.actions import NewProject, add_project, validate
from workflow.projects.plans import PlanRow, parse_date, plan_row

PROJECT_COLUMNS = ("category", "title", "unit", "start", "end", "budget")
OPTIONAL_PROJECT_COLUMNS = ("contact_email", "ref", "tier", "partners")
PLAN_COLUMNS = ("project", "task", "start", "due")
OPTIONAL_PLAN_COLUMNS = ("weight",)
MAX_LENGTHS = {"title": 300, "unit": 200, "contact_email": 200, "ref": 100}
"""Column widths of the schema, checked here so a long value is a reported row, not a crash."""
MAX_BUDGET = 2**63 - 1
"""The largest amount the budget column can store."""

T = TypeVar("T")


Record = tuple[int, dict[str, str]]
"""A data row: its line (CSV) or row (sheet) number, and its stripped cells by column."""


@dataclass(frozen=True)
class Table:
    """The rows of one CSV file or worksheet; `records` is None when its header is wrong."""

    source: str
    """How problems name it: the file, or the workbook and its sheet."""
    records: list[Record] | None


@dataclass
class Problems:
    """Every bad row found so far, one line each, naming the file (or sheet) and line."""

    lines: list[str] = field(default_factory=list)

    def add(self, source: str, line: int, reason: str) -> None:
        """Record one problem of `source` at `line`."""
        self.lines.append(
            _("{source}第{line}行：{reason}").format(source=source, line=line, reason=reason)
        )

    def refusal(self) -> Refused:
        """One refusal listing every problem, one per line."""
        return Refused(
            _("导入未执行，数据库未作任何修改；共发现{count}处问题：\n").format(
                count=len(self.lines)
            )
            + "\n".join(self.lines)
        )


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


@use_case("project_import", write=True)
def import_projects(work: Work, path: Path, plan_path: Path | None) -> list[int]:
    """Import every project of `path` with the plans of `plan_path`, or none of them.

    `path` is a CSV file (plans in `plan_path`, by default NAME.plan.csv beside it) or an
    xlsx workbook (plans in its plan sheet; see workflow.projects.importing.xlsx). All rows are checked
    first, and every problem is reported in one refusal naming file (and sheet), line and
    reason; the database rules (restricted units, the risk-control contractor's conflict of
    interest) are checked by inserting in one transaction that is rolled back when anything
    is wrong. Returns the new projects' ids in file order.
    """
    problems = Problems()
    if path.suffix.lower() == ".xlsx":
        from workflow.projects.importing.xlsx import read_workbook

        if plan_path is not None:
            raise Refused(
                _(
                    "xlsx工作簿{path}的计划应放在其“plan”（或“计划”）工作表中，不能另用 --plan 指定"
                ).format(path=path)
            )
        projects_table, plans_table = read_workbook(path, problems)
    else:
        projects_table = _csv_table(
            path, _("项目文件"), PROJECT_COLUMNS, OPTIONAL_PROJECT_COLUMNS, problems
        )
        plan_file = plan_path or default_plan_path(path)
        plans_table = None
        if projects_table.records is not None and (plan_path is not None or plan_file.exists()):
            plans_table = _csv_table(
                plan_file, _("计划文件"), PLAN_COLUMNS, OPTIONAL_PLAN_COLUMNS, problems
            )
    return _import_rows(work, projects_table, plans_table, problems)


def _import_rows(
    work: Work, projects_table: Table, plans_table: Table | None, problems: Problems
) -> list[int]:
    """Check the rows of both tables, then insert them all in one transaction, or none."""
    projects = _read_projects(projects_table, problems)
    if projects.readable and plans_table is not None:
        _read_plans(plans_table, projects, problems)
    ids: list[int] = []
    for row in projects.rows:
        try:
            ids.append(add_project(work.session, work.ctx, replace(row.project, plan=row.plan)).id)
        except Refused as exc:
            problems.add(projects_table.source, row.line, str(exc))
    if problems.lines:
        raise problems.refusal()
    return ids


def default_plan_path(path: Path) -> Path:
    """The plan file beside a projects file: projects.csv → projects.plan.csv."""
    stem = path.name[: -len(".csv")] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}.plan.csv")


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Refused(_("找不到{what}{path}").format(what=what, path=path)) from None
    except OSError as exc:
        raise Refused(
            _("无法读取{what}{path}：{strerror}").format(
                what=what, path=path, strerror=exc.strerror
            )
        ) from None
    except UnicodeDecodeError:
        raise Refused(
            _("{what}{path}不是UTF-8编码的CSV文件").format(what=what, path=path)
        ) from None


def _csv_table(
    path: Path,
    what: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: Problems,
) -> Table:
    """The rows of a CSV file with the columns `required` (and perhaps `optional`)."""
    source = str(path)
    return Table(source, _records(_read_text(path, what), source, required, optional, problems))


def _records(
    text: str,
    source: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: Problems,
) -> list[Record] | None:
    """(line number, stripped row) of each data row; None when the header is wrong."""
    reader = csv.reader(io.StringIO(text))
    records: list[Record] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        if not header_ok(header, source, required, optional, problems):
            return None
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if any(v.strip() for v in values[len(header) :]):
                problems.add(
                    source,
                    reader.line_num,
                    _("有{count}列，多于表头的{columns}列").format(
                        count=len(values), columns=len(header)
                    ),
                )
                continue
            padded = values + [""] * (len(header) - len(values))
            records.append((reader.line_num, {h: padded[i].strip() for i, h in enumerate(header)}))
    except csv.Error as exc:
        problems.add(source, max(reader.line_num, 1), _("CSV格式错误：{exc}").format(exc=exc))
    return records


def header_ok(
    header: list[str],
    source: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: Problems,
) -> bool:
    """Whether `header` has every required column and no unknown one; a problem if not."""
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h not in required + optional]
    if not missing and not unknown:
        return True
    expected = ",".join(required) + "".join(f"[,{c}]" for c in optional)
    detail = _("；").join(
        part
        for part in (
            _("缺少 {columns}").format(columns=", ".join(missing)) if missing else "",
            _("无法识别的列 {columns}").format(columns=", ".join(unknown)) if unknown else "",
        )
        if part
    )
    problems.add(
        source, 1, _("表头须为 {expected}：{detail}").format(expected=expected, detail=detail)
    )
    return False


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
    start = _field(lambda: parse_date(record["start"], _("开始日期")), reasons)
    end = _field(lambda: parse_date(record["end"], _("结束日期")), reasons)
    budget = _field(lambda: _budget(record["budget"]), reasons)
    if reasons or start is None or end is None or budget is None:
        raise ValueError(_("；").join(reasons))
    return NewProject(
        category=record["category"],
        title=record["title"],
        unit=record["unit"],
        start=start,
        end=end,
        budget=budget,
        contact_email=record.get("contact_email") or None,
        ref=record.get("ref") or None,
        tier=record.get("tier") or None,
        partners=split_partners(record.get("partners", "")),
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


def _budget(text: str) -> int:
    if not text:
        raise ValueError(_("预算为空"))
    try:
        budget = parse_yuan(text)
    except ValueError:
        raise ValueError(_("预算“{text}”不是整数元").format(text=text)) from None
    if budget > MAX_BUDGET:
        raise ValueError(_("预算“{text}”超出可记录的范围").format(text=text))
    return budget


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
