"""The web console's pages through HTTP: each action is the CLI's use case, refusals change nothing."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from tests.conftest import database_dump
from tests.factories import make_project
from tests.web_support import PASSWORD, form_csrf, sign_in, web_client
from workflow.access.actions import add_user
from workflow.auth.actions import set_password
from workflow.check.actions import run_check
from workflow.check.recommendations import list_recommendations
from workflow.core.config import Settings, WebSettings
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import ProjectEvent, Report
from workflow.db.orm_evidence import ReportEvidence
from workflow.db.orm_money import Expenditure
from workflow.letters.actions import list_letters
from workflow.letters.review import letter_file
from workflow.money.budget import disburse, set_budget_lines
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit
from workflow.reporting.ledger import export_ledger, ledger_rows

TODAY = date(2027, 4, 15)
PLAN = [
    PlanRow("现状调研", date(2027, 1, 1), date(2027, 3, 31), 1.0),
    PlanRow("专利布局", date(2027, 1, 1), date(2027, 12, 31), 1.0),
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SESSION_TABLES = {"web_session", "sign_in_log", "refusal_log"}
"""What signing in and being refused write: left out when a test checks nothing else changed."""


@dataclass(frozen=True)
class World:
    """An office with its staff, the contractor and two units' users; 贵州大学's project fell
    behind at its first report and got a warning letter at the check of TODAY."""

    ctx: AppContext
    project: int
    letter: int
    foreign: int
    screened: int


@pytest.fixture
def world(ctx: AppContext) -> World:
    office = replace(ctx, actor="王处长")
    add_user(ctx, "王处长", "admin", None)
    project = make_project(office, title="磷化工高价值专利培育", plan=PLAN)
    foreign = make_project(office, unit="贵州理工学院", title="外单位的项目", plan=PLAN)
    screened = make_project(office, state="screened", title="待立项的项目", plan=PLAN)
    for name, role, unit in (
        ("李管理", "manager", None),
        ("风控张", "contractor", None),
        ("贵大科技处", "unit", "贵州大学"),
        ("理工科技处", "unit", "贵州理工学院"),
    ):
        add_user(office, name, role, unit)  # its password when a test signs in (argon2 is slow)
    submit(office, project, date(2027, 3, 31), {"现状调研": 10, "专利布局": 5})
    set_budget_lines(office, project, {"劳务费": 200_000, "设备费": 300_000})
    disburse(office, project, date(2027, 2, 1), 250_000, "首期拨付")
    run_check(office, TODAY)
    letter = list_letters(office, None)[0].id
    return World(ctx, project, letter, foreign, screened)


def client_of(world: World, name: str, settings: Settings | None = None) -> TestClient:
    """A client signed in as `name`, whose password is set now."""
    set_password(replace(world.ctx, actor="王处长"), name, PASSWORD)
    client = web_client(world.ctx, settings)
    assert sign_in(client, name).status_code == 303
    return client


def business(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the sessions', the sign-in log's and the refusal log's."""
    return {k: v for k, v in database_dump(engine).items() if k not in SESSION_TABLES}


def error_of(html: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    assert found, "the page shows no error"
    return found.group(1)


def report_form(day: str, note: str = "", **progress: str) -> dict[str, object]:
    return {
        "day": day,
        "task": ["现状调研", "专利布局"],
        "progress": [progress.get("survey", ""), progress.get("layout", "")],
        "note": note,
    }


# --------------------------------------------------------------------------- start and project


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("王处长", "/dashboard"),
        ("李管理", "/dashboard"),
        ("风控张", "/letters"),
        ("贵大科技处", "/projects"),
    ],
)
def test_the_start_page_is_the_roles(world: World, name: str, start: str) -> None:
    assert client_of(world, name).get("/").headers["location"] == start


def test_a_units_project_page_shows_tasks_planned_against_done_and_why_it_is_red(
    world: World,
) -> None:
    page = client_of(world, "贵大科技处").get(f"/projects/{world.project}")
    assert page.status_code == 200
    rows = re.findall(r"<tr>\s*<td>(现状调研|专利布局)</td>.*?</tr>", page.text, re.S)
    assert rows == ["现状调研", "专利布局"]
    # 现状调研 was due 03-31: 100% planned today, 10% in the latest report.
    survey = re.search(r"<td>现状调研</td>.*?</tr>", page.text, re.S)
    assert survey and "100%" in survey.group(0) and "10%" in survey.group(0)
    assert "进度滞后" in page.text and "严重滞后" in page.text
    assert "黔知运预〔2027〕1号" in page.text  # its letter, linked
    assert "提交进度报告" in page.text and "登记支出" in page.text
    assert "/advance" not in page.text  # a unit fires no lifecycle trigger


