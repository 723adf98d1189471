"""Sanctions and money edges of the call (seed 004), through the command line on both databases.

gi_brand's failed year-1 evaluation ends support without recovery (seed line 50), acceptance
grades, data-IP re-application only after "excellent" (line 157), the office's restriction
decision after a leader's double acceptance failure, judged on the filing day (line 208),
securitisation first applied, first served with its 2026 issuance and Guizhou registration
(lines 214, 224), and service_brand's end-of-2026 condition date from the configuration
(lines 185–186).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import Result
from sqlalchemy import Engine

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import APPLICANTS, SECURITIZATION_TERMS, TIERS, enrol, make_project, on
from workflow.core.context import AppContext
from workflow.projects.actions import advance
from workflow.projects.reports import submit


def at(ipflow: Cli, day: str) -> Cli:
    """The command line with its clock on `day`."""
    return Cli(ipflow.db_url, date.fromisoformat(day))


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def refused(result: Result, engine: Engine, before: object, *words: str) -> str:
    """Assert a clean refusal: exit 1, one paragraph naming `words`, the database unchanged."""
    message = without_clock_notice(result.stderr)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "\n" not in message, message
    for word in words:
        assert word in message, message
    assert database_dump(engine) == before
    return message


def shown(cli: Cli, project_id: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        ok(cli("project", "show", str(project_id), "--json")).stdout
    )
    return document


def create(cli: Cli, category: str, unit: str, start: str, end: str, *extra: str) -> Result:
    """`project create` of a `category` application by `unit`, as a user types it; a new unit is
    registered first as one that may lead the category (tests.factories.APPLICANTS)."""
    kind, facts = APPLICANTS[category]
    enrol(cli, unit, kind, *(f"{key}={value}" for key, value in facts.items()))
    tier = ["--tier", TIERS[category]] if category in TIERS else []
    return cli(
        "project", "create", "--category", category, "--title", f"{unit}{category}{start}",
        "--unit", unit, "--start", start, "--end", end, "--budget", "300000", *tier, *extra,
    )  # fmt: skip


def created_id(result: Result) -> int:
    return int(json.loads(ok(result).stdout)["id"])


# --------------------------------------------------------------------------- gi_brand


GI_TERM = ("2027-01-01", "2028-12-31")
YEAR_ONE_REVIEW = "2027-12-01"
"""Year 1 of gi_brand is 2027; its evaluation opens 30 days before the year's end."""


def _gi_brand_paid_year_one(ipflow: Cli, unit: str) -> int:
    """A gi_brand project approved, started and paid its whole year-1 grant of 50万."""
    project_id = created_id(create(ipflow, "gi_brand", unit, *GI_TERM, "--json"))
    for trigger in ("screen", "approve", "start"):
        ok(ipflow("project", "advance", str(project_id), trigger))
    ok(
        ipflow(
            "budget", "set", str(project_id), "--line", "劳务费=200000", "--line", "推广费=300000"
        )
    )
    ok(ipflow("disburse", str(project_id), "--date", "2027-02-01", "--amount", "500000",
              "--stage", "第一年度资助"))  # fmt: skip
    return project_id


def test_a_failed_gi_brand_year_one_evaluation_ends_support_and_recovers_nothing(
    ipflow: Cli, engine: Engine
) -> None:
    project_id = _gi_brand_paid_year_one(ipflow, "某地理标志协会")
    ok(ipflow("expense", "add", str(project_id), "--line", "劳务费", "--date", "2027-03-01",
              "--amount", "80000", "--description", "品牌推广人员劳务"))  # fmt: skip
    review = at(ipflow, YEAR_ONE_REVIEW)
    ok(review("project", "advance", str(project_id), "review"))
    assert "end_support" in shown(review, project_id)["triggers"]

    ok(review("project", "advance", str(project_id), "end_support", "--note", "第一年度未达标"))

    document = shown(review, project_id)
    money = document["money"]
    assert document["state"] == "closed"
    assert (money["granted"], money["disbursed"], money["recovered"]) == (500_000, 500_000, 0)
    assert document["history"][-1]["data"]["carry_over"] == 420_000  # 50万 − 8万 spent stays
    before = database_dump(engine)
    refused(
        review("project", "advance", str(project_id), "roll", "--amount", "500000"),
        engine,
        before,
        "不能执行“roll”",
    )


