"""Several `ipflow serve` workers on one PostgreSQL: a session or token made on one serves on another."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import NOON, Cli
from tests.factories import make_project
from tests.web_support import PASSWORD, form_csrf, user
from workflow.core.clock import fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.db.engine import connection_budget_problem, make_engine

IPFLOW = str(Path(sys.executable).with_name("ipflow"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _workers(parent: int) -> list[int]:
    """uvicorn's worker processes under `parent` (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


@contextmanager
def serving(url: str, workers: int) -> Iterator[tuple[str, list[int]]]:
    """`ipflow serve --workers N` on `url`: its address and its workers' process ids."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [IPFLOW, "--db", url, "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(pids := _workers(server.pid)) < workers or not _answers(base):
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "ipflow serve did not start in 60 s"
            time.sleep(0.2)
        # Each worker answers once it has started (the first to start answers `_answers`).
        time.sleep(2)
        yield base, pids
    finally:
        server.terminate()
        server.wait(30)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/signin", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def only(worker: int, pids: list[int]) -> Iterator[httpx.Client]:
    """A client whose every request lands on `worker`: the other workers are stopped meanwhile
    (SIGSTOP), so only it accepts connections on the shared socket; one connection a request."""
    others = [p for p in pids if p != worker]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        with httpx.Client(timeout=10, headers={"Connection": "close"}) as client:
            yield client
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)


@pytest.mark.slow
def test_a_session_and_a_token_made_on_one_worker_serve_on_the_other(pg_url: str) -> None:
    engine = make_engine(pg_url)
    ctx = AppContext(engine, Settings(), fixed_clock(NOON), "office")
    user(ctx, "office", "admin")
    mine = make_project(ctx, title="本单位项目", unit="贵州大学")
    theirs = make_project(ctx, title="外单位项目", unit="遵义医科大学")
    user(ctx, "unit-a", "unit", "贵州大学")
    engine.dispose()
    with serving(pg_url, 2) as (base, (first, second)):
        with only(first, [first, second]) as client:
            form = client.get(f"{base}/signin")
            signed_in = client.post(
                f"{base}/signin",
                data={"username": "unit-a", "password": PASSWORD, "csrf": form_csrf(form.text)},
            )
            assert signed_in.status_code == 303, signed_in.text
            cookie = {"Cookie": f"ipflow_session={signed_in.cookies['ipflow_session']}"}
            answer = client.post(
                f"{base}/api/v1/token", data={"username": "unit-a", "password": PASSWORD}
            )
            bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        with only(second, [first, second]) as client:
            page = client.get(f"{base}/projects", headers=cookie)
            assert page.status_code == 200
            assert "本单位项目" in page.text and "外单位项目" not in page.text
            assert client.get(f"{base}/projects/{theirs}", headers=cookie).status_code == 404
            listed = client.get(f"{base}/api/v1/projects", headers=bearer)
            assert [p["id"] for p in listed.json()] == [mine]
            signed_out = client.post(
                f"{base}/signout", data={"csrf": form_csrf(page.text)}, headers=cookie
            )
            assert signed_out.status_code == 303
        with only(first, [first, second]) as client:
            ended = client.get(f"{base}/projects", headers=cookie)
            assert ended.status_code == 303
            assert ended.headers["location"].startswith("/signin")
            assert client.get(f"{base}/api/v1/projects/{mine}", headers=bearer).status_code == 200
        assert _workers_alive(first, second), "a worker was restarted while stopped"


def _workers_alive(*pids: int) -> bool:
    return all(Path(f"/proc/{pid}").exists() for pid in pids)


def test_workers_whose_connections_exceed_postgresql_s_are_refused_before_serving(
    pg_url: str, tmp_path: Path
) -> None:
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        limit = int(conn.exec_driver_sql("SHOW max_connections").scalar_one())
    assert connection_budget_problem(engine, 5, 5 + 5) is None
    engine.dispose()
    ipflow = Cli(pg_url)
    # Five workers of the default 5 + 5 connections fit in PostgreSQL's default 100; a
    # configuration of larger pools does not.
    config = tmp_path / "ipflow.toml"
    config.write_text(f"[web]\npool_size = {limit // 5}\nmax_overflow = 5\n", encoding="utf-8")
    refused = ipflow("--config", str(config), "serve", "--workers", "5")
    assert refused.exit_code == 1
    assert f"共{5 * (limit // 5 + 5)}个" in refused.stderr
    assert f"max_connections {limit}" in refused.stderr
    assert "Traceback" not in refused.stderr
