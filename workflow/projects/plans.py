"""Plan files (task,start,due,weight): parsing and validation against a project's term."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from workflow.core.i18n import _
from workflow.core.text import entry_text
from workflow.db.orm import PlanTask
from workflow.db.widths import width


@dataclass(frozen=True)
class PlanRow:
    """One task of a plan file."""

    task: str
    start: date
    due: date
    weight: float


class PlanError(Exception):
    """A plan file with bad rows; `problems` holds one line per bad row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_date(text: str, what: str) -> date:
    """A YYYY-MM-DD date; ValueError naming `what` otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            _("{what}“{text}”不是YYYY-MM-DD格式的日期").format(what=what, text=text)
        ) from None


def parse_plan(text: str, start: date, end: date, source: str | None = None) -> list[PlanRow]:
    """Read a plan CSV and check every row; all problems are reported together by line."""
    source = source or _("计划文件")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = {"task", "start", "due"} - set(header)
    if missing:
        raise PlanError(
            [
                _("{source}：表头须为 task,start,due[,weight]，缺少 {columns}").format(
                    source=source, columns=", ".join(sorted(missing))
                )
            ]
        )
    rows: list[PlanRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        try:
            rows.append(plan_row(row, start, end, seen))
        except ValueError as exc:
            problems.append(
                _("{source}第{line}行：{exc}").format(source=source, line=line, exc=exc)
            )
    if not rows and not problems:
        problems.append(_("{source}：没有任何任务").format(source=source))
    if problems:
        raise PlanError(problems)
    return rows


def plan_row(row: dict[str, str], start: date, end: date, seen: set[str]) -> PlanRow:
    """One validated plan row: a new task name, dates inside the term, a positive weight."""
    name = entry_text(row.get("task", ""), _("任务名称"), limit=width(PlanTask.name))
    if not name:
        raise ValueError(_("任务名称为空"))
    if name in seen:
        raise ValueError(_("任务“{name}”重复").format(name=name))
    task_start = parse_date(row.get("start", ""), _("开始日期"))
    due = parse_date(row.get("due", ""), _("完成日期"))
    if due < task_start:
        raise ValueError(
            _("任务“{name}”的完成日期{due}早于开始日期{task_start}").format(
                name=name, due=due, task_start=task_start
            )
        )
    if task_start < start or due > end:
        raise ValueError(
            _("任务“{name}”的日期{task_start}至{due}超出项目期限{start}至{end}").format(
                name=name, task_start=task_start, due=due, start=start, end=end
            )
        )
    weight_text = row.get("weight") or "1"
    try:
        weight = float(weight_text)
    except ValueError:
        raise ValueError(_("权重“{weight_text}”不是数字").format(weight_text=weight_text)) from None
    if not weight > 0 or weight == float("inf"):
        raise ValueError(_("权重须大于0，得到“{weight_text}”").format(weight_text=weight_text))
    seen.add(name)
    return PlanRow(name, task_start, due, weight)


def default_plan(start: date, end: date) -> list[PlanRow]:
    """A one-task plan spanning the whole term, for projects created without a plan file."""
    return [PlanRow("项目实施", start, end, 1.0)]
