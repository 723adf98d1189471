"""The web console in a real Chromium (Debian's), with JavaScript off, against `ipflow serve`.

A real server (`ipflow serve`, uvicorn) runs on a free loopback port over the demo built with
its accounts (`ipflow demo --accounts`), on SQLite and on PostgreSQL. Playwright drives
/usr/bin/chromium, never a browser of its own; without Chromium these tests fail.

IPFLOW_SCREENSHOTS=1 (re)writes docs/screenshots/*.png from the SQLite run, as the README
shows them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page
from sqlalchemy import text

from cli import cli
from tests.conftest import BACKENDS, PG_URL
from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.db.engine import make_engine
from workflow.demo.accounts import DEMO_PASSWORD
from workflow.reporting.overview import overview

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / "docs" / "screenshots"
DEMO_DAY = date(2027, 9, 30)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class Served:
    """A running `ipflow serve` over a demo database."""

    backend: str
    db_url: str
    base: str

    def shot(self, page: Page, name: str) -> None:
        """Write docs/screenshots/NAME.png when IPFLOW_SCREENSHOTS=1 (from the SQLite run)."""
        if os.environ.get("IPFLOW_SCREENSHOTS") == "1" and self.backend == "sqlite":
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is missing at /usr/bin/chromium: scripts/setup installs Debian's package "
            "(apt-get install chromium); the browser tests never download one"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(backend, URL) of a fresh database: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
        return
    schema = f"b_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield "postgresql", f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="module")
def served(database: tuple[str, str]) -> Iterator[Served]:
    """`ipflow serve` on a free loopback port over the demo with its accounts."""
    backend, url = database
    built = CliRunner().invoke(
        cli,
        ["--db", url, "--as", "demo", "demo", "--today", DEMO_DAY.isoformat(), "--accounts"],
        env={"IPFLOW_TODAY": DEMO_DAY.isoformat(), "IPFLOW_LANG": "zh"},
    )
    assert built.exit_code == 0, built.output
    port = _free_port()
    env = {**os.environ, "IPFLOW_TODAY": DEMO_DAY.isoformat(), "IPFLOW_LANG": ""}
    ipflow = Path(sys.executable).with_name("ipflow")
    server = subprocess.Popen(
        [ipflow, "--db", url, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                if httpx.get(f"{base}/signin", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "ipflow serve did not answer in a minute"
            time.sleep(0.3)
        yield Served(backend, url, base)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new browser page in Chinese, JavaScript off: every form works without it."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 860},
        java_script_enabled=False,
    )
    yield context.new_page()
    context.close()


def follow(page: Page, selector: str) -> None:
    """Click the link or submit button `selector` and wait for the page it leads to: a click
    returns once dispatched, before the browser has the answer."""
    with page.expect_navigation():
        page.click(selector)


def sign_in(page: Page, served: Served, name: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{served.base}/signin")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    follow(page, "form[action='/signin'] button[type=submit]")


def test_sign_in_refuses_a_wrong_password_then_opens_the_units_projects(
    served: Served, page: Page
) -> None:
    p = page
    sign_in(p, served, "unit", "not-the-demo-password")
    assert p.locator(".error").inner_text() == "用户名或密码不正确"
    assert p.url.startswith(f"{served.base}/signin")
    served.shot(p, "signin")
    sign_in(p, served, "unit")
    assert p.url == f"{served.base}/projects"
    assert p.locator("h1").inner_text() == "我的项目"
    units = set(p.locator("tbody td:nth-child(3)").all_inner_texts())
    assert units == {"贵州理工学院"}


def test_a_unit_submits_a_report_with_an_evidence_file(served: Served, page: Page) -> None:
    p = page
    sign_in(p, served, "unit")
    follow(p, "tbody tr:first-child td:nth-child(2) a")
    project_url = p.url
    follow(p, "text=提交进度报告")
    fields = p.locator("input[name=progress]")
    typed = []
    for n in range(fields.count()):
        last = float(fields.nth(n).get_attribute("placeholder"))
        typed.append(min(100.0, last + 10))
        fields.nth(n).fill(f"{typed[-1]:g}")
    p.fill("textarea[name=note]", "三季度补齐现场调研，专利布局加快")
    p.set_input_files(
        "input[name=evidence]",
        files=[{"name": "三季度调研纪要.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    served.shot(p, "unit-report")
    follow(p, "text=提交报告")
    assert p.url == f"{project_url}?notice=report"
    assert p.locator(".notice").inner_text() == "进度报告已提交"
    first_report = p.locator("section:has(h2:has-text('进度报告')) tbody tr").first
    assert first_report.locator("td").first.inner_text().startswith("2027-09-30")
    link = first_report.locator("a:has-text('三季度调研纪要.pdf')")
    served.shot(p, "unit-project")
    download = p.request.get(served.base + link.get_attribute("href"))
    assert download.body() == PDF
    done = p.locator("section:has(h2:has-text('计划任务')) td:nth-child(6)").all_inner_texts()
    assert [float(d.rstrip("%")) for d in done[: len(typed)]] == typed


def test_the_contractor_reviews_a_letter_from_the_queue(served: Served, page: Page) -> None:
    p = page
    sign_in(p, served, "contractor")
    assert p.url == f"{served.base}/letters"
    pending = p.locator("nav.tabs a:has-text('待审核') .count").inner_text()
    served.shot(p, "contractor-letters")
    follow(p, "text=黔知运预〔2027〕1号")
    letter = p.frame_locator("iframe").locator("h1")
    assert letter.inner_text() == "项目进度滞后预警告知书"
    p.check("input[name=status][value=reviewed]")
    p.fill("textarea[name=comment]", "滞后原因属实，已电话督促单位10月15日前报送整改方案")
    follow(p, "text=提交审核")
    assert p.locator(".notice").inner_text() == "告知书审核结论已记录"
    assert p.locator("h1 .status").inner_text() == "已审核"
    trail = p.locator("ol.trail li").all_inner_texts()
    assert trail[-1].startswith("2027-09-30 contractor：待审核 → 已审核")
    served.shot(p, "contractor-letter")
    p.goto(f"{served.base}/letters")
    after = p.locator("nav.tabs a:has-text('待审核') .count").inner_text()
    assert int(after) == int(pending) - 1


def test_the_office_dashboard_shows_the_ledger_in_figures_and_handles_a_recommendation(
    served: Served, page: Page
) -> None:
    p = page
    sign_in(p, served, "office")
    assert p.url == f"{served.base}/dashboard"
    on_demo_day = datetime(2027, 9, 30, 10, tzinfo=SHANGHAI).astimezone(UTC)
    engine = make_engine(served.db_url)
    try:
        figures = overview(AppContext(engine, Settings(), fixed_clock(on_demo_day), "office"))
    finally:
        engine.dispose()
    stats = p.locator(".stat").all_inner_texts()
    expected = [figures.totals[k] for k in ("projects", "green", "amber", "red")]
    assert [int(s) for s in stats] == expected
    assert figures.totals["red"] > 0
    reds = p.locator("section:has(h2:has-text('红色预警项目')) tbody tr").count()
    assert reds == len(figures.red)
    waiting = p.locator("article.recommendation").count()
    assert waiting > 0
    served.shot(p, "office-dashboard")
    first = p.locator("article.recommendation").first
    first.locator("input[name=decision]").fill("约谈项目承担单位，暂停后续拨付")
    with p.expect_navigation():
        first.locator("button").click()
    assert p.locator(".notice").inner_text() == "风险处置建议已办结"
    assert p.locator("article.recommendation").count() == waiting - 1
    p.goto(f"{served.base}/lang/en?next=/dashboard")
    assert p.locator("h1").inner_text().startswith("Dashboard")
    assert p.locator("nav a.here").inner_text() == "Dashboard"
    assert [int(s) for s in p.locator(".stat").all_inner_texts()] == expected
    reasons = " ".join(p.locator("td.reasons").all_inner_texts())
    assert "Behind schedule by" in reasons and "进度滞后" not in reasons
    served.shot(p, "office-dashboard-en")
