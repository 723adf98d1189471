"""The contractor's other duties (seed 004 line 107 ③ 预算合规执行监管, line 108 ②), through the CLI.

A 50万 high-value-patent project of 2027 (设备费 20万, 劳务费 15万, 专利费 15万) is approved in
December 2026. On 2027-01-04, before it starts, the contractor reviews its budget: revise, with
two optimisation suggestions and 5万 moved from 设备费 to a new 专利运营费 line (事前建议). It is
paid 50万, spends 38万 (all accepted) and passes acceptance on 2028-01-10: the final accounts
give a balance of 50万 − 38万 = 12万, carried over, nothing recovered, and the contractor's fund
summary evaluation (事后评价) shows those figures, 认可支出率 76%. Three risk points of 2027H2 —
one high, two medium, one of them closed in November — make the 2027H2 risk report's register
(风险点台账); a point closed in H1 and one found in 2028 stay out of it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import enrol
from tests.test_money_figures import Tables

UNIT = "贵州某磷化工有限公司"
CHAIN_LEADER = "chain_leader=yes"
"""What lets the enterprises below lead high_value_patent (states.eligibility)."""
OTHER_UNIT = "遵义某新材料有限公司"
LINES = ("设备费=200000", "劳务费=150000", "专利费=150000")
SUGGESTIONS = (
    "检测设备以租代购，设备费压减5万元",
    "增列专利运营费5万元，用于专利开放许可与转化对接",
)
REVIEW_DAY = date(2027, 1, 4)
SPENDING = (
    ("设备费", "2027-03-01", 90_000),
    ("劳务费", "2027-03-15", 80_000),
    ("设备费", "2027-05-10", 90_000),
    ("劳务费", "2027-07-15", 60_000),
    ("专利费", "2027-09-01", 60_000),
)
"""38万 of ordinary spending: each item under 10万 and within its line, so each is accepted."""
REPORTS = ((date(2027, 3, 31), 25), (date(2027, 6, 30), 50), (date(2027, 9, 30), 75),
           (date(2027, 12, 31), 100))  # fmt: skip
ACCEPTED_ON = date(2028, 1, 10)
EVALUATED_ON = date(2028, 1, 15)


def at(ipflow: Cli, day: date, *args: str) -> Result:
    """Run `ipflow ARGS` with the clock on `day`."""
    ipflow.today = day
    return ipflow(*args)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def document(result: Result) -> Any:
    return json.loads(ok(result))


def refused(ipflow: Cli, engine: Engine, day: date, *args: str, denied: bool = False) -> str:
    """Run a command that must be refused: exit 1, one paragraph, the database unchanged (but
    for the refusal-log row of a `denied` permission)."""
    before = database_dump(engine)
    result = at(ipflow, day, *args)
    assert result.exit_code == 1, result.output
    message = without_clock_notice(result.stderr)
    assert "\n" not in message and "Traceback" not in result.output, message
    after = database_dump(engine)
    logged = len(after.pop("refusal_log")) - len(before.pop("refusal_log"))
    assert (after, logged) == (before, 1 if denied else 0)
    return message


def create(ipflow: Cli, unit: str = UNIT, title: str = "磷石膏资源化利用高价值专利培育") -> str:
    """A 50万 high-value-patent project of 2027, applied for on 2026-12-01 by a chain leader."""
    enrol(lambda *args: at(ipflow, date(2026, 12, 1), *args), unit, "enterprise", CHAIN_LEADER)
    created = at(ipflow, date(2026, 12, 1), "project", "create", "--category", "high_value_patent",
                 "--title", title, "--unit", unit, "--start", "2027-01-01", "--end", "2027-12-31",
                 "--budget", "500000", "--json")  # fmt: skip
    return str(document(created)["id"])


def approved(ipflow: Cli, unit: str = UNIT) -> str:
    """The project approved on 2026-12-15 with its three budget lines."""
    project_id = create(ipflow, unit)
    for trigger in ("screen", "approve"):
        ok(at(ipflow, date(2026, 12, 15), "project", "advance", project_id, trigger))
    ok(at(ipflow, date(2026, 12, 15), "budget", "set", project_id, *(
        a for line in LINES for a in ("--line", line))))  # fmt: skip
    return project_id


def review(project_id: str, *extra: str) -> list[str]:
    """`budget review` with the two suggestions and 5万 moved to 专利运营费."""
    return ["budget", "review", project_id, "--opinion", "revise",
            *(a for s in SUGGESTIONS for a in ("--suggestion", s)),
            "--line", "设备费=150000", "--line", "专利运营费=50000", *extra]  # fmt: skip


@pytest.fixture
def reviewed(ipflow: Cli) -> str:
    project_id = approved(ipflow)
    ok(at(ipflow, REVIEW_DAY, *review(project_id)))
    return project_id


def carried_out(ipflow: Cli, project_id: str) -> None:
    """Started, paid 50万, 38万 spent and accepted, every quarterly report in, accepted."""
    ok(at(ipflow, date(2027, 1, 5), "project", "advance", project_id, "start"))
    ok(at(ipflow, date(2027, 1, 10), "disburse", project_id, "--date", "2027-01-10",
          "--amount", "500000", "--stage", "全额拨付"))  # fmt: skip
    for line, day, amount in SPENDING:
        booked = document(at(ipflow, date.fromisoformat(day), "expense", "add", project_id,
                             "--line", line, "--date", day, "--amount", str(amount),
                             "--description", f"{line}支出", "--json"))  # fmt: skip
        assert booked["status"] == "accepted"
    for day, pct in REPORTS:
        ok(at(ipflow, day, "report", "submit", project_id, "--date", day.isoformat(),
              "--progress", f"项目实施={pct}"))  # fmt: skip
    ok(at(ipflow, ACCEPTED_ON, "project", "advance", project_id, "request_acceptance"))


def report(ipflow: Cli, tmp_path: Path, day: date, kind: str, period: str) -> Tables:
    out = tmp_path / f"{kind}-{period}.html"
    ok(at(ipflow, day, "report", "periodic", "--kind", kind, "--period", period,
          "--output", str(out)))  # fmt: skip
    parsed = Tables()
    parsed.feed(out.read_text(encoding="utf-8"))
    return parsed


# ------------------------------------------------------------- the budget review (事前建议)


def test_the_review_before_implementation_is_shown_in_budget_show_and_the_fund_use_report(
    ipflow: Cli, reviewed: str, tmp_path: Path
) -> None:
    shown = document(at(ipflow, REVIEW_DAY, "budget", "show", reviewed, "--json"))
    assert shown["review"] == {
        "id": 1,
        "project_id": int(reviewed),
        "day": "2027-01-04",
        "opinion": "revise",
        "reviewed_lines": {"设备费": 200_000, "劳务费": 150_000, "专利费": 150_000},
        "suggestions": list(SUGGESTIONS),
        "suggested_lines": {"设备费": 150_000, "专利运营费": 50_000},
        "actor": "tester",
    }
    text = ok(at(ipflow, REVIEW_DAY, "budget", "show", reviewed))
    assert "事前预算审核（2027-01-04，tester）：建议调整" in text
    assert f"优化建议1：{SUGGESTIONS[0]}" in text and f"优化建议2：{SUGGESTIONS[1]}" in text
    assert (
        "建议设备费：150,000元（原200,000元）" in text
        and "建议专利运营费：50,000元（新增）" in text
    )
    # Before the review's day there was none.
    assert document(at(ipflow, REVIEW_DAY, "budget", "show", reviewed, "--as-of", "2027-01-03",
                       "--json"))["review"] is None  # fmt: skip

    fund_use = report(ipflow, tmp_path, date(2027, 7, 5), "fund-use", "2027H1")
    assert "本期完成事前预算审核1项，其中同意0项、建议调整1项，提出预算优化建议2条。" in (
        fund_use.paragraphs
    )
    [row] = fund_use.table("审核意见", "预算优化建议")
    assert row == {
        "编号": reviewed,
        "项目名称": "磷石膏资源化利用高价值专利培育",
        "审核日期": "2027-01-04",
        "审核意见": "建议调整",
        "预算优化建议": f"1. {SUGGESTIONS[0]}；2. {SUGGESTIONS[1]}",
        "建议调整科目": "设备费 200,000→150,000；专利运营费 新增50,000",
    }
    later = report(ipflow, tmp_path, date(2028, 1, 5), "fund-use", "2027H2")
    assert "本期完成事前预算审核0项，其中同意0项、建议调整0项，提出预算优化建议0条。" in (
        later.paragraphs
    )


def test_an_approving_review_needs_no_suggestion_and_a_later_review_is_the_one_shown(
    ipflow: Cli, reviewed: str
) -> None:
    again = document(at(ipflow, date(2027, 1, 5), "budget", "review", reviewed,
                        "--opinion", "approve", "--json"))  # fmt: skip
    assert (again["opinion"], again["suggestions"], again["suggested_lines"]) == ("approve", [], {})
    shown = document(at(ipflow, date(2027, 1, 5), "budget", "show", reviewed, "--json"))
    assert shown["review"]["id"] == again["id"]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["budget", "review", "999", "--opinion", "approve"], "没有编号为999的项目"),
        (["budget", "review", "{id}", "--opinion", "maybe"], "审核意见须为 approve（同意）或 revise"),
        (["budget", "review", "{id}", "--opinion", "revise"], "须提出预算优化建议"),
        (["budget", "review", "{id}", "--opinion", "approve", "--line", "设备费=150000"],
         "审核意见为同意时不能建议调整科目金额"),
        (["budget", "review", "{id}", "--opinion", "revise", "--line", "设备费=150000"],
         "按建议调整后的预算合计450000元，须等于项目承诺资助额500000元"),
        (["budget", "review", "{id}", "--opinion", "revise", "--suggestion", "  "],
         "预算优化建议不能为空"),
    ],
)  # fmt: skip
def test_a_bad_review_is_refused_and_changes_nothing(
    ipflow: Cli, engine: Engine, args: list[str], reason: str
) -> None:
    project_id = approved(ipflow)
    message = refused(ipflow, engine, REVIEW_DAY, *(a.format(id=project_id) for a in args))
    assert reason in message


def test_the_budget_is_reviewed_before_implementation_only_and_once_its_lines_are_set(
    ipflow: Cli, engine: Engine
) -> None:
    started = approved(ipflow)
    ok(at(ipflow, date(2027, 1, 5), "project", "advance", started, "start"))
    message = refused(ipflow, engine, date(2027, 1, 6), *review(started))
    assert f"项目#{started}当前状态为in_progress：事前预算审核在立项后、开始实施前进行" in message

    without_lines = create(ipflow, OTHER_UNIT, "无预算科目的项目")
    for trigger in ("screen", "approve"):
        ok(at(ipflow, date(2026, 12, 15), "project", "advance", without_lines, trigger))
    message = refused(ipflow, engine, REVIEW_DAY, *review(without_lines))
    assert f"项目#{without_lines}尚未设定预算科目" in message


# ----------------------------------------------------------- the fund evaluation (事后评价)


def test_after_acceptance_the_evaluation_shows_a_balance_of_12_wan_carried_over(
    ipflow: Cli, engine: Engine, reviewed: str, tmp_path: Path
) -> None:
    carried_out(ipflow, reviewed)
    ok(at(ipflow, ACCEPTED_ON, "project", "advance", reviewed, "pass_acceptance"))
    evaluated = document(at(ipflow, EVALUATED_ON, "budget", "evaluate", reviewed,
                            "--conclusion", "资金使用合规，结余12万元按规定结转",
                            "--finding", "设备费执行率90%", "--finding", "专利费执行率40%，偏低",
                            "--json"))  # fmt: skip
    figures = {k: evaluated[k] for k in ("basis", "state", "granted", "disbursed", "spent",
                                         "accepted", "balance", "carry_over", "recovered",
                                         "disbursed_rate", "spent_rate", "use_rate")}  # fmt: skip
    assert figures == {
        "basis": "final",
        "state": "completed",
        "granted": 500_000,
        "disbursed": 500_000,
        "spent": 380_000,
        "accepted": 380_000,
        "balance": 120_000,
        "carry_over": 120_000,
        "recovered": 0,
        "disbursed_rate": 100.0,
        "spent_rate": 76.0,
        "use_rate": 76.0,
    }
    shown = document(at(ipflow, EVALUATED_ON, "budget", "show", reviewed, "--json"))
    assert [(e["day"], e["balance"]) for e in shown["evaluations"]] == [("2028-01-15", 120_000)]
    text = ok(at(ipflow, EVALUATED_ON, "budget", "show", reviewed))
    assert (
        "资金总结评价（2028-01-15，结项决算，tester）：资金使用合规，结余12万元按规定结转" in text
    )
    assert "结余120,000元，结转120,000元，收回0元；认可支出率76.00%" in text

    message = refused(ipflow, engine, date(2028, 1, 16), "budget", "evaluate", reviewed,
                      "--conclusion", "再次评价")  # fmt: skip
    assert f"项目#{reviewed}的本阶段（completed）已于2028-01-15由tester作出资金总结评价" in message

    summary = report(ipflow, tmp_path, EVALUATED_ON, "fund-summary", "2028H1")
    assert any(
        "本期对1个项目阶段作出资金总结评价，其中结项决算评价1项、阶段评价0项" in p
        and "结余合计120,000元，其中结转120,000元、收回0元；认可支出率76.00%" in p
        for p in summary.paragraphs
    )
    [row] = summary.table("结余", "结转")
    assert row == {
        "编号": reviewed,
        "项目名称": "磷石膏资源化利用高价值专利培育",
        "评价日期": "2028-01-15",
        "评价依据": "结项决算",
        "核定资助": "500,000",
        "已拨付": "500,000",
        "审核认可": "380,000",
        "结余": "120,000",
        "结转": "120,000",
        "收回": "0",
        "拨付率%": "100.00",
        "认可支出率%": "76.00",
    }
    [conclusion] = summary.table("评价结论", "主要发现")
    assert conclusion["主要发现"] == "设备费执行率90%；专利费执行率40%，偏低"
    empty = report(ipflow, tmp_path, EVALUATED_ON, "fund-summary", "2027H2")
    assert "本期没有资金总结评价记录。" in empty.paragraphs


def test_during_acceptance_the_stage_is_evaluated_on_the_figures_so_far_and_the_end_again(
    ipflow: Cli, reviewed: str
) -> None:
    carried_out(ipflow, reviewed)
    stage = document(at(ipflow, ACCEPTED_ON, "budget", "evaluate", reviewed,
                        "--conclusion", "验收阶段资金使用基本合规", "--json"))  # fmt: skip
    assert (stage["basis"], stage["state"], stage["balance"], stage["carry_over"]) == (
        "stage",
        "acceptance",
        120_000,
        120_000,
    )
    ok(at(ipflow, ACCEPTED_ON, "project", "advance", reviewed, "pass_acceptance"))
    final = document(at(ipflow, EVALUATED_ON, "budget", "evaluate", reviewed,
                        "--conclusion", "结项决算合规", "--json"))  # fmt: skip
    assert (final["basis"], final["balance"], final["recovered"]) == ("final", 120_000, 0)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["budget", "evaluate", "999", "--conclusion", "合规"], "没有编号为999的项目"),
        (["budget", "evaluate", "{id}", "--conclusion", "合规"],
         "当前状态为in_progress，既不在阶段评价或验收中，也没有结项决算"),
        (["budget", "evaluate", "{id}", "--conclusion", " "], "须写明资金总结评价结论"),
    ],
)  # fmt: skip
def test_a_fund_evaluation_outside_a_stage_is_refused_and_changes_nothing(
    ipflow: Cli, engine: Engine, reviewed: str, args: list[str], reason: str
) -> None:
    ok(at(ipflow, date(2027, 1, 5), "project", "advance", reviewed, "start"))
    message = refused(ipflow, engine, date(2027, 6, 1), *(a.format(id=reviewed) for a in args))
    assert reason in message


# ------------------------------------------------------------- the risk register (风险点台账)


def add_risk(ipflow: Cli, day: date, level: str, point: str, *project: str) -> int:
    added = at(ipflow, day, "risk", "add", *project, "--point", point, "--level", level,
               "--owner", "风险防控机构项目组", "--action", f"针对“{point}”逐月核查", "--json")  # fmt: skip
    return int(document(added)["id"])


@pytest.fixture
def register(ipflow: Cli) -> dict[str, Any]:
    """Points around 2027H2: one closed in H1, three of H2 (high, medium, medium closed in
    November), one found in January 2028; the programme-wide medium one lowered in 2028."""
    project_id = create(ipflow)
    on = ("--project", project_id)
    h1 = add_risk(ipflow, date(2027, 5, 20), "medium", "首期拨付延迟", *on)
    ok(at(ipflow, date(2027, 6, 15), "risk", "update", str(h1), "--status", "closed",
          "--note", "已拨付到位"))  # fmt: skip
    high = add_risk(ipflow, date(2027, 7, 20), "high", "设备采购集中于年末", *on)
    programme = add_risk(ipflow, date(2027, 8, 10), "medium", "部分单位季度报告报送滞后")
    closed = add_risk(ipflow, date(2027, 9, 5), "medium", "专利费执行率偏低", *on)
    ok(at(ipflow, date(2027, 11, 20), "risk", "update", str(closed), "--status", "closed",
          "--note", "已调整专利费使用计划并经核查"))  # fmt: skip
    later = add_risk(ipflow, date(2028, 1, 3), "low", "验收材料准备不足", *on)
    ok(at(ipflow, date(2028, 1, 4), "risk", "update", str(programme), "--level", "low"))
    return {"project": project_id, "h1": h1, "high": high, "programme": programme,
            "closed": closed, "later": later}  # fmt: skip


def test_the_2027h2_risk_report_lists_its_three_points_with_counts_by_level(
    ipflow: Cli, register: dict[str, Any], tmp_path: Path
) -> None:
    risk = report(ipflow, tmp_path, date(2028, 1, 5), "risk", "2027H2")
    assert (
        "截至2027年12月31日，本期风险点台账共有风险点3个，其中高风险1个、中风险2个、低风险0个；"
        "已关闭1个，未关闭2个。"
    ) in risk.paragraphs
    assert risk.table("风险等级", "风险点数") == [
        {"风险等级": "高", "风险点数": "1", "未关闭": "1", "已关闭": "0"},
        {"风险等级": "中", "风险点数": "2", "未关闭": "1", "已关闭": "1"},
        {"风险等级": "低", "风险点数": "0", "未关闭": "0", "已关闭": "0"},
        {"风险等级": "合计", "风险点数": "3", "未关闭": "2", "已关闭": "1"},
    ]
    rows = risk.table("风险点", "责任方", "应对措施")
    project = f"#{register['project']} 磷石膏资源化利用高价值专利培育"
    assert [(r["编号"], r["项目"], r["风险点"], r["等级"], r["登记日期"], r["状态"])
            for r in rows] == [
        (str(register["high"]), project, "设备采购集中于年末", "高", "2027-07-20", "未关闭"),
        (str(register["programme"]), "全局", "部分单位季度报告报送滞后", "中", "2027-08-10",
         "未关闭"),
        (str(register["closed"]), project, "专利费执行率偏低", "中", "2027-09-05", "已关闭"),
    ]  # fmt: skip
    assert {(r["责任方"], r["应对措施"]) for r in rows[:1]} == {
        ("风险防控机构项目组", "针对“设备采购集中于年末”逐月核查")
    }
    h1 = report(ipflow, tmp_path, date(2028, 1, 5), "risk", "2027H1")
    assert [r["风险点"] for r in h1.table("风险点", "责任方")] == ["首期拨付延迟"]


def test_risk_list_gives_the_points_by_status_with_their_changes(
    ipflow: Cli, register: dict[str, Any]
) -> None:
    closed = document(at(ipflow, date(2028, 1, 5), "risk", "list", "--status", "closed", "--json"))
    assert [p["id"] for p in closed] == [register["closed"], register["h1"]]
    [change] = closed[0]["changes"]
    assert change == {
        "day": "2027-11-20",
        "from_status": "open",
        "to_status": "closed",
        "from_level": "medium",
        "to_level": "medium",
        "note": "已调整专利费使用计划并经核查",
        "actor": "tester",
    }
    everything = document(at(ipflow, date(2028, 1, 5), "risk", "list", "--json"))
    programme = next(p for p in everything if p["id"] == register["programme"])
    assert (programme["project_id"], programme["level"], programme["status"]) == (
        None,
        "low",
        "open",
    )
    assert set(programme) >= {"id", "project_id", "point", "level", "owner", "action", "status",
                              "identified_on", "changes"}  # fmt: skip
    text = ok(at(ipflow, date(2028, 1, 5), "risk", "list", "--status", "open"))
    assert "[高]" in text and "设备采购集中于年末（2027-07-20登记，未关闭）" in text


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["risk", "add", "--project", "999", "--point", "p", "--level", "high", "--owner", "o",
          "--action", "a"], "没有编号为999的项目"),
        (["risk", "add", "--point", "p", "--level", "critical", "--owner", "o", "--action", "a"],
         "未知的风险等级“critical”；可选：high, medium, low"),
        (["risk", "add", "--point", " ", "--level", "low", "--owner", "o", "--action", "a"],
         "须写明风险点（--point）"),
        (["risk", "update", "999", "--status", "closed", "--note", "n"], "没有编号为999的风险点"),
        (["risk", "update", "{high}", "--status", "closed"], "须用 --note 说明处置情况或理由"),
        (["risk", "update", "{high}", "--status", "open"], "没有需要更新的内容"),
        (["risk", "update", "{high}", "--status", "shut", "--note", "n"], "未知的风险点状态“shut”"),
        (["risk", "list", "--status", "shut"], "未知的风险点状态“shut”"),
    ],
)  # fmt: skip
def test_bad_risk_input_is_refused_and_changes_nothing(
    ipflow: Cli, engine: Engine, register: dict[str, Any], args: list[str], reason: str
) -> None:
    message = refused(ipflow, engine, date(2028, 1, 5), *(a.format(**register) for a in args))
    assert reason in message


# ------------------------------------------------------------------------------ who may


@pytest.fixture
def users(ipflow: Cli) -> None:
    """tester (admin), risk (contractor), staff (manager), a unit user of each unit."""
    ok(at(ipflow, date(2026, 11, 1), "user", "add", "tester", "--role", "admin"))
    for name, role, unit in (
        ("risk", "contractor", None),
        ("staff", "manager", None),
        ("phos", "unit", UNIT),
        ("zunyi", "unit", OTHER_UNIT),
    ):
        if unit:
            ok(at(ipflow, date(2026, 11, 1), "unit", "add", unit, "--kind", "enterprise",
                  "--fact", CHAIN_LEADER))  # fmt: skip
        ok(at(ipflow, date(2026, 11, 1), "user", "add", name, "--role", role,
              *(("--unit", unit) if unit else ())))  # fmt: skip


def test_the_contractor_reviews_and_keeps_the_register_the_manager_reads_a_unit_sees_its_own(
    ipflow: Cli, engine: Engine, users: None
) -> None:
    project_id = approved(ipflow)
    for actor in ("staff", "phos"):
        message = refused(ipflow, engine, REVIEW_DAY, "--as", actor, *review(project_id),
                          denied=True)  # fmt: skip
        assert f"用户“{actor}”" in message and "无权执行“budget_review”" in message
        message = refused(ipflow, engine, REVIEW_DAY, "--as", actor, "risk", "add", "--point",
                          "p", "--level", "low", "--owner", "o", "--action", "a", denied=True)  # fmt: skip
        assert "无权执行“risk_add”" in message
    ok(at(ipflow, REVIEW_DAY, "--as", "risk", *review(project_id)))
    own = add_risk(ipflow, REVIEW_DAY, "high", "本单位项目风险", "--project", project_id)
    ok(at(ipflow, REVIEW_DAY, "--as", "risk", "risk", "add", "--point", "全局风险", "--level",
          "low", "--owner", "o", "--action", "a"))  # fmt: skip

    def listed(actor: str) -> list[int]:
        return [p["id"] for p in document(at(ipflow, REVIEW_DAY, "--as", actor, "risk", "list",
                                             "--json"))]  # fmt: skip

    assert len(listed("staff")) == 2
    assert listed("phos") == [own]
    assert listed("zunyi") == []
    shown = document(at(ipflow, REVIEW_DAY, "--as", "phos", "budget", "show", project_id, "--json"))
    assert shown["review"]["suggestions"] == list(SUGGESTIONS)


# ------------------------------------------------------------------------------ the demo


def test_the_demo_shows_a_budget_review_and_two_risk_points_in_its_reports(
    ipflow: Cli, tmp_path: Path
) -> None:
    day = date(2027, 9, 30)
    ok(at(ipflow, day, "demo"))
    fund_use = report(ipflow, tmp_path, day, "fund-use", "2027H2")
    [row] = fund_use.table("审核意见", "预算优化建议")
    assert (row["项目名称"], row["审核意见"]) == (
        "全省知识产权转化运用成效评估与“工具包”编制",
        "建议调整",
    )
    assert row["建议调整科目"] == "调研差旅费 100,000→80,000；专家咨询费 100,000→120,000"
    risk = report(ipflow, tmp_path, day, "risk", "2027H2")
    assert [(r["等级"], r["状态"]) for r in risk.table("风险点", "责任方")] == [
        ("高", "未关闭"),
        ("中", "未关闭"),
    ]
