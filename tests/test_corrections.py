"""Doing something twice does not do it twice, and what was typed wrong can be corrected.

Through the command line as users type it, on both databases: a second identical application
or payment is refused naming the first; a mistaken payment is reversed (冲正) by a negative
entry, and every money view and cap follows; a unit's kind and contact, a credit record, a
plan or term before the start and a report are corrected, each kept in history with what it
was before; eight concurrent creates naming one new unit all succeed.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DatabaseError

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import enrol, enrol_university
from tests.racing import race, racing
from workflow.db.engine import make_engine, transaction
from workflow.db.orm import ReportDue, Unit

UNIVERSITY = "贵州大学"
TITLE = "磷化工高价值专利培育"
TERM = ("--start", "2027-01-01", "--end", "2027-12-31")
GRANT = 500_000
"""high_value_patent's fixed grant (states.rules.GRANTS: 50万)."""


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def as_json(result: Result) -> Any:
    return json.loads(ok(result))


def refused(ipflow: Cli, engine: Engine, *args: str, lines: int = 1) -> str:
    """A refusal by the rules: exit 1, one paragraph (an import's: a line per bad row), no
    traceback, the database unchanged."""
    before = database_dump(engine)
    result = ipflow(*args)
    assert result.exit_code == 1, result.output
    message = without_clock_notice(result.stderr)
    assert len(message.splitlines()) == lines and "Traceback" not in result.output
    assert database_dump(engine) == before
    return message


def create(ipflow: Cli, *extra: str, title: str = TITLE) -> tuple[str, ...]:
    return (
        "project", "create", "--category", "high_value_patent", "--title", title,
        "--unit", UNIVERSITY, *TERM, "--budget", str(GRANT), *extra, "--json",
    )  # fmt: skip


def created(ipflow: Cli, *extra: str, title: str = TITLE) -> str:
    return str(as_json(ipflow(*create(ipflow, *extra, title=title)))["id"])


def running(ipflow: Cli, *extra: str) -> str:
    """A high_value_patent project of 贵州大学 approved (50万 committed) and started."""
    enrol_university(ipflow)
    project = created(ipflow, *extra)
    for trigger in ("screen", "approve", "start"):
        ok(ipflow("project", "advance", project, trigger))
    return project


def history(ipflow: Cli, project: str) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = as_json(ipflow("project", "show", project, "--json"))["history"]
    return shown


# --- the same application twice -----------------------------------------------------------


def test_the_same_application_twice_is_refused_naming_the_first(
    ipflow: Cli, engine: Engine
) -> None:
    enrol_university(ipflow)
    first = created(ipflow)

    again = refused(ipflow, engine, *create(ipflow))

    assert again == (
        f"ipflow: 单位“贵州大学”已申报同名项目#{first}“{TITLE}”（high_value_patent，"
        "开始日期2027-01-01，状态applied，2027-04-15创建）：同一申报不能重复创建；"
        "如确为另一项申报，请用 --ref 注明其申报编号"
    )
    assert created(ipflow, title=f"{TITLE}（二期）") == "2"
    ok(ipflow("project", "advance", first, "withdraw"))
    assert created(ipflow) == "3"  # a withdrawn application may be filed again
    assert created(ipflow, "--ref", "2027-GX-004") == "4"  # numbered: an application of its own


def test_the_same_application_number_twice_is_refused_naming_the_first(
    ipflow: Cli, engine: Engine
) -> None:
    enrol_university(ipflow)
    created(ipflow, "--ref", "2027-GX-001")

    again = refused(ipflow, engine, *create(ipflow, "--ref", "2027-GX-001", title="另一项目"))

    assert "申报编号“2027-GX-001”已被项目#1“磷化工高价值专利培育”使用" in again