def test_terminating_a_gi_brand_for_misuse_recovers_the_unspent_money(
    ipflow: Cli, engine: Engine
) -> None:
    project_id = _gi_brand_paid_year_one(ipflow, "某地理标志服务机构")
    large = json.loads(ok(ipflow("expense", "add", str(project_id), "--line", "推广费",
                                 "--date", "2027-03-01", "--amount", "200000",
                                 "--description", "渠道推广", "--json")).stdout)  # fmt: skip
    misused = json.loads(ok(ipflow("expense", "add", str(project_id), "--line", "招待费",
                                   "--date", "2027-03-02", "--amount", "50000",
                                   "--description", "宴请", "--json")).stdout)  # fmt: skip
    ok(ipflow("expense", "review", str(large["id"]), "--decision", "accept"))
    ok(ipflow("expense", "review", str(misused["id"]), "--decision", "misuse", "--note", "挪用"))
    review = at(ipflow, YEAR_ONE_REVIEW)
    ok(review("project", "advance", str(project_id), "review"))

    ok(review("project", "advance", str(project_id), "terminate", "--note", "违规挪用资金"))

    document = shown(review, project_id)
    assert document["state"] == "terminated"
    assert document["money"]["recovered"] == 300_000  # 50万 disbursed − 20万 spent and accepted


# --------------------------------------------------------------------------- acceptance grades

AFTER_TERM = date(2028, 1, 20)
"""A day after a 2027 one-year term, when its acceptance may be held."""
QUARTER_ENDS = (date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31))


def _in_acceptance(ctx: AppContext, category: str, unit: str) -> int:
    """A 2027 one-year project of `unit`, every quarter reported, in acceptance."""
    project_id = make_project(ctx, category=category, unit=unit)
    for day in QUARTER_ENDS:
        submit(on(ctx, day), project_id, day, {"项目实施": 100})
    advance(on(ctx, AFTER_TERM), project_id, "request_acceptance")
    return project_id