def test_another_units_project_and_its_evidence_are_not_found(world: World) -> None:
    client = client_of(world, "理工科技处")
    assert client.get(f"/projects/{world.project}").status_code == 404
    assert client.get(f"/projects/{world.project}/report").status_code == 404
    assert client.get(f"/letters/{world.letter}").status_code == 404
    assert client.get(f"/projects/{world.foreign}").status_code == 200


# --------------------------------------------------------------------------- reports and evidence


def test_a_unit_submits_a_report_with_evidence_as_report_submit_does(world: World) -> None:
    client = client_of(world, "贵大科技处")
    page = client.get(f"/projects/{world.project}/report")
    answer = client.post(
        f"/projects/{world.project}/report",
        data={
            **report_form("2027-04-15", "补齐调研", survey="60", layout="20"),
            "csrf": form_csrf(page.text),
        },
        files=[("evidence", ("调研纪要.pdf", PDF, "application/pdf"))],
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/projects/{world.project}?notice=report"
    with transaction(world.ctx.engine) as session:
        report = session.scalars(select(Report).where(Report.report_date == TODAY)).one()
        evidence = session.scalars(select(ReportEvidence)).one()
        stated = {i.task_id: (i.completion, i.stated) for i in report.items}
    assert report.actor == "贵大科技处" and report.note == "补齐调研"
    assert sorted(v for v, _ in stated.values()) == [20.0, 60.0]
    assert (evidence.report_id, evidence.name, evidence.size) == (
        report.id,
        "调研纪要.pdf",
        len(PDF),
    )
    assert evidence.media_type == "application/pdf" and evidence.actor == "贵大科技处"

    shown = client.get(f"/projects/{world.project}?notice=report")
    assert "进度报告已提交" in shown.text
    link = f"/projects/{world.project}/evidence/{evidence.id}"
    assert link in shown.text
    download = client.get(link)
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert client_of(world, "理工科技处").get(link).status_code == 404


def test_a_task_left_empty_keeps_its_completion(world: World) -> None:
    client = client_of(world, "贵大科技处")
    csrf = form_csrf(client.get(f"/projects/{world.project}/report").text)
    answer = client.post(
        f"/projects/{world.project}/report",
        data={**report_form("2027-04-15", layout="30"), "csrf": csrf},
    )
    assert answer.status_code == 303
    with transaction(world.ctx.engine) as session:
        report = session.scalars(select(Report).where(Report.report_date == TODAY)).one()
        items = sorted((i.completion, i.stated) for i in report.items)
    assert items == [(10.0, False), (30.0, True)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "类型不在允许之列"),
        ("纪要.pdf", b"MZ\x90\x00 a renamed program", "内容不是PDF文件"),
        ("空白.png", b"", "是空文件"),
        ("表格.xlsx", b"PK\x03\x04 not a workbook", "内容不是XLSX文件"),
    ],
)
def test_evidence_of_a_type_not_allowed_is_refused_and_nothing_is_written(
    world: World, name: str, content: bytes, message: str
) -> None:
    client = client_of(world, "贵大科技处")
    csrf = form_csrf(client.get(f"/projects/{world.project}/report").text)
    before = business(world.ctx.engine)
    answer = client.post(
        f"/projects/{world.project}/report",
        data={**report_form("2027-04-15", survey="60"), "csrf": csrf},
        files=[("evidence", (name, content, "application/pdf"))],
    )
    assert answer.status_code == 422
    assert message in error_of(answer.text)
    assert 'value="60"' in answer.text  # what was typed is kept
    assert business(world.ctx.engine) == before


def test_evidence_above_the_configured_size_is_refused(world: World) -> None:
    settings = replace(world.ctx.settings, web=WebSettings(evidence_max_bytes=1000))
    client = client_of(world, "贵大科技处", settings)
    csrf = form_csrf(client.get(f"/projects/{world.project}/report").text)
    before = business(world.ctx.engine)
    answer = client.post(
        f"/projects/{world.project}/report",
        data={**report_form("2027-04-15", survey="60"), "csrf": csrf},
        files=[("evidence", ("大文件.pdf", PDF + b" " * 1000, "application/pdf"))],
    )
    assert answer.status_code == 422
    assert "超过了每个文件1,000字节的上限" in error_of(answer.text)
    assert business(world.ctx.engine) == before


