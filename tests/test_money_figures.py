"""Money views keep the application apart from the grant (SPEC.md §7), through the CLI.

The city ranked first applied for 100万 and is granted 200万 by the seed's tiers (CITY_TIERS):
every view shows applied 1,000,000 against granted 2,000,000, and a full 200万 disbursement is
拨付率 100%, not the 200% of disbursed ÷ applied. After 182.8万 of spending is accepted (and
5万 found to be misuse), terminating the project recovers 200万 − 182.8万 = 17.2万.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.conftest import Cli
from tests.factories import enrol
from workflow.db.engine import transaction
from workflow.db.orm import Project
from workflow.money.figures import money_figures, money_of
from workflow.progress.store import progress_by_project, progress_of

GUIYANG = "贵阳市市场监督管理局（知识产权局）"
ZUNYI = "遵义市市场监督管理局（知识产权局）"
DIMENSIONS = (
    "patent_use,trademark,gi,data_ip,pledge,promotion,county_support,coordination,deployment"
)


class Tables(HTMLParser):
    """The paragraphs and tables (rows of cells, the header first) of a report's HTML, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._para: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "p":
            self._para = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "p" and self._para is not None:
            self.paragraphs.append("".join(self._para))
            self._para = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._para):
            if part is not None:
                part.append(data)

    def table(self, *columns: str) -> list[dict[str, str]]:
        """The rows of the first table with these columns, each by its header."""
        header, *rows = next(t for t in self.tables if set(columns) <= set(t[0]))
        return [dict(zip(header, row, strict=True)) for row in rows]

    def rates(self) -> list[float]:
        """Every rate in the tables (columns whose header ends in 率%)."""
        return [
            float(cell)
            for header, *rows in self.tables
            for row in rows
            for name, cell in zip(header, row, strict=True)
            if name.endswith("率%") and cell != "—"
        ]


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def create(ipflow: Cli, unit: str, budget: int) -> str:
    enrol(ipflow, unit, "city_ip_office")
    document = ok(
        ipflow(
            "project", "create", "--category", "capability_city", "--title", f"{unit[:3]}能力提升",
            "--unit", unit, "--start", "2027-01-01", "--end", "2027-12-31",
            "--budget", str(budget), "--json",
        )
    )  # fmt: skip
    project_id = str(json.loads(document)["id"])
    ok(ipflow("project", "advance", project_id, "screen"))
    return project_id


@pytest.fixture
def first(ipflow: Cli, tmp_path: Path) -> str:
    """Guiyang ranked first (applied 100万, granted 200万), started, with two budget lines."""
    guiyang = create(ipflow, GUIYANG, 1_000_000)
    create(ipflow, ZUNYI, 1_000_000)
    scores = tmp_path / "scores.csv"
    scores.write_text(
        f"unit,{DIMENSIONS}\n{GUIYANG},{','.join(['9'] * 9)}\n{ZUNYI},{','.join(['8'] * 9)}\n",
        encoding="utf-8",
    )
    ranked = json.loads(
        ok(ipflow("city", "rank", "--year", "2027", "--scores", str(scores), "--approve", "--json"))
    )
    assert [(r["unit"], r["rank"], r["amount"]) for r in ranked] == [
        (GUIYANG, 1, 2_000_000),
        (ZUNYI, 2, 1_000_000),
    ]
    ok(ipflow("project", "advance", guiyang, "start"))
    ok(ipflow("budget", "set", guiyang, "--line", "设备费=1000000", "--line", "劳务费=1000000"))
    return guiyang


def disburse_all(ipflow: Cli, project_id: str) -> None:
    ok(ipflow("disburse", project_id, "--date", "2027-02-01", "--amount", "2000000",
              "--stage", "全额拨付"))  # fmt: skip


def spend(ipflow: Cli, project_id: str) -> None:
    """182.8万 accepted on the two lines, and 5万 of entertainment found to be misuse."""
    for line, day, amount, decision in (
        ("设备费", "2027-03-01", 900_000, "accept"),
        ("劳务费", "2027-03-02", 928_000, "accept"),
        ("招待费", "2027-03-03", 50_000, "misuse"),
    ):
        added = ipflow("expense", "add", project_id, "--line", line, "--date", day,
                       "--amount", str(amount), "--description", f"{line}支出", "--json")  # fmt: skip
        expense_id = str(json.loads(ok(added))["id"])
        ok(ipflow("expense", "review", expense_id, "--decision", decision, "--note", "审核"))


def money(ipflow: Cli, *command: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ok(ipflow(*command, "--json")))["money"]
    return document


def ledger(ipflow: Cli, tmp_path: Path, project_id: str) -> dict[str, str]:
    """The project's row in the ledger of 2027-04-15 (the projects that day's check recorded)."""
    out = tmp_path / "ledger.csv"
    ok(ipflow("ledger", "export", "--format", "csv", "--output", str(out),
              "--today", "2027-04-15"))  # fmt: skip
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    [row] = [r for r in rows if r["项目编号"] == project_id]
    return row


