"""The past as it was: the ledger and periodic reports of a day or period, and the flag of a day.

Every step runs through the command line on its own day (IPFLOW_TODAY), so the projects'
histories are dated as in real use.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import Result
from sqlalchemy import Engine

from tests.conftest import Cli, database_dump
from tests.factories import enrol_university

START, END = date(2027, 1, 1), date(2028, 12, 31)
TASK = "全期任务"


def run(db_url: str, day: date, *args: str) -> Result:
    """`ipflow ARGS` typed on `day`; it must succeed."""
    result = Cli(db_url, day)(*args)
    assert result.exit_code == 0, (args, result.output)
    return result


def started(db_url: str, tmp_path: Path, title: str, start: date = START, end: date = END) -> int:
    """A high_value_patent project with one task over its term, applied and approved in the
    December before and started on its first day."""
    plan = tmp_path / f"{title}.csv"
    plan.write_text(f"task,start,due,weight\n{TASK},{start},{end},1\n", encoding="utf-8")
    applied = date(start.year - 1, 12, 1)
    enrol_university(Cli(db_url, applied), f"{title}单位")
    created = run(db_url, applied, "project", "create", "--category", "high_value_patent",
                  "--title", title, "--unit", f"{title}单位", "--start", str(start),
                  "--end", str(end), "--budget", "500000", "--plan", str(plan), "--json")  # fmt: skip
    project_id = int(json.loads(created.stdout)["id"])
    for trigger in ("screen", "approve"):
        run(db_url, applied, "project", "advance", str(project_id), trigger)
    run(db_url, start, "project", "advance", str(project_id), "start")
    return project_id


def reported(db_url: str, project_id: int, day: date, percent: int) -> None:
    """The unit reports `percent` on `day`, typed that day."""
    run(db_url, day, "report", "submit", str(project_id), "--date", str(day),
        "--progress", f"{TASK}={percent}")  # fmt: skip


def checked(db_url: str, day: date) -> None:
    run(db_url, day, "check", "run", "--today", str(day))


def ledger(db_url: str, today: date, out: Path, *args: str) -> list[dict[str, str]]:
    run(db_url, today, "ledger", "export", "--format", "csv", "--output", str(out), *args)
    return list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))


class ReportPage(HTMLParser):
    """The paragraphs and the tables (caption → rows of cells) of a periodic report's HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._tag: str | None = None
        self._caption = ""
        self._row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        if tag == "p":
            self.paragraphs.append("")
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.tables.setdefault(self._caption, []).append(self._row)
            self._row = None
        self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag == "p":
            self.paragraphs[-1] += data
        elif self._tag == "caption":
            self._caption += data
        elif self._tag in ("td", "th") and self._row is not None:
            self._row[-1] += data

    def table(self, caption: str) -> list[dict[str, str]]:
        """The table's body rows, each a dict by column header."""
        header, *rows = self.tables[caption]
        return [dict(zip(header, row, strict=True)) for row in rows]


def periodic(db_url: str, today: date, out: Path, kind: str, period: str) -> ReportPage:
    run(db_url, today, "report", "periodic", "--kind", kind, "--period", period,
        "--output", str(out))  # fmt: skip
    return ReportPage(out.read_text(encoding="utf-8"))


def test_the_ledger_of_a_past_day_lists_a_project_ended_since_with_that_days_flag(
    db_url: str, tmp_path: Path
) -> None:
    closed = started(db_url, tmp_path, "甲项目")
    for day, percent in ((date(2027, 3, 31), 10), (date(2027, 6, 30), 20),
                         (date(2027, 9, 30), 25), (date(2027, 12, 31), 30)):  # fmt: skip
        reported(db_url, closed, day, percent)
    checked(db_url, date(2027, 12, 31))  # planned 364/730 = 49.86%, actual 30%: amber
    later = started(db_url, tmp_path, "乙项目", date(2028, 1, 1), date(2029, 12, 31))
    run(db_url, date(2028, 1, 20), "project", "advance", str(closed), "terminate",
        "--note", "承担单位申请终止")  # fmt: skip
    checked(db_url, date(2028, 2, 1))

    year_end = ledger(db_url, date(2028, 2, 1), tmp_path / "2027.csv", "--today", "2027-12-31")

    assert [
        (r["项目编号"], r["项目状态"], r["预警"], r["滞后（百分点）"], r["台账日期"])
        for r in year_end
    ] == [(str(closed), "实施中", "黄", "19.86", "2027-12-31")]
    now = ledger(db_url, date(2028, 2, 1), tmp_path / "now.csv")
    assert [(r["项目编号"], r["台账日期"]) for r in now] == [(str(later), "2028-02-01")]