def test_a_body_larger_than_every_file_allowed_together_is_refused_before_it_is_read(
    world: World,
) -> None:
    settings = replace(world.ctx.settings, web=WebSettings(evidence_max_bytes=1000))
    client = client_of(world, "贵大科技处", settings)
    csrf = form_csrf(client.get(f"/projects/{world.project}/report").text)
    before = business(world.ctx.engine)
    answer = client.post(
        f"/projects/{world.project}/report",
        data={**report_form("2027-04-15", survey="60"), "csrf": csrf},
        files=[("evidence", ("大文件.pdf", PDF + b" " * (1100 * 1024), "application/pdf"))],
    )
    assert answer.status_code == 413
    assert "超过1,058,576字节的上限" in answer.text  # ten files of 1,000 bytes and 1 MiB
    assert business(world.ctx.engine) == before


def test_a_report_refused_by_the_rules_shows_why_and_writes_nothing(world: World) -> None:
    client = client_of(world, "贵大科技处")
    csrf = form_csrf(client.get(f"/projects/{world.project}/report").text)
    before = business(world.ctx.engine)
    later = client.post(
        f"/projects/{world.project}/report",
        data={**report_form("2027-04-16", survey="60"), "csrf": csrf},
    )
    lower = client.post(
        f"/projects/{world.project}/report",
        data={**report_form("2027-04-15", survey="5"), "csrf": csrf},
    )
    assert later.status_code == lower.status_code == 422
    assert "晚于今天2027-04-15" in error_of(later.text)
    assert "完成度下降须说明原因" in error_of(lower.text)
    assert business(world.ctx.engine) == before


def test_a_form_without_its_csrf_token_is_refused(world: World) -> None:
    client = client_of(world, "贵大科技处")
    before = business(world.ctx.engine)
    posts = {
        f"/projects/{world.project}/report": report_form("2027-04-15", survey="60"),
        f"/projects/{world.project}/expenses": {"line": "劳务费", "amount": "1000"},
        f"/letters/{world.letter}/plan": {"summary": "增派人员"},
        "/account/password": {
            "current": PASSWORD,
            "password": "新的密码-2027-夏",
            "repeat": "新的密码-2027-夏",
        },
    }
    for path, data in posts.items():
        assert client.post(path, data={**data, "csrf": "forged"}).status_code == 403, path
    assert business(world.ctx.engine) == before


# --------------------------------------------------------------------------- letters


def test_the_unit_answers_its_letter_with_a_rectification_plan_received_today(
    world: World,
) -> None:
    client = client_of(world, "贵大科技处")
    page = client.get(f"/letters/{world.letter}")
    assert f'src="/letters/{world.letter}/document"' in page.text
    answer = client.post(
        f"/letters/{world.letter}/plan",
        data={
            "summary": "增派两名研究人员，6月底前补齐调研",
            "due": "2027-06-30",
            "csrf": form_csrf(page.text),
        },
    )
    assert answer.status_code == 303
    trail = letter_file(replace(world.ctx, actor="王处长"), world.letter)
    assert trail.plan is not None
    assert (trail.plan.received_on, trail.plan.due) == (TODAY, date(2027, 6, 30))
    assert "增派两名研究人员" in client.get(f"/letters/{world.letter}").text


def test_the_letter_as_sent_is_served_alone_in_a_sandbox(world: World) -> None:
    document = client_of(world, "贵大科技处").get(f"/letters/{world.letter}/document")
    assert document.status_code == 200
    assert "预警告知书" in document.text and "贵州大学" in document.text
    policy = document.headers["content-security-policy"]
    assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert document.headers["x-frame-options"] == "SAMEORIGIN"


def test_the_contractor_reviews_a_letter_from_the_queue(world: World) -> None:
    client = client_of(world, "风控张")
    queue = client.get("/letters?status=pending")
    assert queue.status_code == 200 and f'href="/letters/{world.letter}"' in queue.text
    page = client.get(f"/letters/{world.letter}")
    answer = client.post(
        f"/letters/{world.letter}/review",
        data={
            "status": "reviewed",
            "comment": "滞后原因属实，督促报送整改方案",
            "csrf": form_csrf(page.text),
        },
    )
    assert answer.status_code == 303
    trail = letter_file(replace(world.ctx, actor="王处长"), world.letter)
    assert trail.status == "reviewed"
    assert [(r.from_, r.to, r.actor) for r in trail.reviews] == [("pending", "reviewed", "风控张")]
    assert f'href="/letters/{world.letter}"' not in client.get("/letters?status=pending").text
    assert f'href="/letters/{world.letter}"' in client.get("/letters?status=reviewed").text