def report(ipflow: Cli, tmp_path: Path, kind: str, period: str) -> Tables:
    out = tmp_path / f"{kind}.html"
    ok(ipflow("report", "periodic", "--kind", kind, "--period", period, "--output", str(out)))
    parsed = Tables()
    parsed.feed(out.read_text(encoding="utf-8"))
    return parsed


def test_before_any_grant_a_project_shows_its_application_and_no_rate(ipflow: Cli) -> None:
    project_id = create(ipflow, GUIYANG, 1_000_000)
    assert money(ipflow, "project", "show", project_id) == {
        "applied": 1_000_000,
        "granted": 0,
        "disbursed": 0,
        "spent": 0,
        "accepted": 0,
        "recovered": 0,
        "disbursed_rate": None,
        "spent_rate": None,
    }
    text = ok(ipflow("project", "show", project_id))
    assert "申请金额1,000,000元，核定资助0元" in text and "拨付率—" in text


def test_the_city_ranked_first_shows_100_wan_applied_against_200_wan_granted(
    ipflow: Cli, first: str, tmp_path: Path
) -> None:
    granted = money(ipflow, "project", "show", first)
    assert (granted["applied"], granted["granted"], granted["disbursed_rate"]) == (
        1_000_000,
        2_000_000,
        0.0,
    )
    disburse_all(ipflow, first)
    spend(ipflow, first)
    figures = {
        "applied": 1_000_000,
        "granted": 2_000_000,
        "disbursed": 2_000_000,
        "spent": 1_878_000,
        "accepted": 1_828_000,
        "recovered": 0,
        "disbursed_rate": 100.0,
        "spent_rate": 93.9,
    }
    assert money(ipflow, "project", "show", first) == figures
    assert money(ipflow, "budget", "show", first) == figures
    listed = json.loads(ok(ipflow("project", "list", "--json")))
    assert next(p["money"] for p in listed if str(p["id"]) == first) == figures
    shown = ok(ipflow("project", "show", first))
    assert "申请金额1,000,000元，核定资助2,000,000元" in shown
    assert "已拨付2,000,000元（拨付率100.00%）" in shown
    assert "已支出1,878,000元（支出率93.90%），其中审核认可1,828,000元" in shown
    assert "拨付率100.00%" in ok(ipflow("budget", "show", first))

    ok(ipflow("check", "run", "--today", "2027-04-15"))
    row = ledger(ipflow, tmp_path, first)
    assert {
        k: row[k] for k in ("申请金额（元）", "核定资助（元）", "已拨付（元）", "拨付率（%）")
    } == {
        "申请金额（元）": "1000000",
        "核定资助（元）": "2000000",
        "已拨付（元）": "2000000",
        "拨付率（%）": "100.00",
    }

    fund_use = report(ipflow, tmp_path, "fund-use", "2027H1")
    overview = fund_use.paragraphs[0]
    assert "申请金额合计1,000,000元，核定资助合计2,000,000元" in overview
    assert "已拨付2,000,000元，拨付率100.00%" in overview
    [detail] = [r for r in fund_use.table("编号", "拨付率%") if r["编号"] == first]
    assert {k: detail[k] for k in ("申请金额", "核定资助", "已拨付", "拨付率%", "已收回")} == {
        "申请金额": "1,000,000",
        "核定资助": "2,000,000",
        "已拨付": "2,000,000",
        "拨付率%": "100.00",
        "已收回": "0",
    }
    assert max(fund_use.rates()) == 100.0

    performance = report(ipflow, tmp_path, "performance", "2027")
    classes = {r["评价类别"]: r for r in performance.table("评价类别", "资金拨付率%")}
    city = classes["知识产权转化运用能力项目（省级）和（市州级）"]
    assert city["核定资助"] == "2,000,000"
    assert city["资金拨付率%"] == classes["合计"]["资金拨付率%"] == "100.00"  # was 200: ÷ applied
    assert max(performance.rates()) == 100.0


