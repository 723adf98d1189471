"""The channels end to end through the CLI: a nightly check, then `notify flush`, against loopback
servers standing in for WeCom, DingTalk, Feishu (http.server) and the mail server (aiosmtpd).

The check queues, per configured bot, one row per warning letter and red notice (routed by
the bot's keys); a flush posts them as one digest per bot, split only where the service's
limit on what it measures (WeCom: the content field, 4096 bytes; DingTalk: the body, 20000
bytes; Feishu: the body, 20 KB) requires, and never inside a row. Codes the services document
as permanent fail the rows at once; rate limits, 5xx and a dead server make them wait.
Failed rows are listed and requeued by `notify list` / `notify retry`; SMTP logs in only
over TLS unless the configuration allows it; secrets never show in errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import Result
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import make_project, on, register
from tests.test_delivery import queue
from tests.test_notifiers import SECRET, BotServer, MailSink, Post, free_port
from workflow.access.actions import add_user
from workflow.core.context import AppContext
from workflow.db.orm import OutboxMessage
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

UNIT = "unit@example.org"
CONTRACTOR = "risk@example.org"
OFFICE = "office@example.org"
KINDS = ("wecom", "dingtalk", "feishu")
# One task over 2027; quarterly reports fall due 04-10 and 07-10 (10 days' grace). On 07-11 a
# project with no report misses two (red); one reported at 10% on 03-31 (planned 24.45%)
# lags by 14.45 points (a warning letter) and misses one report (amber).
YEAR_TASK = [PlanRow("年度任务", date(2027, 1, 1), date(2027, 12, 31), 1)]
RED_DAY = date(2027, 7, 11)
LIMITS = {"wecom": 4096, "dingtalk": 20000, "feishu": 20000}


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def bots() -> Iterator[BotServer]:
    server = BotServer()
    yield server
    server.close()


@pytest.fixture
def mail() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def night(db_url: str) -> Cli:
    """The CLI on the day after the check that turns projects red."""
    return Cli(db_url, RED_DAY + timedelta(days=1))


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def write_config(
    folder: Path,
    mail_port: int,
    webhooks: list[dict[str, object]] | None = None,
    smtp: dict[str, object] | None = None,
) -> str:
    """An ipflow.toml: mail to the loopback server, copies to contractor and office, the bots."""
    lines = [
        "[smtp]",
        'host = "127.0.0.1"',
        f"port = {mail_port}",
        *(f"{k} = {_toml(v)}" for k, v in (smtp or {}).items()),
        "[recipients]",
        f'contractor = ["{CONTRACTOR}"]',
        f'office = ["{OFFICE}"]',
        "[delivery]",
        f"outbox_dir = {_toml(str(folder / 'outbox'))}",
    ]
    for entry in webhooks or []:
        lines += ["[[webhooks]]", *(f"{k} = {_toml(v)}" for k, v in entry.items())]
    path = folder / "ipflow.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def bot_entry(kind: str, bots: BotServer, **routing: object) -> dict[str, object]:
    """A [[webhooks]] entry for the loopback bot of `kind` (signed where the service signs)."""
    entry: dict[str, object] = {"kind": kind, "url": bots.url(kind)}
    if kind != "wecom":
        entry["secret"] = SECRET
    return {**entry, **routing}


def run(cli: Cli, config: str, *args: str) -> Result:
    return cli("--config", config, *args)


def ok(result: Result) -> Any:
    """The JSON a successful command printed (or its text when it printed none)."""
    assert result.exit_code == 0, result.output
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.stdout


def red_projects(ctx: AppContext, count: int, title: str = "红色项目", **kwargs: Any) -> list[int]:
    """`count` projects in progress without any report: red on 2027-07-11."""
    return [
        make_project(ctx, title=f"{title}{n}", contact_email=UNIT, **kwargs)
        for n in range(1, count + 1)
    ]


def letter_project(ctx: AppContext, title: str = "滞后项目") -> int:
    """A project that gets a warning letter (lag 14.45) and stays amber on 2027-07-11."""
    project_id = make_project(ctx, title=title, plan=YEAR_TASK, contact_email=UNIT)
    submit(on(ctx, date(2027, 3, 31)), project_id, date(2027, 3, 31), {"年度任务": 10})
    return project_id


def text_of(post: Post) -> str:
    """Everything a bot's post says, whatever the service's message format."""
    body = post.body
    if post.kind == "wecom":
        return str(body["markdown"]["content"])
    if post.kind == "dingtalk":
        return str(body["markdown"]["text"])
    lines = body["content"]["post"]["zh_cn"]["content"]
    title = body["content"]["post"]["zh_cn"]["title"]
    return "\n".join([title, *("".join(part["text"] for part in line) for line in lines)])


def limited_size(post: Post) -> int:
    """What the service measures of `post`: WeCom the content field, the others the body."""
    if post.kind == "wecom":
        return len(post.body["markdown"]["content"].encode("utf-8"))
    return len(post.raw)


def outbox(engine: Engine, channel: str | None = None) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if channel:
            query = query.where(OutboxMessage.channel == channel)
        return list(session.scalars(query))


def check_and_flush(cli: Cli, config: str) -> tuple[Any, Any]:
    checked = ok(run(cli, config, "check", "run", "--today", RED_DAY.isoformat(), "--json"))
    flushed = ok(run(cli, config, "notify", "flush", "--json"))
    return checked, flushed


# --- bots reached from the nightly check ----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_check_with_a_letter_and_a_red_project_reaches_the_bot_as_one_digest(
    ctx: AppContext,
    engine: Engine,
    night: Cli,
    bots: BotServer,
    mail: MailSink,
    tmp_path: Path,
    kind: str,
) -> None:
    lagging = letter_project(ctx)
    [red] = red_projects(ctx, 1)
    config = write_config(tmp_path, mail.port, [bot_entry(kind, bots)])

    checked, flushed = check_and_flush(night, config)

    assert (checked["letters_issued"], checked["flags"]["red"]) == (1, 1)
    [post] = bots.posts
    assert post.kind == kind
    said = text_of(post)
    assert f"{RED_DAY}夜间检查预警汇总（2条）" in said
    assert f"项目#{lagging}“滞后项目”（贵州大学）进度滞后14.45个百分点" in said
    assert "黄色预警告知书 黔知运预〔2027〕1号" in said
    assert f"红色预警 项目#{red}" in said and "缺交季度报告2份" in said
    rows = outbox(engine, kind)
    assert [(r.status, r.recipient) for r in rows] == [("sent", kind)] * 2
    assert [r.key for r in rows] == [
        f"digest/{RED_DAY}/{kind}/letter/{lagging}/1",
        f"digest/{RED_DAY}/{kind}/red/{red}",
    ]
    assert flushed["failed"] == 0


MARKDOWN_TITLE = '**紧急** [点此查看](http://evil.example) `rm -rf` <font color="warning">红</font> # 标题 ~~删~~'
MARKDOWN_UNIT = "[某公司](http://evil.example)_有限_"
STORED_TITLE = "旧标题\n# 伪造的标题\n> 伪造的引用\n- 伪造的列表\n1. 伪造的序号"
"""A title stored before control characters were refused at entry: lines of markdown."""


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_markdown_in_titles_and_unit_names_reaches_a_markdown_bot_as_plain_text(
    ctx: AppContext,
    engine: Engine,
    night: Cli,
    bots: BotServer,
    mail: MailSink,
    tmp_path: Path,
    kind: str,
) -> None:
    [marked] = red_projects(ctx, 1, title=MARKDOWN_TITLE, unit=MARKDOWN_UNIT)
    [stored] = red_projects(ctx, 1, title="旧标题")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE project SET title = :title WHERE id = :id"),
            {"title": STORED_TITLE, "id": stored},
        )
    config = write_config(tmp_path, mail.port, [bot_entry(kind, bots)])

    check_and_flush(night, config)

    [post] = bots.posts
    said = text_of(post)
    lines = said.split("\n")
    own = "**" if kind == "wecom" else "### "  # the subject: bold, or a heading
    assert lines[0].startswith(own) and f"{RED_DAY}夜间检查预警汇总（2条）" in lines[0]
    rest = "\n".join(lines[1:])
    assert [mark for mark in ("*", "[", "]", "`", "<", ">", "~", "_", "&") if mark in rest] == []
    assert [line for line in lines[1:] if re.match(r"\s*(#|[-+]\s|\d+[.)]\s)", line)] == []
    assert (
        "“＊＊紧急＊＊ ［点此查看］(http://evil.example) ｀rm -rf｀ "
        '＜font color="warning"＞红＜/font＞ # 标题 ～～删～～1”（［某公司］(http://evil.example)＿有限＿）'
    ) in rest
    assert f"红色预警 项目#{marked}" in rest
    for line in ("＃ 伪造的标题", "＞ 伪造的引用", "－ 伪造的列表", "1． 伪造的序号"):
        assert line in rest


def test_a_repeat_of_the_check_queues_no_digest_row_twice(
    ctx: AppContext, engine: Engine, night: Cli, bots: BotServer, mail: MailSink, tmp_path: Path
) -> None:
    red_projects(ctx, 2)
    config = write_config(tmp_path, mail.port, [bot_entry("feishu", bots)])
    check_and_flush(night, config)
    before = database_dump(engine)["outbox"]

    again = ok(run(night, config, "check", "run", "--today", RED_DAY.isoformat(), "--json"))
    ok(run(night, config, "notify", "flush"))

    assert again["notices_queued"] == 0
    assert database_dump(engine)["outbox"] == before
    assert len(bots.posts) == 1


def test_each_bot_gets_what_its_routing_keys_choose(
    ctx: AppContext, engine: Engine, night: Cli, bots: BotServer, mail: MailSink, tmp_path: Path
) -> None:
    lagging = letter_project(ctx)
    [red] = red_projects(ctx, 1)
    [gi_red] = red_projects(ctx, 1, title="地理标志", category="gi_brand", unit="某协会")
    config = write_config(
        tmp_path,
        mail.port,
        [
            bot_entry("wecom", bots),  # no routing keys: every letter and red notice
            bot_entry("dingtalk", bots, kinds=["letter"]),
            bot_entry("feishu", bots, name="gi-office", categories=["gi_brand"]),
        ],
    )

    check_and_flush(night, config)

    items = {
        channel: [r.key.split("/", 3)[3] for r in outbox(engine, channel)]
        for channel in ("wecom", "dingtalk", "gi-office")
    }
    assert items == {
        "wecom": [f"letter/{lagging}/1", f"red/{red}", f"red/{gi_red}"],
        "dingtalk": [f"letter/{lagging}/1"],
        "gi-office": [f"red/{gi_red}"],
    }
    assert sorted(p.kind for p in bots.posts) == ["dingtalk", "feishu", "wecom"]


def test_a_bot_limited_to_red_levels_gets_no_amber_letter(
    ctx: AppContext, engine: Engine, night: Cli, bots: BotServer, mail: MailSink, tmp_path: Path
) -> None:
    letter_project(ctx)
    [red] = red_projects(ctx, 1)
    config = write_config(tmp_path, mail.port, [bot_entry("wecom", bots, levels=["red"])])

    check_and_flush(night, config)

    assert [r.key.rsplit("/", 2)[1:] for r in outbox(engine, "wecom")] == [["red", str(red)]]


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ({"kinds": ["letter", "amber"]}, "kinds中有无效的值：amber"),
        ({"levels": "red"}, "levels应为非空的字符串列表"),
        ({"categories": ["no_such_category"]}, "categories中有无效的值：no_such_category"),
        ({"kinds": []}, "kinds应为非空的字符串列表"),
        ({"kindz": ["red"]}, "未知的键：kindz"),
        ({"name": "群机器人名称超过二十个字符会放不进去的名字"}, "应为1到20个字符"),
    ],
)
def test_a_wrong_routing_key_is_refused_before_the_check_writes_anything(
    ctx: AppContext,
    engine: Engine,
    night: Cli,
    bots: BotServer,
    tmp_path: Path,
    entry: dict[str, object],
    named: str,
) -> None:
    red_projects(ctx, 1)
    config = write_config(tmp_path, free_port(), [bot_entry("wecom", bots, **entry)])
    before = database_dump(engine)

    result = run(night, config, "check", "run", "--today", RED_DAY.isoformat())

    assert result.exit_code == 1
    message = without_clock_notice(result.stderr)
    assert named in message and "[[webhooks]]" in message and "\n" not in message
    assert "Traceback" not in result.output
    assert database_dump(engine) == before


# --- each service's limit, on what it limits --------------------------------------------------


LONG_TITLE = "磷化工产业高价值专利培育与运营" * 16  # 240 characters, 720 bytes


@pytest.mark.parametrize("kind", KINDS)
def test_a_digest_of_28_red_notices_is_split_within_the_services_limit_never_inside_a_row(
    ctx: AppContext,
    engine: Engine,
    night: Cli,
    bots: BotServer,
    mail: MailSink,
    tmp_path: Path,
    kind: str,
) -> None:
    projects = red_projects(ctx, 28, title=LONG_TITLE)
    config = write_config(tmp_path, mail.port, [bot_entry(kind, bots)])

    checked, flushed = check_and_flush(night, config)

    assert checked["flags"]["red"] == 28
    assert flushed["sent"] == 28 + 28 * 3  # the bot's rows, and mail to unit, contractor, office
    sizes = [limited_size(p) for p in bots.posts]
    assert max(sizes) <= LIMITS[kind]
    if kind == "wecom":
        assert len(sizes) == 7  # about 950 bytes of content a row: four fit in 4096
    else:
        assert len(sizes) == 2  # 28 rows make about 29 KB of body: two messages
    texts = [text_of(p) for p in bots.posts]
    for project_id in projects:  # each row whole, in exactly one message
        entry = f"红色预警 项目#{project_id}】"
        assert sum(t.count(entry) for t in texts) == 1
        [holder] = [t for t in texts if entry in t]
        assert f"{LONG_TITLE}{projects.index(project_id) + 1}”（贵州大学）：" in holder
    assert {r.status for r in outbox(engine, kind)} == {"sent"}


def test_the_feishu_body_of_28_rows_would_be_over_20_kb_in_one_message(
    ctx: AppContext, night: Cli, bots: BotServer, mail: MailSink, tmp_path: Path
) -> None:
    """The split is needed: the two messages of the Feishu digest hold over 20 KB together."""
    red_projects(ctx, 28, title=LONG_TITLE)
    config = write_config(tmp_path, mail.port, [bot_entry("feishu", bots)])

    check_and_flush(night, config)

    assert len(bots.posts) == 2
    assert sum(len(p.raw) for p in bots.posts) > 20000
    assert all(len(p.raw) <= 20000 for p in bots.posts)


# --- permanent codes are not retried; transient ones wait --------------------------------------


SIZE_ERRORS = {
    "wecom": {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"},
    "dingtalk": {
        "errcode": 460101,
        "errmsg": "description: body 大小不合法;solution:请保持大小在 20000bytes 以内;",
    },
    "feishu": {"code": 19036, "msg": "The message exceeds the size limit of 30KB"},
}
RATE_LIMITS = {
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "dingtalk": {"errcode": 410100, "errmsg": "send too fast"},
    "feishu": {"code": 11232, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]"},
}
OTHER_PERMANENT = {
    "wecom": {"errcode": 93000, "errmsg": "invalid webhook url"},
    "dingtalk": {"errcode": 400102, "errmsg": "robot stopped"},
    "feishu": {"code": 19024, "msg": "Key Words Not Found"},
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("answer", [SIZE_ERRORS, OTHER_PERMANENT], ids=["size", "config"])
def test_a_permanent_refusal_fails_the_digest_at_once_and_is_tried_once(
    ctx: AppContext,
    engine: Engine,
    night: Cli,
    bots: BotServer,
    mail: MailSink,
    tmp_path: Path,
    kind: str,
    answer: dict[str, dict[str, object]],
) -> None:
    red_projects(ctx, 3)
    config = write_config(tmp_path, mail.port, [bot_entry(kind, bots)])
    bots.script.append((200, answer[kind]))

    _, flushed = check_and_flush(night, config)
    again = ok(run(night, config, "notify", "flush", "--all", "--json"))

    assert len(bots.posts) == 1
    assert flushed["failed"] == 3 and again["sent"] == 0
    rows = outbox(engine, kind)
    assert [(r.status, r.attempts) for r in rows] == [("failed", 1)] * 3
    code = next(iter(answer[kind].values()))
    assert all(
        f"（{code} " in (r.last_error or "") and "不再重试" in (r.last_error or "") for r in rows
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "answer",
    [
        (200, "rate"),
        (500, "server"),
        (503, "server"),
    ],
    ids=["rate-limit", "http-500", "http-503"],
)
def test_a_transient_refusal_waits_with_backoff_and_goes_out_once_it_passes(
    ctx: AppContext,
    engine: Engine,
    night: Cli,
    bots: BotServer,
    mail: MailSink,
    tmp_path: Path,
    kind: str,
    answer: tuple[int, str],
) -> None:
    red_projects(ctx, 3)
    config = write_config(tmp_path, mail.port, [bot_entry(kind, bots)])
    status, what = answer
    bots.script.append((status, RATE_LIMITS[kind] if what == "rate" else {"error": "busy"}))

    _, flushed = check_and_flush(night, config)

    rows = outbox(engine, kind)
    assert flushed["failed"] == 0
    assert [(r.status, r.attempts) for r in rows] == [("pending", 1)] * 3
    noon = rows[0].created_at
    assert {r.next_attempt_at - noon for r in rows} == {timedelta(minutes=1)}
    assert ok(run(night, config, "notify", "flush", "--json"))["sent"] == 0  # not due yet
    retried = ok(run(night, config, "notify", "flush", "--all", "--json"))
    assert retried["sent"] >= 3
    assert [r.status for r in outbox(engine, kind)] == ["sent"] * 3
    assert len(bots.posts) == 2


def test_feishu_rate_limit_in_an_http_400_is_transient_and_a_404_is_permanent(
    ctx: AppContext, engine: Engine, night: Cli, bots: BotServer, mail: MailSink, tmp_path: Path
) -> None:
    red_projects(ctx, 1)
    config = write_config(tmp_path, mail.port, [bot_entry("feishu", bots)])
    bots.script += [
        (400, {"code": 99991400, "msg": "request trigger frequency limit"}),
        (404, {"code": 404, "msg": "not found"}),
    ]

    check_and_flush(night, config)
    [waiting] = outbox(engine, "feishu")
    ok(run(night, config, "notify", "flush", "--all"))
    [given_up] = outbox(engine, "feishu")

    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert (given_up.status, given_up.attempts) == ("failed", 2)


@pytest.mark.parametrize("kind", KINDS)
def test_a_bot_that_cannot_be_reached_makes_its_rows_wait(
    ctx: AppContext, engine: Engine, night: Cli, mail: MailSink, tmp_path: Path, kind: str
) -> None:
    red_projects(ctx, 2)
    dead = f"http://127.0.0.1:{free_port()}/{kind}?key=693a91f6&access_token=8ca04016"
    config = write_config(tmp_path, mail.port, [{"kind": kind, "url": dead}])

    _, flushed = check_and_flush(night, config)

    rows = outbox(engine, kind)
    assert (flushed["failed"], [r.status for r in rows]) == (0, ["pending", "pending"])
    assert all("693a91f6" not in (r.last_error or "") for r in rows)


# --- failed deliveries: seen, counted, requeued -----------------------------------------------


class BrokenMailServer(MailSink):
    """A mail server that answers 500 to every sender until it is mended."""

    broken = True

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: Any
    ) -> str:
        if self.broken:
            return "500 5.3.0 Internal server error"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


def test_after_an_smtp_500_the_81_failed_rows_are_counted_listed_and_sent_once_requeued(
    ctx: AppContext, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    red_projects(ctx, 27)  # each: unit, contractor and office: 81 mails
    server = BrokenMailServer().start()
    try:
        cli = Cli(db_url, RED_DAY + timedelta(days=1))
        config = write_config(tmp_path, server.port)
        checked, flushed = check_and_flush(cli, config)
        assert (checked["notices_queued"], flushed["failed"], flushed["sent"]) == (81, 81, 0)

        failed = ok(run(cli, config, "notify", "list", "--status", "failed", "--json"))
        assert len(failed) == 81
        assert set(failed[0]) >= {"id", "channel", "recipient", "status", "attempts", "last_error"}
        assert {(r["channel"], r["status"], r["attempts"]) for r in failed} == {
            ("email", "failed", 1)
        }
        assert all("500 5.3.0 Internal server error" in r["last_error"] for r in failed)

        next_night = ok(run(cli, config, "check", "run", "--today", "2027-07-12", "--json"))
        assert next_night["deliveries_failed"] == 81
        text = run(cli, config, "check", "run", "--today", "2027-07-12")
        assert "投递失败的消息81条" in text.stdout

        server.broken = False  # mended
        assert ok(run(cli, config, "notify", "flush", "--all", "--json"))["sent"] == 0
        requeued = ok(run(cli, config, "notify", "retry", "--failed", "--json"))
        sent = ok(run(cli, config, "notify", "flush", "--json"))

        assert requeued["requeued"] == 81 and sent["sent"] == 81
        assert len(server.mails) == 81 and len(server.message_ids()) == 81
        assert ok(run(cli, config, "notify", "list", "--status", "failed", "--json")) == []
        assert len(ok(run(cli, config, "notify", "list", "--status", "sent", "--json"))) == 81
        final = ok(run(cli, config, "check", "run", "--today", "2027-07-12", "--json"))
        assert final["deliveries_failed"] == 0
    finally:
        server.stop()


def test_notify_retry_of_one_row_requeues_it_alone(
    ctx: AppContext, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    red_projects(ctx, 1)
    server = BrokenMailServer().start()
    try:
        cli = Cli(db_url, RED_DAY + timedelta(days=1))
        config = write_config(tmp_path, server.port)
        check_and_flush(cli, config)
        first, *others = outbox(engine, "email")

        result = ok(run(cli, config, "notify", "retry", str(first.id), "--json"))

        assert result == {"requeued": 1, "ids": [first.id]}
        statuses = [(r.status, r.attempts) for r in outbox(engine, "email")]
        assert statuses == [("pending", 0), ("failed", 1), ("failed", 1)]
        assert len(others) == 2
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["retry", "99"], 1, "没有编号为99的待投递消息"),
        (["retry", "1"], 1, "消息#1的状态是pending，只有失败（failed）的消息可以重新排队"),
        (["retry"], 2, "--failed"),
        (["retry", "1", "--failed"], 2, "--failed"),
        (["list", "--status", "lost"], 2, "lost"),
    ],
)
def test_notify_retry_and_list_refuse_what_they_cannot_do_and_change_nothing(
    ctx: AppContext,
    engine: Engine,
    night: Cli,
    tmp_path: Path,
    args: list[str],
    code: int,
    says: str,
) -> None:
    red_projects(ctx, 1)
    config = write_config(tmp_path, free_port())
    ok(run(night, config, "check", "run", "--today", RED_DAY.isoformat()))
    before = database_dump(engine)

    result = run(night, config, "notify", *args)

    assert result.exit_code == code
    assert says in result.stderr and "Traceback" not in result.output
    assert database_dump(engine) == before


def test_notify_list_shows_each_row_in_text_and_only_the_chosen_status(
    ctx: AppContext, night: Cli, tmp_path: Path
) -> None:
    red_projects(ctx, 1)
    config = write_config(tmp_path, free_port())
    ok(run(night, config, "check", "run", "--today", RED_DAY.isoformat()))

    pending = ok(run(night, config, "notify", "list", "--status", "pending", "--json"))
    text = ok(run(night, config, "notify", "list"))

    assert sorted(r["recipient"] for r in pending) == sorted([UNIT, CONTRACTOR, OFFICE])
    assert ok(run(night, config, "notify", "list", "--status", "sent", "--json")) == []
    assert text.count("\n") == 3 and "【红色预警通知】红色项目1" in text


@pytest.mark.parametrize(
    ("role", "lists", "retries"),
    [
        ("admin", True, True),
        ("manager", True, False),
        ("contractor", True, False),
        ("scheduler", False, True),
        ("unit", False, False),
    ],
)
def test_who_may_list_and_requeue_the_outbox(
    ctx: AppContext,
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    role: str,
    lists: bool,
    retries: bool,
) -> None:
    register(ctx, "贵州大学", "university")
    add_user(ctx, "office", "admin", None)
    admin = replace(ctx, actor="office")
    add_user(admin, "who", role, "贵州大学" if role == "unit" else None)
    config = write_config(tmp_path, free_port())
    cli = Cli(db_url, RED_DAY)

    listed = cli("--as", "who", "--config", config, "notify", "list", "--json")
    retried = cli("--as", "who", "--config", config, "notify", "retry", "--failed")

    assert (listed.exit_code == 0, retried.exit_code == 0) == (lists, retries)
    for result, allowed in ((listed, lists), (retried, retries)):
        if not allowed:
            assert result.exit_code == 1 and "Traceback" not in result.output


def test_the_contractor_lists_only_the_messages_about_the_projects_it_monitors(
    ctx: AppContext, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    [monitored] = red_projects(ctx, 1)
    own = make_project(ctx, title="风险防控", category="risk_control", unit="某会计师事务所")
    config = write_config(tmp_path, free_port())
    cli = Cli(db_url, RED_DAY)
    ok(run(cli, config, "check", "run", "--today", RED_DAY.isoformat()))
    queue(ctx, f"mail/{own}", project_id=own)  # a message about a project it does not monitor
    add_user(ctx, "office", "admin", None)
    add_user(replace(ctx, actor="office"), "risk", "contractor", None)

    everything = ok(cli("--as", "office", "--config", config, "notify", "list", "--json"))
    seen = ok(cli("--as", "risk", "--config", config, "notify", "list", "--json"))

    assert {r["project_id"] for r in everything} == {monitored, own}
    assert {r["project_id"] for r in seen} == {monitored} and len(seen) == 3


# --- SMTP login only over TLS; secrets never shown ------------------------------------------


class AuthMailServer(MailSink):
    """A mail server offering AUTH without TLS, which records every login it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.logins: list[tuple[str, bytes]] = []

    def start(self) -> AuthMailServer:
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.authenticate,
            auth_require_tls=False,
        )
        self.controller.start()
        return self

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        self.logins.append((data.login.decode(), data.password))
        return AuthResult(success=True)


