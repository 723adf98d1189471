"""Plan files (task,start,due,weight): parsing and validation against a project's term."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from workflow.core.dates import parse_date
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


def plan_row(row: dict[str, str], start: date, end: date, seen: set[str]) -> PlanRow:
    """One validated plan row: a new task name, dates inside the term, a positive weight."""
    name = entry_text(row.get("task", ""), _("任务名称"), limit=width(PlanTask.name))
    if not name:
        raise ValueError(_("任务名称为空"))
    if name in seen:
        raise ValueError(_("任务“{name}”重复").format(name=name))
    task_start = parse_date(row.get("start", ""), what=_("开始日期"), serials=True)
    due = parse_date(row.get("due", ""), what=_("完成日期"), serials=True)
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
        weight = _weight(weight_text)
    except ValueError:
        raise ValueError(_("权重“{weight_text}”不是数字").format(weight_text=weight_text)) from None
    if not weight > 0 or weight == float("inf"):
        raise ValueError(_("权重须大于0，得到“{weight_text}”").format(weight_text=weight_text))
    seen.add(name)
    return PlanRow(name, task_start, due, weight)


def _weight(text: str) -> float:
    """A task's weight: a number, or a percentage (`30%` = 0.3) as a sheet may format it."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if folded.endswith("%"):
        return float(folded[:-1]) / 100
    return float(folded)


def default_plan(start: date, end: date) -> list[PlanRow]:
    """A one-task plan spanning the whole term, for projects created without a plan file."""
    return [PlanRow("项目实施", start, end, 1.0)]
