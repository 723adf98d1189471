"""The one-command web demo: `ipflow demo --accounts` and scripts/serve-demo, signed in to."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import Cli
from tests.web_support import form_csrf, web_client
from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.context import AppContext
from workflow.demo.accounts import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
DEMO_DAY = date(2027, 9, 30)
STARTS = {
    "office": "/dashboard",
    "manager": "/dashboard",
    "contractor": "/letters",
    "unit": "/projects",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_demo_accounts_are_printed_and_each_signs_in_to_its_start_page(
    db_url: str, ctx: AppContext
) -> None:
    result = Cli(db_url, DEMO_DAY)("demo", "--accounts")
    assert result.exit_code == 0, result.output
    assert f"演示账户（密码均为 {DEMO_PASSWORD}）" in result.output
    listed = re.findall(r"^  (\w+)\s+(\S+)", result.output, re.M)
    assert [name for name, _ in listed] == list(STARTS)
    assert "项目承担单位（贵州理工学院）" in result.output

    on_demo_day = datetime(2027, 9, 30, 10, tzinfo=SHANGHAI).astimezone(UTC)
    client = web_client(replace(ctx, clock=fixed_clock(on_demo_day)))
    for name, start in STARTS.items():
        client.cookies.clear()
        form = client.get("/signin")
        answer = client.post(
            "/signin",
            data={
                "username": name,
                "password": DEMO_PASSWORD,
                "csrf": form_csrf(form.text),
                "next": "/",
            },
        )
        assert answer.status_code == 303, (name, answer.text)
        assert client.get("/").headers["location"] == start
        assert client.get(start).status_code == 200
    mine = client.get("/projects")  # the last one signed in: the unit
    assert mine.text.count('href="/projects/') >= 1 and "贵州理工学院" in mine.text
    assert "贵州大学" not in mine.text


@pytest.mark.slow
def test_serve_demo_builds_the_demo_and_serves_it_in_one_command(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "IPFLOW_DEMO_DB": str(tmp_path / "demo.db")}
    server = subprocess.Popen(
        [ROOT / "scripts" / "serve-demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            try:
                if httpx.get(f"{base}/signin", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "scripts/serve-demo did not answer in 3 minutes"
            time.sleep(0.5)
        with httpx.Client(base_url=base, follow_redirects=False) as client:
            form = client.get("/signin")
            answer = client.post(
                "/signin",
                data={
                    "username": "unit",
                    "password": DEMO_PASSWORD,
                    "csrf": form_csrf(form.text),
                    "next": "/",
                },
            )
            assert answer.status_code == 303 and answer.headers["location"] == "/"
            assert client.get("/").headers["location"] == "/projects"
            projects = client.get("/projects")
            assert projects.status_code == 200 and "贵州理工学院" in projects.text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert f"http://127.0.0.1:{port}/" in output and DEMO_PASSWORD in output