PASSWORD = "Gz-Smtp-Pa55"
LOGIN = {"username": "ipflow", "password_env": "IPFLOW_SMTP_PASSWORD"}


def test_an_smtp_login_without_tls_is_refused_naming_the_setting_and_nothing_changes(
    ctx: AppContext, engine: Engine, night: Cli, tmp_path: Path
) -> None:
    red_projects(ctx, 1)
    server = AuthMailServer().start()
    try:
        config = write_config(tmp_path, server.port, smtp=LOGIN)
        ok(run(night, config, "check", "run", "--today", RED_DAY.isoformat()))
        before = database_dump(engine)

        result = night(
            "--config",
            config,
            "notify",
            "flush",
            env={"IPFLOW_SMTP_PASSWORD": PASSWORD},
        )

        assert result.exit_code == 1
        message = without_clock_notice(result.stderr)
        assert "[smtp] allow_plain_auth = true" in message and "starttls" in message
        assert PASSWORD not in result.output and "\n" not in message
        assert database_dump(engine) == before
        assert server.logins == [] and server.mails == []
    finally:
        server.stop()


def test_a_plain_login_goes_ahead_only_when_the_configuration_allows_it(
    ctx: AppContext, engine: Engine, night: Cli, tmp_path: Path
) -> None:
    red_projects(ctx, 1)
    server = AuthMailServer().start()
    try:
        config = write_config(tmp_path, server.port, smtp={**LOGIN, "allow_plain_auth": True})
        ok(run(night, config, "check", "run", "--today", RED_DAY.isoformat()))

        result = night(
            "--config", config, "notify", "flush", "--json", env={"IPFLOW_SMTP_PASSWORD": PASSWORD}
        )

        assert ok(result)["sent"] == 3
        assert server.logins == [("ipflow", PASSWORD.encode())] * 3
    finally:
        server.stop()


