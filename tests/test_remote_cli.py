"""The CLI against a real server on loopback (IPFLOW_URL): the same output as on the database."""

from __future__ import annotations

import json
import socket
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner, Result

from tests.api_world import ROLES, World, build_world
from tests.conftest import LANGUAGE_ENV, Cli, database_dump
from tests.web_support import PASSWORD
from workflow.auth.actions import set_password
from workflow.core.context import AppContext


@dataclass(frozen=True)
class Server:
    """An ipflow server running in this process, and the programme it serves."""

    url: str
    world: World


@pytest.fixture
def server(ctx: AppContext) -> Iterator[Server]:
    """uvicorn serving the application on the test database, on a free loopback port."""
    from web.app import create_app

    world = build_world(ctx)
    app = create_app(ctx.engine.url.render_as_string(hide_password=False), ctx.settings, ctx.clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(500):
        if running.started:
            break
        threading.Event().wait(0.01)
    assert running.started, "the server did not start"
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(f"http://127.0.0.1:{port}", world)
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def remote(
    server: Server,
    role: str,
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> Result:
    """`ipflow ARGS` with IPFLOW_URL naming the server and the role's token."""
    from cli import cli

    run_env: dict[str, str | None] = dict.fromkeys(LANGUAGE_ENV)
    run_env.update({"IPFLOW_URL": server.url, "IPFLOW_TOKEN": server.world.tokens[role]})
    run_env.update(env or {})
    return CliRunner().invoke(cli, list(args), env=run_env, input=input)


def direct(ipflow: Cli, role: str, *args: str) -> Result:
    return ipflow("--as", ROLES[role][0], *args)


SAME_OUTPUT = [
    ("admin", ("project", "list")),
    ("admin", ("project", "list", "--json")),
    ("admin", ("project", "list", "--flag", "amber", "--json")),
    ("unit", ("project", "list")),
    ("contractor", ("project", "list", "--json")),
    ("admin", ("project", "show", "{monitored}")),
    ("admin", ("project", "show", "{monitored}", "--json")),
    ("unit", ("project", "show", "{unmonitored}")),
    ("unit", ("letters", "list")),
    ("unit", ("letters", "list", "--json")),
    ("unit", ("letters", "show", "{letter}")),
    ("unit", ("letters", "show", "{letter}", "--format", "html")),
    ("contractor", ("letters", "file", "{letter}", "--json")),
]


@pytest.mark.parametrize(("role", "args"), SAME_OUTPUT)
def test_a_command_against_the_server_prints_what_it_prints_on_the_database(
    server: Server, ipflow: Cli, role: str, args: tuple[str, ...]
) -> None:
    w = server.world
    filled = [
        a.format(monitored=w.monitored, unmonitored=w.unmonitored, letter=w.letter) for a in args
    ]
    here = direct(ipflow, role, *filled)
    there = remote(server, role, *filled)
    assert here.exit_code == there.exit_code == 0, (here.output, there.output)
    assert there.stdout == here.stdout
    assert there.stdout.strip()


def test_changes_through_the_server_print_as_on_the_database_and_act_as_the_tokens_user(
    server: Server, ipflow: Cli
) -> None:
    w = server.world
    submitted = remote(
        server,
        "unit",
        "report",
        "submit",
        str(w.monitored),
        "--date",
        "2027-03-31",
        "--progress",
        "开展摸底调研=100",
        "--json",
    )
    assert submitted.exit_code == 0, submitted.output
    assert json.loads(submitted.stdout)["progress"] == {"开展摸底调研": 100.0}
    here = direct(
        ipflow,
        "unit",
        "report",
        "submit",
        str(w.monitored),
        "--date",
        "2027-04-01",
        "--progress",
        "开展摸底调研=100",
    )
    there = remote(
        server,
        "unit",
        "report",
        "submit",
        str(w.monitored),
        "--date",
        "2027-04-02",
        "--progress",
        "开展摸底调研=100",
    )
    assert there.stdout == here.stdout.replace("2027-04-01", "2027-04-02")
    moved = remote(
        server,
        "admin",
        "project",
        "advance",
        str(w.monitored),
        "suspend",
        "--note",
        "暂停",
        "--json",
    )
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout) == {
        "id": w.monitored,
        "from": "in_progress",
        "to": "suspended",
        "trigger": "suspend",
        "seq": json.loads(moved.stdout)["seq"],
    }
    history = json.loads(
        direct(ipflow, "admin", "project", "show", str(w.monitored), "--json").stdout
    )["history"]
    assert history[-1]["actor"] == ROLES["admin"][0]
    reports = json.loads(
        direct(ipflow, "admin", "project", "show", str(w.monitored), "--json").stdout
    )
    assert reports["last_report"] == "2027-04-02"


def test_a_refusal_from_the_server_is_one_paragraph_and_changes_nothing(
    server: Server, ctx: AppContext
) -> None:
    before = {t: r for t, r in database_dump(ctx.engine).items() if t != "refusal_log"}
    foreign = remote(server, "foreign", "project", "show", str(server.world.monitored))
    assert foreign.exit_code == 1 and foreign.stdout == ""
    assert foreign.stderr == f"ipflow: 没有编号为{server.world.monitored}的项目\n"
    refused = remote(
        server, "manager", "project", "advance", str(server.world.monitored), "suspend"
    )
    assert refused.exit_code == 1 and "无权执行“suspend”" in refused.stderr
    assert "Traceback" not in refused.output and len(refused.stderr.splitlines()) == 1
    after = {t: r for t, r in database_dump(ctx.engine).items() if t != "refusal_log"}
    assert after == before


def test_a_command_the_api_does_not_cover_is_refused_against_a_server(server: Server) -> None:
    result = remote(server, "admin", "check", "run", "--today", "2027-04-15")
    assert result.exit_code == 1 and result.stdout == ""
    assert "“ipflow check run”不能通过服务器执行" in result.stderr
    assert "project list" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("option", ["--db", "--as"])
def test_db_or_as_with_ipflow_url_is_refused(server: Server, option: str) -> None:
    result = remote(server, "admin", option, "sqlite:///x.db", "project", "list")
    assert result.exit_code == 1 and result.stdout == ""
    assert f"不能同时用 {option}" in result.stderr


def test_an_unreachable_server_is_one_paragraph(server: Server) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = replace(server, url=f"http://127.0.0.1:{port}")
    result = remote(gone, "admin", "project", "list")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"ipflow: 无法连接ipflow服务器http://127.0.0.1:{port}")
    assert len(result.stderr.splitlines()) == 1


