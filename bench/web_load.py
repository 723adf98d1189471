"""Web load: `ipflow serve` on PostgreSQL with N projects, 50 clients per endpoint, p50/p95/p99."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

from bench.bulk_load import bulk_load
from bench.generate import TODAY, programme
from bench.measure import IPFLOW, PYTHON, ROOT, database
from workflow.access.actions import add_user
from workflow.core.clock import fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.db.engine import make_engine, transaction
from workflow.db.orm import Project, Unit

ADMIN, UNIT_USER = "bench-admin", "bench-unit"
PASSWORD = "bench-口令-2027-秋"
TARGET_P95_MS = 100.0


def prepare(url: str, n: int) -> tuple[str, int, int]:
    """Load `n` projects, run the nightly check on them, register an admin and a unit user.

    Returns the unit's name, how many projects it has, and the id of one of them.
    """
    engine = make_engine(url)
    noon = datetime(2027, 10, 15, 4, tzinfo=UTC)
    ctx = AppContext(engine, Settings(), fixed_clock(noon), "bench")
    begin = time.perf_counter()
    bulk_load(ctx, programme(n))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    loaded = time.perf_counter() - begin
    begin = time.perf_counter()
    subprocess.run(
        [IPFLOW, "--db", url, "check", "run", "--today", TODAY.isoformat()],
        env={**os.environ, "IPFLOW_TODAY": TODAY.isoformat()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    checked = time.perf_counter() - begin
    with transaction(engine) as session:
        # The unit of the second project (the first is the contractor's): an ordinary unit.
        unit_id, name = session.execute(
            select(Unit.id, Unit.name).join(Project).where(Project.id == 2)
        ).one()
        owned = session.scalars(
            select(Project.id).where(Project.unit_id == unit_id).order_by(Project.id)
        ).all()
        total = session.scalar(select(func.count()).select_from(Project))
    office = AppContext(engine, Settings(), fixed_clock(noon), ADMIN)
    add_user(office, ADMIN, "admin", None, PASSWORD)
    add_user(office, UNIT_USER, "unit", name, PASSWORD)
    engine.dispose()
    print(
        f"loaded {total} projects in {loaded:.0f} s, nightly check in {checked:.0f} s; "
        f"unit “{name}” has {len(owned)} projects",
        flush=True,
    )
    return name, len(owned), owned[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server(url: str, workers: int, port: int) -> Iterator[tuple[str, list[int]]]:
    """A real `ipflow serve` with `workers` workers on `url`: its address and processes, once it
    answers."""
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(
            [IPFLOW, "--db", url, "serve", "--port", str(port), "--workers", str(workers)],
            env={**os.environ, "IPFLOW_TODAY": TODAY.isoformat()},
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if child.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"ipflow serve did not start:\n{log.read().decode()}")
                try:
                    if httpx.get(f"{base}/signin", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            # Every worker imports and connects on its first requests: let them all come up.
            time.sleep(1.0 + 0.5 * workers)
            yield base, family(child.pid)
        finally:
            child.terminate()
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def family(pid: int) -> list[int]:
    """`pid` and its children (uvicorn's workers), read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                children.append(int(entry.name))
    return [pid, *children]


def targets(project_id: int) -> list[dict[str, str]]:
    return [
        {"label": "unit page: my projects", "path": "/projects", "who": "unit-page"},
        {"label": "unit page: one project", "path": f"/projects/{project_id}", "who": "unit-page"},
        {"label": "API projects, unit token", "path": "/api/v1/projects", "who": "unit-api"},
        {
            "label": "API projects, admin, page of 100",
            "path": "/api/v1/projects",
            "who": "admin-api",
        },
    ]


def load(
    base: str,
    pids: list[int],
    project_id: int,
    clients: int,
    seconds: float,
    think: float,
    max_alone: float,
) -> dict:  # type: ignore[type-arg]
    """Run the load generator (a process of its own) against `base`; its figures."""
    answer = subprocess.run(
        [
            PYTHON,
            "-m",
            "bench.web_client",
            "--base",
            base,
            "--targets",
            json.dumps(targets(project_id)),
            "--unit",
            UNIT_USER,
            "--admin",
            ADMIN,
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
            "--think",
            str(think),
            "--max-alone",
            str(max_alone),
            "--server-pids",
            ",".join(map(str, pids)),
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
    )
    if answer.returncode != 0:
        raise SystemExit(f"the load generator failed:\n{answer.stderr}")
    figures: dict = json.loads(answer.stdout)  # type: ignore[type-arg]
    return figures


def report(figures: dict, workers: int, clients: int, think: float, n: int) -> None:  # type: ignore[type-arg]
    pace = f"each waiting {think:g} s between requests" if think else "back to back"
    print(
        f"\n{n} projects, {workers} worker(s), {clients} concurrent clients {pace}, "
        f"{os.cpu_count()} CPUs shared with the load generator "
        f"(which used {figures['client_cpu_s']:.1f} CPU-seconds)"
    )
    print(
        f"{'endpoint':<34} {'requests':>8} {'errors':>6} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'alone ms':>8} {'CPU ms/req':>10}"
    )
    for f in figures["targets"]:
        if f["skipped"]:
            print(f"{f['label']:<34} not put under load: {f['skipped']} ({f['path']})")
            continue
        verdict = "" if f["p95"] <= TARGET_P95_MS else f"  p95 over {TARGET_P95_MS:.0f} ms"
        print(
            f"{f['label']:<34} {f['requests']:>8} {f['errors']:>6} {f['rate']:>7.1f} "
            f"{f['p50']:>7.1f} {f['p95']:>7.1f} {f['p99']:>7.1f} {f['alone_ms']:>8.1f} "
            f"{f['server_cpu_ms']:>10.1f}{verdict}"
        )
        if f["failures"]:
            print(f"{'':<34} failures: {f['failures']}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument(
        "--workers", default="2", help="uvicorn workers of ipflow serve; a list (1,2) runs each"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per endpoint")
    parser.add_argument(
        "--think",
        default="1,0",
        help="seconds each client waits between requests (0: back to back); a list runs each",
    )
    parser.add_argument(
        "--max-alone",
        type=float,
        default=5.0,
        help="an endpoint whose one request alone takes longer (s) is not put under load",
    )
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(
        f"ipflow web benchmark: PostgreSQL, {args.projects} projects, ipflow serve with "
        f"{args.workers} worker(s), {args.clients} clients, {args.seconds:g} s per endpoint",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="ipflow-web-") as tmp,
        database("postgresql", Path(tmp)) as url,
    ):
        _unit, _owned, project_id = prepare(url, args.projects)
        for workers in counts:
            for think in (float(t) for t in args.think.split(",")):
                with server(url, workers, free_port()) as (base, pids):
                    figures = load(
                        base, pids, project_id, args.clients, args.seconds, think, args.max_alone
                    )
                report(figures, workers, args.clients, think, args.projects)


if __name__ == "__main__":
    main()