@racing
def test_eight_concurrent_creates_naming_one_new_unit_all_succeed(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    creates = [
        [
            "project",
            "create",
            "--category",
            "strong_enterprise",
            "--title",
            f"知识产权强企培育{i}",
            "--unit",
            "黔东南某新材料有限公司",
            *TERM,
            "--budget",
            "200000",
        ]
        for i in range(8)
    ]
    identical = [[*creates[0][:5], "同一申报", *creates[0][6:]]] * 8

    first, second = race(db_url, tmp_path, [creates, identical])

    assert [r.code for r in first] == [0] * 8, [r.stderr for r in first if r.code]
    outcomes = Counter("won" if r.code == 0 else "duplicate" for r in second)
    assert outcomes == {"won": 1, "duplicate": 7}, [r.stderr for r in second]
    assert all("已申报同名项目" in r.stderr and r.clean_refusal for r in second if r.code)
    with transaction(engine) as session:
        units = session.scalars(select(Unit.name).where(Unit.name.like("黔东南%"))).all()
    assert units == ["黔东南某新材料有限公司"]


def test_the_same_file_imported_twice_is_refused_row_by_row_naming_the_first(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    enrol_university(ipflow)
    enrol(ipflow, "贵阳某大数据科技有限公司", "enterprise")
    batch = tmp_path / "2027申报.csv"
    batch.write_text(
        "category,title,unit,start,end,budget,contact_email,ref\n"
        f"high_value_patent,{TITLE},贵州大学,2027-01-01,2027-12-31,500000,,\n"
        "data_ip_chain,磷化工产业链数据知识产权强链,贵阳某大数据科技有限公司,"
        "2027-01-01,2027-12-31,300000,,2027-SJ-001\n",
        encoding="utf-8",
    )
    assert as_json(ipflow("project", "import", str(batch), "--json"))["ids"] == [1, 2]

    again = refused(ipflow, engine, "project", "import", str(batch), lines=3)

    assert f"第2行：单位“贵州大学”开始日期为2027-01-01的项目“{TITLE}”已有项目#1" in again
    assert "第3行：申报编号“2027-SJ-001”已被项目#2“磷化工产业链数据知识产权强链”使用" in again


# --- the same payment twice, and its reversal --------------------------------------------


def disburse(ipflow: Cli, project: str, amount: int, *extra: str) -> tuple[str, ...]:
    return (
        "disburse", project, "--date", "2027-04-01", "--amount", str(amount), "--stage", "首期",
        *extra, "--json",
    )  # fmt: skip


def test_the_same_payment_twice_is_refused_naming_the_first(ipflow: Cli, engine: Engine) -> None:
    project = running(ipflow)
    ok(ipflow(*disburse(ipflow, project, 250_000, "--voucher", "黔财拨2027-031")))

    by_voucher = refused(
        ipflow, engine, *disburse(ipflow, project, 100_000, "--voucher", "黔财拨2027-031")
    )
    by_content = refused(ipflow, engine, *disburse(ipflow, project, 250_000))

    assert by_voucher == (
        f"ipflow: 项目#{project}凭证号“黔财拨2027-031”已用于拨付#1（2027-04-01，250000元，首期，"
        "tester登记）：同一笔拨付不能重复登记"
    )
    assert by_content.endswith("；如确为另一笔拨付，请用 --voucher 注明其凭证号")
    assert "已有同日、同额、同阶段的拨付#1" in by_content
    second = as_json(ipflow(*disburse(ipflow, project, 250_000, "--voucher", "黔财拨2027-032")))
    assert second["disbursed"] == 500_000  # another voucher: another payment, up to the grant


def test_a_reversed_payment_leaves_every_money_view_and_the_cap(
    db_url: str, engine: Engine
) -> None:
    ipflow = Cli(db_url, date(2027, 4, 15))
    project = running(ipflow)
    ok(ipflow(*disburse(ipflow, project, GRANT, "--voucher", "V-1")))
    assert "超过项目承诺资助额500000元" in refused(
        ipflow, engine, *disburse(ipflow, project, 1, "--voucher", "V-2")
    )
    later = Cli(db_url, date(2027, 5, 10))

    reversal = as_json(later("disburse", "reverse", "1", "--note", "误拨：金额应为25万", "--json"))

    assert reversal == {
        "id": 2,
        "project_id": int(project),
        "reverses": 1,
        "amount": -GRANT,
        "disbursed": 0,
    }
    shown = as_json(later("project", "show", project, "--json"))
    assert (shown["money"]["granted"], shown["money"]["disbursed"]) == (GRANT, 0)
    assert shown["money"]["disbursed_rate"] == 0.0
    before = as_json(later("budget", "show", project, "--as-of", "2027-05-09", "--json"))
    assert before["disbursed"] == GRANT  # the day before the reversal it was paid
    assert as_json(later("budget", "show", project, "--json"))["disbursed"] == 0
    status = as_json(later("programme", "status", "--year", "2027", "--json"))
    row = next(r for r in status["categories"] if r["category"] == "high_value_patent")
    assert (row["committed"], row["disbursed"]) == (GRANT, 0)
    event = history(later, project)[-1]
    assert (event["trigger"], event["note"]) == ("reverse_disbursement", "误拨：金额应为25万")
    assert event["data"]["before"] == {
        "amount": GRANT,
        "day": "2027-04-01",
        "stage": "首期",
        "voucher": "V-1",
    }
    listed = as_json(later("disburse", "list", project, "--json"))
    assert [(p["id"], p["amount"], p["reverses"], p["reversed_by"]) for p in listed] == [
        (1, GRANT, None, 2),
        (2, -GRANT, 1, None),
    ]
    # the cap follows: the grant can be paid again, with the same voucher once reversed
    again = as_json(later(*disburse(later, project, 250_000, "--voucher", "V-1")))
    assert again["disbursed"] == 250_000


def test_a_payment_is_reversed_once_and_a_reversal_never(db_url: str, engine: Engine) -> None:
    ipflow = Cli(db_url, date(2027, 4, 15))
    project = running(ipflow)
    ok(ipflow(*disburse(ipflow, project, 100_000)))
    early = refused(
        ipflow, engine, "disburse", "reverse", "1", "--note", "x", "--date", "2027-03-31"
    )
    ok(ipflow("disburse", "reverse", "1", "--note", "误拨"))

    twice = refused(ipflow, engine, "disburse", "reverse", "1", "--note", "再次冲正")
    of_reversal = refused(ipflow, engine, "disburse", "reverse", "2", "--note", "冲正冲正")
    missing = refused(ipflow, engine, "disburse", "reverse", "99", "--note", "无")
    blank = refused(ipflow, engine, "disburse", "reverse", "1", "--note", "  ")

    assert twice == f"ipflow: 项目#{project}的拨付#1已于2027-04-15由冲正#2冲正（tester）"
    assert of_reversal == "ipflow: 拨付#2本身是对拨付#1的冲正，不能再冲正"
    assert missing == "ipflow: 没有编号为99的拨付"
    assert blank == "ipflow: 冲正须写明理由（--note）"
    assert "冲正日期2027-03-31须在原拨付日期2027-04-01至今天2027-04-15之间" in early
    assert ipflow("disburse", "reverse", "1").exit_code == 2  # --note is required


# --- a unit's kind and contact, a credit record -------------------------------------------


def test_a_unit_s_kind_and_contact_are_corrected_and_the_old_ones_kept(
    ipflow: Cli, engine: Engine
) -> None:
    ok(ipflow("unit", "add", "贵州师范大学", "--kind", "enterprise", "--contact-email", "a@x.cn"))

    bad = refused(ipflow, engine, "unit", "set", "贵州师范大学", "--contact-email", "not-an-email")
    ok(
        ipflow(
            "unit", "set", "贵州师范大学", "--kind", "university",
            "--contact-email", "kjc@gznu.edu.cn", "--note", "登记时类型选错",
        )
    )  # fmt: skip
    shown = as_json(ipflow("unit", "show", "贵州师范大学", "--json"))
    ok(ipflow("unit", "set", "贵州师范大学", "--contact-email", "", "--note", "邮箱停用"))
    cleared = as_json(ipflow("unit", "show", "贵州师范大学", "--json"))

    assert "联系邮箱“not-an-email”不是有效的邮件地址" in bad
    assert (shown["kind"], shown["contact_email"]) == ("university", "kjc@gznu.edu.cn")
    [correction] = shown["corrections"]
    assert correction["kind"] == "unit" and correction["note"] == "登记时类型选错"
    assert correction["before"] == {"kind": "enterprise", "contact_email": "a@x.cn"}
    assert correction["after"] == {"kind": "university", "contact_email": "kjc@gznu.edu.cn"}
    assert cleared["contact_email"] is None
    assert cleared["corrections"][-1]["before"] == {"contact_email": "kjc@gznu.edu.cn"}
    assert "更正单位信息" in ok(ipflow("unit", "show", "贵州师范大学"))


def test_a_credit_record_entered_in_error_is_revoked_not_deleted(
    ipflow: Cli, engine: Engine
) -> None:
    enrol_university(ipflow)
    project = created(ipflow)
    ok(ipflow("project", "advance", project, "screen"))
    ok(
        ipflow(
            "unit", "record", "add", UNIVERSITY, "--kind", "penalty", "--start", "2027-03-01",
            "--note", "信用中国公示",
        )
    )  # fmt: skip
    assert "行政处罚（#1" in refused(ipflow, engine, "project", "advance", project, "approve")

    revoked = as_json(
        ipflow("unit", "record", "revoke", "1", "--note", "误录：受罚的是同名公司", "--json")
    )
    again = refused(ipflow, engine, "unit", "record", "revoke", "1", "--note", "再撤销")
    missing = refused(ipflow, engine, "unit", "record", "revoke", "9", "--note", "x")

    assert (revoked["active"], revoked["revoke_note"]) == (False, "误录：受罚的是同名公司")
    assert again.startswith("ipflow: 单位“贵州大学”的信用记录#1已于2027-04-15由tester撤销")
    assert missing == "ipflow: 没有编号为9的信用记录"
    [record] = as_json(ipflow("unit", "record", "list", UNIVERSITY, "--json"))
    assert (record["id"], record["kind"], record["active"]) == (1, "penalty", False)
    assert "已撤销（误录：受罚的是同名公司）" in ok(ipflow("unit", "record", "list", UNIVERSITY))
    assert as_json(ipflow("unit", "show", UNIVERSITY, "--json"))["active_records"] == 0
    ok(ipflow("project", "advance", project, "approve"))  # no longer in force


# --- a plan or term before the start ------------------------------------------------------


def test_a_plan_and_a_term_are_corrected_before_the_start_only(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    enrol_university(ipflow)
    project = created(ipflow)
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "task,start,due,weight\n专利挖掘,2027-01-01,2027-06-30,2\n专利布局,2027-04-01,2027-12-31,1\n"
    )
    shorter = tmp_path / "shorter.csv"
    shorter.write_text(
        "task,start,due\n专利挖掘,2027-01-01,2027-06-30\n专利布局,2027-04-01,2027-11-30\n"
    )

    amended = as_json(
        ipflow("project", "amend", project, "--plan", str(plan), "--note", "计划录入有误", "--json")
    )
    outside = refused(
        ipflow, engine, "project", "amend", project, "--start", "2027-03-01",
        "--end", "2028-02-29", "--note", "实施期更正",
    )  # fmt: skip
    ok(ipflow("project", "advance", project, "screen"))
    ok(ipflow("project", "advance", project, "approve"))
    term = as_json(
        ipflow(
            "project", "amend", project, "--start", "2027-01-01", "--end", "2027-11-30",
            "--plan", str(shorter), "--note", "按批复更正实施期", "--json",
        )
    )  # fmt: skip
    other_year = refused(
        ipflow, engine, "project", "amend", project, "--start", "2028-01-01",
        "--end", "2028-12-31", "--note", "x",
    )  # fmt: skip
    ok(ipflow("project", "advance", project, "start"))
    started = refused(
        ipflow, engine, "project", "amend", project, "--plan", str(plan), "--note", "x"
    )

    assert [t["task"] for t in amended["plan"]] == ["专利挖掘", "专利布局"]
    assert amended["plan"][0]["weight"] == 2.0
    assert "任务专利挖掘超出更正后的实施期2027-03-01至2028-02-29" in outside
    assert (term["start"], term["end"]) == ("2027-01-01", "2027-11-30")
    assert "已按2027年度立项，更正后的开始日期2028-01-01须仍在2027年内" in other_year
    assert "实施期和实施计划只能在开始实施（start）前更正" in started
    events = [(e["trigger"], e["note"]) for e in history(ipflow, project)]
    assert ("correct_plan", "计划录入有误") in events and (
        "correct_term",
        "按批复更正实施期",
    ) in events
    with transaction(engine) as session:
        periods = session.scalars(
            select(ReportDue.due)
            .where(ReportDue.project_id == int(project))
            .order_by(ReportDue.seq)
        ).all()
    assert periods == [date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 11, 30)]


def test_a_corrected_term_keeps_to_the_category_s_years(ipflow: Cli, engine: Engine) -> None:
    enrol(ipflow, "贵州省茶叶协会", "association", "provincial_gi_holder=yes")
    gi = created_as(
        ipflow, "gi_brand", "都匀毛尖地理标志品牌培育", "贵州省茶叶协会", "--tier", "provincial",
        "--start", "2027-01-01", "--end", "2028-12-31",
    )  # fmt: skip

    one_year = refused(ipflow, engine, "project", "amend", gi, "--end", "2027-12-31", "--note", "x")
    beyond = refused(
        ipflow, engine, "project", "amend", gi, "--start", "2027-02-01", "--end", "2029-01-31",
        "--note", "x",
    )  # fmt: skip
    moved = as_json(
        ipflow(
            "project", "amend", gi, "--start", "2027-02-01", "--end", "2028-12-31",
            "--note", "按批复更正", "--json",
        )
    )  # fmt: skip

    assert "知识产权品牌培育项目的实施期为2年，而2027-01-01至2027-12-31为1年" in one_year
    assert "实施周期为2027年至2028年，而2027-02-01至2029-01-31超出这两年" in beyond
    assert (moved["start"], moved["end"]) == ("2027-02-01", "2028-12-31")
    assert moved["plan"] == [
        {"task": "项目实施", "start": "2027-02-01", "due": "2028-12-31", "weight": 1.0}
    ]  # the default plan follows the term


@pytest.mark.parametrize(
    ("start", "end"), [("2028-01-01", "2029-12-31"), ("2026-07-01", "2028-06-30")]
)
def test_a_gi_brand_application_outside_the_programme_s_two_years_is_refused(
    ipflow: Cli, engine: Engine, start: str, end: str
) -> None:
    """Seed 004 line 49: 项目实施周期为2年（2027年—2028年）; its reviews and acceptance follow
    those calendar years (states.rules.GI_YEARS), whatever the dates an application states."""
    enrol(ipflow, "贵州省茶叶协会", "association", "provincial_gi_holder=yes")
    args = ("project", "create", "--category", "gi_brand", "--title", "都匀毛尖地理标志品牌培育")
    args = (*args, "--unit", "贵州省茶叶协会", "--tier", "provincial", "--budget", "500000")

    message = refused(ipflow, engine, *args, "--start", start, "--end", end)

    assert message == (
        f"ipflow: 知识产权品牌培育项目的实施周期为2027年至2028年，而{start}至{end}超出这两年"
    )
    assert ok(ipflow(*args, "--start", "2027-01-01", "--end", "2028-12-31"))


def created_as(ipflow: Cli, category: str, title: str, unit: str, *extra: str) -> str:
    args = ("project", "create", "--category", category, "--title", title, "--unit", unit)
    return str(as_json(ipflow(*args, "--budget", "500000", *extra, "--json"))["id"])


# --- a tier and partners ---------------------------------------------------------------

CITY_OFFICE = "遵义市市场监督管理局（知识产权局）"
GI_TERM = ("--start", "2027-01-01", "--end", "2028-12-31")


def filed_before_tiers(ipflow: Cli, engine: Engine, state: str = "applied") -> str:
    """A gi_brand application as migration 0012 left one filed before it: no tier, no
    partners (a prefecture-level right, filed by the city IP office), walked to `state`."""
    enrol(ipflow, CITY_OFFICE, "city_ip_office")
    enrol(ipflow, "仁怀市酱香白酒协会", "association")
    enrol(ipflow, "仁怀市市场监督管理局", "county_ip_office")
    project = created_as(
        ipflow, "gi_brand", "赤水河谷酱香白酒地理标志品牌培育", CITY_OFFICE,
        "--tier", "prefecture", "--partner", "仁怀市酱香白酒协会", *GI_TERM,
    )  # fmt: skip
    for trigger in {"applied": (), "approved": ("screen", "approve")}[state]:
        ok(ipflow("project", "advance", project, trigger))
    with engine.begin() as conn:
        conn.execute(text("UPDATE project SET tier = NULL WHERE id = :id"), {"id": int(project)})
        conn.execute(
            text("DELETE FROM project_partner WHERE project_id = :id"), {"id": int(project)}
        )
    return project


def test_an_application_filed_before_tiers_gets_its_tier_and_partners_and_is_approved(
    ipflow: Cli, engine: Engine
) -> None:
    project = filed_before_tiers(ipflow, engine)
    ok(ipflow("project", "advance", project, "screen"))
    no_tier = refused(ipflow, engine, "project", "advance", project, "approve")
    no_partner = refused(
        ipflow, engine, "project", "amend", project, "--tier", "prefecture", "--note", "补录"
    )
    wrong_partner = refused(
        ipflow, engine, "project", "amend", project, "--tier", "county",
        "--partner", "仁怀市酱香白酒协会", "--note", "补录",
    )  # fmt: skip

    amended = as_json(
        ipflow(
            "project", "amend", project, "--tier", "地理标志权利人为市州级",
            "--partner", "仁怀市酱香白酒协会", "--note", "补录申报层级和合作单位", "--json",
        )
    )  # fmt: skip
    ok(ipflow("project", "advance", project, "approve"))
    after_approval = refused(
        ipflow, engine, "project", "amend", project, "--tier", "county",
        "--partner", "仁怀市酱香白酒协会", "--partner", "仁怀市市场监督管理局", "--note", "x",
    )  # fmt: skip

    assert "须注明申报层级：--tier provincial" in no_tier
    assert "须联合行业协会/社会组织或知识产权服务机构共同申报" in no_partner
    assert "（地理标志权利人为县级）须联合县级知识产权主管部门" in wrong_partner
    assert (amended["tier"], amended["partners"]) == ("prefecture", ["仁怀市酱香白酒协会"])
    assert (amended["start"], amended["end"]) == ("2027-01-01", "2028-12-31")
    assert "申报层级和合作单位只能在立项（approve）前更正" in after_approval
    shown = as_json(ipflow("project", "show", project, "--json"))
    assert (shown["state"], shown["tier"], shown["partners"]) == (
        "approved",
        "prefecture",
        ["仁怀市酱香白酒协会"],
    )
    corrections = [
        (e["trigger"], e["data"]["before"], e["data"]["after"], e["note"], e["from"])
        for e in shown["history"]
        if e["trigger"].startswith("correct_")
    ]
    assert corrections == [
        (
            "correct_tier",
            {"tier": None},
            {"tier": "prefecture"},
            "补录申报层级和合作单位",
            "screened",
        ),
        (
            "correct_partners",
            {"partners": []},
            {"partners": ["仁怀市酱香白酒协会"]},
            "补录申报层级和合作单位",
            "screened",
        ),
    ]


def test_after_approval_only_a_missing_tier_is_recorded(ipflow: Cli, engine: Engine) -> None:
    project = filed_before_tiers(ipflow, engine, "approved")
    ok(ipflow("project", "advance", project, "start"))

    recorded = ok(ipflow("project", "amend", project, "--tier", "prefecture", "--note", "补录"))
    changed = refused(
        ipflow, engine, "project", "amend", project, "--tier", "county", "--note", "x"
    )
    partners = refused(
        ipflow, engine, "project", "amend", project, "--partner", "仁怀市酱香白酒协会",
        "--note", "x",
    )  # fmt: skip

    assert "申报层级：prefecture" in recorded
    assert (
        "当前状态为实施中（in_progress）：申报层级和合作单位只能在立项（approve）前更正" in changed
    )
    assert "立项后只能补录未填写的申报层级" in partners
    assert as_json(ipflow("project", "show", project, "--json"))["tier"] == "prefecture"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tier", "national"), "知识产权品牌培育项目没有申报层级“national”；可选：provincial"),
        (("--partner", "仁怀市酱香白酒协会"), "须注明申报层级：--tier provincial"),
        (("--tier", "prefecture", "--partner", "未登记的协会"), "合作单位“未登记的协会”尚未登记"),
        (("--tier", "prefecture", "--partner", CITY_OFFICE), "不能同时列为合作单位"),
        (("--tier", "prefecture", "--partner", "仁怀市酱香白酒协会", "--note", " "), "须写明理由"),
        ((), "没有要更正的内容：请给出 --start、--end、--plan、--tier 或 --partner"),
    ],
)
def test_a_bad_tier_or_partner_correction_is_refused_and_changes_nothing(
    ipflow: Cli, engine: Engine, args: tuple[str, ...], message: str
) -> None:
    project = filed_before_tiers(ipflow, engine)
    note = () if "--note" in args else ("--note", "补录")

    assert message in refused(ipflow, engine, "project", "amend", project, *args, *note)