def test_acceptance_records_its_grade_in_the_history_and_the_view(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    excellent = _in_acceptance(ctx, "data_ip_chain", "甲数据公司")
    plain = _in_acceptance(ctx, "data_ip_scenario", "乙数据公司")
    failed = _in_acceptance(ctx, "high_value_patent", "丙大学")
    cli = at(ipflow, AFTER_TERM.isoformat())
    before = database_dump(engine)
    refused(
        cli("project", "advance", str(excellent), "pass_acceptance", "--data", "grade=good"),
        engine,
        before,
        f"项目#{excellent}",
        "验收等级“good”",
        "excellent（优秀）",
    )
    refused(
        cli("project", "advance", str(failed), "fail_acceptance", "--data", "grade=pass"),
        engine,
        before,
        "验收等级“pass”",
    )

    ok(cli("project", "advance", str(excellent), "pass_acceptance", "--data", "grade=excellent"))
    ok(cli("project", "advance", str(plain), "pass_acceptance"))
    ok(cli("project", "advance", str(failed), "fail_acceptance"))

    grades = {p: shown(cli, p) for p in (excellent, plain, failed)}
    assert {p: d["acceptance_grade"] for p, d in grades.items()} == {
        excellent: "excellent",
        plain: "pass",
        failed: "fail",
    }
    assert grades[excellent]["history"][-1]["data"]["grade"] == "excellent"
    assert grades[plain]["history"][-1]["data"]["grade"] == "pass"
    assert "验收等级：优秀（excellent）" in ok(cli("project", "show", str(excellent))).stdout


# --------------------------------------------------------------------------- data-IP re-application


def test_a_data_ip_unit_applies_the_next_year_only_after_an_excellent_acceptance(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    plain = _in_acceptance(ctx, "data_ip_chain", "甲数据公司")
    excellent = _in_acceptance(ctx, "data_ip_scenario", "乙数据公司")
    cli = at(ipflow, AFTER_TERM.isoformat())
    ok(cli("project", "advance", str(plain), "pass_acceptance", "--data", "grade=pass"))
    ok(cli("project", "advance", str(excellent), "pass_acceptance", "--data", "grade=excellent"))
    filing = at(ipflow, "2028-01-25")
    before = database_dump(engine)

    for category in ("data_ip_chain", "data_ip_scenario"):
        refused(
            create(filing, category, "甲数据公司", "2028-02-01", "2029-01-31"),
            engine,
            before,
            "甲数据公司",
            f"项目#{plain}",
            "验收等级为合格（pass）",
            "验收优秀的方可申报下年度项目",
        )
    ok(create(filing, "data_ip_chain", "乙数据公司", "2028-02-01", "2029-01-31"))
    ok(create(filing, "data_ip_scenario", "乙数据公司", "2028-03-01", "2029-02-28"))
    ok(create(filing, "strong_enterprise", "甲数据公司", "2028-02-01", "2029-01-31"))


def test_a_data_ip_unit_whose_project_is_not_yet_accepted_may_not_apply_the_next_year(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    running = make_project(ctx, category="data_ip_chain", unit="甲数据公司")
    before = database_dump(engine)

    refused(
        create(at(ipflow, "2027-11-20"), "data_ip_scenario", "甲数据公司", "2028-01-01",
               "2028-12-31"),
        engine,
        before,
        f"项目#{running}",
        "尚无验收结论（当前状态in_progress）",
    )  # fmt: skip


# --------------------------------------------------------------------------- restriction

LEADER_REPORTS = (date(2027, 12, 31), date(2028, 12, 31), date(2029, 12, 31))
CLOSING = "2030-01-08"


def _leader_failed_twice(ctx: AppContext, unit: str) -> int:
    """A 2027–2029 data_ip_leader project of `unit`, awarded 10万 after its second evaluation,
    failed at acceptance twice: the 10万 are due back and the office decides on restriction."""
    project_id = make_project(ctx, category="data_ip_leader", unit=unit)
    steps = {
        date(2028, 1, 5): ("review", "enter_library"),
        date(2029, 1, 5): ("review", "award"),
        date(2030, 1, 5): ("review", "proceed", "request_acceptance"),
        date(2030, 1, 6): ("fail_acceptance", "fail_reacceptance"),
    }
    for report_day, (day, triggers) in zip((*LEADER_REPORTS, None), steps.items(), strict=False):
        if report_day:
            submit(on(ctx, report_day), project_id, report_day, {"项目实施": 100})
        for trigger in triggers:
            amount = 100_000 if trigger == "award" else None
            advance(on(ctx, day), project_id, trigger, amount=amount)
    return project_id


def test_the_office_decides_the_restriction_and_it_bars_filings_whatever_the_start(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    project_id = _leader_failed_twice(ctx, "某数据领军企业")
    earlier = created_id(
        create(at(ipflow, "2029-12-20"), "data_ip_chain", "某数据领军企业", "2030-03-01",
               "2031-02-28", "--json")
    )  # fmt: skip
    ok(at(ipflow, "2029-12-28")("project", "advance", str(earlier), "screen"))

    closing = at(ipflow, CLOSING)
    ok(closing("project", "advance", str(project_id), "close", "--amount", "100000",
               "--data", "restrict_years=3", "--note", "收回未使用资金，限制申报3年"))  # fmt: skip

    data = shown(closing, project_id)["history"][-1]["data"]
    assert (data["clawback"], data["restrict_years"], data["restricted_until"]) == (
        100_000,
        3,
        "2033-01-07",
    )
    records = json.loads(ok(closing("unit", "record", "list", "某数据领军企业", "--json")).stdout)
    assert [(r["kind"], r["start"], r["end"]) for r in records] == [
        ("restricted", CLOSING, "2033-01-07")
    ]
    before = database_dump(engine)
    refused(
        create(at(ipflow, "2030-01-10"), "strong_enterprise", "某数据领军企业", "2033-03-01",
               "2034-02-28"),
        engine,
        before,
        "单位“某数据领军企业”处于限制申报期",
        "2030-01-08至2033-01-07",
        "申报日2030-01-10在此期间",
    )  # fmt: skip
    # Filed before the restriction began: it is judged on its filing day and may be approved.
    ok(at(ipflow, "2030-01-09")("project", "advance", str(earlier), "approve"))
    ok(create(at(ipflow, "2033-01-08"), "strong_enterprise", "某数据领军企业", "2033-03-01",
              "2034-02-28"))  # fmt: skip


def test_a_decision_of_no_years_restricts_nothing(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    project_id = _leader_failed_twice(ctx, "某数据企业")
    closing = at(ipflow, CLOSING)

    ok(closing("project", "advance", str(project_id), "close", "--amount", "100000",
               "--data", "restrict_years=0"))  # fmt: skip

    assert shown(closing, project_id)["history"][-1]["data"]["restrict_years"] == 0
    assert json.loads(ok(closing("unit", "record", "list", "某数据企业", "--json")).stdout) == []
    ok(create(at(ipflow, "2030-01-10"), "strong_enterprise", "某数据企业", "2030-03-01",
              "2031-02-28"))  # fmt: skip


def test_without_a_decision_the_configured_period_applies(
    ctx: AppContext, ipflow: Cli, tmp_path: Path
) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text("[rules]\nrestriction_years = 1\n", encoding="utf-8")
    project_id = _leader_failed_twice(ctx, "某数据企业")
    closing = at(ipflow, CLOSING)

    ok(closing("--config", str(config), "project", "advance", str(project_id), "close",
               "--amount", "100000"))  # fmt: skip

    records = json.loads(ok(closing("unit", "record", "list", "某数据企业", "--json")).stdout)
    assert [(r["start"], r["end"]) for r in records] == [(CLOSING, "2031-01-07")]


def test_the_decision_is_a_whole_number_of_years_and_only_for_the_leader(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    leader = _leader_failed_twice(ctx, "某数据企业")
    chain = _in_acceptance(ctx, "data_ip_chain", "某链主企业")
    for trigger in ("fail_acceptance", "fail_reacceptance"):
        advance(on(ctx, AFTER_TERM), chain, trigger)
    closing = at(ipflow, CLOSING)
    before = database_dump(engine)
    for years in ("-1", "2.5", "abc", "100"):
        refused(
            closing("project", "advance", str(leader), "close", "--amount", "100000",
                    "--data", f"restrict_years={years}"),
            engine,
            before,
            f"项目#{leader}",
            "限制申报年限须为0至99的整数",
        )  # fmt: skip
    refused(
        closing("project", "advance", str(chain), "close", "--amount", "0",
                "--data", "restrict_years=3"),
        engine,
        before,
        "申报指南未对该类别规定限制申报",
    )  # fmt: skip

    ok(closing("project", "advance", str(chain), "close", "--amount", "0"))

    assert json.loads(ok(closing("unit", "record", "list", "某链主企业", "--json")).stdout) == []


# --------------------------------------------------------------------------- securitisation


def _terms(issuance: int, financing: int, **overrides: str) -> list[str]:
    product = {
        **SECURITIZATION_TERMS,
        "issuance": str(issuance),
        "financing": str(financing),
        **overrides,
    }
    return [f"--data={key}={value}" for key, value in product.items()]


def file_securitisation(cli: Cli, unit: str, issuance: int, financing: int, **extra: str) -> Result:
    return create(
        cli, "data_ip_securitization", unit, "2027-01-01", "2027-12-31", "--json",
        *_terms(issuance, financing, **extra),
    )  # fmt: skip


def test_securitisation_is_first_applied_first_served_whatever_the_order_of_approval(
    ipflow: Cli, engine: Engine
) -> None:
    first = created_id(file_securitisation(at(ipflow, "2027-03-01"), "甲数据公司", 100_000_000,
                                           30_000_000))  # 4% × 1亿 × 30% = 120万  # fmt: skip
    second = created_id(file_securitisation(at(ipflow, "2027-03-02"), "乙数据公司", 50_000_000,
                                            50_000_000))  # asks 200万, 80万 left  # fmt: skip
    for project_id in (first, second):
        ok(ipflow("project", "advance", str(project_id), "screen"))

    ok(ipflow("project", "advance", str(second), "approve"))
    ok(ipflow("project", "advance", str(first), "approve"))

    assert shown(ipflow, first)["money"]["granted"] == 1_200_000
    assert shown(ipflow, second)["money"]["granted"] == 800_000
    assert shown(ipflow, second)["history"][0]["data"]["capped"] is True
    enrol(ipflow, "丙数据公司", "enterprise", "guizhou_registered=yes")
    before = database_dump(engine)
    refused(
        file_securitisation(ipflow, "丙数据公司", 10_000_000, 10_000_000),
        engine,
        before,
        "2027年度数据知识产权证券化补贴额度2000000元已用完（先申请先资助）",
    )


def test_a_withdrawn_application_gives_its_reservation_back(ipflow: Cli, engine: Engine) -> None:
    first = created_id(file_securitisation(ipflow, "甲数据公司", 50_000_000, 50_000_000))
    ok(ipflow("project", "advance", str(first), "withdraw"))

    later = created_id(file_securitisation(ipflow, "乙数据公司", 50_000_000, 50_000_000))

    assert shown(ipflow, later)["history"][0]["data"]["reserved"] == 2_000_000


def test_approval_grants_the_reservation_and_takes_no_product_terms(
    ipflow: Cli, engine: Engine
) -> None:
    project_id = created_id(file_securitisation(ipflow, "甲数据公司", 10_000_000, 10_000_000))
    ok(ipflow("project", "advance", str(project_id), "screen"))
    before = database_dump(engine)

    refused(
        ipflow("project", "advance", str(project_id), "approve", "--data", "issuance=90000000"),
        engine,
        before,
        "证券化产品条件已于申报时登记",
    )


def test_a_securitisation_product_issued_outside_2026_or_by_an_enterprise_outside_guizhou_is_refused(
    ipflow: Cli, engine: Engine
) -> None:
    enrol(ipflow, "甲数据公司", "enterprise", "guizhou_registered=yes")
    enrol(ipflow, "成都某数据公司", "enterprise", "guizhou_registered=no")
    before = database_dump(engine)
    for issued in ("2025-12-31", "2027-01-05"):
        refused(
            file_securitisation(ipflow, "甲数据公司", 10_000_000, 10_000_000, issued=issued),
            engine,
            before,
            f"证券化产品须于2026年期间发行，而发行日为{issued}",
        )
    refused(
        file_securitisation(ipflow, "成都某数据公司", 10_000_000, 10_000_000),
        engine,
        before,
        "成都某数据公司",
        "在贵州省内注册",
    )
    refused(
        create(ipflow, "data_ip_securitization", "甲数据公司", "2027-01-01", "2027-12-31"),
        engine,
        before,
        "须提供证券化产品发行金额（--data issuance=元）",
    )
    refused(
        create(ipflow, "data_ip_chain", "甲数据公司", "2027-01-01", "2027-12-31",
               "--data", "issuance=1"),
        engine,
        before,
        "申报时不填写 --data",
    )  # fmt: skip
    ok(file_securitisation(ipflow, "甲数据公司", 10_000_000, 10_000_000, issued="2026-01-01"))


# --------------------------------------------------------------------------- service_brand

REVENUE = ("--data", "revenue=12000000")
"""2026 revenue of 1200万, above the 1000万 the call asks."""


def test_service_brand_is_paid_only_for_a_condition_met_by_the_configured_date(
    ctx: AppContext, ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    late = _in_acceptance(ctx, "service_brand", "甲知识产权代理公司")
    timely = _in_acceptance(ctx, "service_brand", "乙知识产权代理公司")
    cli = at(ipflow, AFTER_TERM.isoformat())
    before = database_dump(engine)
    for registration in ("registered_on=2027-01-05", "registered=yes"):  # the latter: today
        refused(
            cli("project", "advance", str(late), "pass_acceptance", *REVENUE,
                "--data", registration),
            engine,
            before,
            f"项目#{late}",
            "上规入统条件须于2026-12-31前达成",
        )  # fmt: skip
    refused(
        cli("project", "advance", str(late), "pass_acceptance", *REVENUE,
            "--data", "registered_on=2028-02-01"),
        engine,
        before,
        "入库纳统日期2028-02-01晚于今天2028-01-20",
    )  # fmt: skip

    ok(cli("project", "advance", str(timely), "pass_acceptance", *REVENUE,
           "--data", "registered_on=2026-12-20"))  # fmt: skip

    assert shown(cli, timely)["money"]["disbursed"] == 500_000
    config = tmp_path / "ipflow.toml"
    config.write_text("[rules]\nservice_brand_deadline = 2027-06-30\n", encoding="utf-8")
    ok(cli("--config", str(config), "project", "advance", str(late), "pass_acceptance",
           *REVENUE, "--data", "registered_on=2027-01-05"))  # fmt: skip
    assert shown(cli, late)["state"] == "completed"


def test_an_import_reserves_securitisation_subsidies_in_file_order(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    product = "issued=2026-05-20;ends=2027-12-31"
    for unit in ("甲数据公司", "乙数据公司"):
        enrol(ipflow, unit, "enterprise", "guizhou_registered=yes")
    rows = [
        "category,title,unit,start,end,budget,data",
        f"data_ip_securitization,甲证券化,甲数据公司,2027-01-01,2027-12-31,1200000,"
        f"issuance=100000000;financing=30000000;{product}",
        f"data_ip_securitization,乙证券化,乙数据公司,2027-01-01,2027-12-31,2000000,"
        f"issuance=50000000；financing=50000000；{product}",
    ]
    good = tmp_path / "good.csv"
    good.write_text("\n".join(rows) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\n".join([*rows[:2], rows[2].replace("2026-05-20", "2025-05-20"), rows[1] + ";size"])
        + "\n",
        encoding="utf-8",
    )
    before = database_dump(engine)

    result = ipflow("project", "import", str(bad))

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.csv第3行：证券化产品须于2026年期间发行，而发行日为2025-05-20" in result.stderr
    assert "bad.csv第4行：data列的“size”应为 KEY=VALUE" in result.stderr
    assert "bad.csv第2行" not in result.stderr
    assert database_dump(engine) == before
    ids = json.loads(ok(ipflow("project", "import", str(good), "--json")).stdout)["ids"]
    reserved = [shown(ipflow, n)["history"][0]["data"]["reserved"] for n in ids]
    assert reserved == [1_200_000, 800_000]


def test_a_restriction_recorded_over_the_filing_day_bars_approval_after_it_ends(
    ctx: AppContext, ipflow: Cli, engine: Engine
) -> None:
    project_id = make_project(ctx, state="screened", unit="某企业")  # filed on 2027-04-15
    ok(ipflow("unit", "record", "add", "某企业", "--kind", "restricted", "--start", "2027-01-01",
              "--end", "2027-06-30", "--note", "另案限制申报"))  # fmt: skip
    later = at(ipflow, "2027-07-15")
    before = database_dump(engine)

    refused(
        later("project", "advance", str(project_id), "approve"),
        engine,
        before,
        f"项目#{project_id}",
        "限制申报省级知识产权项目",
    )
