"""Fifty `ipflow project advance` processes racing on one project: one wins per state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.factories import make_project
from workflow.access.actions import add_user
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import Project, ProjectEvent

ROOT = Path(__file__).resolve().parents[1]
RACERS = 50
TRIGGERS = ("screen", "approve")

LAUNCHER = r"""
import json, os, sys, time, traceback
from pathlib import Path

import cli  # imported once here; the racers are forked with everything loaded
import commands.project  # noqa: F401
import workflow.projects.actions  # noqa: F401
from sqlalchemy import create_engine

url, project_id, workdir, racers = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
create_engine(url)  # loads the dialect and its driver; connects nothing
rounds = []
for number, trigger in enumerate(sys.argv[5].split(",")):
    barrier = workdir / f"go-{number}"
    children = {}
    for racer in range(racers):
        err = workdir / f"{number}-{racer}.err"
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            while not barrier.exists():
                time.sleep(0.001)
            sys.argv = ["ipflow", "--db", url, "project", "advance", project_id, trigger]
            try:
                cli.main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = 70
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        children[pid] = err
    barrier.touch()
    results = []
    for pid, err in children.items():
        _, status = os.waitpid(pid, 0)
        results.append({"code": os.waitstatus_to_exitcode(status), "stderr": err.read_text()})
    rounds.append({"trigger": trigger, "results": results})
print(json.dumps(rounds, ensure_ascii=False))
"""


def race(db_url: str, project_id: int, workdir: Path) -> list[dict[str, Any]]:
    """Fire each trigger of TRIGGERS from RACERS processes released together by a file."""
    env = {**os.environ, "IPFLOW_TODAY": "2027-04-15", "IPFLOW_USER": "racer", "IPFLOW_LANG": "zh"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            LAUNCHER,
            db_url,
            str(project_id),
            str(workdir),
            str(RACERS),
            ",".join(TRIGGERS),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rounds: list[dict[str, Any]] = json.loads(done.stdout)
    return rounds


def outcome(result: dict[str, Any]) -> str:
    """How one racer ended: won, lost to a concurrent change, or found the state moved on."""
    if result["code"] == 0:
        return "won"
    if "已被他人修改" in result["stderr"]:
        return "changed under it"
    if "不能执行" in result["stderr"]:
        return "not possible from the new state"
    return f"exit {result['code']}: {result['stderr']}"


def test_fifty_concurrent_advances_give_one_winner_per_state(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    project_id = make_project(ctx, state="applied")
    add_user(ctx, "racer", "admin", None)

    rounds = race(db_url, project_id, tmp_path)

    for r in rounds:
        counts = Counter(outcome(result) for result in r["results"])
        print(f"{db_url.split(':')[0]} {r['trigger']}: {dict(counts)}")
        assert counts["won"] == 1, counts
        assert counts["changed under it"] + counts["not possible from the new state"] == 49
        assert all(
            res["code"] == 1
            and "Traceback" not in res["stderr"]
            and len(res["stderr"].splitlines()) == 1
            for res in r["results"]
            if res["code"] != 0
        )
    with transaction(ctx.engine) as session:
        events = session.scalars(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == project_id)
            .order_by(ProjectEvent.seq)
        ).all()
        project = session.get(Project, project_id)
        assert project is not None
        assert [(e.seq, e.trigger) for e in events] == [
            (1, "create"),
            (2, "screen"),
            (3, "approve"),
        ]
        assert [e.to_state for e in events[:-1]] == [e.from_state for e in events[1:]]
        assert (project.state, project.version) == ("approved", 3)