def test_a_tier_is_refused_where_the_category_has_none_and_an_unchanged_one_is_no_change(
    ipflow: Cli, engine: Engine
) -> None:
    enrol_university(ipflow)
    patent = created(ipflow)
    project = filed_before_tiers(ipflow, engine)
    ok(ipflow("project", "amend", project, "--tier", "prefecture", "--partner", "仁怀市酱香白酒协会",
              "--note", "补录"))  # fmt: skip

    none = refused(ipflow, engine, "project", "amend", patent, "--tier", "basic", "--note", "x")
    same = refused(
        ipflow, engine, "project", "amend", project, "--tier", "prefecture", "--note", "x"
    )

    assert "高价值专利培育项目不分申报层级，不应提供 --tier" in none
    assert f"项目#{project}的申报层级和合作单位没有变化，没有要更正的" in same


# --- a report ----------------------------------------------------------------------------


def test_a_corrected_report_supersedes_the_original_which_is_kept(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "task,start,due\n专利挖掘,2027-01-01,2027-12-31\n专利布局,2027-01-01,2027-12-31\n"
    )
    ipflow = Cli(db_url, date(2027, 7, 5))
    enrol_university(ipflow)
    project = created(ipflow, "--plan", str(plan))
    for trigger in ("screen", "approve", "start"):
        ok(ipflow("project", "advance", project, trigger))
    report = ("report", "submit", project, "--progress")
    ok(ipflow(*report, "专利挖掘=30", "--progress", "专利布局=10", "--date", "2027-03-31"))
    ok(ipflow(*report, "专利布局=40", "--date", "2027-06-30"))  # 专利挖掘 carried: 30
    assert as_json(ipflow("project", "show", project, "--json"))["actual"] == 35.0

    corrected = as_json(
        ipflow(
            "report", "correct", project, "--date", "2027-03-31", "--progress", "专利挖掘=20",
            "--note", "专利挖掘误填为30", "--json",
        )
    )  # fmt: skip

    assert corrected["progress"] == {"专利挖掘": 20.0, "专利布局": 10.0}
    shown = as_json(ipflow("project", "show", project, "--json"))
    assert (shown["last_report"], shown["actual"]) == ("2027-06-30", 30.0)  # (20 + 40) / 2
    event = shown["history"][-1]
    assert (event["trigger"], event["note"]) == ("correct_report", "专利挖掘误填为30")
    assert event["data"]["before"]["progress"] == {"专利挖掘": 30.0, "专利布局": 10.0}
    assert event["data"]["after"] == {
        "date": "2027-03-31",
        "progress": {"专利挖掘": 20.0, "专利布局": 10.0},
    }
    moved = as_json(
        ipflow(
            "report", "correct", project, "--date", "2027-06-30", "--new-date", "2027-06-29",
            "--note", "报告日期误填", "--json",
        )
    )  # fmt: skip
    assert (moved["date"], moved["progress"]) == (
        "2027-06-29",
        {"专利挖掘": 20.0, "专利布局": 40.0},
    )
    assert "没有2027-06-30的报告；已有报告的日期：2027-03-31、2027-06-29" in refused(
        ipflow, engine, "report", "correct", project, "--date", "2027-06-30",
        "--progress", "专利布局=1", "--note", "x",
    )  # fmt: skip
    assert "已有2027-03-31的报告" in refused(
        ipflow, engine, "report", "correct", project, "--date", "2027-06-29",
        "--new-date", "2027-03-31", "--note", "x",
    )  # fmt: skip
    assert "已是这些内容" in refused(
        ipflow, engine, "report", "correct", project, "--date", "2027-03-31",
        "--progress", "专利挖掘=20", "--note", "x",
    )  # fmt: skip


