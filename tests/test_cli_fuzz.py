"""No traceback for any input: a bounded property-based fuzz of every command of the CLI.

Hypothesis builds argument lists for every command `cli.COMMANDS` reaches (each subcommand's
own arguments and options, read from click), with hostile values beside valid ones: ids of
2^63 and beyond, negative ids, periods such as 9999Q4, dates at the ends of the calendar,
money such as 1e309, -1 or 万, unicode, control characters, empty and very long strings, files
that are missing, empty, binary or a directory. Each case runs in-process against a database
seeded with a project, a letter and money, and must end with exit status 0, 1 or 2, a message
and no traceback. The cases are derandomised, so a run repeats the last one's; their number
per backend is CASES.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from cli import cli
from states.categories import CATEGORIES
from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import enrol_university

CASES = 800
"""Fuzz cases per backend: both backends together stay well within a minute."""

SKIPPED = {("scheduler", "run"), ("serve",)}
"""Commands that do not return (the scheduler and the server run until stopped): tested on
their own."""

HUGE = ["9223372036854775808", "9223372036854775807", "2147483648", "18446744073709551616"]
IDS = ["1", "2", "0", "-1", "-9223372036854775809", *HUGE, "1" + "0" * 40, "x", "", "1.5"]
DATES = [
    "2027-04-15",
    "2027-03-31",
    "2027-01-01",
    "2026-12-31",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "2027-02-29",
    "2028-02-29",
    "",
    "yesterday",
    "2027-4-1",
]
MONEY = ["100000", "1", "0", "-1", "1e309", "万", "50万", "1,000", "NaN", "-inf", "9" * 30, ""]
NUMBERS = ["22", "0", "-1", "1e309", "nan", "-inf", "1e-320", "x", ""]
PERIODS = ["2027Q2", "2027H1", "2027", "9999Q4", "0000Q1", "2027Q5", "2027H3", "10000", "Q4", ""]
HOSTILE = [
    "",
    " ",
    "x" * 5000,
    "项目实施",
    "项目实施=50",
    "项目实施=1e309",
    "=1+1",
    "a\x00b",
    "a\r\nb",
    "\x1b[31m红\x1b[0m",
    "\u202e逆序",
    "\ufeff贵州大学",
    "贵州大学",
    "🙂",
    "--",
    "-1",
    "KEY=",
    "=VALUE",
    "%s%n{0}{x}",
    "'; DROP TABLE project; --",
    "9223372036854775808",
]
NAMED: dict[str, list[str]] = {
    "category": [*CATEGORIES, "bogus"],
    "kind": ["enterprise", "university", "quarterly", "penalty", "restricted", "spaceship"],
    "period": PERIODS,
    "trigger": ["screen", "approve", "start", "review", "terminate", "close", "fly"],
    "status": ["open", "closed", "pending", "failed", "sent", "reviewed", "lost"],
    "level": ["high", "medium", "low", "extreme"],
    "role": ["admin", "manager", "unit", "contractor", "scheduler"],
    "opinion": ["approve", "revise", "maybe"],
    "tier": ["basic", "special", "provincial", "county", "none"],
    "progress": ["项目实施=50", "项目实施=101", "项目实施=-1", "项目实施=nan", "无此任务=5", "x"],
    "line": ["设备费=100000", "设备费", "设备费=0", "=5", "材料费=1e309"],
    "data": ["kind=industry", "rank=99999999999999999999", "novalue", "revenue=1e309"],
    "fact": ["valid_patents=45", "valid_patents=1e309", "legal_person=maybe", "chain_leader="],
    "year": ["2027", "0", "-1", "9999", "10000", *HUGE],
}
"""Values for parameters whose name says what they hold (besides the hostile ones)."""


def _files(root: Path) -> list[str]:
    """Paths a file option may get: missing, empty, binary, BOM-led, a directory, outputs."""
    (root / "empty.csv").write_bytes(b"")
    (root / "binary.xlsx").write_bytes(bytes(range(256)) * 8)
    (root / "bom.toml").write_bytes("\ufeff[check]\nlag_warning = 10\n".encode())
    (root / "gbk.csv").write_bytes("类别,项目名称\n高价值,专利\n".encode("gbk"))
    (root / "plan.csv").write_text("task,start,due\n项目实施,2027-01-01,9999-12-31\n")
    (root / "dir").mkdir(exist_ok=True)
    names = ["empty.csv", "binary.xlsx", "bom.toml", "gbk.csv", "plan.csv", "dir", "missing.csv"]
    outputs = ["out.pdf", "out.html", "out.xlsx", "out.csv", "out.png", "out.svg", "out.txt"]
    return [str(root / n) for n in names] + outputs + ["", "dir/", "/dev/null"]


def _leaves(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command the group reaches, with the words that call it; a group that also runs
    a command of its own when no subcommand is named (`disburse ID …`) gives that one too."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from _leaves(command, path)
            command = getattr(command, "payment", command)
        if path not in SKIPPED and (not isinstance(command, click.Group) or command.params):
            yield path, command


def _values(param: click.Parameter, files: list[str]) -> list[str]:
    """The values the fuzz may give `param`: by its type, then by its name, then hostile ones."""
    name = (param.name or "").removesuffix("_pairs").removesuffix("s")
    kind = param.type.name.upper()
    if isinstance(param.type, click.Choice):
        return [str(c) for c in param.type.choices] + ["bogus", ""]
    if name in NAMED:
        return NAMED[name] + HOSTILE
    if kind == "INTEGER":
        return IDS
    if kind == "DATE":
        return DATES
    if kind == "YUAN":
        return MONEY
    if kind == "FLOAT":
        return NUMBERS
    if any(word in (param.name or "") for word in ("path", "output", "scores", "plan", "config")):
        return files + HOSTILE[:4]
    return HOSTILE


TODAYS = ["2027-04-15", "2199-12-31", "1900-01-01", "9999-12-31", "0001-01-01", "2027-02-30", "x"]
"""Values of $IPFLOW_TODAY."""


@st.composite
def invocations(draw: st.DrawFn, files: list[str]) -> tuple[list[str], dict[str, str]]:
    """One command line (global options, a command, its arguments and some of its options) and
    its environment."""
    path, command = draw(st.sampled_from(COMMAND_LIST))
    env = {"IPFLOW_TODAY": draw(st.sampled_from(TODAYS))} if draw(st.integers(0, 9)) == 0 else {}
    words: list[str] = []
    if draw(st.integers(0, 9)) == 0:
        words += ["--lang", draw(st.sampled_from(["en", "zh"]))]
    if draw(st.integers(0, 19)) == 0:
        words += ["--config", draw(st.sampled_from(files))]
    words += list(path)
    for param in command.params:
        if isinstance(param, click.Argument):
            words.append(draw(st.sampled_from(_values(param, files))))
            continue
        assert isinstance(param, click.Option)
        if not param.required and not draw(st.booleans()):
            continue
        if param.is_flag:
            words.append(param.opts[0])
            continue
        for _ in range(draw(st.integers(1, 2)) if param.multiple else 1):
            words += [param.opts[0], draw(st.sampled_from(_values(param, files)))]
    return words, env


COMMAND_LIST = sorted(_leaves(cli), key=lambda leaf: leaf[0])


def seed(ipflow: Cli) -> None:
    """A registered admin, a university, a running project with a report, money and a letter."""

    def ok(*args: str) -> Result:
        result = ipflow(*args)
        assert result.exit_code == 0, (args, result.output)
        return result

    ok("user", "add", "tester", "--role", "admin")
    enrol_university(ipflow)
    created = ok(
        "project",
        "create",
        "--category",
        "high_value_patent",
        "--title",
        "磷化工专利培育",
        "--unit",
        "贵州大学",
        "--start",
        "2027-01-01",
        "--end",
        "2028-12-31",
        "--budget",
        "500000",
        "--json",
    )
    project = str(json.loads(created.stdout)["id"])
    for trigger in ("screen", "approve", "start"):
        ok("project", "advance", project, trigger)
    ok("report", "submit", project, "--date", "2027-03-31", "--progress", "项目实施=1")
    ok("budget", "set", project, "--line", "设备费=500000")
    ok("disburse", project, "--date", "2027-04-01", "--amount", "100000", "--stage", "首期")
    ok(
        "expense",
        "add",
        project,
        "--line",
        "设备费",
        "--date",
        "2027-04-02",
        "--amount",
        "150000",
        "--description",
        "仪器",
    )
    ok("check", "run", "--today", "2027-04-15")


def crashed(result: Result) -> bool:
    """Whether `ipflow` ended in anything but a clean exit 0, 1 or 2 with no traceback."""
    if result.exit_code not in (0, 1, 2):
        return True
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return True
    return "Traceback" in result.output or "Traceback" in (result.stderr or "")


@pytest.fixture
def fuzz_env(ipflow: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, list[str]]:
    monkeypatch.chdir(tmp_path)
    seed(ipflow)
    return ipflow, _files(tmp_path)


def test_no_command_line_ends_in_a_traceback(fuzz_env: tuple[Cli, list[str]]) -> None:
    ipflow, files = fuzz_env
    ran: list[int] = []

    @settings(
        max_examples=CASES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(invocation=invocations(files))
    def case(invocation: tuple[list[str], dict[str, str]]) -> None:
        words, env = invocation
        ran.append(1)
        result = ipflow(*words, env=env)
        assert not crashed(result), (words, env, result.output, result.exc_info)

    case()
    print(f"{len(ran)} fuzz cases, no traceback")
    assert len(ran) == CASES


def _refused(result: Result, status: int = 1) -> str:
    """The message of a clean refusal: `status`, one paragraph, no traceback."""
    assert result.exit_code == status, result.output
    assert not crashed(result), result.exc_info
    return without_clock_notice(result.stderr)


@pytest.mark.parametrize("number", ["9223372036854775808", "9223372036854775807", "2147483648"])
def test_a_record_number_beyond_any_key_is_no_such_record(
    ipflow: Cli, engine: Engine, number: str
) -> None:
    before = database_dump(engine)
    assert _refused(ipflow("project", "show", number)) == f"ipflow: 没有编号为{number}的项目"
    assert _refused(ipflow("letters", "show", number)) == f"ipflow: 没有编号为{number}的预警告知书"
    assert _refused(ipflow("expense", "review", number, "--decision", "accept")).endswith(
        f"没有编号为{number}的支出"
    )
    assert "没有编号为" in _refused(ipflow("risk", "list", "--project", number))
    assert database_dump(engine) == before


def test_a_period_or_date_beyond_the_calendar_is_refused_plainly(ipflow: Cli) -> None:
    refused = _refused(
        ipflow(
            "report", "periodic", "--kind", "quarterly", "--period", "9999Q4", "--output", "x.pdf"
        )
    )
    assert "报告期“9999Q4”：年份9999超出可接受的范围（1900至2199）" in refused
    assert "超出可接受的范围" in _refused(ipflow("check", "run", "--today", "9999-12-31"), 2)
    assert "超出可接受的范围" in _refused(ipflow("programme", "status", "--year", "99999"), 2)
    today = ipflow("project", "list", env={"IPFLOW_TODAY": "0001-01-01"})
    assert "IPFLOW_TODAY：日期0001-01-01超出可接受的范围" in _refused(today)


@pytest.mark.parametrize(
    ("amount", "words"),
    [("1e309", "不是整数元"), ("万", "不是整数元"), ("9" * 30, "超出可接受的范围")],
)
def test_money_that_is_no_amount_is_a_usage_error(ipflow: Cli, amount: str, words: str) -> None:
    result = ipflow(
        "programme", "budget", "--year", "2027", "--category", "gi_brand", "--amount", amount
    )
    assert words in _refused(result, 2)


@pytest.mark.parametrize(
    ("url", "package"),
    [
        ("mysql://ipflow:s3cret@127.0.0.1/ipflow", "mysqlclient"),
        ("postgresql://ipflow:s3cret@127.0.0.1/ipflow", "psycopg2-binary"),
    ],
)
def test_a_database_url_without_its_driver_names_the_package(url: str, package: str) -> None:
    result = Cli(url)("project", "list")
    message = _refused(result)
    assert f"请安装 {package}" in message and ":***@" in message
    assert "s3cret" not in result.output


def test_no_error_shows_the_database_password() -> None:
    for args in (["project", "list"], ["db", "upgrade"]):
        result = Cli("postgresql+psycopg://ipflow:s3cret@127.0.0.1:1/none")(*args)
        assert "无法" in _refused(result) and "s3cret" not in result.output
    unparsable = Cli("ipflow:s3cret@somewhere")("project", "list")
    assert "ipflow:***@somewhere" in _refused(unparsable) and "s3cret" not in unparsable.output


def test_a_bad_timezone_in_the_config_is_refused_before_anything_runs(
    ipflow: Cli, tmp_path: Path
) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text('[schedule]\ntimezone = "Asia/Guiyang"\n', encoding="utf-8")
    for args in (["scheduler", "run"], ["check", "run"]):
        refused = _refused(ipflow("--config", str(config), *args))
        assert "配置项[schedule].timezone“Asia/Guiyang”不是已知的时区" in refused


def test_a_config_file_saved_with_a_byte_order_mark_is_read(ipflow: Cli, tmp_path: Path) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_bytes("\ufeff[check]\nlag_warning = 5\n".encode())
    assert ipflow("--config", str(config), "check", "run", "--dry-run").exit_code == 0
    config.write_bytes("[check]\nlag_warning = 5 # 五\n".encode("gbk"))
    assert "不是UTF-8编码的文本" in _refused(ipflow("--config", str(config), "check", "run"))