def test_closing_a_letter_without_its_plan_is_refused_on_the_letters_page(world: World) -> None:
    client = client_of(world, "风控张")
    csrf = form_csrf(client.get(f"/letters/{world.letter}").text)
    client.post(
        f"/letters/{world.letter}/review",
        data={"status": "reviewed", "comment": "已核实", "csrf": csrf},
    )
    before = business(world.ctx.engine)
    answer = client.post(
        f"/letters/{world.letter}/review",
        data={"status": "closed", "comment": "办结", "csrf": csrf},
    )
    assert answer.status_code == 422
    assert "尚未收到整改方案，不能办结" in error_of(answer.text)
    assert business(world.ctx.engine) == before


def test_the_contractor_records_a_plan_and_follows_it_up(world: World) -> None:
    client = client_of(world, "风控张")
    csrf = form_csrf(client.get(f"/letters/{world.letter}").text)
    plan = client.post(
        f"/letters/{world.letter}/plan",
        data={"received": "2027-04-15", "summary": "补齐调研", "csrf": csrf},
    )
    follow = client.post(
        f"/letters/{world.letter}/follow-up",
        data={"day": "2027-04-15", "note": "调研已过半", "csrf": csrf},
    )
    assert plan.status_code == follow.status_code == 303
    trail = letter_file(replace(world.ctx, actor="王处长"), world.letter)
    assert trail.plan is not None and trail.plan.received_on == TODAY
    assert [(f.note, f.done, f.actor) for f in trail.plan.follow_ups] == [
        ("调研已过半", False, "风控张")
    ]


def test_a_unit_may_not_review_its_own_letter(world: World) -> None:
    client = client_of(world, "贵大科技处")
    csrf = form_csrf(client.get(f"/letters/{world.letter}").text)
    answer = client.post(
        f"/letters/{world.letter}/review",
        data={"status": "reviewed", "comment": "自己审自己", "csrf": csrf},
    )
    assert answer.status_code == 403
    assert letter_file(replace(world.ctx, actor="王处长"), world.letter).status == "pending"


# --------------------------------------------------------------------------- money


def test_a_unit_books_an_expenditure_and_a_bad_amount_is_refused(world: World) -> None:
    client = client_of(world, "贵大科技处")
    csrf = form_csrf(client.get(f"/projects/{world.project}").text)
    before = business(world.ctx.engine)
    bad = client.post(
        f"/projects/{world.project}/expenses",
        data={
            "line": "劳务费",
            "day": "2027-04-10",
            "amount": "三千",
            "description": "劳务",
            "csrf": csrf,
        },
    )
    assert bad.status_code == 422 and "不是整数元" in error_of(bad.text)
    assert business(world.ctx.engine) == before
    good = client.post(
        f"/projects/{world.project}/expenses",
        data={
            "line": "劳务费",
            "day": "2027-04-10",
            "amount": "3.5万",
            "description": "研发人员劳务",
            "csrf": csrf,
        },
    )
    assert good.status_code == 303
    with transaction(world.ctx.engine) as session:
        booked = session.scalars(select(Expenditure)).one()
    assert (booked.line, booked.amount, booked.actor) == ("劳务费", 35_000, "贵大科技处")
    assert "35,000" in client.get(f"/projects/{world.project}").text


# --------------------------------------------------------------------------- the contractor's desk


def test_the_ledger_page_filters_and_its_xlsx_is_the_export_of_ledger_export(world: World) -> None:
    client = client_of(world, "风控张")
    page = client.get("/ledger")
    assert page.status_code == 200
    assert f'href="/projects/{world.project}"' in page.text
    amber = client.get("/ledger?flag=amber")  # the foreign project's first report is overdue
    assert f'href="/projects/{world.project}"' not in amber.text
    assert f'href="/projects/{world.foreign}"' in amber.text
    assert "没有符合条件的项目" in client.get("/ledger?flag=green").text
    download = client.get("/ledger.xlsx")
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    titles = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    office = replace(world.ctx, actor="王处长")
    exported = load_workbook(io.BytesIO(export_ledger(office, "xlsx", TODAY).content)).active
    assert exported is not None
    assert titles == {row[2] for row in exported.iter_rows(min_row=2, values_only=True)}
    with transaction(world.ctx.engine) as session:
        assert len(titles) == len(ledger_rows(session, TODAY)) == 2


