"""Tables and progress bars on a real terminal (a pty), never in --json or piped output."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import NOON
from tests.factories import make_project
from tests.test_xlsx_import import PROJECT_HEADER, TYPED_PROJECTS, workbook
from workflow.core.clock import fixed_clock
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.db.engine import make_engine
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

IPFLOW = str(Path(sys.executable).with_name("ipflow"))
ENV = {
    **os.environ,
    "COLUMNS": "100",
    "TERM": "xterm-256color",
    "IPFLOW_USER": "tester",
    "IPFLOW_LANG": "zh",
    "IPFLOW_TODAY": "2027-04-15",
}
ENV.pop("NO_COLOR", None)
ESC = "\x1b"


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path) -> str:
    """A SQLite database with one project 15 points behind on 2027-01-07 (amber, a letter)."""
    path = tmp_path / "ipflow.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    ctx = AppContext(engine, Settings(), fixed_clock(NOON), "tester")
    plan = [PlanRow("开展摸底调研", date(2027, 1, 1), date(2027, 1, 11), 1)]
    project_id = make_project(ctx, plan=plan)
    submit(ctx, project_id, date(2027, 1, 7), {"开展摸底调研": 45})  # planned 60%
    engine.dispose()
    return url


def on_terminal(*args: str) -> str:
    """What `ipflow ARGS` writes when its stdout is a terminal; it must succeed."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [IPFLOW, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL, env=ENV
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def piped(*args: str) -> str:
    """What `ipflow ARGS` writes into a pipe; it must succeed."""
    done = subprocess.run([IPFLOW, *args], capture_output=True, text=True, env=ENV, check=True)
    return done.stdout


def test_the_check_draws_a_table_of_its_figures_on_a_terminal(db: str) -> None:
    shown = on_terminal("--db", db, "check", "run", "--today", "2027-01-07")

    assert "2027-01-07夜间检查" in shown
    assert "│" in shown and ESC in shown
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    lines = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in plain.splitlines()
        if line.count("│") == 3
    }
    assert (lines["检查项目"], lines["黄"], lines["发出预警告知书"]) == ("1", "1", "1")


def test_the_check_prints_plain_json_on_a_terminal_with_json(db: str) -> None:
    shown = on_terminal("--db", db, "check", "run", "--today", "2027-01-07", "--json")

    assert ESC not in shown
    assert json.loads(shown)["flags"] == {"green": 0, "amber": 1, "red": 0}


def test_piped_output_is_the_plain_line_without_table_or_escape_codes(db: str) -> None:
    out = piped("--db", db, "check", "run", "--today", "2027-01-07")

    assert out == "2027-01-07检查1个项目：绿0 黄1 红0；发出预警告知书1份，待发通知1条\n"


def test_an_import_on_a_terminal_ends_with_a_table_of_what_it_imported(
    db: str, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "p.xlsx", {"projects": [PROJECT_HEADER, *TYPED_PROJECTS]})

    shown = on_terminal("--db", db, "project", "import", str(path))

    assert "导入项目" in shown and "#2至#3" in shown and "│" in shown


def test_help_does_not_load_rich() -> None:
    code = (
        "import sys\nfrom cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('rich' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stderr.strip() == "False"
    assert "Example:" in done.stdout


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (("ledger", "export", "--format", "csv", "--today", "2027-01-07"), "进度台账已导出"),
        (("report", "periodic", "--kind", "quarterly", "--period", "2027Q1"), "报告已生成"),
    ],
)
def test_export_and_report_end_with_a_table_on_a_terminal_and_a_line_in_a_pipe(
    db: str, tmp_path: Path, args: tuple[str, ...], title: str
) -> None:
    piped("--db", db, "check", "run", "--today", "2027-01-07")
    shown = on_terminal("--db", db, *args, "--output", str(tmp_path / "t.html"))
    out = piped("--db", db, *args, "--output", str(tmp_path / "p.html"))

    assert title in shown and "│" in shown
    assert title not in out and ESC not in out and "│" not in out
    assert str(tmp_path / "p.html") in out
