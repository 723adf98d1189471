"""The contractor's scope and the performance evaluation (issue 11 item 2; SPEC.md §2, §8; seed 004
lines 100–110), through the command line as users type it.

The risk-control project watches 高价值专利培育, 数据知识产权领军企业, 强企培育, 数据知识产权运用促进,
品牌培育, 转化运用能力（省级）和（市州级）, 服务机构品牌培育 and 服务业集聚发展示范区 (line 101): not
patent navigation, not securitisation, not itself. Its performance evaluation writes an overall
report and one per class (line 109 says 七类, line 101 lists eight: eight by default), with
targets per project, and the results are shown when the same unit applies again.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import enrol, enrol_university
from workflow.db.engine import transaction
from workflow.db.orm import LedgerSnapshot, Letter, OutboxMessage

JULY = date(2027, 7, 1)
PLAN = "task,start,due\n全年任务,2027-01-01,2027-12-31\n"
DEFAULT_CLASSES = [
    "高价值专利培育项目",
    "数据知识产权领军企业",
    "知识产权强企培育项目",
    "数据知识产权运用促进项目",
    "知识产权品牌培育项目",
    "知识产权转化运用能力项目（省级）和（市州级）",
    "知识产权服务机构品牌培育",
    "国家知识产权服务业高质量集聚发展示范区",
]
"""The eight names the call lists on seed line 101, in its order."""
PROJECTS = {
    # key: (category, title, unit, budget, approval facts)
    "patent": ("high_value_patent", "磷化工高价值专利培育", "贵州大学", 500_000, ()),
    "navigation": (
        "patent_navigation",
        "新能源电池及材料产业专利导航",
        "贵州师范大学",
        200_000,
        ("kind=industry",),
    ),
    "securitisation": (
        "data_ip_securitization",
        "数据知识产权证券化融资补贴",
        "贵阳某云计算服务有限公司",
        400_000,
        ("issuance=10000000", "financing=10000000", "ends=2027-12-31"),
    ),
    "contractor": (
        "risk_control",
        "2027年度知识产权运用促进项目风险防控",
        "贵州某会计师事务所",
        500_000,
        (),
    ),
}
OUTSIDE = ("navigation", "securitisation", "contractor")
NAVIGATION_PARTNER = "贵阳市市场监督管理局（知识产权局）"
"""The IP authority a navigation project must apply with (seed line 115)."""


def _ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _json(cli: Cli, *args: str) -> Any:
    return json.loads(_ok(cli, *args, "--json"))


def _refused(cli: Cli, engine: Engine, *args: str, logged: bool = False) -> str:
    """A command that must be refused: exit 1, one paragraph, nothing changed (a refusal for
    want of rights is appended to the refusal log, and nothing else)."""
    before = database_dump(engine)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    message = without_clock_notice(result.stderr)
    assert message.startswith("ipflow: ") and "\n" not in message and "Traceback" not in message
    after = database_dump(engine)
    if logged:
        assert len(after.pop("refusal_log")) == len(before.pop("refusal_log")) + 1
    assert after == before
    return message


@pytest.fixture
def july(ipflow: Cli) -> Cli:
    return Cli(ipflow.db_url, JULY)


@pytest.fixture
def programme(july: Cli, tmp_path: Path) -> dict[str, int]:
    """Four projects of 2027 in progress, each reported at 0% on 03-31 and 06-30 (lag 49.45 on
    06-30: red), and the nightly check of 07-01 run; only the patent project is monitored."""
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    for name in ("贵州大学", "贵州师范大学", "贵州理工学院"):
        enrol_university(july, name)
    enrol(july, NAVIGATION_PARTNER, "city_ip_office")
    enrol(july, "贵阳某云计算服务有限公司", "enterprise", "guizhou_registered=yes")
    enrol(july, "贵州某会计师事务所", "accounting_firm")
    ids = {}
    for key, (category, title, unit, budget, facts) in PROJECTS.items():
        partner = ["--partner", NAVIGATION_PARTNER] if category == "patent_navigation" else []
        created = _json(july, "project", "create", "--category", category, "--title", title,
                        "--unit", unit, "--start", "2027-01-01", "--end", "2027-12-31",
                        "--budget", str(budget), "--plan", str(plan), *partner)  # fmt: skip
        ids[key] = pid = created["id"]
        _ok(july, "project", "advance", str(pid), "screen")
        data = [arg for fact in facts for arg in ("--data", fact)]
        _ok(july, "project", "advance", str(pid), "approve", *data)
        _ok(july, "project", "advance", str(pid), "start")
        for day in ("2027-03-31", "2027-06-30"):
            _ok(july, "report", "submit", str(pid), "--date", day, "--progress", "全年任务=0")
    return ids


def _users(cli: Cli) -> None:
    """The office (admin) and the contractor, registered: roles now apply."""
    _ok(cli, "user", "add", "office", "--role", "admin")
    _ok(cli, "--as", "office", "user", "add", "risk", "--role", "contractor")
    _ok(cli, "--as", "office", "user", "add", "gzu", "--role", "unit", "--unit", "贵州大学")


# --------------------------------------------------------------------------- the scope


def test_only_the_monitored_project_behind_schedule_gets_a_ledger_row_a_letter_and_notices(
    july: Cli, programme: dict[str, int], engine: Engine
) -> None:
    checked = _json(july, "check", "run", "--today", "2027-07-01")
    assert checked["checked"] == 1
    assert checked["flags"] == {"green": 0, "amber": 0, "red": 1}
    assert checked["letters_issued"] == 1
    with transaction(engine) as session:
        ledger = set(session.scalars(select(LedgerSnapshot.project_id)))
        letters = set(session.scalars(select(Letter.project_id)))
        notices = set(session.scalars(select(OutboxMessage.project_id)))
    assert ledger == letters == notices == {programme["patent"]}
    recommendations = _json(july, "recommendations", "list")
    assert [r["project_id"] for r in recommendations] == [programme["patent"]]
    for key in OUTSIDE:
        shown = _json(july, "project", "show", str(programme[key]))
        assert (shown["flag"], shown["monitored"]) == (None, False)


def test_the_office_lists_every_project_and_the_contractor_only_the_monitored_one(
    july: Cli, programme: dict[str, int], engine: Engine
) -> None:
    _ok(july, "check", "run", "--today", "2027-07-01")
    _users(july)
    office = _json(july, "--as", "office", "project", "list")
    assert [p["id"] for p in office] == sorted(programme.values())
    contractor = _json(july, "--as", "risk", "project", "list")
    assert [p["id"] for p in contractor] == [programme["patent"]]
    letters = _json(july, "--as", "risk", "letters", "list")
    assert [x["project_id"] for x in letters] == [programme["patent"]]
    for key in OUTSIDE:
        message = _refused(
            july, engine, "--as", "risk", "project", "show", str(programme[key]), logged=True
        )
        assert f"项目#{programme[key]}是" in message and "不在风险防控机构的监测范围内" in message
        assert _ok(july, "--as", "office", "project", "show", str(programme[key]))


@pytest.mark.parametrize("actor", ["office", "risk"])
def test_the_ledger_is_the_contractors_whoever_exports_it(
    july: Cli, programme: dict[str, int], tmp_path: Path, actor: str
) -> None:
    _ok(july, "check", "run", "--today", "2027-07-01")
    _users(july)
    out = tmp_path / "台账.csv"
    exported = _json(
        july, "--as", actor, "ledger", "export", "--format", "csv", "--output", str(out)
    )
    assert exported["projects"] == 1
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [row["项目名称"] for row in rows] == ["磷化工高价值专利培育"]


@pytest.mark.parametrize(
    ("kind", "period"),
    [("quarterly", "2027Q3"), ("fund-use", "2027H2"), ("risk", "2027H2"), ("performance", "2027")],
)
def test_the_contractors_reports_leave_out_what_it_does_not_monitor(
    july: Cli, programme: dict[str, int], tmp_path: Path, kind: str, period: str
) -> None:
    _ok(july, "check", "run", "--today", "2027-07-01")
    _users(july)
    out = tmp_path / "report.html"
    _ok(july, "--as", "risk", "report", "periodic", "--kind", kind, "--period", period,
        "--output", str(out))  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert PROJECTS["patent"][1] in text
    for key in OUTSIDE:
        assert PROJECTS[key][1] not in text, key


# --------------------------------------------------------------------------- performance


def _headings(path: Path) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", path.read_text(encoding="utf-8"))


def test_the_performance_report_has_an_overall_section_and_the_eight_default_classes(
    july: Cli, programme: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "绩效.html"
    _ok(
        july,
        "report",
        "periodic",
        "--kind",
        "performance",
        "--period",
        "2027",
        "--output",
        str(out),
    )
    assert _headings(out) == [
        "一、绩效评价总报告",
        *(
            f"{n}、分类评价报告：{name}"
            for n, name in zip("二三四五六七八九", DEFAULT_CLASSES, strict=True)
        ),
    ]
    assert "报告期内没有在实施的项目" in out.read_text(encoding="utf-8")  # an empty class stays


def test_configured_classes_replace_the_default_sections(
    july: Cli, programme: dict[str, int], tmp_path: Path
) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text(
        '[performance.classes]\n"专利类" = ["high_value_patent", "strong_enterprise"]\n'
        '"品牌类" = ["gi_brand", "service_brand"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "绩效.html"
    _ok(july, "--config", str(config), "report", "periodic", "--kind", "performance",
        "--period", "2027", "--output", str(out))  # fmt: skip
    assert _headings(out) == [
        "一、绩效评价总报告",
        "二、分类评价报告：专利类",
        "三、分类评价报告：品牌类",
    ]


def test_a_class_may_not_hold_a_category_the_contractor_does_not_monitor(
    july: Cli, programme: dict[str, int], engine: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text('[performance.classes]\n"导航类" = ["patent_navigation"]\n', encoding="utf-8")
    out = tmp_path / "绩效.html"
    message = _refused(july, engine, "--config", str(config), "report", "periodic", "--kind",
                       "performance", "--period", "2027", "--output", str(out))  # fmt: skip
    assert "“导航类”的“patent_navigation”不是风险防控机构监测的项目类别" in message
    assert not out.exists()


def _targets(cli: Cli, project_id: int) -> None:
    """Three quantitative targets, two of them met, and one qualitative indicator assessed partly."""
    pid = str(project_id)
    _ok(cli, "indicator", "add", pid, "--name", "发明专利申请", "--target", "20", "--unit", "件")
    _ok(cli, "indicator", "add", pid, "--name", "专利转让许可", "--target", "3", "--unit", "件")
    _ok(cli, "indicator", "add", pid, "--name", "团体标准", "--target", "1", "--unit", "项")
    _ok(cli, "indicator", "add", pid, "--name", "产业带动", "--qualitative", "带动3家以上企业")
    _ok(cli, "indicator", "record", pid, "发明专利申请", "--actual", "22", "--date", "2027-06-30")
    _ok(cli, "indicator", "record", pid, "专利转让许可", "--actual", "3", "--date", "2027-06-30")
    _ok(cli, "indicator", "assess", pid, "产业带动", "--assessment", "partly")


def test_three_targets_of_which_two_are_met_make_an_achievement_of_66_67_percent(
    july: Cli, programme: dict[str, int], tmp_path: Path
) -> None:
    _targets(july, programme["patent"])
    listed = _json(july, "indicator", "list", str(programme["patent"]))
    figures = listed["figures"]
    assert (figures["targets"], figures["targets_met"], figures["achievement"]) == (3, 2, 66.67)
    assert (figures["granted"], figures["spent"], figures["fund_use"]) == (500_000, 0, 0.0)
    assert figures["qualitative_rate"] == 50.0
    # 66.67 × 50% + 0 × 30% + 50 × 20%, the default weights
    assert figures["computed_score"] == 43.3
    met = {i["name"]: i["met"] for i in listed["indicators"]}
    assert met == {"发明专利申请": True, "专利转让许可": True, "团体标准": False, "产业带动": None}
    out = tmp_path / "绩效.html"
    _ok(
        july,
        "report",
        "periodic",
        "--kind",
        "performance",
        "--period",
        "2027",
        "--output",
        str(out),
    )
    text = out.read_text(encoding="utf-8")
    row = re.search(r"<td>高价值专利培育项目</td>((?:<td>[^<]*</td>)+)", text)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[:4] == ["1", "2/3", "66.67", "0/1/0/0"]


def test_an_actual_counts_from_its_day_so_a_later_one_does_not_rewrite_the_past(
    july: Cli, programme: dict[str, int]
) -> None:
    pid = str(programme["patent"])
    _ok(july, "indicator", "add", pid, "--name", "发明专利申请", "--target", "20", "--unit", "件")
    _ok(july, "indicator", "record", pid, "发明专利申请", "--actual", "22", "--date", "2027-06-30")
    earlier = Cli(july.db_url, date(2027, 6, 1))
    figures = _json(earlier, "indicator", "list", pid)["figures"]
    assert (figures["targets_met"], figures["achievement"]) == (0, 0.0)


def test_the_earlier_evaluation_is_shown_when_the_same_unit_applies_again(
    july: Cli, programme: dict[str, int]
) -> None:
    _targets(july, programme["patent"])
    year_end = Cli(july.db_url, date(2028, 1, 5))
    recorded = _json(year_end, "evaluation", "record", str(programme["patent"]), "--date",
                     "2027-12-31", "--findings", "核心任务基本完成，标准制定滞后，建议调整预算")  # fmt: skip
    assert (recorded["score"], recorded["grade"], recorded["achievement"]) == (43.3, "fail", 66.67)
    again = ("project", "create", "--category", "high_value_patent", "--title", "磷石膏资源化专利培育",
             "--unit", "贵州大学", "--start", "2028-03-01", "--end", "2029-02-28", "--budget", "500000")  # fmt: skip
    printed = _ok(year_end, *again)
    assert "该单位以往项目的绩效评价" in printed
    assert f"项目#{programme['patent']}“磷化工高价值专利培育”：综合得分43.3，不合格" in printed
    created = _json(year_end, *again[:5], "第二个项目", *again[6:])
    earlier = created["unit_evaluations"]
    assert [(e["project_id"], e["day"], e["score"]) for e in earlier] == [
        (programme["patent"], "2027-12-31", 43.3)
    ]
    shown = _json(year_end, "project", "show", str(created["id"]))
    assert shown["unit_evaluations"] == earlier and shown["evaluations"] == []
    other = _json(year_end, "project", "create", "--category", "high_value_patent", "--title", "别家",
                  "--unit", "贵州理工学院", "--start", "2028-03-01", "--end", "2029-02-28",
                  "--budget", "500000")  # fmt: skip
    assert other["unit_evaluations"] == []


def test_indicators_and_evaluations_are_refused_outside_the_scope(
    july: Cli, programme: dict[str, int], engine: Engine
) -> None:
    pid = programme["navigation"]
    message = _refused(july, engine, "indicator", "add", str(pid), "--name", "导航报告",
                       "--target", "1", "--unit", "份")  # fmt: skip
    assert (
        f"项目#{pid}“新能源电池及材料产业专利导航”是专利导航项目，不在风险防控机构的监测范围内"
        in message
    )
    message = _refused(july, engine, "evaluation", "record", str(pid), "--findings", "好")
    assert "不做绩效评价" in message


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("--name", "甲", "--target", "2", "--qualitative", "乙"),
            "须给出目标值（定量，--target）或评价标准",
        ),
        (("--name", "甲"), "须给出目标值（定量，--target）或评价标准"),
        (("--name", "甲", "--target", "0"), "目标值须大于0"),
        (("--name", "发明专利申请", "--target", "5"), "已有名为“发明专利申请”的绩效指标"),
        (("--name", "甲", "--qualitative", "乙", "--unit", "件"), "没有计量单位"),
    ],
)
def test_a_wrong_indicator_is_refused_and_changes_nothing(
    july: Cli, programme: dict[str, int], engine: Engine, args: tuple[str, ...], says: str
) -> None:
    pid = str(programme["patent"])
    _ok(july, "indicator", "add", pid, "--name", "发明专利申请", "--target", "20", "--unit", "件")
    assert says in _refused(july, engine, "indicator", "add", pid, *args)


def test_a_wrong_value_or_evaluation_is_refused_and_changes_nothing(
    july: Cli, programme: dict[str, int], engine: Engine
) -> None:
    pid = str(programme["patent"])
    _targets(july, programme["patent"])
    unknown = _refused(july, engine, "indicator", "record", pid, "专利许可", "--actual", "1")
    assert (
        "没有名为“专利许可”的绩效指标；已设指标：发明专利申请、专利转让许可、团体标准、产业带动"
        in unknown
    )
    wrong_kind = _refused(july, engine, "indicator", "record", pid, "产业带动", "--actual", "1")
    assert "“产业带动”是定性指标：请用 ipflow indicator assess 记录" in wrong_kind
    twice = _refused(july, engine, "indicator", "record", pid, "发明专利申请", "--actual", "25",
                     "--date", "2027-06-30")  # fmt: skip
    assert "在2027-06-30已有记录" in twice
    future = _refused(july, engine, "indicator", "record", pid, "团体标准", "--actual", "1",
                      "--date", "2027-07-02")  # fmt: skip
    assert "晚于今天（2027-07-01）" in future
    score = _refused(
        july, engine, "evaluation", "record", pid, "--findings", "好", "--score", "101"
    )
    assert "综合得分须在0到100之间" in score


def test_the_unit_records_its_own_actuals_and_the_contractor_assesses(
    july: Cli, programme: dict[str, int], engine: Engine
) -> None:
    pid = str(programme["patent"])
    _ok(july, "indicator", "add", pid, "--name", "发明专利申请", "--target", "20", "--unit", "件")
    _ok(july, "indicator", "add", pid, "--name", "产业带动", "--qualitative", "带动3家以上企业")
    _users(july)
    _ok(july, "--as", "gzu", "indicator", "record", pid, "发明专利申请", "--actual", "21")
    _ok(july, "--as", "risk", "indicator", "assess", pid, "产业带动", "--assessment", "met")
    _ok(july, "--as", "risk", "evaluation", "record", pid, "--findings", "目标完成")
    for actor, command in (
        (
            "gzu",
            ("indicator", "assess", pid, "产业带动", "--assessment", "met", "--date", "2027-06-30"),
        ),
        (
            "risk",
            ("indicator", "record", pid, "发明专利申请", "--actual", "30", "--date", "2027-06-30"),
        ),
        ("risk", ("indicator", "add", pid, "--name", "乙", "--target", "1")),
        ("gzu", ("evaluation", "record", pid, "--findings", "自评优秀", "--date", "2027-06-30")),
    ):
        assert "无权执行" in _refused(july, engine, "--as", actor, *command, logged=True)


def test_without_indicators_there_is_no_score_to_compute_so_the_contractor_gives_one(
    july: Cli, programme: dict[str, int], engine: Engine
) -> None:
    pid = str(programme["patent"])
    message = _refused(july, engine, "evaluation", "record", pid, "--findings", "按期推进")
    assert f"项目#{pid}在2027-07-01没有可计算的综合得分（未设绩效指标）" in message
    given = _json(july, "evaluation", "record", pid, "--findings", "按期推进", "--score", "80")
    assert (given["score"], given["grade"]) == (80.0, "good")
