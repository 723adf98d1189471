"""The progress ledger (进度台账): one row per active monitored project, exported as xlsx or csv."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES, MONITORED
from states.definitions import STATE_LABELS
from workflow.check.actions import JOB
from workflow.check.rules import FLAG_LABELS
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.text import looks_like_formula, one_line, sheet_text
from workflow.db.orm import CheckRun, LedgerSnapshot, Project, Unit
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
    ("last_report", "最近进度报告", "date"),
    ("planned", "报告日计划进度（%）", "pct"),
    ("actual", "实际进度（%）", "pct"),
    ("lag", "滞后（百分点）", "pct"),
    ("planned_today", "台账日计划进度（%，仅供参考）", "pct"),
    ("flag", "预警", "flag"),
    ("reasons", "预警原因", "text"),
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


def last_check(session: Session, day: date) -> date | None:
    """The latest day on or before `day` that a nightly check completed (a dry run writes none)."""
    return session.scalar(
        select(func.max(CheckRun.logical_date)).where(
            CheckRun.job == JOB, CheckRun.status == "done", CheckRun.logical_date <= day
        )
    )


def ledger_rows(session: Session, day: date, unit_id: int | None = None) -> list[LedgerRow]:
    """The ledger on `day`: the monitored projects the latest check on or before `day`
    recorded (of `unit_id` only, when given), each with that check's figures and state; none
    before a check. It is the contractor's ledger, the same for every reader: patent
    navigation, securitisation and the risk-control project are never in it (SPEC.md §2).

    A project that has ended since still has its row, and one started since has none yet.
    """
    checked = last_check(session, day)
    if checked is None:
        return []
    found = session.execute(
        select(Project, Unit.name, LedgerSnapshot)
        .join(Unit, Unit.id == Project.unit_id)
        .join(LedgerSnapshot, LedgerSnapshot.project_id == Project.id)
        .where(
            LedgerSnapshot.day == checked,
            Project.category.in_(MONITORED),
            *([Project.unit_id == unit_id] if unit_id is not None else []),
        )
        .order_by(Project.category, Project.id)
    ).tuples()
    return project_rows(session, day, [(p, unit, snap, snap.state) for p, unit, snap in found])


def project_rows(
    session: Session,
    day: date,
    found: list[tuple[Project, str, LedgerSnapshot | None, str]],
) -> list[LedgerRow]:
    """Ledger rows of (project, unit name, its snapshot if any, its state), money up to `day`."""
    money = money_figures(session, day)
    result = []
    for project, unit, snap, state in found:
        result.append(
            LedgerRow(
                {
                    "project_id": project.id,
                    "category": project.category,
                    "category_name": CATEGORIES[project.category].name,
                    "title": project.title,
                    "unit": unit,
                    "state": state,
                    "state_name": STATE_LABELS.get(state, state),
                    "money": money[project.id],
                    **money[project.id].as_json(),
                    "planned": snap.planned if snap else None,
                    "actual": snap.actual if snap else None,
                    "lag": snap.lag if snap else None,
                    "planned_today": snap.planned_today if snap else None,
                    "flag": snap.flag if snap else None,
                    "reasons": "；".join(r["text"] for r in snap.reasons) if snap else "",
                    "reason_list": list(snap.reasons) if snap else [],
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


def csv_bytes(rows: list[LedgerRow]) -> bytes:
    """The ledger as CSV in UTF-8 with a byte-order mark, so Excel reads the Chinese right.

    Text cells are one line each, and one that a spreadsheet would read as a formula (= + - @)
    starts with an apostrophe; numbers, negative ones included, stay numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header, _ in COLUMNS])
    for row in rows:
        writer.writerow(
            [
                sheet_text(one_line(_text(key, kind, row.values[key])))
                if kind == "text"
                else _text(key, kind, row.values[key])
                for key, _, kind in COLUMNS
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "flag":
        return FLAG_LABELS[value]
    return one_line(str(value)) if kind == "text" else value


def _keep_text(cell: Any) -> None:
    """A text cell that a spreadsheet would read as a formula, kept text: a string cell with
    Excel's quote prefix (the leading apostrophe it shows for text typed as such)."""
    if isinstance(cell.value, str) and looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_bytes(rows: list[LedgerRow], day: date) -> bytes:
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
        values = [_xlsx_value(kind, row.values[key]) for key, _, kind in COLUMNS]
        sheet.append(values)
        r = sheet.max_row
        for c, (_key, _header, kind) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=r, column=c)
            if kind == "text":
                _keep_text(cell)
            if kind in formats:
                cell.number_format = formats[kind]
            if kind == "flag" and row.flag:
                cell.fill = PatternFill("solid", fgColor=FLAG_FILLS[row.flag])
                cell.font = Font(bold=True, color=FLAG_FONTS[row.flag])
                cell.alignment = Alignment(horizontal="center")
    widths = {"text": 24, "money": 16, "pct": 12, "int": 10, "flag": 8, "date": 13}
    for c, (key, _header, kind) in enumerate(COLUMNS, start=1):
        wide = key in ("title", "reasons")
        sheet.column_dimensions[get_column_letter(c)].width = 40 if wide else widths[kind]
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 2)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refuse_the_day(session: Session, day: date, today: date) -> None:
    """Refuse a ledger for a day after today, or before any completed check."""
    if day > today:
        raise Refused(
            _("台账日期{day}晚于今天（{today}）：只能导出今天或以前某一天的台账").format(
                day=day, today=today
            )
        )
    if last_check(session, day) is not None:
        return
    first = session.scalar(
        select(func.min(CheckRun.logical_date)).where(
            CheckRun.job == JOB, CheckRun.status == "done"
        )
    )
    if first is None:
        raise Refused(
            _(
                "尚未完成过每日检查，没有可导出的台账：台账列出的是每日检查当天记录的项目、状态和进度。请先运行 ipflow check run"
            )
        )
    raise Refused(
        _(
            "{day}及以前没有完成的每日检查（最早一次是{first}），没有该日的台账：台账列出的是检查当天记录的项目、状态和进度，不用今天的数据推算过去"
        ).format(day=day, first=first)
    )


