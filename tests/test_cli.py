"""The command-line contract of CLI.md: names, options, JSON keys, exit codes, no tracebacks."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from cli import COMMANDS, cli
from states.definitions import DEFINITIONS
from tests.conftest import Cli, database_dump
from tests.factories import enrol_university

ROOT = Path(__file__).resolve().parents[1]
ALL_TRIGGERS = sorted({t.trigger for d in DEFINITIONS.values() for t in d.transitions})
CREATE = [
    "project",
    "create",
    "--category",
    "high_value_patent",
    "--title",
    "磷化工高价值专利培育",
    "--unit",
    "贵州大学",
    "--start",
    "2027-01-01",
    "--end",
    "2027-12-31",
    "--budget",
    "500000",
    "--contact-email",
    "kjc@example.org",
]


def _created(ipflow: Cli, *extra: str) -> int:
    enrol_university(ipflow)
    result = ipflow(*CREATE, *extra, "--json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["id"])


def test_create_prints_id_and_state_as_json(ipflow: Cli) -> None:
    enrol_university(ipflow)
    result = ipflow(*CREATE, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"id": 1, "state": "applied", "unit_evaluations": []}


def test_show_json_has_every_contract_key(ipflow: Cli) -> None:
    project_id = _created(ipflow)
    shown = json.loads(ipflow("project", "show", str(project_id), "--json").stdout)
    for key in (
        "id",
        "category",
        "title",
        "unit",
        "state",
        "triggers",
        "start",
        "end",
        "budget",
        "planned",
        "actual",
        "lag",
        "flag",
        "history",
    ):
        assert key in shown
    assert shown["history"][0].keys() >= {"from", "to", "trigger", "actor", "at", "note"}
    assert (shown["lag"], shown["flag"], shown["budget"]) == (None, None, 500000)


def test_a_project_goes_from_creation_to_a_flag_through_the_cli(
    ipflow: Cli, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "task,start,due,weight\n专利导航分析,2027-01-01,2027-06-30,2\n"
        "专利布局,2027-03-01,2027-12-31\n",
        encoding="utf-8",
    )
    project_id = _created(ipflow, "--plan", str(plan))
    for trigger in ("screen", "approve", "start"):
        assert ipflow("project", "advance", str(project_id), trigger).exit_code == 0
    submitted = ipflow(
        "report",
        "submit",
        str(project_id),
        "--date",
        "2027-03-31",
        "--progress",
        "专利导航分析=30",
        "--progress",
        "专利布局=0",
    )
    assert submitted.exit_code == 0, submitted.output
    checked = json.loads(ipflow("check", "run", "--today", "2027-04-15", "--json").stdout)
    assert checked == {
        "date": "2027-04-15",
        "checked": 1,
        "flags": {"green": 0, "amber": 1, "red": 0},
        "letters_issued": 1,
        "notices_queued": 1,
        "dry_run": False,
        "skipped": [],
        "deliveries_failed": 0,
    }
    shown = json.loads(ipflow("project", "show", str(project_id), "--json").stdout)
    # judged at the report of 03-31: (2 · 89/180 + 30/305) / 3 = 36.24% planned, 20% done
    assert (shown["planned"], shown["actual"], shown["lag"], shown["flag"]) == (
        36.24,
        20.0,
        16.24,
        "amber",
    )
    assert (shown["last_report"], shown["planned_today"]) == ("2027-03-31", 43.44)
    letters = json.loads(ipflow("letters", "list", "--json").stdout)
    assert [
        {k: x[k] for k in ("id", "project_id", "kind", "status", "issued_on", "lag")}
        for x in letters
    ] == [
        {
            "id": 1,
            "project_id": project_id,
            "kind": "warning",
            "status": "pending",
            "issued_on": "2027-04-15",
            "lag": 16.24,
        }
    ]
    text = ipflow("letters", "show", "1").stdout
    assert "预警告知书" in text and "〔2027〕1号" in text
    listed = json.loads(ipflow("project", "list", "--flag", "amber", "--json").stdout)
    assert [p["id"] for p in listed] == [project_id] and "history" not in listed[0]
    words = ipflow("project", "show", str(project_id)).stdout
    assert "进度滞后16.24个百分点，超过10" in words


def test_a_dry_run_check_says_so_in_its_json(ipflow: Cli) -> None:
    result = json.loads(
        ipflow("check", "run", "--today", "2027-04-15", "--dry-run", "--json").stdout
    )
    assert result["dry_run"] is True and result["checked"] == 0


def test_workflow_show_names_each_transitions_effects_beside_its_guards(ipflow: Cli) -> None:
    shown = json.loads(ipflow("workflow", "show", "gi_brand", "--json").stdout)
    text = ipflow("workflow", "show", "gi_brand").stdout

    transitions = {t["trigger"]: t for t in shown["transitions"]}
    assert all(
        {"trigger", "from", "to", "label", "amount", "guards"} <= set(t)
        for t in transitions.values()
    )
    assert transitions["approve"]["effects"] == ["commit_grant"]
    assert transitions["roll"]["effects"] == ["commit_amount"]
    assert transitions["close"]["effects"] == ["release"]
    assert transitions["end_support"]["effects"] == ["stop_funding"]
    assert transitions["terminate"]["effects"] == ["release"]
    assert transitions["start"]["effects"] == []
    assert transitions["roll"]["guards"] == ["滚动支持金额为50万至100万元（含）"]
    assert "[效果：stop_funding]" in text


BAD_INPUT = [
    # (arguments, exit status, words of the message)
    (["project", "show", "999"], 1, "没有编号为999的项目"),
    (["project", "show", "abc"], 2, "abc"),
    (["project", "advance", "1", "pass_acceptance"], 1, "不能执行“pass_acceptance”"),
    (
        ["project", "advance", "1", "fly_to_the_moon"],
        1,
        "当前可执行的操作：screen、reject、withdraw",
    ),
    (["project", "advance", "1", "screen", "--amount", "12.5"], 2, "不是整数元"),
    (["project", "advance", "1", "screen", "--amount", "-5"], 1, "金额"),
    (["project", "advance", "1", "screen", "--data", "novalue"], 2, "KEY=VALUE"),
    ([*CREATE[:3], "bogus_category", *CREATE[4:]], 1, "未知的项目类别"),
    ([*CREATE[:9], "2027-13-01", *CREATE[10:]], 2, "“2027-13-01”不是日期"),
    ([*CREATE[:11], "2026-01-01", *CREATE[12:]], 1, "须晚于开始日期"),
    ([*CREATE[:13], "fifty", *CREATE[14:]], 2, "不是整数元"),
    ([*CREATE, "--plan", "/nonexistent/plan.csv"], 1, "找不到计划文件"),
    (["project", "list", "--category", "nope"], 1, "未知的项目类别"),
    (["project", "list", "--flag", "purple"], 2, "purple"),
    (["report", "submit", "1", "--date", "2027-03-31", "--progress", "项目实施=101"], 1, "0至100"),
    (
        ["report", "submit", "1", "--date", "2027-03-31", "--progress", "无此任务=50"],
        1,
        "不在实施期",
    ),
    (["report", "submit", "1", "--date", "2027-03-31", "--progress", "项目实施"], 2, "任务=百分比"),
    (["check", "run", "--today", "yesterday"], 2, "“yesterday”不是日期"),
    (["letters", "show", "42"], 1, "没有编号为42的预警告知书"),
    (["letters", "list", "--status", "lost"], 1, "未知的告知书状态"),
    (["letters", "show", "1", "--format", "docx"], 2, "docx"),
    (["workflow", "show", "nonsense"], 1, "未知的项目类别"),
    (["unit", "add", "贵州大学", "--kind", "spaceship"], 1, "未知的单位类型"),
    (
        ["unit", "record", "add", "无名单位", "--kind", "penalty", "--start", "2027-01-01"],
        1,
        "没有名为“无名单位”的单位",
    ),
    (
        ["unit", "record", "add", "贵州大学", "--kind", "gossip", "--start", "2027-01-01"],
        1,
        "未知的信用记录类型",
    ),
    (
        [
            "unit",
            "record",
            "add",
            "贵州大学",
            "--kind",
            "penalty",
            "--start",
            "2027-05-01",
            "--end",
            "2027-01-01",
        ],
        1,
        "早于开始日期",
    ),
    (["no-such-command"], 2, "no-such-command"),
]


@pytest.mark.parametrize(("args", "status", "words"), BAD_INPUT, ids=lambda v: str(v)[:40])
def test_bad_input_is_answered_plainly_and_changes_nothing(
    ipflow: Cli, engine: Engine, args: list[str], status: int, words: str
) -> None:
    _created(ipflow)
    before = database_dump(engine)
    result = ipflow(*args)
    assert result.exit_code == status, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert database_dump(engine) == before


def test_a_config_file_with_a_wrong_value_is_refused(ipflow: Cli, tmp_path: Path) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text('[check]\nlag_warning = "ten"\n', encoding="utf-8")
    result = ipflow("--config", str(config), "check", "run")
    assert result.exit_code == 1 and "lag_warning" in result.stderr


def test_thresholds_come_from_the_config_file(ipflow: Cli, tmp_path: Path) -> None:
    project_id = _created(ipflow)
    for trigger in ("screen", "approve", "start"):
        ipflow("project", "advance", str(project_id), trigger)
    ipflow("report", "submit", str(project_id), "--date", "2027-03-31", "--progress", "项目实施=17")
    config = tmp_path / "ipflow.toml"
    config.write_text("[check]\nlag_warning = 5\nlag_red = 6\n", encoding="utf-8")
    # planned on 03-31 is 89/364 = 24.45%, actual 17%: lag 7.45, red only with the config
    result = json.loads(
        ipflow("--config", str(config), "check", "run", "--today", "2027-04-15", "--json").stdout
    )
    assert result["flags"]["red"] == 1


def test_an_uninitialised_database_is_reported_not_crashed(tmp_path: Path) -> None:
    result = Cli(f"sqlite:///{tmp_path / 'empty.db'}")("project", "list")
    assert result.exit_code == 1 and "ipflow db upgrade" in result.stderr


def test_an_unreachable_database_is_reported_not_crashed() -> None:
    result = Cli("postgresql+psycopg://nobody@127.0.0.1:1/none")("project", "list")
    assert result.exit_code == 1 and "无法连接数据库" in result.stderr


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import click

    assert isinstance(group, click.Group)
    ctx = click.Context(group)
    found: list[tuple[str, ...]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_command_list_shows_the_first_line_of_each_command_s_own_help(name: str) -> None:
    import click

    command = cli.get_command(click.Context(cli), name)

    assert command is not None and command.name == name
    assert (command.help or "").split("\n\n")[0] == COMMANDS[name][1]


def test_every_module_of_commands_is_in_the_command_list() -> None:
    listed = {target.split(":")[0] for target, _ in COMMANDS.values()}
    modules = {f"commands.{p.stem}" for p in (ROOT / "commands").glob("*.py")}

    shared = {"commands.__init__", "commands.common", "commands.remote"}  # no command of their own
    assert listed == modules - shared


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(triggers=st.lists(st.sampled_from(ALL_TRIGGERS), min_size=1, max_size=8))
def test_a_refused_transition_leaves_the_database_unchanged(
    ipflow: Cli, engine: Engine, triggers: list[str]
) -> None:
    project_id = _created(ipflow, "--ref", uuid.uuid4().hex)  # one application per example
    for trigger in triggers:
        before = database_dump(engine)
        result = ipflow("project", "advance", str(project_id), trigger)
        assert result.exit_code in (0, 1), result.output
        if result.exit_code == 1:
            assert database_dump(engine) == before
        else:
            assert database_dump(engine) != before


def test_a_database_behind_the_newest_migration_is_refused_with_the_fix(tmp_path: Path) -> None:
    from alembic import command

    from workflow.db.engine import _alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_alembic_config(make_engine(url)), "0001")
    result = Cli(url)("project", "list")
    assert result.exit_code == 1
    assert "数据库结构版本为0001" in result.stderr and "ipflow db upgrade" in result.stderr


def test_a_database_ahead_of_this_ipflow_is_refused_without_advising_an_upgrade(
    tmp_path: Path,
) -> None:
    from workflow.db.engine import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = Cli(url)("project", "list")
    assert result.exit_code == 1
    assert "数据库结构版本为9999" in result.stderr and "请升级 ipflow" in result.stderr
    assert "db upgrade" not in result.stderr
    english = Cli(url)("--lang", "en", "project", "list")
    assert "newer than the newest this ipflow knows" in english.stderr


def test_database_errors_are_in_the_chosen_language(tmp_path: Path) -> None:
    result = Cli(f"sqlite:///{tmp_path / 'empty.db'}")("--lang", "en", "project", "list")
    assert result.exit_code == 1
    assert "The database is not initialised: run ipflow db upgrade first" in result.stderr


def test_db_upgrade_says_whether_it_created_migrated_or_found_the_schema_current(
    tmp_path: Path,
) -> None:
    from alembic import command

    from workflow.db.engine import _alembic_config, head_revision, make_engine

    head = head_revision()
    fresh = Cli(f"sqlite:///{tmp_path / 'new.db'}")
    assert fresh("db", "upgrade").stdout.strip() == f"数据库结构已创建（{head}）"
    assert fresh("db", "upgrade").stdout.strip() == f"数据库结构已是最新版本（{head}）"
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_alembic_config(make_engine(url)), "0001")
    migrated = Cli(url)("db", "upgrade")
    assert (migrated.exit_code, migrated.stdout.strip()) == (0, f"数据库结构已从0001升级到{head}")


def test_a_reader_that_stops_early_gets_no_traceback_and_no_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    ipflow = Path(sys.executable).with_name("ipflow")
    result = subprocess.run(
        ["sh", "-c", f"'{ipflow}' user rights | head -c 0; exit 0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert result.stderr == ""
