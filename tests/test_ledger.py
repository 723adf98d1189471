"""The progress ledger export, opened with real readers: openpyxl and Python's csv."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.conftest import Cli
from tests.factories import make_project
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

TEN_DAYS = [PlanRow("开展摸底调研", date(2027, 1, 1), date(2027, 1, 11), 1)]
DAY = date(2027, 1, 7)  # planned 60%


def _programme(ctx: AppContext) -> dict[str, int]:
    """Three active projects, green (lag 0), amber (lag 15) and red (lag 40), and one applied."""
    ids = {}
    for flag, completion in (("green", 60), ("amber", 45), ("red", 20)):
        pid = make_project(ctx, plan=TEN_DAYS, title=f"{flag}项目", unit=f"{flag}单位")
        submit(ctx, pid, DAY, {"开展摸底调研": completion})
        ids[flag] = pid
    make_project(ctx, state="applied", title="申报中项目", unit="申报单位")
    run_check(ctx, DAY)
    return ids


def test_the_xlsx_ledger_has_chinese_headers_a_frozen_header_filters_and_one_row_per_active_project(
    ctx: AppContext, ipflow: Cli, tmp_path: Path
) -> None:
    _programme(ctx)
    out = tmp_path / "台账.xlsx"
    result = ipflow("ledger", "export", "--format", "xlsx", "--output", str(out),
                    "--today", DAY.isoformat(), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["projects"] == 3
    sheet = load_workbook(out).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["项目编号", "项目类别", "项目名称", "承担单位"]
    assert "滞后（百分点）" in headers and "预警" in headers
    assert "台账日计划进度（%，仅供参考）" in headers  # P(day) beside the report's P(d)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(headers))}{sheet.max_row}"
    assert sheet.max_row == 4  # header + 3 active projects; the application is not active
    titles = {sheet.cell(row=r, column=3).value for r in range(2, 5)}
    assert titles == {"green项目", "amber项目", "red项目"}


def test_the_xlsx_flag_cells_are_coloured_and_money_is_in_yuan(
    ctx: AppContext, tmp_path: Path
) -> None:
    from workflow.reporting.ledger import export_ledger

    _programme(ctx)
    out = tmp_path / "ledger.xlsx"
    out.write_bytes(export_ledger(ctx, "xlsx", DAY).content)
    sheet = load_workbook(out).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    flag_col, lag_col = headers.index("预警") + 1, headers.index("滞后（百分点）") + 1
    budget_col = headers.index("申请金额（元）") + 1
    found = {}
    for r in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=r, column=flag_col)
        found[cell.value] = (cell.fill.fgColor.rgb, sheet.cell(row=r, column=lag_col).value)
    assert found == {
        "绿": ("00C6EFCE", 0.0),
        "黄": ("00FFEB9C", 15.0),
        "红": ("00FFC7CE", 40.0),
    }
    budget = sheet.cell(row=2, column=budget_col)
    assert budget.value == 500_000 and "元" in budget.number_format


def test_the_csv_ledger_is_utf8_with_a_byte_order_mark(ctx: AppContext, tmp_path: Path) -> None:
    from workflow.reporting.ledger import export_ledger

    _programme(ctx)
    out = tmp_path / "ledger.csv"
    ledger = export_ledger(ctx, "csv", DAY)
    out.write_bytes(ledger.content)
    assert ledger.projects == 3
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["项目名称"]: (r["预警"], r["滞后（百分点）"]) for r in rows} == {
        "green项目": ("绿", "0.00"),
        "amber项目": ("黄", "15.00"),
        "red项目": ("红", "40.00"),
    }


def test_a_project_started_after_the_days_check_is_not_in_that_days_ledger(
    ctx: AppContext, tmp_path: Path
) -> None:
    from workflow.reporting.ledger import export_ledger

    ids = _programme(ctx)
    make_project(ctx, plan=TEN_DAYS, title="检查后启动的项目")
    out = tmp_path / "ledger.csv"
    ledger = export_ledger(ctx, "csv", DAY)
    out.write_bytes(ledger.content)
    assert ledger.projects == 3
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(int(r["项目编号"]) for r in rows) == sorted(ids.values())
    assert {r["台账日期"] for r in rows} == {DAY.isoformat()}


def test_an_unwritable_output_is_refused_without_a_traceback(ipflow: Cli, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "ledger.xlsx"
    result = ipflow("ledger", "export", "--format", "xlsx", "--output", str(out))
    assert result.exit_code == 1 and "Traceback" not in result.output