def test_starttls_against_a_server_without_it_never_sends_the_password(
    ctx: AppContext, engine: Engine, night: Cli, tmp_path: Path
) -> None:
    red_projects(ctx, 1)
    server = AuthMailServer().start()
    try:
        config = write_config(tmp_path, server.port, smtp={**LOGIN, "starttls": True})
        ok(run(night, config, "check", "run", "--today", RED_DAY.isoformat()))

        result = night(
            "--config", config, "notify", "flush", "--json", env={"IPFLOW_SMTP_PASSWORD": PASSWORD}
        )

        assert ok(result)["sent"] == 0
        assert server.logins == []
        rows = outbox(engine, "email")
        assert {r.status for r in rows} == {"pending"}
        assert all("STARTTLS" in (r.last_error or "") for r in rows)
        assert all(PASSWORD not in (r.last_error or "") for r in rows)
    finally:
        server.stop()


def test_a_database_url_password_is_never_printed(night: Cli) -> None:
    result = night("--db", "postgresql+psycopg://ipflow:S3cret-Pw@127.0.0.1:port/x", "check", "run")

    assert result.exit_code == 1
    assert "S3cret-Pw" not in result.output
    assert "postgresql+psycopg://ipflow:***@127.0.0.1:port/x" in result.stderr


def test_a_bots_token_and_secret_never_show_in_errors_or_the_list(
    ctx: AppContext, engine: Engine, night: Cli, bots: BotServer, mail: MailSink, tmp_path: Path
) -> None:
    red_projects(ctx, 1)
    url = bots.url("dingtalk")  # …?access_token=8ca04016
    config = write_config(tmp_path, mail.port, [bot_entry("dingtalk", bots)])
    bots.script.append((200, {"errcode": 310000, "errmsg": f"sign not match for {url}"}))

    check_and_flush(night, config)
    listed = run(night, config, "notify", "list", "--json")
    bad = write_config(
        tmp_path, mail.port, [{"kind": "feishu", "url": "ftp://x/hook/T0KEN-f00", "secret": SECRET}]
    )
    refused = run(night, bad, "notify", "flush")

    [row] = [r for r in ok(listed) if r["channel"] == "dingtalk"]
    assert row["status"] == "failed" and "310000" in row["last_error"]
    for shown in (row["last_error"], listed.stdout, refused.stderr):
        assert "8ca04016" not in shown and SECRET not in shown and "T0KEN-f00" not in shown
    assert refused.exit_code == 1 and "不是 http(s) 地址" in refused.stderr
