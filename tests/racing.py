"""Real `ipflow` processes started at the same instant, for the tests of concurrent commands.

One launcher process imports the CLI and the use cases once, then forks a racer per command;
the racers wait for a file to appear and all run `cli.main()` at once. Forking the loaded
launcher (rather than starting fresh interpreters) makes the racers start within a millisecond
of each other instead of spreading over the seconds their imports take.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import without_clock_notice

ROOT = Path(__file__).resolve().parents[1]

racing = pytest.mark.xdist_group("racers")
"""Marks a test that races real processes: under pytest-xdist's `--dist loadgroup` (scripts/test)
all such tests run on one worker, one after another, so that no two storms of processes share
the CPUs at once."""

LAUNCHER = r"""
import json, os, sys, time, traceback
from pathlib import Path

import cli  # imported once here; the racers are forked with everything loaded
import commands.money  # noqa: F401
import commands.programme  # noqa: F401
import commands.project  # noqa: F401
import workflow.money.budget  # noqa: F401
import workflow.money.programme  # noqa: F401
import workflow.projects.actions  # noqa: F401
from sqlalchemy import create_engine

url, workdir = sys.argv[1], Path(sys.argv[2])
rounds = json.load(sys.stdin)
create_engine(url)  # loads the dialect and its driver; connects nothing
finished = []
for number, commands in enumerate(rounds):
    barrier = workdir / f"go-{number}"
    children = {}
    for racer, args in enumerate(commands):
        out, err = workdir / f"{number}-{racer}.out", workdir / f"{number}-{racer}.err"
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
            while not barrier.exists():
                time.sleep(0.001)
            sys.argv = ["ipflow", "--db", url, *args]
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
        children[pid] = (args, out, err)
    barrier.touch()
    results = []
    for pid, (args, out, err) in children.items():
        _, status = os.waitpid(pid, 0)
        results.append(
            {
                "args": args,
                "code": os.waitstatus_to_exitcode(status),
                "stdout": out.read_text(),
                "stderr": err.read_text(),
            }
        )
    finished.append(results)
print(json.dumps(finished, ensure_ascii=False))
"""


@dataclass(frozen=True)
class Racer:
    """How one racing command ended."""

    args: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def clean_refusal(self) -> bool:
        """Exit status 1 with a one-paragraph reason: the CLI's refusal, not a crash."""
        return (
            self.code == 1
            and "Traceback" not in self.stderr
            and len(without_clock_notice(self.stderr).splitlines()) == 1
        )


def race(
    db_url: str,
    workdir: Path,
    rounds: list[list[list[str]]],
    *,
    user: str = "racer",
    today: str = "2027-04-15",
    timeout: float = 120,
) -> list[list[Racer]]:
    """Run each round's commands (`ipflow --db URL` + args) at once; rounds one after another.

    Returns, per round, how each of its commands ended, in the order given.
    """
    env = {**os.environ, "IPFLOW_TODAY": today, "IPFLOW_USER": user, "IPFLOW_LANG": "zh"}
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, db_url, str(workdir)],
        input=json.dumps(rounds),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return [[Racer(**r) for r in results] for results in json.loads(done.stdout)]
