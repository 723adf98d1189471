"""Periodic reports and letter PDFs, read back with pdftotext: titles, figures, Chinese intact."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.factories import make_project
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.letters.actions import list_letters
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit
from workflow.reporting.periodic import build_report, parse_period

# planned on 2027-02-28 is 58/364 = 15.93%; a 5% report that day lags 10.93 points (amber, one
# letter), still the lag that counts on 03-01.
YEAR = [PlanRow("全年任务", date(2027, 1, 1), date(2027, 12, 31), 1)]


def _pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, without the line breaks of the layout."""
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return "".join(text.split())


@pytest.fixture
def behind(ctx: AppContext) -> int:
    project_id = make_project(ctx, plan=YEAR, title="磷化工高价值专利培育")
    submit(ctx, project_id, date(2027, 2, 28), {"全年任务": 5})
    for day in (date(2027, 2, 28), date(2027, 3, 1)):
        run_check(ctx, day)
    return project_id


def test_periods_are_read_as_quarters_half_years_and_years() -> None:
    q3 = parse_period("2027Q3")
    assert (q3.first, q3.last, q3.label) == (date(2027, 7, 1), date(2027, 9, 30), "2027年第三季度")
    h2 = parse_period("2027H2")
    assert (h2.first, h2.last, h2.label) == (date(2027, 7, 1), date(2027, 12, 31), "2027年下半年")
    assert parse_period("2027").last == date(2027, 12, 31)
    with pytest.raises(Refused):
        parse_period("2027Q5")


def test_a_report_for_the_wrong_kind_of_period_is_refused(ctx: AppContext) -> None:
    with pytest.raises(Refused, match="2027Q3"):
        build_report(ctx, "quarterly", "2027")


def test_the_quarterly_pdf_names_the_project_and_its_figures_in_chinese(
    ctx: AppContext, behind: int, ipflow: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "季报.pdf"
    result = ipflow("report", "periodic", "--kind", "quarterly", "--period", "2027Q1",
                    "--output", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    text = _pdf_text(out)
    assert "2027年第一季度项目任务执行季度报告" in text
    assert "磷化工高价值专利培育" in text
    assert "10.93" in text and "15.93" in text  # lag and planned progress of the 02-28 report
    assert "黔知运预〔2027〕1号" in text


def test_the_risk_report_lists_the_amber_project_with_its_reason(
    ctx: AppContext, behind: int, tmp_path: Path
) -> None:
    from workflow.reporting.periodic import render_report

    out = tmp_path / "risk.pdf"
    out.write_bytes(render_report(ctx, "risk", "2027H1", "pdf"))
    text = _pdf_text(out)
    assert "2027年上半年项目风险评估报告" in text
    assert "进度滞后10.93个百分点" in text


def test_the_performance_report_has_an_overall_table_and_one_section_per_class(
    ctx: AppContext, behind: int
) -> None:
    make_project(ctx, category="strong_enterprise", unit="贵州茅台酒厂", title="强企培育")
    report = build_report(ctx, "performance", "2027")
    headings = [s.heading for s in report.sections]
    assert len(headings) == 9  # the overall report and the eight default classes, empty or not
    assert headings[:4] == [
        "一、绩效评价总报告",
        "二、分类评价报告：高价值专利培育项目",
        "三、分类评价报告：数据知识产权领军企业",
        "四、分类评价报告：知识产权强企培育项目",
    ]
    overall = report.sections[0].tables[0]
    assert overall["columns"][-1] == "评价等级"
    assert [row[0] for row in overall["rows"]][-1] == "合计"


def test_the_fund_use_report_says_so_when_there_is_no_money_yet(
    ctx: AppContext, behind: int
) -> None:
    report = build_report(ctx, "fund-use", "2027H1")
    assert "本期尚无拨付和支出记录" in "".join(report.sections[0].paragraphs)


def test_a_letter_as_pdf_is_an_a4_page_with_its_number_and_figures(
    ctx: AppContext, behind: int, ipflow: Cli, tmp_path: Path
) -> None:
    [letter] = list_letters(ctx, None)
    out = tmp_path / "letter.pdf"
    result = ipflow("letters", "show", str(letter.id), "--format", "pdf", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = _pdf_text(out)
    assert "预警告知书" in text and "黔知运预〔2027〕1号" in text
    assert "磷化工高价值专利培育" in text and "10.93" in text  # the lag on 2027-02-28
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert "595.276 x 841.89" in info.stdout  # A4 in points


def test_a_letter_as_pdf_without_an_output_file_is_a_usage_error(
    ctx: AppContext, behind: int, ipflow: Cli
) -> None:
    [letter] = list_letters(ctx, None)
    assert ipflow("letters", "show", str(letter.id), "--format", "pdf").exit_code == 2
