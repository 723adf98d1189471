"""The nightly check survives SIGKILL mid-run and two concurrent runs: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from tests.conftest import PG_URL
from workflow.check.actions import LOCK_KEY
from workflow.db.engine import make_engine, upgrade
from workflow.db.orm import (
    Letter,
    OutboxMessage,
    PlanTask,
    Project,
    Report,
    ReportDue,
    ReportItem,
    Unit,
)
from workflow.db.orm_notices import RiskRecommendation
from workflow.progress.rules import report_periods

IPFLOW = str(Path(sys.executable).with_name("ipflow"))
DAY = date(2027, 7, 7)
PROJECTS = 1000
START, END = date(2027, 1, 1), date(2028, 12, 31)
CREATED = datetime(2026, 12, 1, tzinfo=UTC)
CONFIG = '[recipients]\ncontractor = ["risk@example.org"]\noffice = ["office@example.org"]\n'


def load_programme(engine: Engine, count: int = PROJECTS) -> None:
    """`count` in-progress projects, a quarter each on plan, slightly, badly and not reporting.

    Written straight into the tables (deterministically, so two loads give identical
    databases): the use cases would take minutes for a programme this size.
    """
    periods = report_periods(START, END, 3)
    completions = [100.0, 5.0, 10.0, None]  # on 03-31 planned 24.45%: green, amber, amber, none
    with engine.begin() as conn:
        conn.execute(
            insert(Unit),
            [
                {
                    "id": i,
                    "name": f"单位{i}",
                    "kind": "enterprise",
                    "contact_email": None,
                    "created_at": CREATED,
                }
                for i in range(1, count + 1)
            ],
        )
        conn.execute(
            insert(Project),
            [
                {
                    "id": i,
                    "category": "high_value_patent",
                    "title": f"项目{i}",
                    "unit_id": i,
                    "state": "in_progress",
                    "start": START,
                    "end": END,
                    "budget": 500_000,
                    "contact_email": f"p{i}@example.org",
                    "definition_version": 1,
                    "version": 1,
                    "created_at": CREATED,
                }
                for i in range(1, count + 1)
            ],
        )
        conn.execute(
            insert(PlanTask),
            [
                {
                    "id": i,
                    "project_id": i,
                    "seq": 1,
                    "name": "年度任务",
                    "start": START,
                    "due": date(2027, 12, 31),
                    "weight": 1.0,
                }
                for i in range(1, count + 1)
            ],
        )
        conn.execute(
            insert(ReportDue),
            [
                {"project_id": i, "seq": p.seq, "opens": p.opens, "due": p.closes}
                for i in range(1, count + 1)
                for p in periods
            ],
        )
        reporting = [i for i in range(1, count + 1) if completions[i % 4] is not None]
        conn.execute(
            insert(Report),
            [
                {
                    "id": i,
                    "project_id": i,
                    "report_date": date(2027, 3, 31),
                    "period": 1,
                    "actor": "loader",
                    "submitted_at": CREATED,
                }
                for i in reporting
            ],
        )
        conn.execute(
            insert(ReportItem),
            [{"report_id": i, "task_id": i, "completion": completions[i % 4]} for i in reporting],
        )


def _outcome(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Letters, outbox rows and recommendations by their natural keys (ids may differ)."""
    with engine.connect() as conn:
        letters = conn.execute(
            select(*(c for c in Letter.__table__.c if c.name != "id")).order_by(Letter.number)
        ).all()
        outbox = conn.execute(
            select(
                *(c for c in OutboxMessage.__table__.c if c.name not in ("id", "letter_id")),
                Letter.number,
            )
            .outerjoin(Letter, Letter.id == OutboxMessage.letter_id)
            .order_by(OutboxMessage.key)
        ).all()
        recommendations = conn.execute(
            select(*(c for c in RiskRecommendation.__table__.c if c.name != "id")).order_by(
                RiskRecommendation.project_id, RiskRecommendation.source
            )
        ).all()
    return {
        "letters": [tuple(r) for r in letters],
        "outbox": [tuple(r) for r in outbox],
        "recommendations": [tuple(r) for r in recommendations],
    }


