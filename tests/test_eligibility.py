"""Who may apply for what (seed 004, 申报主体): unit kinds and facts, joint applications, ref."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine, func, select, text

from tests.conftest import BACKENDS, PG_URL, Cli, database_dump, without_clock_notice
from tests.factories import make_project
from tests.racing import race, racing
from workflow.access.actions import add_user
from workflow.core.context import AppContext
from workflow.db.engine import _alembic_config, make_engine, transaction
from workflow.db.orm import Project

YEAR = ("--start", "2027-01-01", "--end", "2027-12-31")
TWO_YEARS = ("--start", "2027-01-01", "--end", "2028-12-31")
THREE_YEARS = ("--start", "2027-01-01", "--end", "2029-12-31")
ENTERPRISE = "贵阳某大数据科技有限公司"
PARTNER = "黔南某磷化工有限责任公司"
DIMENSIONS = (
    "patent_use,trademark,gi,data_ip,pledge,promotion,county_support,coordination,deployment"
)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(ipflow: Cli, engine: Engine, *args: str) -> str:
    """Run a command the rules refuse: exit 1, one paragraph, no traceback, nothing written."""
    before = database_dump(engine)
    result = ipflow(*args)
    assert result.exit_code == 1, result.output
    message = without_clock_notice(result.stderr)
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    assert result.stdout == ""
    assert database_dump(engine) == before
    return message


def unit(ipflow: Cli, name: str, kind: str, *facts: str) -> None:
    ok(ipflow("unit", "add", name, "--kind", kind, *(p for f in facts for p in ("--fact", f))))


def application(category: str, name: str, *extra: str) -> tuple[str, ...]:
    """The `project create` arguments of a `category` application by `name`."""
    term = {"gi_brand": TWO_YEARS, "data_ip_leader": THREE_YEARS}.get(category, YEAR)
    return (
        "project", "create", "--category", category, "--title", f"{name}的{category}项目",
        "--unit", name, *term, "--budget", "500000", *extra,
    )  # fmt: skip


def created(ipflow: Cli, category: str, name: str, *extra: str) -> int:
    return int(json.loads(ok(ipflow(*application(category, name, *extra), "--json")))["id"])


def advance(ipflow: Cli, project_id: int, *triggers: str) -> None:
    for trigger in triggers:
        ok(ipflow("project", "advance", str(project_id), trigger))


def shown(ipflow: Cli, project_id: int) -> dict[str, object]:
    document: dict[str, object] = json.loads(
        ok(ipflow("project", "show", str(project_id), "--json"))
    )
    return document


# --------------------------------------------------------------------------- unit kinds


def test_unit_add_accepts_exactly_the_kinds_of_the_call_and_lists_them_when_refusing(
    ipflow: Cli, engine: Engine
) -> None:
    kinds = [
        *("enterprise", "university", "institute", "association", "service_org"),
        *("accounting_firm", "consultancy", "city_ip_office", "county_ip_office"),
        *("zone_authority", "industry_authority"),
    ]
    for n, kind in enumerate(kinds):
        unit(ipflow, f"单位{n}", kind)

    message = refused(ipflow, engine, "unit", "add", "某局", "--kind", "authority")

    assert "未知的单位类型“authority”" in message
    assert all(kind in message for kind in kinds)
    listed = json.loads(ok(ipflow("unit", "list", "--json")))
    assert sorted(u["kind"] for u in listed) == sorted(kinds)


def test_unit_facts_are_recorded_shown_and_a_bad_value_is_refused(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "贵州大学", "university")
    ok(ipflow("unit", "set", "贵州大学", "--fact", "valid_patents=30", "--note", "年报"))

    facts = json.loads(ok(ipflow("unit", "show", "贵州大学", "--json")))["facts"]
    assert facts == {"legal_person": "yes", "valid_patents": "30"}
    assert "有效专利数量：30" in ok(ipflow("unit", "show", "贵州大学"))
    assert "须为不小于0的整数" in refused(
        ipflow, engine, "unit", "set", "贵州大学", "--fact", "valid_patents=三十"
    )
    assert "未知的单位信息“patents”" in refused(
        ipflow, engine, "unit", "set", "贵州大学", "--fact", "patents=30"
    )


# --------------------------------------------------------------------------- capability_city


def test_an_enterprise_is_refused_for_the_city_ranking_when_it_applies(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, ENTERPRISE, "enterprise")

    message = refused(ipflow, engine, *application("capability_city", ENTERPRISE))

    assert f"“{ENTERPRISE}”是企业，不能申报知识产权转化运用能力提升项目（市州级）" in message
    assert "市（州）及贵安新区知识产权主管部门" in message


def test_an_enterprise_among_the_ranked_applicants_is_refused_and_gets_no_200_wan(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    offices = ("贵阳市市场监督管理局（知识产权局）", "遵义市市场监督管理局（知识产权局）")
    applicants = [*offices, ENTERPRISE]
    ids = {}
    for name in applicants:
        unit(ipflow, name, "city_ip_office")  # the enterprise registered as an office by mistake
        ids[name] = created(ipflow, "capability_city", name)
        advance(ipflow, ids[name], "screen")
    ok(ipflow("unit", "set", ENTERPRISE, "--kind", "enterprise", "--note", "登记类型更正"))
    scores = tmp_path / "scores.csv"
    rows = [f"{ENTERPRISE},{','.join(['10'] * 9)}", f"{offices[0]},{','.join(['9'] * 9)}"]
    rows.append(f"{offices[1]},{','.join(['8'] * 9)}")
    scores.write_text("\n".join([f"unit,{DIMENSIONS}", *rows]) + "\n", encoding="utf-8")
    rank = ("city", "rank", "--year", "2027", "--scores", str(scores))

    for extra in ((), ("--approve",)):
        message = refused(ipflow, engine, *rank, *extra)
        assert f"“{ENTERPRISE}”（项目#{ids[ENTERPRISE]}）" in message
        assert "不能参加排序" in message

    advance(ipflow, ids[ENTERPRISE], "reject")
    scores.write_text("\n".join([f"unit,{DIMENSIONS}", *rows[1:]]) + "\n", encoding="utf-8")
    ranked = json.loads(ok(ipflow(*rank, "--approve", "--json")))
    assert [(r["unit"], r["amount"]) for r in ranked] == [
        (offices[0], 2_000_000),
        (offices[1], 1_000_000),
    ]


# --------------------------------------------------------------------------- categories


def test_an_enterprise_is_refused_for_service_cluster_and_a_zone_authority_accepted(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "某科技公司", "enterprise")
    unit(ipflow, "贵阳高新区知识产权局", "zone_authority")

    message = refused(ipflow, engine, *application("service_cluster", "某科技公司"))

    assert "“某科技公司”是企业，不能申报国家知识产权服务业高质量集聚发展示范区项目" in message
    assert "国家知识产权服务业集聚发展示范区知识产权主管部门" in message
    assert created(ipflow, "service_cluster", "贵阳高新区知识产权局") == 1


def test_a_university_is_refused_for_strong_enterprise(ipflow: Cli, engine: Engine) -> None:
    unit(ipflow, "贵州大学", "university", "valid_patents=1260")

    message = refused(ipflow, engine, *application("strong_enterprise", "贵州大学"))

    assert "“贵州大学”是高校，不能申报知识产权强企培育项目（基础培育）" in message
    assert "申报（牵头）单位须为企业" in message


def test_strong_enterprise_is_basic_unless_special_which_needs_a_national_demo_candidate(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "遵义某酒业股份有限公司", "enterprise")
    special = application("strong_enterprise", "遵义某酒业股份有限公司", "--tier", "special")

    unknown = refused(ipflow, engine, *special)
    ok(ipflow("unit", "set", "遵义某酒业股份有限公司", "--fact", "national_demo_candidate=no"))
    recorded_no = refused(ipflow, engine, *special)
    ok(ipflow("unit", "set", "遵义某酒业股份有限公司", "--fact", "national_demo_candidate=yes"))
    special_id = int(json.loads(ok(ipflow(*special, "--ref", "QQ-1", "--json")))["id"])
    basic_id = created(ipflow, "strong_enterprise", "遵义某酒业股份有限公司", "--ref", "QQ-2")

    assert "ipflow unit set 遵义某酒业股份有限公司 --fact national_demo_candidate=yes" in unknown
    assert "要求申报单位国家知识产权示范企业创建对象（2025—2027年）" in recorded_no
    assert (shown(ipflow, special_id)["tier"], shown(ipflow, basic_id)["tier"]) == (
        "special",
        "basic",
    )
    assert "没有申报层级“x”；可选：basic（基础培育）、special（专项培育）" in refused(
        ipflow, engine, *application("strong_enterprise", "遵义某酒业股份有限公司", "--tier", "x")
    )


def test_an_enterprise_without_independent_legal_personality_is_refused_for_strong_enterprise(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "某公司贵阳分公司", "enterprise", "legal_person=no")

    message = refused(ipflow, engine, *application("strong_enterprise", "某公司贵阳分公司"))

    assert "要求申报单位具有独立法人资格，而“某公司贵阳分公司”登记为否" in message


@pytest.mark.parametrize(("patents", "accepted"), [(None, False), (29, False), (30, True)])
def test_a_university_leads_high_value_patent_with_30_valid_patents_not_29(
    ipflow: Cli, engine: Engine, patents: int | None, accepted: bool
) -> None:
    facts = () if patents is None else (f"valid_patents={patents}",)
    unit(ipflow, "贵州大学", "university", *facts)
    args = application("high_value_patent", "贵州大学")

    if accepted:
        assert created(ipflow, "high_value_patent", "贵州大学") == 1
        return
    message = refused(ipflow, engine, *args)
    if patents is None:
        assert "“贵州大学”未登记“有效专利数量”" in message
        assert "ipflow unit set 贵州大学 --fact valid_patents=N" in message
    else:
        assert "“贵州大学”有效专利数量为29，高价值专利培育项目要求不少于30" in message


def test_an_enterprise_leads_high_value_patent_only_as_a_chain_leader_or_leading_enterprise(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "某材料公司", "enterprise")

    message = refused(ipflow, engine, *application("high_value_patent", "某材料公司"))
    ok(ipflow("unit", "set", "某材料公司", "--fact", "leading_enterprise=yes"))

    assert "未登记“我省重点产业链主企业或我省重点产业龙头企业”" in message
    assert created(ipflow, "high_value_patent", "某材料公司") == 1


def test_approval_asks_the_rule_again_with_the_unit_facts_of_that_day(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "贵州大学", "university", "valid_patents=30")
    project_id = created(ipflow, "high_value_patent", "贵州大学")
    advance(ipflow, project_id, "screen")
    ok(ipflow("unit", "set", "贵州大学", "--fact", "valid_patents=12", "--note", "专利失效"))

    message = refused(ipflow, engine, "project", "advance", str(project_id), "approve")

    assert "有效专利数量为12，高价值专利培育项目要求不少于30" in message
    assert shown(ipflow, project_id)["triggers"] == ["reject", "withdraw"]


# --------------------------------------------------------------------------- partners


def test_a_navigation_project_needs_an_ip_or_industry_authority_as_partner(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "贵州师范大学", "university")
    unit(ipflow, PARTNER, "enterprise")
    unit(ipflow, "贵州省工业和信息化厅", "industry_authority")
    unit(ipflow, "黔南州市场监督管理局（知识产权局）", "city_ip_office")

    alone = refused(ipflow, engine, *application("patent_navigation", "贵州师范大学"))
    with_enterprise = refused(
        ipflow,
        engine,
        *application("patent_navigation", "贵州师范大学", "--partner", PARTNER),
    )
    industry = created(
        ipflow,
        "patent_navigation",
        "贵州师范大学",
        *("--partner", "贵州省工业和信息化厅", "--partner", PARTNER),
    )
    ip_office = created(
        ipflow, "patent_navigation", PARTNER, "--partner", "黔南州市场监督管理局（知识产权局）"
    )

    for message in (alone, with_enterprise):
        assert "专利导航项目须联合" in message
        assert "知识产权主管部门" in message and "行业主管部门" in message
    assert shown(ipflow, industry)["partners"] == ["贵州省工业和信息化厅", PARTNER]
    listed = json.loads(ok(ipflow("project", "list", "--json")))
    assert [p["partners"] for p in listed] == [
        ["贵州省工业和信息化厅", PARTNER],
        ["黔南州市场监督管理局（知识产权局）"],
    ]
    assert ip_office == industry + 1


def test_a_partner_must_be_registered_and_not_the_lead(ipflow: Cli, engine: Engine) -> None:
    unit(ipflow, "贵州大学", "university", "valid_patents=40")

    unknown = refused(
        ipflow, engine, *application("high_value_patent", "贵州大学", "--partner", "无名公司")
    )
    lead = refused(
        ipflow, engine, *application("high_value_patent", "贵州大学", "--partner", "贵州大学")
    )

    assert "合作单位“无名公司”尚未登记" in unknown and "ipflow unit add 无名公司" in unknown
    assert "“贵州大学”是申报（牵头）单位，不能同时列为合作单位" in lead


def test_a_category_without_joint_applications_refuses_a_partner(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "遵义某公司", "enterprise")
    unit(ipflow, PARTNER, "enterprise")

    message = refused(
        ipflow, engine, *application("strong_enterprise", "遵义某公司", "--partner", PARTNER)
    )

    assert "不接受联合申报" in message and PARTNER in message


@pytest.mark.parametrize(
    ("tier", "partners", "problem"),
    [
        ("prefecture", (), "须联合行业协会/社会组织或知识产权服务机构共同申报"),
        (
            "prefecture",
            ("某县市场监督管理局",),
            "合作单位“某县市场监督管理局”是县级知识产权主管部门",
        ),
        ("county", ("某白酒协会",), "须联合县级知识产权主管部门"),
        ("county", ("某县市场监督管理局",), "须联合行业协会/社会组织或知识产权服务机构"),
        ("prefecture", ("某白酒协会",), None),
        ("county", ("某县市场监督管理局", "某白酒协会"), None),
        ("county", ("某县市场监督管理局", "某地标服务公司"), None),
    ],
)
def test_gi_brand_applicants_follow_the_level_of_the_right_holder(
    ipflow: Cli, engine: Engine, tier: str, partners: tuple[str, ...], problem: str | None
) -> None:
    unit(ipflow, "遵义市市场监督管理局（知识产权局）", "city_ip_office")
    unit(ipflow, "某县市场监督管理局", "county_ip_office")
    unit(ipflow, "某白酒协会", "association")
    unit(ipflow, "某地标服务公司", "service_org")
    extra = ("--tier", tier, *(p for name in partners for p in ("--partner", name)))
    args = application("gi_brand", "遵义市市场监督管理局（知识产权局）", *extra)

    if problem is None:
        assert shown(ipflow, int(json.loads(ok(ipflow(*args, "--json")))["id"]))["tier"] == tier
    else:
        assert problem in refused(ipflow, engine, *args)


def test_a_provincial_gi_right_holder_applies_alone_or_with_a_gi_service_institution(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "贵州省茶叶协会", "association", "provincial_gi_holder=yes")
    unit(ipflow, "某县市场监督管理局", "county_ip_office")
    unit(ipflow, "某地标服务公司", "service_org")
    unit(ipflow, "贵阳市市场监督管理局（知识产权局）", "city_ip_office")
    provincial = ("--tier", "provincial")

    no_tier = refused(ipflow, engine, *application("gi_brand", "贵州省茶叶协会"))
    office = refused(
        ipflow, engine, *application("gi_brand", "贵阳市市场监督管理局（知识产权局）", *provincial)
    )
    county = refused(
        ipflow,
        engine,
        *application("gi_brand", "贵州省茶叶协会", *provincial, "--partner", "某县市场监督管理局"),
    )

    assert "须注明申报层级：--tier provincial" in no_tier
    assert "不能申报知识产权品牌培育项目（地理标志权利人为省级）" in office
    assert "合作单位须为知识产权服务机构" in county
    assert created(ipflow, "gi_brand", "贵州省茶叶协会", *provincial) == 1
    assert (
        created(
            ipflow,
            "gi_brand",
            "贵州省茶叶协会",
            *provincial,
            "--partner",
            "某地标服务公司",
            "--ref",  # a second application of the same title: a number of its own
            "2027-DB-002",
        )
        == 2
    )


def test_a_partners_abnormal_operation_record_refuses_approval_naming_it_until_it_ends(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "贵州大学", "university", "valid_patents=1260")
    unit(ipflow, PARTNER, "enterprise")
    record = ("--start", "2027-03-01", "--end", "2027-04-20", "--note", "信用中国公示")
    ok(ipflow("unit", "record", "add", PARTNER, "--kind", "abnormal_operation", *record))
    project_id = created(ipflow, "high_value_patent", "贵州大学", "--partner", PARTNER)
    advance(ipflow, project_id, "screen")

    message = refused(ipflow, engine, "project", "advance", str(project_id), "approve")
    later = Cli(ipflow.db_url, date(2027, 4, 21))
    approved = ok(later("project", "advance", str(project_id), "approve"))

    assert f"合作单位“{PARTNER}”：经营异常（#1，2027-03-01至2027-04-20，信用中国公示）" in message
    assert "承担单位存在有效的不良信用记录" not in message
    assert "→approve→ approved" in approved


def test_the_contractors_conflict_of_interest_covers_partners(ipflow: Cli, engine: Engine) -> None:
    unit(ipflow, "贵州某会计师事务所", "accounting_firm")
    unit(ipflow, "贵州某咨询公司", "consultancy")
    unit(ipflow, "贵州某项目管理公司", "consultancy")
    unit(ipflow, "贵州大学", "university", "valid_patents=1260")
    created(ipflow, "risk_control", "贵州某会计师事务所", "--partner", "贵州某咨询公司")

    contractor_as_partner = refused(
        ipflow,
        engine,
        *application("high_value_patent", "贵州大学", "--partner", "贵州某咨询公司"),
    )
    joint = created(ipflow, "high_value_patent", "贵州大学", "--partner", "贵州某项目管理公司")
    partner_as_contractor = refused(
        ipflow, engine, *application("risk_control", "贵州某项目管理公司")
    )

    assert "合作单位“贵州某咨询公司”不能参与该项目" in contractor_as_partner
    assert "该单位是风险防控机构（项目#1），不得申报或参与其他类别项目" in contractor_as_partner
    assert f"该单位已承担或参与其他类别项目（#{joint}，high_value_patent）" in partner_as_contractor


# --------------------------------------------------------------------------- annual limit


def test_a_second_provincial_capability_project_in_one_year_is_refused_at_approval(
    ipflow: Cli, engine: Engine
) -> None:
    unit(ipflow, "贵州某知识产权研究院有限公司", "service_org")
    unit(ipflow, "贵州省知识产权保护协会", "association")
    first = created(ipflow, "capability_provincial", "贵州某知识产权研究院有限公司")
    second = created(ipflow, "capability_provincial", "贵州省知识产权保护协会")
    create_2028 = (
        "project", "create", "--category", "capability_provincial", "--title", "2028年度省级",
        "--unit", "贵州省知识产权保护协会", "--start", "2028-01-01", "--end", "2028-12-31",
        "--budget", "500000", "--json",
    )  # fmt: skip
    next_year = int(json.loads(ok(ipflow(*create_2028)))["id"])
    advance(ipflow, first, "screen", "approve")
    advance(ipflow, second, "screen")
    advance(ipflow, next_year, "screen")

    message = refused(ipflow, engine, "project", "advance", str(second), "approve")
    advance(ipflow, next_year, "approve")

    assert f"2027年度知识产权转化运用能力提升项目（省级）限立项1项，已立项：#{first}" in message
    assert shown(ipflow, next_year)["state"] == "approved"


@racing
def test_five_racing_provincial_capability_approvals_approve_exactly_one(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    screened = [
        make_project(ctx, state="screened", category="capability_provincial", unit=f"机构{n}")
        for n in range(5)
    ]
    add_user(ctx, "racer", "admin", None)

    [results] = race(
        db_url, tmp_path, [[["project", "advance", str(p), "approve"] for p in screened]]
    )

    assert sorted(r.code for r in results) == [0, 1, 1, 1, 1]
    assert all(r.clean_refusal and "限立项1项" in r.stderr for r in results if r.code)
    with transaction(ctx.engine) as session:
        approved = session.scalar(
            select(func.count()).where(Project.id.in_(screened), Project.state == "approved")
        )
    assert approved == 1


# --------------------------------------------------------------------------- ref


def test_a_duplicate_application_number_is_refused_at_create_and_at_import(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    unit(ipflow, "遵义某公司", "enterprise")
    first = created(ipflow, "strong_enterprise", "遵义某公司", "--ref", "黔知运〔2027〕001")

    again = refused(
        ipflow,
        engine,
        *application("data_ip_chain", "遵义某公司", "--ref", "黔知运〔2027〕001"),
    )
    header = "category,title,unit,start,end,budget,contact_email,ref,tier,partners\n"
    taken = tmp_path / "taken.csv"
    taken.write_text(
        header
        + "data_ip_chain,强链增效,某数据公司,2027-01-01,2027-12-31,300000,,黔知运〔2027〕001,,\n",
        encoding="utf-8",
    )
    twice = tmp_path / "twice.csv"
    twice.write_text(
        header
        + "data_ip_chain,强链甲,某数据公司,2027-01-01,2027-12-31,300000,,黔知运〔2027〕002,,\n"
        + "data_ip_chain,强链乙,某数据公司,2027-01-01,2027-12-31,300000,,黔知运〔2027〕002,,\n",
        encoding="utf-8",
    )
    before = database_dump(engine)
    imported = [ipflow("project", "import", str(path)) for path in (taken, twice)]

    assert f"已被项目#{first}" in again and "同一编号不能重复申报" in again
    assert [r.exit_code for r in imported] == [1, 1]
    assert "taken.csv第2行" in imported[0].stderr and f"已被项目#{first}" in imported[0].stderr
    assert "twice.csv第3行：申报编号“黔知运〔2027〕002”与第2行重复" in imported[1].stderr
    assert database_dump(engine) == before
    assert shown(ipflow, first)["ref"] == "黔知运〔2027〕001"


def test_import_reads_ref_tier_and_partners_separated_by_a_dunhao_or_a_semicolon(
    ipflow: Cli, tmp_path: Path
) -> None:
    unit(ipflow, "遵义市市场监督管理局（知识产权局）", "city_ip_office")
    unit(ipflow, "仁怀市市场监督管理局（知识产权局）", "county_ip_office")
    unit(ipflow, "仁怀市酱香白酒协会", "association")
    unit(ipflow, "贵州大学", "university", "valid_patents=1260")
    unit(ipflow, PARTNER, "enterprise")
    path = tmp_path / "p.csv"
    path.write_text(
        "category,title,unit,start,end,budget,ref,tier,partners\n"
        "gi_brand,仁怀酱香白酒地理标志品牌培育,遵义市市场监督管理局（知识产权局）,2027-01-01,"
        "2028-12-31,500000,GI-1,county,仁怀市市场监督管理局（知识产权局）、仁怀市酱香白酒协会\n"
        f"high_value_patent,磷石膏高价值专利培育,贵州大学,2027-01-01,2028-12-31,500000,HVP-1,,"
        f"{PARTNER}; 仁怀市酱香白酒协会\n",
        encoding="utf-8",
    )

    ids = json.loads(ok(ipflow("project", "import", str(path), "--json")))["ids"]

    gi, patent = (shown(ipflow, i) for i in ids)
    assert (gi["ref"], gi["tier"], gi["partners"]) == (
        "GI-1",
        "county",
        ["仁怀市市场监督管理局（知识产权局）", "仁怀市酱香白酒协会"],
    )
    assert (patent["ref"], patent["tier"], patent["partners"]) == (
        "HVP-1",
        None,
        [PARTNER, "仁怀市酱香白酒协会"],
    )


# --------------------------------------------------------------------------- migration


@pytest.fixture(params=BACKENDS)
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of each backend, with no schema yet."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_the_migration_maps_the_former_authority_kind_and_files_strong_enterprise_as_basic(
    unmigrated: Engine,
) -> None:
    from alembic import command

    config = _alembic_config(unmigrated)
    command.upgrade(config, "0011")
    with unmigrated.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO unit (id, name, kind, created_at) VALUES "
                "(1, '贵阳市市场监督管理局（知识产权局）', 'authority', '2026-10-15 02:00:00'),"
                "(2, '某企业', 'enterprise', '2026-10-15 02:00:00')"
            )
        )
        conn.execute(
            text(
                'INSERT INTO project (id, category, title, unit_id, state, start, "end", budget, '
                "definition_version, version, created_at) VALUES (1, 'strong_enterprise', '强企', "
                "2, 'applied', '2027-01-01', '2027-12-31', 200000, 1, 1, '2026-11-16 02:00:00')"
            )
        )

    command.upgrade(config, "0012")
    with unmigrated.connect() as conn:
        kinds = conn.execute(text("SELECT kind FROM unit ORDER BY id")).scalars().all()
        tier = conn.execute(text("SELECT tier FROM project")).scalar_one()
    command.downgrade(config, "0011")
    with unmigrated.connect() as conn:
        before = conn.execute(text("SELECT kind FROM unit ORDER BY id")).scalars().all()

    assert kinds == ["city_ip_office", "enterprise"] and tier == "basic"
    assert before == ["authority", "enterprise"]


@pytest.mark.parametrize(
    ("category", "refused_kind", "refused_facts", "accepted_kind", "accepted_facts"),
    [
        # seed line 177: an IP service institution with independent legal personality
        ("service_brand", "enterprise", (), "service_org", ()),
        # seed line 191: an enterprise with independent legal personality
        ("data_ip_leader", "university", (), "enterprise", ()),
        # seed lines 131 and 144: independent legal persons only (a branch office is not one)
        ("data_ip_chain", "enterprise", ("legal_person=no",), "association", ()),
        ("data_ip_scenario", "enterprise", ("legal_person=no",), "institute", ()),
    ],
)
def test_who_may_lead_the_remaining_categories(
    ipflow: Cli,
    engine: Engine,
    category: str,
    refused_kind: str,
    refused_facts: tuple[str, ...],
    accepted_kind: str,
    accepted_facts: tuple[str, ...],
) -> None:
    unit(ipflow, "不合格申报单位", refused_kind, *refused_facts)
    unit(ipflow, "合格申报单位", accepted_kind, *accepted_facts)

    message = refused(ipflow, engine, *application(category, "不合格申报单位"))

    assert "“不合格申报单位”" in message
    assert created(ipflow, category, "合格申报单位") == 1
