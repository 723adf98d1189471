"""Reads the projects and plan sheets of an xlsx workbook, as Excel and WPS save them, safely.

Safely: the workbook's zip entries must not inflate beyond `[imports] max_unpacked_bytes`
(checked from the zip directory before anything is inflated; Python's zipfile stops at the
declared size), and openpyxl parses the XML with defusedxml (no entities, no external
references): a workbook that tries either is refused in one sentence. As saved: the sheet
dimension a workbook declares is ignored (WPS writes `A1` for a full sheet), a date may be a
date cell or a number formatted as a date that openpyxl does not know (WPS's Chinese date
formats), read as an Excel day number.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError

from workflow.core.config import ImportSettings
from workflow.core.dates import EXCEL_1904_EPOCH, EXCEL_EPOCH, excel_date
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.projects.importing.files import (
    OLE2_MAGIC,
    PLAN_COLUMNS,
    PROJECT_COLUMNS,
    Columns,
    Problems,
    Table,
    fold_header,
    read_bytes,
    table,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

PROJECT_SHEETS = ("projects", "项目", "项目清单", "项目列表", "申报项目", "申报清单")
PLAN_SHEETS = ("plan", "计划", "任务清单", "实施计划", "计划任务", "进度计划", "项目计划", "任务")
NOTE_SHEETS = ("说明", "填表说明", "填报说明", "readme", "instructions")
"""Sheets of explanations that a template may carry: never read (nor are hidden sheets, such
as the lists a template's drop-down cells choose from)."""


def read_workbook(
    path: Path, limits: ImportSettings, problems: Problems
) -> tuple[Table, Table | None]:
    """The projects sheet and the plan sheet (None when there is none) of the workbook `path`.

    The projects sheet is named as one of PROJECT_SHEETS (case, width and spaces ignored),
    else it is the first sheet that is neither a plan nor a note sheet; the plan sheet is
    named as one of PLAN_SHEETS. Any other sheet with data is refused, naming it: a plan on
    `Sheet2` is never taken for no plan. Header, width and row-limit problems as for CSV.
    """
    with _opened(path, _("项目文件"), limits) as (workbook, epoch):
        names = list(workbook.sheetnames)
        plan_name = _named(names, PLAN_SHEETS)
        projects_name = _named(names, PROJECT_SHEETS) or next(
            (n for n in names if n != plan_name and not _ignored(workbook, n)), None
        )
        if projects_name is None:
            raise Refused(
                _(
                    "工作簿{path}中没有项目工作表：请将项目放在名为“projects”或“项目”的工作表中"
                ).format(path=path)
            )
        _refuse_other_sheets(path, workbook, names, {projects_name, plan_name})
        projects = _sheet_table(
            path, workbook, projects_name, PROJECT_COLUMNS, epoch, limits, problems
        )
        plans = None
        if plan_name is not None:
            plans = _sheet_table(path, workbook, plan_name, PLAN_COLUMNS, epoch, limits, problems)
        return projects, plans


def read_plan_workbook(
    path: Path, columns: Columns, limits: ImportSettings, problems: Problems
) -> Table:
    """The plan sheet of a workbook given as one project's plan (`project create --plan`):
    the sheet named as a plan (PLAN_SHEETS), else its only sheet with data."""
    with _opened(path, _("计划文件"), limits) as (workbook, epoch):
        names = list(workbook.sheetnames)
        plan_name = _named(names, PLAN_SHEETS)
        if plan_name is None:
            filled = [n for n in names if not _ignored(workbook, n) and _has_data(workbook[n])]
            if len(filled) != 1:
                raise Refused(
                    _(
                        "工作簿{path}中找不到计划工作表：它的工作表是{sheets}；请将计划放在名为“计划”（或{names}）的工作表中"
                    ).format(path=path, sheets=_sheet_list(names), names=_("、").join(PLAN_SHEETS))
                )
            plan_name = filled[0]
        return _sheet_table(path, workbook, plan_name, columns, epoch, limits, problems)


def _sheet_list(names: Sequence[str]) -> str:
    return _("、").join(f"“{n}”" for n in names)


def _refuse_other_sheets(
    path: Path, workbook: Workbook, names: list[str], read: set[str | None]
) -> None:
    """Refuse a workbook with a sheet of data that is neither its projects nor its plan."""
    others = [
        n for n in names if n not in read and not _ignored(workbook, n) and _has_data(workbook[n])
    ]
    if not others:
        return
    plan = next((n for n in read if n is not None and _named([n], PLAN_SHEETS)), None)
    if plan is None:
        reason = _(
            "工作簿{path}没有名为“计划”的工作表，却还有工作表{others}：若其中是计划，请将该工作表改名为“计划”（或{names}）；若不是，请删除它后再导入"
        )
    else:
        reason = _(
            "工作簿{path}除项目和计划工作表外还有工作表{others}，无法判断其用途：请删除它，或将其内容并入项目或计划工作表后再导入"
        )
    raise Refused(
        reason.format(path=path, others=_sheet_list(others), names=_("、").join(PLAN_SHEETS))
    )


@contextmanager
def _opened(path: Path, what: str, limits: ImportSettings) -> Iterator[tuple[Workbook, date]]:
    """The workbook at `path` (and its date system's day 0), opened read-only after the zip
    checks; a workbook whose XML turns out damaged or hostile as it is read is refused."""
    from openpyxl import DEFUSEDXML, load_workbook

    if not DEFUSEDXML:
        raise Refused(_("读取xlsx工作簿需要defusedxml（安全的XML解析）：请安装后再导入"))
    data = read_bytes(path, what, limits)
    _check_zip(data, path, what, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or hostile file
        raise _unreadable(path, what, exc) from None
    try:
        yield workbook, EXCEL_1904_EPOCH if workbook.epoch.year == 1904 else EXCEL_EPOCH
    except (ParseError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        # Sheets are parsed as they are read; defusedxml's refusals are ValueErrors.
        raise _unreadable(path, what, exc) from None
    finally:
        workbook.close()


def _unreadable(path: Path, what: str, exc: Exception) -> Refused:
    from defusedxml import DefusedXmlException

    causes: list[BaseException] = [exc]
    while (cause := causes[-1].__cause__ or causes[-1].__context__) and len(causes) < 10:
        causes.append(cause)  # openpyxl wraps what the parser raised in a ValueError
    if any(isinstance(c, DefusedXmlException) for c in causes):
        return Refused(
            _(
                "{what}{path}含有XML实体或外部引用（Excel和WPS不会这样保存），出于安全考虑拒绝读取"
            ).format(what=what, path=path)
        )
    return Refused(
        _(
            "{what}{path}不是可读取的xlsx工作簿（{error}）：请用Excel或WPS另存为.xlsx后再导入"
        ).format(what=what, path=path, error=type(exc).__name__)
    )


def _check_zip(data: bytes, path: Path, what: str, limits: ImportSettings) -> None:
    """Refuse a file that is no zip, an old or encrypted workbook, or one that inflates too far."""
    if data.startswith(OLE2_MAGIC):
        raise Refused(
            _(
                "{what}{path}是旧版.xls（或.et、加密的）工作簿：请用Excel或WPS另存为不加密的.xlsx后再导入"
            ).format(what=what, path=path)
        )
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable(path, what, exc) from None
    unpacked = sum(e.file_size for e in entries)
    if unpacked > limits.max_unpacked_bytes:
        raise Refused(
            _(
                "{what}{path}解压后有{size} MB，超过上限{limit} MB（配置项[imports].max_unpacked_bytes），拒绝读取"
            ).format(
                what=what,
                path=path,
                size=unpacked // 1024 // 1024,
                limit=limits.max_unpacked_bytes // 1024 // 1024,
            )
        )


def _named(names: Sequence[str], wanted: tuple[str, ...]) -> str | None:
    """The first sheet whose name, folded as headers are, is one of `wanted`."""
    return next((n for n in names if fold_header(n) in wanted), None)


def _ignored(workbook: Workbook, name: str) -> bool:
    """Whether the sheet `name` is a note sheet or hidden: never read unless named as data."""
    return _named([name], NOTE_SHEETS) is not None or workbook[name].sheet_state != "visible"


def _has_data(sheet: ReadOnlyWorksheet) -> bool:
    sheet.reset_dimensions()
    return any(cell_text(v) for row in sheet.iter_rows(values_only=True) for v in row)


def _sheet_table(
    path: Path,
    workbook: Workbook,
    name: str,
    columns: Columns,
    epoch: date,
    limits: ImportSettings,
    problems: Problems,
) -> Table:
    """One sheet's rows as records numbered by sheet row, every row whatever its dimension.

    In a date column, a number is an Excel day number: a date cell whose Chinese format
    openpyxl does not take for a date (WPS's `yyyy"年"m"月"d"日"`, format 31 or 57).
    """
    source = _("{path}工作表“{sheet}”").format(path=path, sheet=name)
    sheet = workbook[name]
    sheet.reset_dimensions()
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)

    def cell(code: str | None, value: Any) -> str:
        if code in columns.dates and isinstance(value, int | float) and not isinstance(value, bool):
            day = excel_date(value, epoch)
            if day is not None:
                return day.isoformat()
        return cell_text(value)

    return table(source, rows, columns, limits, problems, cell)


def cell_text(value: Any) -> str:
    """A cell as the text a CSV file would hold: dates as YYYY-MM-DD, 2.0 as "2", None as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