def test_a_ledger_for_a_day_after_today_or_before_any_check_is_refused(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    project_id = started(db_url, tmp_path, "甲项目")
    out = tmp_path / "ledger.csv"
    export = ("ledger", "export", "--format", "csv", "--output", str(out))
    before = database_dump(engine)

    never = Cli(db_url, date(2027, 4, 15))(*export)

    assert never.exit_code == 1 and "尚未完成过每日检查" in never.stderr
    assert not out.exists() and database_dump(engine) == before
    reported(db_url, project_id, date(2027, 3, 31), 10)
    checked(db_url, date(2027, 3, 31))
    before = database_dump(engine)
    earlier = Cli(db_url, date(2027, 4, 15))(*export, "--today", "2027-03-30")
    future = Cli(db_url, date(2027, 4, 15))(*export, "--today", "2027-04-16")

    assert earlier.exit_code == 1
    assert "2027-03-30及以前没有完成的每日检查（最早一次是2027-03-31）" in earlier.stderr
    assert future.exit_code == 1 and "台账日期2027-04-16晚于今天（2027-04-15）" in future.stderr
    # One paragraph, after the note that IPFLOW_TODAY fixes the date.
    assert sum(not line.startswith("注意：") for line in earlier.stderr.splitlines()) == 1
    assert not out.exists() and database_dump(engine) == before


def test_the_h2_fund_use_report_lists_the_misuse_case_its_summary_counts(
    db_url: str, tmp_path: Path
) -> None:
    misused = started(db_url, tmp_path, "甲项目")
    other = started(db_url, tmp_path, "乙项目")
    expenses: list[dict[str, Any]] = []
    for project_id, spending in (
        (misused, [("设备费", "2027-02-15", "50000"), ("接待费", "2027-02-15", "18000")]),
        (other, [("设备费", "2027-08-01", "30000")]),
    ):
        run(db_url, date(2027, 1, 5), "budget", "set", str(project_id),
            "--line", "设备费=300000", "--line", "劳务费=200000")  # fmt: skip
        run(db_url, date(2027, 1, 20), "disburse", str(project_id), "--date", "2027-01-20",
            "--amount", "250000", "--stage", "首期拨付")  # fmt: skip
        for line, day, amount in spending:
            added = run(db_url, date.fromisoformat(day), "expense", "add", str(project_id),
                        "--line", line, "--date", day, "--amount", amount,
                        "--description", "项目支出", "--json")  # fmt: skip
            expenses.append(json.loads(added.stdout))
    run(db_url, date(2027, 9, 30), "expense", "review", str(expenses[1]["id"]),
        "--decision", "misuse", "--note", "预算科目外接待支出，认定违规挪用")  # fmt: skip
    checked(db_url, date(2027, 9, 30))
    run(db_url, date(2027, 10, 15), "project", "advance", str(misused), "terminate",
        "--note", "违规挪用资金")  # fmt: skip

    page = periodic(db_url, date(2028, 1, 5), tmp_path / "h2.html", "fund-use", "2027H2")

    summary = "".join(page.paragraphs)
    assert "报告期内实施项目2个（含期内结束的1个）" in summary
    assert "已支出98,000元" in summary
    assert "认定为违规挪用的支出1笔，合计18,000元" in summary
    details = {
        r["编号"]: (r["已支出"], r["疑点支出"]) for r in page.table("表2 项目资金明细（元）")
    }
    assert details == {str(misused): ("68,000", "18,000"), str(other): ("30,000", "0")}
    [case] = page.table("表3 认定为违规挪用的支出（元）")
    assert (case["编号"], case["科目"], case["金额"], case["认定日期"]) == (
        str(misused),
        "接待费",
        "18,000",
        "2027-09-30",
    )


def test_a_report_for_a_period_not_yet_begun_is_refused_and_writes_nothing(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    started(db_url, tmp_path, "甲项目")
    out = tmp_path / "2030Q1.html"
    before = database_dump(engine)

    result = Cli(db_url, date(2027, 4, 15))(
        "report", "periodic", "--kind", "quarterly", "--period", "2030Q1", "--output", str(out)
    )

    assert result.exit_code == 1
    assert "2030年第一季度尚未开始（今天是2027-04-15）" in result.stderr
    assert not out.exists() and database_dump(engine) == before


def test_the_quarterly_report_counts_no_deadline_of_a_withdrawn_or_rejected_project(
    db_url: str, tmp_path: Path
) -> None:
    active = started(db_url, tmp_path, "甲项目")
    for title, trigger in (("撤回项目", "withdraw"), ("落选项目", "reject")):
        enrol_university(Cli(db_url, date(2026, 12, 1)), f"{title}单位")
        made = run(db_url, date(2026, 12, 1), "project", "create", "--category",
                   "high_value_patent", "--title", title, "--unit", f"{title}单位",
                   "--start", str(START), "--end", str(END), "--budget", "500000", "--json")  # fmt: skip
        run(db_url, date(2026, 12, 10), "project", "advance",
            str(json.loads(made.stdout)["id"]), trigger)  # fmt: skip
    reported(db_url, active, date(2027, 9, 30), 30)

    page = periodic(db_url, date(2027, 10, 20), tmp_path / "q3.html", "quarterly", "2027Q3")

    # One report falls due in Q3 for each project of the term; only the running one owes it.
    assert "本季度应交季度报告1份，实际提交1份" in "".join(page.paragraphs)
    assert [r["项目名称"] for r in page.table("表2 项目任务执行明细")] == ["甲项目"]


def test_project_show_and_list_give_the_flag_of_the_latest_check_on_or_before_today(
    db_url: str, tmp_path: Path
) -> None:
    project_id = started(db_url, tmp_path, "甲项目")
    reported(db_url, project_id, date(2027, 3, 31), 10)  # planned 12.19%: green
    checked(db_url, date(2027, 3, 31))
    reported(db_url, project_id, date(2027, 6, 30), 12)  # planned 24.66%: lag 12.66, amber
    checked(db_url, date(2027, 6, 30))

    def flag_on(day: date) -> tuple[tuple[str, str], tuple[str, str]]:
        shown = json.loads(run(db_url, day, "project", "show", str(project_id), "--json").stdout)
        [listed] = json.loads(run(db_url, day, "project", "list", "--json").stdout)
        return (shown["flag"], shown["flag_date"]), (listed["flag"], listed["flag_date"])

    assert flag_on(date(2027, 5, 1)) == (("green", "2027-03-31"),) * 2
    assert flag_on(date(2027, 7, 1)) == (("amber", "2027-06-30"),) * 2