@dataclass(frozen=True)
class LedgerFile:
    """The ledger of a day as a file's content, and how many projects it lists."""

    content: bytes
    projects: int


@use_case("ledger_export", write=False)
def export_ledger(work: Work, fmt: str, day: date) -> LedgerFile:
    """The ledger on `day` as an xlsx or csv file's content, with its number of projects.

    The ledger of a day is what the latest nightly check on or before it recorded: its
    projects, their states, figures and flags. With no check on or before `day` there is no
    such record, and the export is refused rather than computed from today's data (which is
    what showed the past with today's facts); a day after today is refused too.
    A unit's user gets its own unit's rows only.
    """
    if fmt not in ("xlsx", "csv"):
        raise Refused(_("不支持的台账格式“{fmt}”：可用 xlsx 或 csv").format(fmt=fmt))
    _refuse_the_day(work.session, day, work.ctx.today())
    rows = ledger_rows(work.session, day, work.only_unit)
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows, day)
    return LedgerFile(content, len(rows))


@dataclass(frozen=True)
class LedgerView:
    """The ledger of a day as a page shows it: its rows, narrowed by category and flag."""

    day: date
    checked_on: date | None
    """The day of the check whose record it is (the latest on or before `day`)."""
    rows: list[LedgerRow]


@use_case("ledger_export", write=False)
def ledger_view(
    work: Work, day: date, category: str | None = None, flag: str | None = None
) -> LedgerView:
    """The ledger on `day` as `export_ledger` writes it, only the rows of `category` and
    `flag` when given (a flag of "none": the rows no check has flagged)."""
    if category is not None and category not in CATEGORIES:
        raise Refused(
            _("未知的项目类别“{category}”；可选：{choices}").format(
                category=category, choices=", ".join(CATEGORIES)
            )
        )
    if flag is not None and flag not in (*FLAG_LABELS, "none"):
        raise Refused(_("未知的预警“{flag}”；可选：green、amber、red").format(flag=flag))
    _refuse_the_day(work.session, day, work.ctx.today())
    rows = [
        r
        for r in ledger_rows(work.session, day, work.only_unit)
        if (category is None or r.values["category"] == category)
        and (flag is None or (r.flag or "none") == flag)
    ]
    return LedgerView(day, last_check(work.session, day), rows)