def test_corrections_are_the_office_s_and_the_unit_s_own_reports(
    ipflow: Cli, engine: Engine
) -> None:
    project = running(ipflow)
    ok(ipflow(*disburse(ipflow, project, 100_000)))
    enrol(ipflow, "某科技公司", "enterprise")
    ok(ipflow("user", "add", "tester", "--role", "admin"))
    ok(ipflow("user", "add", "gzu", "--role", "unit", "--unit", UNIVERSITY))
    ok(ipflow("user", "add", "risk", "--role", "contractor"))

    denied = [
        _as(ipflow, "gzu", "disburse", "reverse", "1", "--note", "x"),
        _as(ipflow, "risk", "unit", "record", "revoke", "1", "--note", "x"),
        _as(ipflow, "gzu", "project", "amend", project, "--end", "2027-11-30", "--note", "x"),
        _as(ipflow, "risk", "unit", "set", UNIVERSITY, "--kind", "institute"),
    ]
    actions = ("disburse_reverse", "credit_record_revoke", "project_amend", "unit_set")
    for result, action in zip(denied, actions, strict=True):
        assert result.exit_code == 1 and f"“{action}”" in result.stderr, result.output
    listed = _as(ipflow, "gzu", "disburse", "list", project, "--json")
    assert [p["amount"] for p in as_json(listed)] == [100_000]