def test_a_claw_back_of_172_000_is_shown_as_recovered_in_every_view(
    ipflow: Cli, first: str, tmp_path: Path
) -> None:
    disburse_all(ipflow, first)
    spend(ipflow, first)
    ok(ipflow("check", "run", "--today", "2027-04-15"))
    ok(ipflow("project", "advance", first, "terminate", "--note", "终止并收回结余"))
    recovered = {
        "applied": 1_000_000,
        "granted": 2_000_000,
        "disbursed": 2_000_000,
        "spent": 1_878_000,
        "accepted": 1_828_000,
        "recovered": 172_000,
        "disbursed_rate": 100.0,
        "spent_rate": 93.9,
    }
    assert money(ipflow, "project", "show", first) == recovered
    assert money(ipflow, "budget", "show", first) == recovered
    assert "已收回172,000元" in ok(ipflow("project", "show", first))
    assert "已收回172,000元" in ok(ipflow("budget", "show", first))
    row = ledger(ipflow, tmp_path, first)  # the check recorded it before the termination
    assert (row["核定资助（元）"], row["拨付率（%）"], row["已收回（元）"]) == (
        "2000000",
        "100.00",
        "172000",
    )

    fund_use = report(ipflow, tmp_path, "fund-use", "2027H1")
    assert "已收回172,000元" in fund_use.paragraphs[0]
    [detail] = [r for r in fund_use.table("编号", "拨付率%") if r["编号"] == first]
    assert (detail["拨付率%"], detail["审核认可"], detail["已收回"]) == (
        "100.00",
        "1,828,000",
        "172,000",
    )
    assert any("本期决算收回资金1笔，合计172,000元" in p for p in fund_use.paragraphs)
    [account] = fund_use.table("收回金额")
    assert account == {
        "编号": first,
        "项目名称": "贵阳市能力提升",
        "决算日期": "2027-04-15",
        "核定资助": "2,000,000",
        "已拨付": "2,000,000",
        "审核认可支出": "1,828,000",
        "收回金额": "172,000",
    }


def test_an_award_is_granted_from_its_day_so_the_day_before_shows_no_grant_and_no_rate(
    ipflow: Cli,
) -> None:
    created = ipflow("project", "create", "--category", "data_ip_leader", "--title", "数据领军",
                     "--unit", "贵州数据宝", "--start", "2027-01-01", "--end", "2029-12-31",
                     "--budget", "300000", "--json")  # fmt: skip
    project_id = str(json.loads(ok(created))["id"])
    for trigger in ("screen", "approve", "start"):
        ok(ipflow("project", "advance", project_id, trigger))
    ipflow.today = date(2028, 1, 10)  # the first evaluation, after one full year
    ok(ipflow("project", "advance", project_id, "review"))
    ok(ipflow("project", "advance", project_id, "enter_library"))
    ipflow.today = date(2029, 1, 10)  # the second, after two
    ok(ipflow("project", "advance", project_id, "review"))
    ok(ipflow("project", "advance", project_id, "award", "--amount", "100000"))
    before = money(ipflow, "budget", "show", project_id, "--as-of", "2029-01-09")
    assert (before["applied"], before["granted"], before["disbursed"]) == (300_000, 0, 0)
    assert before["disbursed_rate"] is None
    after = money(ipflow, "budget", "show", project_id)
    assert (after["granted"], after["disbursed"], after["disbursed_rate"]) == (
        100_000,
        100_000,
        100.0,
    )


def test_the_pages_prebuilt_statements_give_the_figures_of_the_statements_built_per_call(
    ipflow: Cli, first: str, engine: Engine
) -> None:
    """`money_of` and `progress_of` (built once, day and ids bound) against `money_figures` and
    `progress_by_project` (built per call) on the same projects, on days before, between and
    after the grant, the payment, the spending, the termination and an award."""
    disburse_all(ipflow, first)
    spend(ipflow, first)
    ok(ipflow("report", "submit", first, "--date", "2027-03-31", "--progress", "项目实施=40"))
    ok(ipflow("project", "advance", first, "terminate", "--note", "终止并收回结余"))
    created = ipflow("project", "create", "--category", "data_ip_leader", "--title", "数据领军",
                     "--unit", "贵州数据宝", "--start", "2027-01-01", "--end", "2029-12-31",
                     "--budget", "300000", "--json")  # fmt: skip
    leader = int(json.loads(ok(created))["id"])
    for trigger in ("screen", "approve", "start"):
        ok(ipflow("project", "advance", str(leader), trigger))
    ipflow.today = date(2028, 1, 10)
    ok(ipflow("project", "advance", str(leader), "review"))
    ok(ipflow("project", "advance", str(leader), "enter_library"))
    ipflow.today = date(2029, 1, 10)
    ok(ipflow("project", "advance", str(leader), "review"))
    ok(ipflow("project", "advance", str(leader), "award", "--amount", "100000"))
    ids = [int(first), leader, 999_999]
    with transaction(engine) as session:
        for day in (date(2027, 1, 15), date(2027, 4, 15), date(2029, 1, 9), date(2029, 1, 10)):
            built = money_figures(session, day, [Project.id.in_(ids)])
            assert money_of(session, day, ids) == built
            progress = progress_by_project(session, day, [Project.id.in_(ids)])
            assert progress_of(session, day, ids) == progress
        assert built[leader].granted == 100_000 and built[int(first)].recovered == 172_000
        assert progress[int(first)].actual is not None
