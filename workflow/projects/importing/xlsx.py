"""Reads the projects and plan sheets of an xlsx workbook into rows for workflow.projects.importing.rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.projects.importing.rows import (
    OPTIONAL_PLAN_COLUMNS,
    OPTIONAL_PROJECT_COLUMNS,
    PLAN_COLUMNS,
    PROJECT_COLUMNS,
    Problems,
    Record,
    Table,
    header_ok,
)

PROJECT_SHEETS = ("projects", "项目")
PLAN_SHEETS = ("plan", "计划")


def read_workbook(path: Path, problems: Problems) -> tuple[Table, Table | None]:
    """The projects sheet and the plan sheet (None when there is none) of the workbook `path`.

    The projects sheet is the one named "projects" or "项目" (case and spaces ignored), else
    the first sheet that is not the plan sheet; the plan sheet is named "plan" or "计划".
    Row 1 of each is the header, with the columns of the CSV files. Cells may hold text or
    real dates and numbers: a date becomes YYYY-MM-DD, a whole number loses its ".0", so the
    same checks apply as to CSV rows. Header and width problems go to `problems`.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise Refused(_("找不到项目文件{path}").format(path=path)) from None
    except OSError as exc:
        raise Refused(
            _("无法读取项目文件{path}：{reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise Refused(
            _(
                "项目文件{path}不是可读取的xlsx工作簿（{error}）：请用Excel或WPS另存为.xlsx后再导入"
            ).format(path=path, error=type(exc).__name__)
        ) from None
    try:
        names = list(workbook.sheetnames)
        plan_name = _named(names, PLAN_SHEETS)
        projects_name = _named(names, PROJECT_SHEETS) or next(
            (name for name in names if name != plan_name), None
        )
        if projects_name is None:
            raise Refused(
                _(
                    "工作簿{path}中没有项目工作表：请将项目放在名为“projects”或“项目”的工作表中"
                ).format(path=path)
            )
        projects = _table(
            path,
            projects_name,
            workbook[projects_name].iter_rows(values_only=True),
            PROJECT_COLUMNS,
            OPTIONAL_PROJECT_COLUMNS,
            problems,
        )
        plans = None
        if plan_name is not None:
            plans = _table(
                path,
                plan_name,
                workbook[plan_name].iter_rows(values_only=True),
                PLAN_COLUMNS,
                OPTIONAL_PLAN_COLUMNS,
                problems,
            )
        return projects, plans
    finally:
        workbook.close()


def _named(names: Sequence[str], wanted: tuple[str, ...]) -> str | None:
    """The first sheet whose name, trimmed and in lower case, is one of `wanted`."""
    return next((name for name in names if name.strip().lower() in wanted), None)


def _table(
    path: Path,
    sheet: str,
    rows: Iterable[Sequence[Any]],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: Problems,
) -> Table:
    """The data rows of one sheet as records numbered by sheet row; None when the header is bad."""
    source = _("{path}工作表“{sheet}”").format(path=path, sheet=sheet)
    iterator = iter(rows)
    header = [cell_text(v) for v in next(iterator, ())]
    while header and not header[-1]:
        header.pop()
    if not header_ok(header, source, required, optional, problems):
        return Table(source, None)
    records: list[Record] = []
    for number, values in enumerate(iterator, start=2):
        texts = [cell_text(v) for v in values]
        if not any(texts):
            continue
        extra = [t for t in texts[len(header) :] if t]
        if extra:
            last = max(i for i, t in enumerate(texts) if t) + 1
            problems.add(
                source,
                number,
                _("有{last}列，多于表头的{count}列").format(last=last, count=len(header)),
            )
            continue
        padded = texts + [""] * (len(header) - len(texts))
        records.append((number, {h: padded[i] for i, h in enumerate(header)}))
    return Table(source, records)


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