def _as(ipflow: Cli, user: str, *args: str) -> Result:
    """`ipflow --as USER ARGS` on the test database (the fixture's actor is tester)."""
    from click.testing import CliRunner

    from cli import cli

    env = {"IPFLOW_TODAY": "2027-04-15", "IPFLOW_LANG": "zh"}
    return CliRunner().invoke(cli, ["--db", ipflow.db_url, "--as", user, *args], env=env)


def _corrected_unit(ipflow: Cli) -> None:
    ok(ipflow("unit", "add", "贵州师范大学", "--kind", "enterprise"))
    ok(ipflow("unit", "set", "贵州师范大学", "--kind", "university", "--note", "类型选错"))


def _refused_by_the_database(engine: Engine, statement: str) -> None:
    before = database_dump(engine)
    with pytest.raises(DatabaseError, match="correction is append-only"):  # noqa: SIM117
        with engine.begin() as conn:
            conn.execute(text(statement))
    assert database_dump(engine) == before


@pytest.mark.parametrize(
    "statement", ["UPDATE correction SET note = 'rewritten'", "DELETE FROM correction"]
)
def test_the_corrections_cannot_be_rewritten(ipflow: Cli, engine: Engine, statement: str) -> None:
    _corrected_unit(ipflow)
    _refused_by_the_database(engine, statement)


def test_the_corrections_cannot_be_truncated_on_postgresql(pg_url: str) -> None:
    _corrected_unit(Cli(pg_url))
    engine = make_engine(pg_url)
    try:
        _refused_by_the_database(engine, "TRUNCATE correction")
    finally:
        engine.dispose()