def test_a_bad_token_asks_to_sign_in_again(server: Server) -> None:
    result = remote(server, "admin", "project", "list", env={"IPFLOW_TOKEN": "ipt_wrong"})
    assert result.exit_code == 1
    assert f"请重新运行 ipflow login --url {server.url}" in result.stderr


def test_login_keeps_the_token_for_this_user_only_and_logout_revokes_it(
    server: Server, ctx: AppContext, tmp_path: Path
) -> None:
    name = ROLES["unit"][0]
    set_password(replace(ctx, actor=ROLES["admin"][0]), name, PASSWORD)
    home = {"XDG_CONFIG_HOME": str(tmp_path), "IPFLOW_TOKEN": ""}
    signed = remote(
        server,
        "unit",
        "login",
        "--url",
        server.url + "/",
        "--name",
        name,
        "--password-stdin",
        env=home,
        input=PASSWORD + "\n",
    )
    assert signed.exit_code == 0, signed.output
    assert f"已以“{name}”（项目承担单位）登录{server.url}" in signed.stdout
    kept = tmp_path / "ipflow" / "credentials.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    token = json.loads(kept.read_text())[server.url]["token"]
    assert token.startswith("ipt_") and PASSWORD not in kept.read_text()
    listed = remote(server, "unit", "project", "list", "--json", env=home)
    assert listed.exit_code == 0, listed.output
    assert [p["id"] for p in json.loads(listed.stdout)] == [
        server.world.monitored,
        server.world.unmonitored,
    ]
    out = remote(server, "unit", "logout", env=home)
    assert out.exit_code == 0 and "令牌已吊销" in out.stdout
    assert json.loads(kept.read_text()) == {}
    after = remote(server, "unit", "project", "list", env={**home, "IPFLOW_TOKEN": token})
    assert after.exit_code == 1 and "不接受访问令牌" in after.stderr


def test_a_wrong_password_at_login_keeps_nothing(server: Server, tmp_path: Path) -> None:
    home = {"XDG_CONFIG_HOME": str(tmp_path)}
    result = remote(
        server,
        "unit",
        "login",
        "--url",
        server.url,
        "--name",
        ROLES["unit"][0],
        "--password-stdin",
        env=home,
        input="not-the-password\n",
    )
    assert result.exit_code == 1 and "用户名或密码不正确" in result.stderr
    assert not (tmp_path / "ipflow" / "credentials.json").exists()
