"""The run ledger and the nightly timer: leases, catching up missed nights, clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.factories import make_project
from workflow.check.actions import JOB, run_check
from workflow.check.runs import claim, missed_dates
from workflow.check.scheduler import catch_up
from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.db.engine import make_engine
from workflow.db.orm import CheckRun, Letter

T0 = datetime(2027, 4, 15, 12, tzinfo=UTC)


def _at(ctx: AppContext, local: datetime) -> AppContext:
    return AppContext(ctx.engine, ctx.settings, fixed_clock(local.astimezone(UTC)), ctx.actor)


def test_missed_dates_are_listed_oldest_first() -> None:
    assert missed_dates(date(2027, 4, 1), date(2027, 4, 4)) == [
        date(2027, 4, 2),
        date(2027, 4, 3),
        date(2027, 4, 4),
    ]
    assert missed_dates(date(2027, 4, 4), date(2027, 4, 4)) == []
    assert missed_dates(None, date(2027, 4, 4)) == [date(2027, 4, 4)]


def test_a_claimed_date_cannot_be_claimed_again_while_its_lease_runs(engine: Engine) -> None:
    assert claim(engine, JOB, date(2027, 4, 1), "a", T0)
    assert not claim(engine, JOB, date(2027, 4, 1), "b", T0 + timedelta(minutes=29))


def test_a_peer_takes_over_a_claim_whose_lease_expired(engine: Engine) -> None:
    assert claim(engine, JOB, date(2027, 4, 1), "a", T0)
    assert claim(engine, JOB, date(2027, 4, 1), "b", T0 + timedelta(minutes=31))
    with Session(engine) as session:
        assert session.scalars(select(CheckRun.owner)).all() == ["b"]


def test_a_finished_date_is_never_claimed_again(ctx: AppContext, engine: Engine) -> None:
    run_check(ctx, date(2027, 4, 1))
    assert not claim(engine, JOB, date(2027, 4, 1), "b", T0 + timedelta(days=2))


def test_a_scheduler_after_three_missed_nights_runs_them_in_order_once_each(
    ctx: AppContext, engine: Engine
) -> None:
    make_project(ctx)
    run_check(ctx, date(2027, 4, 1))
    later = _at(ctx, datetime(2027, 4, 4, 3, 0, tzinfo=SHANGHAI))  # after 02:00 on the 4th
    assert catch_up(later, "host:1") == [date(2027, 4, 2), date(2027, 4, 3), date(2027, 4, 4)]
    assert catch_up(later, "host:2") == []
    with Session(engine) as session:
        rows = session.execute(
            select(CheckRun.logical_date, CheckRun.status).order_by(CheckRun.logical_date)
        ).all()
    assert [(d.day, s) for d, s in rows] == [(1, "done"), (2, "done"), (3, "done"), (4, "done")]


def test_before_the_run_time_today_is_not_yet_due(ctx: AppContext) -> None:
    run_check(ctx, date(2027, 4, 1))
    early = _at(ctx, datetime(2027, 4, 3, 1, 30, tzinfo=SHANGHAI))
    assert catch_up(early, "host:1") == [date(2027, 4, 2)]


def _scheduler(db_url: str, tmp_path: Path, name: str) -> subprocess.Popen[str]:
    env = {**os.environ, "IPFLOW_TODAY": "2027-04-04", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli import main; main()",
            "--db",
            db_url,
            "--as",
            name,
            "scheduler",
            "run",
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).parents[1],
    )


def _wait_for(process: subprocess.Popen[str], word: str, timeout: float = 30) -> list[str]:
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if word in line:
            return lines
    raise AssertionError(f"no {word!r} in {lines}")


def _exit_code(process: subprocess.Popen[str]) -> int | None:
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


def test_a_scheduler_stops_cleanly_on_sigterm(db_url: str, tmp_path: Path) -> None:
    process = _scheduler(db_url, tmp_path, "a")
    _wait_for(process, "check_done")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert process.stderr is not None
    assert "scheduler_stopped" in process.stderr.read()


def test_two_schedulers_on_postgresql_run_each_night_once(pg_url: str, tmp_path: Path) -> None:
    engine = make_engine(pg_url)
    ctx = AppContext(engine, Settings(), fixed_clock(T0), "tester")
    project_id = make_project(ctx)  # reports missing: letters would double if a night ran twice
    run_check(ctx, date(2027, 4, 1))
    first, second = _scheduler(pg_url, tmp_path, "a"), _scheduler(pg_url, tmp_path, "b")
    try:
        for process in (first, second):
            _wait_for(process, "scheduler_started")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with Session(engine) as session:
                done = session.scalars(
                    select(CheckRun.logical_date).where(CheckRun.status == "done")
                ).all()
            if len(done) == 4:
                break
            time.sleep(0.2)
    finally:
        for process in (first, second):
            process.send_signal(signal.SIGTERM)
        codes = [_exit_code(p) for p in (first, second)]
    assert codes == [0, 0], [p.stderr.read() if p.stderr else "" for p in (first, second)]
    with Session(engine) as session:
        runs = session.execute(select(CheckRun.logical_date, CheckRun.status)).all()
        letters = session.scalars(
            select(Letter.episode).where(Letter.project_id == project_id)
        ).all()
    assert sorted(d.day for d, s in runs if s == "done") == [1, 2, 3, 4]
    assert len(letters) == len(set(letters))