class Check:
    """`ipflow check run` as a separate process, as the scheduler or an operator starts it."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.workdir = workdir
        (workdir / "ipflow.toml").write_text(CONFIG, encoding="utf-8")

    def start(self, name: str = "") -> subprocess.Popen[str]:
        postgres = self.url.startswith("postgresql")
        url = f"{self.url}&application_name={name}" if name and postgres else self.url
        return subprocess.Popen(
            [IPFLOW, "--db", url, "check", "run", "--today", DAY.isoformat(), "--json"],
            cwd=self.workdir,
            env={**os.environ, "IPFLOW_TODAY": DAY.isoformat()},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self) -> dict[str, Any]:
        process = self.start()
        out, err = process.communicate()
        assert process.returncode == 0, err
        document: dict[str, Any] = json.loads(out)
        return document


def _wait_until(condition: Any, process: subprocess.Popen[str]) -> None:
    """Poll `condition` while `process` runs; fail if it ends first or nothing happens for 60 s."""
    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while not condition():
        assert process.poll() is None, "the check ended before it could be observed mid-run"
        assert datetime.now(UTC) < deadline, "the check never reached the awaited point"


def _new_pg_database() -> tuple[str, Engine]:
    schema = f"twin_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with make_engine(PG_URL).begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    return url, engine


@pytest.fixture
def twins(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two identical databases holding the same programme: one to crash, one for reference."""
    if db_url.startswith("sqlite"):
        engine = make_engine(db_url)
        load_programme(engine)
        engine.dispose()
        reference = tmp_path / "reference.db"
        reference.write_bytes(Path(db_url.removeprefix("sqlite:///")).read_bytes())
        yield db_url, f"sqlite:///{reference}"
        return
    engine = make_engine(db_url)
    load_programme(engine)
    engine.dispose()
    url, twin = _new_pg_database()
    load_programme(twin)
    try:
        yield db_url, url
    finally:
        twin.dispose()
        schema = url.rsplit("%3D", 1)[1]
        with make_engine(PG_URL).begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def _writing_started(url: str, name: str) -> Any:
    """A probe: has the check run under application `name` written its first row yet?"""
    if url.startswith("sqlite"):
        journal = Path(url.removeprefix("sqlite:///") + "-journal")
        return journal.exists
    engine = make_engine(url)

    def probe() -> bool:
        with engine.connect() as conn:
            return bool(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE application_name = :name AND backend_xid IS NOT NULL"
                    ),
                    {"name": name},
                )
            )

    return probe


def test_a_check_killed_mid_run_and_run_again_leaves_exactly_an_uninterrupted_runs_rows(
    twins: tuple[str, str], tmp_path: Path
) -> None:
    victim_url, reference_url = twins
    check = Check(victim_url, tmp_path)
    name = f"ipflow_crash_{uuid.uuid4().hex[:8]}"
    process = check.start(name)
    _wait_until(_writing_started(victim_url, name), process)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    victim = make_engine(victim_url)
    assert _outcome(victim) == {"letters": [], "outbox": [], "recommendations": []}

    rerun = check.run()
    uninterrupted = Check(reference_url, tmp_path).run()
    reference = make_engine(reference_url)
    expected = _outcome(reference)
    assert rerun == uninterrupted
    assert (len(expected["letters"]), len(expected["outbox"])) == (
        uninterrupted["letters_issued"],
        uninterrupted["notices_queued"],
    )
    assert len(expected["letters"]) == PROJECTS // 2
    assert _outcome(victim) == expected
    victim.dispose()
    reference.dispose()


def test_two_checks_started_together_on_postgresql_issue_one_set_of_letters_and_notices(
    pg_url: str, tmp_path: Path
) -> None:
    engine = make_engine(pg_url)
    load_programme(engine)
    check = Check(pg_url, tmp_path)
    processes = [check.start(), check.start()]
    results = []
    for process in processes:
        out, err = process.communicate()
        assert process.returncode == 0, err
        results.append(json.loads(out))
    outcome = _outcome(engine)
    engine.dispose()
    assert sorted(r["letters_issued"] for r in results) == [0, len(outcome["letters"])]
    assert sorted(r["notices_queued"] for r in results) == [0, len(outcome["outbox"])]
    assert len(outcome["letters"]) == PROJECTS // 2
    assert len({row[0] for row in outcome["letters"]}) == PROJECTS // 2  # one per project


def test_a_check_waits_for_the_advisory_lock_a_concurrent_check_holds(
    pg_url: str, tmp_path: Path
) -> None:
    engine = make_engine(pg_url)
    load_programme(engine, 20)
    name = f"ipflow_lock_{uuid.uuid4().hex[:8]}"
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        process = Check(pg_url, tmp_path).start(name)

        def waiting() -> bool:
            with engine.connect() as conn:
                return bool(
                    conn.scalar(
                        text(
                            "SELECT count(*) FROM pg_locks l"
                            " JOIN pg_stat_activity a ON a.pid = l.pid"
                            " WHERE l.locktype = 'advisory' AND NOT l.granted"
                            " AND a.application_name = :name"
                        ),
                        {"name": name},
                    )
                )

        _wait_until(waiting, process)
        assert _outcome(engine)["letters"] == []
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        holder.commit()
        out, err = process.communicate()
    assert process.returncode == 0, err
    assert json.loads(out)["letters_issued"] == len(_outcome(engine)["letters"]) == 10
    engine.dispose()