def test_a_ledger_before_any_check_is_refused_with_the_reason(world: World) -> None:
    answer = client_of(world, "风控张").get("/ledger?day=2027-04-01")
    assert answer.status_code == 422
    assert "没有完成的每日检查" in error_of(answer.text)


def test_the_flag_trend_counts_each_check_day(world: World) -> None:
    page = client_of(world, "风控张").get("/trend?first=2027-01-01&last=2027-04-15")
    assert page.status_code == 200
    row = re.search(r"<tr><td>2027-04-15</td>(.*?)</tr>", page.text)
    assert row is not None
    # green, amber (the foreign project's report is overdue), red (the letter's project)
    assert re.findall(r'<td class="num">(\d+)</td>', row.group(1)) == ["0", "1", "1"]
    bars = re.findall(r'<rect [^>]*height="([\d.]+)" fill="(#[0-9a-f]+)"', page.text)
    # one amber and one red project stacked: each half of the plot's 208 units of height
    assert bars == [("104.0", "#b7791f"), ("104.0", "#c53030")]
    assert "<script" not in page.text


def test_a_periodic_report_downloads_as_report_periodic_writes_it(world: World) -> None:
    client = client_of(world, "风控张")
    answer = client.get("/periodic/report?kind=quarterly&period=2027Q1&format=html")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert "2027年第一季度" in answer.text or "2027Q1" in answer.text or "季度" in answer.text
    refused = client.get("/periodic/report?kind=quarterly&period=2027Q4&format=html")
    assert refused.status_code == 422 and "尚未开始" in error_of(refused.text)


# --------------------------------------------------------------------------- the office


def test_the_dashboard_counts_flags_by_category_and_the_office_handles_a_recommendation(
    world: World,
) -> None:
    client = client_of(world, "王处长")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "高价值专利培育项目" in page.text and "磷化工高价值专利培育" in page.text
    office = replace(world.ctx, actor="王处长")
    waiting = list_recommendations(office, "open")
    assert [r.project_id for r in waiting] == [world.project]
    answer = client.post(
        f"/recommendations/{waiting[0].id}/handle",
        data={"decision": "约谈单位，限期整改", "note": "电话通知", "csrf": form_csrf(page.text)},
    )
    assert answer.status_code == 303
    handled = list_recommendations(office, "handled")
    assert [(r.decision, r.handled_by) for r in handled] == [("约谈单位，限期整改", "王处长")]
    again = client.post(
        f"/recommendations/{waiting[0].id}/handle",
        data={"decision": "再办一次", "csrf": form_csrf(page.text)},
    )
    assert again.status_code == 422 and "不能再次办结" in error_of(again.text)


def test_the_office_approves_a_screened_project_and_the_history_records_it(world: World) -> None:
    client = client_of(world, "王处长")
    assert f'href="/projects/{world.screened}"' in client.get("/approvals").text
    page = client.get(f"/projects/{world.screened}")
    assert 'value="approve"' in page.text
    answer = client.post(
        f"/projects/{world.screened}/advance",
        data={"trigger": "approve", "note": "专家评审通过", "csrf": form_csrf(page.text)},
    )
    assert answer.status_code == 303
    with transaction(world.ctx.engine) as session:
        event = session.scalars(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == world.screened)
            .order_by(ProjectEvent.seq.desc())
        ).first()
    assert event is not None
    assert (event.trigger, event.to_state, event.actor, event.note) == (
        "approve",
        "approved",
        "王处长",
        "专家评审通过",
    )


def test_a_trigger_refused_by_its_guard_shows_the_reason_and_changes_nothing(world: World) -> None:
    client = client_of(world, "王处长")
    csrf = form_csrf(client.get(f"/projects/{world.project}").text)
    before = business(world.ctx.engine)
    answer = client.post(
        f"/projects/{world.project}/advance",
        data={"trigger": "request_acceptance", "note": "提前验收", "csrf": csrf},
    )
    assert answer.status_code == 422
    assert "不能执行“request_acceptance”" in error_of(answer.text)
    assert business(world.ctx.engine) == before


