"""The benchmark: load synthetic programmes, time the nightly check and the CLI, print the figures."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bench.bulk_load import bulk_load
from bench.generate import TODAY, programme
from states.categories import MONITORED
from states.definitions import ACTIVE_STATES
from workflow.core.clock import fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.db.engine import make_engine, upgrade
from workflow.progress.rules import to_cent

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
IPFLOW = str(ROOT / ".venv" / "bin" / "ipflow")
PG_URL = os.environ.get("IPFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

REFERENCE = """
WITH latest AS (
    SELECT project_id, MAX(report_date) AS report_date FROM report
    WHERE report_date <= :day GROUP BY project_id
)
SELECT t.project_id,
       100.0 * SUM(t.weight * {elapsed}) / SUM(t.weight) AS planned,
       CASE WHEN MAX(l.report_date) IS NULL THEN NULL
            ELSE SUM(t.weight * COALESCE(i.completion, 0)) / SUM(t.weight) END AS actual
FROM plan_task t
JOIN project p ON p.id = t.project_id
LEFT JOIN latest l ON l.project_id = t.project_id
LEFT JOIN report r ON r.project_id = t.project_id AND r.report_date = l.report_date
LEFT JOIN report_item i ON i.report_id = r.id AND i.task_id = t.id
WHERE p.state IN ({states}) AND p.category IN ({categories})
GROUP BY t.project_id
"""
"""One pass of the database over the same rows: planned and actual progress of every active
monitored project at its latest report (SPEC.md §4), the lower bound the nightly check is
compared with."""

ELAPSED = {
    "sqlite": "CASE WHEN t.due <= t.start THEN (CASE WHEN :day >= t.due THEN 1.0 ELSE 0.0 END) "
    "ELSE MIN(MAX((julianday(:day) - julianday(t.start)) "
    "/ (julianday(t.due) - julianday(t.start)), 0.0), 1.0) END",
    "postgresql": "CASE WHEN t.due <= t.start THEN (CASE WHEN CAST(:day AS date) >= t.due "
    "THEN 1.0 ELSE 0.0 END) ELSE LEAST(GREATEST((CAST(:day AS date) - t.start)::float "
    "/ (t.due - t.start), 0.0), 1.0) END",
}


@dataclass
class Figures:
    """What one backend at one size measured."""

    backend: str
    n: int
    load_s: float
    nightly_s: float
    rss_mb: float
    second_s: float
    reference_s: float
    mismatches: int

    @property
    def ratio(self) -> float:
        return self.nightly_s / self.reference_s


def timed_child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run `args`; its wall time, its own peak RSS in MB (wait4), and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        begin = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - begin
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{err.read().decode()}")
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def median_wall(args: list[str], runs: int = 7) -> float:
    """Median wall time of `runs` runs of `args` (after one warm-up)."""
    timed_child(args)
    return statistics.median(timed_child(args)[0] for _ in range(runs))


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database: an SQLite file, or a PostgreSQL schema dropped after."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:6]}.db"
        url = f"sqlite:///{path}"
        _migrate(url)
        try:
            yield url
        finally:
            path.unlink(missing_ok=True)
        return
    schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        _migrate(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def reference(engine: Engine) -> tuple[float, dict[int, float | None]]:
    """Wall time of the single-pass query (best of three) and the lags it computes."""
    sql = text(
        REFERENCE.format(
            elapsed=ELAPSED[engine.dialect.name].replace(":day", "l.report_date"),
            states=", ".join(f"'{s}'" for s in sorted(ACTIVE_STATES)),
            categories=", ".join(f"'{c}'" for c in sorted(MONITORED)),
        )
    )
    times: list[float] = []
    rows: list[Any] = []
    for _ in range(3):
        with engine.connect() as conn:
            begin = time.perf_counter()
            rows = list(conn.execute(sql, {"day": TODAY}))
            times.append(time.perf_counter() - begin)
    lags = {
        pid: None if actual is None else to_cent(to_cent(planned) - to_cent(actual))
        for pid, planned, actual in rows
    }
    return min(times), lags


def measure(backend: str, n: int, workdir: Path, cli: bool = False) -> Figures:
    """Load `n` projects into a fresh database, run the check twice, time the reference.

    With `cli`, also time the CLI commands against that database, before it is dropped.
    """
    with database(backend, workdir) as url:
        engine = make_engine(url)
        noon = datetime(2027, 10, 15, 4, tzinfo=UTC)
        ctx = AppContext(engine, Settings(), fixed_clock(noon), "bench")
        begin = time.perf_counter()
        bulk_load(ctx, programme(n))
        load_s = time.perf_counter() - begin
        if backend == "postgresql":
            # What autovacuum does between a load and the next night: statistics for the
            # planner, and the visibility map and hint bits that spare the first reader writes.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        command = [IPFLOW, "--db", url, "check", "run", "--today", TODAY.isoformat(), "--json"]
        on_the_day = {**os.environ, "IPFLOW_TODAY": TODAY.isoformat()}
        nightly_s, rss_mb, out = timed_child(command, on_the_day)
        summary = json.loads(out)
        second_s = timed_child(command, on_the_day)[0]
        reference_s, lags = reference(engine)
        with engine.connect() as conn:
            ledger = dict(
                conn.execute(
                    text("SELECT project_id, lag FROM ledger_snapshot WHERE day = :day"),
                    {"day": TODAY},
                )
                .tuples()
                .all()
            )
        mismatches = sum(
            1
            for pid, lag in lags.items()
            if (lag is None) != (ledger.get(pid) is None)
            or (lag is not None and lag != ledger[pid])
        ) + len(ledger.keys() - lags.keys())
        engine.dispose()
        figures = Figures(backend, n, load_s, nightly_s, rss_mb, second_s, reference_s, mismatches)
        print(
            f"{backend:<10} n={n:<7} load={load_s:7.2f}s  check={nightly_s:6.2f}s "
            f"(again the same day {second_s:5.2f}s)  peak_rss={rss_mb:6.1f}MB  "
            f"reference={reference_s:5.2f}s  ratio={figures.ratio:5.2f}  "
            f"lags differing from the reference: {mismatches}\n"
            f"{'':<10} flags {summary['flags']}, letters issued {summary['letters_issued']}",
            flush=True,
        )
        if cli:
            cli_times(url, n)
        return figures


def cli_times(url: str, n: int) -> None:
    """Print median wall times of `ipflow --help`, `ipflow project show` and a bare import."""
    help_s = median_wall([IPFLOW, "--help"])
    show_s = median_wall([IPFLOW, "--db", url, "project", "show", str(n // 2)])
    bare_s = median_wall([PYTHON, "-c", "import sqlalchemy.orm"])
    print(
        f"cli (median of 7): ipflow --help {help_s:.3f}s; ipflow project show {n // 2} "
        f"{show_s:.3f}s ({show_s / bare_s:.2f}× the bare import); "
        f'python -c "import sqlalchemy.orm" {bare_s:.3f}s',
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100_000, help="projects in the large run")
    parser.add_argument("--small", type=int, default=10_000, help="projects in the small run")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    print(
        f"ipflow benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"check date {TODAY}, 8 plan tasks and up to 4 reports per project",
        flush=True,
    )
    results: dict[tuple[str, int], Figures] = {}
    with tempfile.TemporaryDirectory(prefix="ipflow-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            results[backend, args.small] = measure(backend, args.small, workdir)
            results[backend, args.n] = measure(backend, args.n, workdir, backend == "sqlite")
    for backend in backends:
        small, large = results[backend, args.small], results[backend, args.n]
        print(
            f"{backend}: growth {args.small}→{args.n}: ×{large.nightly_s / small.nightly_s:.2f}",
            flush=True,
        )
    last = results[backends[0], args.n]
    print(
        f"nightly_s={last.nightly_s:.2f} peak_rss_mb={last.rss_mb:.0f} "
        f"reference_s={last.reference_s:.2f} ratio={last.ratio:.2f}"
    )


if __name__ == "__main__":
    main()
