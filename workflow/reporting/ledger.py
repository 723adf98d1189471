"""The progress ledger (进度台账): one row per active project, exported as xlsx or csv."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES
from states.definitions import ACTIVE_STATES, STATE_LABELS
from workflow.check.rules import FLAG_LABELS
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.db.orm import LedgerSnapshot, Project, Unit
from workflow.money.figures import money_figures

COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (key, Chinese header, kind: text | int | money | pct | flag | date)
    ("project_id", "项目编号", "int"),
    ("category_name", "项目类别", "text"),
    ("title", "项目名称", "text"),
    ("unit", "承担单位", "text"),
    ("state_name", "项目状态", "text"),
    ("applied", "申请金额（元）", "money"),
    ("granted", "核定资助（元）", "money"),
    ("disbursed", "已拨付（元）", "money"),
    ("disbursed_rate", "拨付率（%）", "pct"),
    ("spent", "已支出（元）", "money"),
    ("spent_rate", "支出率（%）", "pct"),
    ("accepted", "审核认可支出（元）", "money"),
    ("recovered", "已收回（元）", "money"),
    ("planned", "计划进度（%）", "pct"),
    ("actual", "实际进度（%）", "pct"),
    ("lag", "滞后（百分点）", "pct"),
    ("flag", "预警", "flag"),
    ("reasons", "预警原因", "text"),
    ("last_report", "最近季度报告", "date"),
    ("open_letters", "未办结告知书（份）", "int"),
    ("checked_on", "台账日期", "date"),
)
FLAG_FILLS = {"red": "FFC7CE", "amber": "FFEB9C", "green": "C6EFCE"}
"""Background colours of the flag cells (Excel's own red, amber and green styles)."""
FLAG_FONTS = {"red": "9C0006", "amber": "9C5700", "green": "006100"}


@dataclass(frozen=True)
class LedgerRow:
    """One active project as the latest nightly check on or before the ledger's day found it."""

    values: dict[str, Any]

    @property
    def flag(self) -> str | None:
        """green, amber, red, or None when no check has looked at the project yet."""
        flag = self.values["flag"]
        return str(flag) if flag else None


def ledger_rows(session: Session, day: date, unit_id: int | None = None) -> list[LedgerRow]:
    """The ledger on `day`: every active project (of `unit_id` only, when given) with its
    latest snapshot on or before `day`."""
    latest = (
        select(LedgerSnapshot.project_id, func.max(LedgerSnapshot.day).label("day"))
        .where(LedgerSnapshot.day <= day)
        .group_by(LedgerSnapshot.project_id)
        .subquery()
    )
    rows = session.execute(
        select(Project, Unit.name, LedgerSnapshot)
        .join(Unit, Unit.id == Project.unit_id)
        .outerjoin(latest, latest.c.project_id == Project.id)
        .outerjoin(
            LedgerSnapshot,
            and_(LedgerSnapshot.project_id == Project.id, LedgerSnapshot.day == latest.c.day),
        )
        .where(
            Project.state.in_(ACTIVE_STATES),
            *([Project.unit_id == unit_id] if unit_id is not None else []),
        )
        .order_by(Project.category, Project.id)
    )
    money = money_figures(session, day)
    result = []
    for project, unit, snap in rows:
        result.append(
            LedgerRow(
                {
                    "project_id": project.id,
                    "category": project.category,
                    "category_name": CATEGORIES[project.category].name,
                    "title": project.title,
                    "unit": unit,
                    "state": project.state,
                    "state_name": STATE_LABELS.get(project.state, project.state),
                    "money": money[project.id],
                    **money[project.id].as_json(),
                    "planned": snap.planned if snap else None,
                    "actual": snap.actual if snap else None,
                    "lag": snap.lag if snap else None,
                    "flag": snap.flag if snap else None,
                    "reasons": "；".join(r["text"] for r in snap.reasons) if snap else "",
                    "last_report": snap.last_report if snap else None,
                    "open_letters": snap.open_letters if snap else 0,
                    "checked_on": snap.day if snap else None,
                }
            )
        )
    return result


def _text(key: str, kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "flag":
        return FLAG_LABELS[value]
    if kind == "date":
        return str(value.isoformat())
    if kind == "pct":
        return f"{value:.2f}"
    return str(value)


def write_csv(rows: list[LedgerRow], path: Path) -> None:
    """The ledger as CSV in UTF-8 with a byte-order mark, so Excel reads the Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header, _ in COLUMNS])
    for row in rows:
        writer.writerow([_text(key, kind, row.values[key]) for key, _, kind in COLUMNS])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def write_xlsx(rows: list[LedgerRow], path: Path, day: date) -> None:
    """The ledger as an Excel workbook: frozen header, filters, coloured flags, yuan amounts."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "进度台账"
    book.properties.title = f"项目进度台账（{day.isoformat()}）"
    book.properties.creator = "ipflow"
    sheet.append([header for _, header, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    formats = {"money": '#,##0"元"', "pct": "0.00", "int": "0", "date": "yyyy-mm-dd"}
    for row in rows:
        values = [
            FLAG_LABELS[row.values[key]] if kind == "flag" and row.values[key] else row.values[key]
            for key, _, kind in COLUMNS
        ]
        sheet.append(values)
        r = sheet.max_row
        for c, (_, _, kind) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=r, column=c)
            if kind in formats:
                cell.number_format = formats[kind]
            if kind == "flag" and row.flag:
                cell.fill = PatternFill("solid", fgColor=FLAG_FILLS[row.flag])
                cell.font = Font(bold=True, color=FLAG_FONTS[row.flag])
                cell.alignment = Alignment(horizontal="center")
    widths = {"text": 24, "money": 16, "pct": 12, "int": 10, "flag": 8, "date": 13}
    for c, (key, _, kind) in enumerate(COLUMNS, start=1):
        wide = key in ("title", "reasons")
        sheet.column_dimensions[get_column_letter(c)].width = 40 if wide else widths[kind]
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 2)}"
    book.save(path)


@use_case("ledger_export", write=False)
def export_ledger(work: Work, fmt: str, path: Path, day: date) -> int:
    """Write the ledger on `day` to `path` as xlsx or csv; return the number of projects.

    A unit's user gets its own unit's rows only.
    """
    if fmt not in ("xlsx", "csv"):
        raise Refused(f"不支持的台账格式“{fmt}”：可用 xlsx 或 csv")
    rows = ledger_rows(work.session, day, work.only_unit)
    if fmt == "csv":
        write_csv(rows, path)
    else:
        write_xlsx(rows, path, day)
    return len(rows)