def test_the_programme_page_sets_a_year_budget(world: World) -> None:
    client = client_of(world, "李管理")
    page = client.get("/programme?year=2027")
    answer = client.post(
        "/programme/budget",
        data={
            "year": "2027",
            "category": "high_value_patent",
            "amount": "500万",
            "csrf": form_csrf(page.text),
        },
    )
    assert answer.status_code == 303
    shown = client.get("/programme?year=2027")
    row = re.search(r"<td>高价值专利培育项目</td>(.*?)</tr>", shown.text, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">([\d,]+)</td>', row.group(1))[:2] == [
        "5,000,000",
        "1,000,000",
    ]
    below = client.post(
        "/programme/budget",
        data={
            "year": "2027",
            "category": "high_value_patent",
            "amount": "10万",
            "csrf": form_csrf(page.text),
        },
    )
    assert below.status_code == 422 and "预算不能低于此数" in error_of(below.text)


# --------------------------------------------------------------------------- account


def test_the_account_page_changes_the_password_and_keeps_tokens(world: World) -> None:
    client = client_of(world, "贵大科技处")
    csrf = form_csrf(client.get("/account").text)
    wrong = client.post(
        "/account/password",
        data={
            "current": "not-it-at-all",
            "password": "新的密码-2027-夏",
            "repeat": "新的密码-2027-夏",
            "csrf": csrf,
        },
    )
    assert wrong.status_code == 422 and "当前密码不正确" in error_of(wrong.text)
    changed = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "新的密码-2027-夏",
            "repeat": "新的密码-2027-夏",
            "csrf": csrf,
        },
    )
    assert changed.status_code == 303
    fresh = web_client(world.ctx)
    assert sign_in(fresh, "贵大科技处").status_code == 401
    assert sign_in(fresh, "贵大科技处", "新的密码-2027-夏").status_code == 303

    issued = client.post("/account/tokens", data={"label": "季报脚本", "days": "30", "csrf": csrf})
    secret = re.search(r'<code class="secret">(ipt_[^<]+)</code>', issued.text)
    assert issued.status_code == 200 and secret is not None
    api = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert [p["id"] for p in api.json()] == [world.project, world.screened]
    token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', issued.text)
    assert token_id is not None
    assert (
        client.post(f"/account/tokens/{token_id.group(1)}/revoke", data={"csrf": csrf}).status_code
        == 303
    )
    api = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert api.status_code == 401
    assert secret.group(1) not in client.get("/account").text


def test_the_pages_switch_to_english(world: World) -> None:
    client = client_of(world, "风控张")
    english = client.get("/letters?lang=en")
    assert "Letter queue" in english.text and "告知书队列" not in english.text
    assert "Pending" in english.text


# --------------------------------------------------------------------------- every page, every role


PAGES = (
    "/projects",
    "/projects/{project}",
    "/projects/{project}/report",
    "/letters",
    "/letters/{letter}",
    "/letters/{letter}/document",
    "/ledger",
    "/trend",
    "/periodic",
    "/dashboard",
    "/approvals",
    "/programme",
    "/account",
)
EXPECTED = {
    # page: status for admin, manager, contractor, own unit, foreign unit
    "/projects": (200, 200, 200, 200, 200),
    "/projects/{project}": (200, 200, 200, 200, 404),
    "/projects/{project}/report": (200, 200, 200, 200, 404),
    "/letters": (200, 200, 200, 200, 200),
    "/letters/{letter}": (200, 200, 200, 200, 404),
    "/letters/{letter}/document": (200, 200, 200, 200, 404),
    "/ledger": (200, 200, 200, 200, 200),
    "/trend": (200, 200, 200, 403, 403),
    "/periodic": (200, 200, 200, 403, 403),
    "/dashboard": (200, 200, 200, 200, 200),
    "/approvals": (200, 200, 200, 200, 200),
    "/programme": (200, 200, 200, 403, 403),
    "/account": (200, 200, 200, 200, 200),
}


def test_every_page_answers_every_role_as_the_permission_table_says(world: World) -> None:
    names = ("王处长", "李管理", "风控张", "贵大科技处", "理工科技处")
    seen = {}
    for n, name in enumerate(names):
        client = client_of(world, name)
        for page in PAGES:
            path = page.format(project=world.project, letter=world.letter)
            seen[(page, n)] = client.get(path).status_code
    assert {p: tuple(seen[(p, n)] for n in range(len(names))) for p in PAGES} == EXPECTED
