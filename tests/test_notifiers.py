"""Channels against real servers on loopback: aiosmtpd for mail, http.server playing the bots."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

from notifiers.base import Attachment, Message, Notifier, PermanentError, TransientError
from notifiers.build import ChannelConfigError, channels_from_settings
from notifiers.filechannel import FileNotifier
from notifiers.smtp import SmtpNotifier
from notifiers.webhook import DingTalkNotifier, FeishuNotifier, WeComNotifier
from workflow.core.config import Settings, SmtpSettings

SUBJECT = "【预警告知书】黔知运预〔2027〕1号 磷化工高价值专利培育"
TEXT = "贵州大学：\n\n你单位承担的项目进度滞后23.44个百分点，请于15日内提交整改方案。"
HTML = "<p>贵州大学：</p><p>你单位承担的项目进度<strong>滞后23.44个百分点</strong>。</p>"
SECRET = "SEC0123456789abcdef"


def free_port() -> int:
    """A loopback port nothing listens on (for a server to start on, or to find closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def letter(key: str = "letter/2027/1/email/kjc@example.org", **changes: Any) -> Message:
    values: dict[str, Any] = {
        "key": key,
        "recipient": "kjc@example.org",
        "subject": SUBJECT,
        "text": TEXT,
        "html": HTML,
        "date": datetime(2027, 4, 15, 4, tzinfo=UTC),
    }
    values.update(changes)
    return Message(**values)


class MailSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every mail it accepts.

    Recipients at nobody@ are refused for good (550), those at busy@ for now (450).
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mails: list[EmailMessage] = []
        self.controller: Controller | None = None
        self.lock = threading.Lock()

    def start(self) -> MailSink:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(mail, EmailMessage)
        with self.lock:
            self.mails.append(mail)
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter[str]:
        """How often each Message-ID arrived."""
        with self.lock:
            return Counter(str(mail["Message-ID"]) for mail in self.mails)

    def notifier(self, timeout: float = 5.0) -> SmtpNotifier:
        return SmtpNotifier("127.0.0.1", self.port, "ipflow@example.org", timeout=timeout)


@pytest.fixture
def mail_server() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@dataclass
class Post:
    """One request a bot received."""

    kind: str
    query: dict[str, list[str]]
    body: dict[str, Any]
    raw: bytes = b""
    """The request body as it arrived."""


@dataclass
class BotServer:
    """A loopback HTTP server playing WeCom (/wecom), DingTalk (/dingtalk), Feishu (/feishu).

    It checks DingTalk and Feishu signatures against `secret` as the services do, answers
    HTTP 200 with their success body, or with the next of `script` ((status, body) pairs).
    """

    secret: str = SECRET
    posts: list[Post] = field(default_factory=list)
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                body = json.loads(raw.decode("utf-8"))
                status, answer = bot.answer(parts.path.strip("/"), parse_qs(parts.query), body, raw)
                reply = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def url(self, kind: str) -> str:
        port = self.httpd.server_address[1]
        token = {"wecom": "?key=693a91f6", "dingtalk": "?access_token=8ca04016"}.get(kind, "")
        return f"http://127.0.0.1:{port}/{kind}{token}"

    def answer(
        self, kind: str, query: dict[str, list[str]], body: dict[str, Any], raw: bytes = b""
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.posts.append(Post(kind, query, body, raw))
            if kind == "dingtalk" and not self.dingtalk_signed(query):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            if kind == "feishu" and not self.feishu_signed(body):
                return 200, {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            if self.script:
                return self.script.pop(0)
        if kind == "feishu":
            return 200, {"code": 0, "msg": "success", "data": {}}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def dingtalk_signed(self, query: dict[str, list[str]]) -> bool:
        timestamp, signature = query["timestamp"][0], query["sign"][0]
        mac = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256)
        fresh = abs(time.time() * 1000 - int(timestamp)) < 3_600_000
        return fresh and hmac.compare_digest(base64.b64encode(mac.digest()).decode(), signature)

    def feishu_signed(self, body: dict[str, Any]) -> bool:
        timestamp, signature = body["timestamp"], body["sign"]
        mac = hmac.new(f"{timestamp}\n{self.secret}".encode(), b"", hashlib.sha256)
        fresh = abs(time.time() - int(timestamp)) < 3600
        return fresh and hmac.compare_digest(base64.b64encode(mac.digest()).decode(), signature)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def bots() -> Iterator[BotServer]:
    server = BotServer()
    yield server
    server.close()


def bot(kind: str, server: BotServer, secret: str = SECRET) -> Notifier:
    if kind == "wecom":
        return WeComNotifier(server.url("wecom"), timeout=5)
    if kind == "dingtalk":
        return DingTalkNotifier(server.url("dingtalk"), secret, timeout=5)
    return FeishuNotifier(server.url("feishu"), secret, timeout=5)


# --- mail -------------------------------------------------------------------------------


def test_a_mail_arrives_with_its_chinese_subject_text_html_and_deterministic_message_id(
    mail_server: MailSink,
) -> None:
    mail_server.notifier().send(letter())
    [mail] = mail_server.mails
    digest = hashlib.sha1(b"letter/2027/1/email/kjc@example.org").hexdigest()
    assert mail["Message-ID"] == f"<{digest}@ipflow>"
    assert mail["Subject"] == SUBJECT
    assert mail["To"] == "kjc@example.org"
    assert mail.get_content_type() == "multipart/alternative"
    text_part = mail.get_body(("plain",))
    html_part = mail.get_body(("html",))
    assert isinstance(text_part, EmailMessage) and isinstance(html_part, EmailMessage)
    assert text_part.get_content().replace("\r\n", "\n") == TEXT + "\n"
    assert "<strong>滞后23.44个百分点</strong>" in html_part.get_content()


def test_a_mail_is_seven_bit_clean_so_any_relay_accepts_it() -> None:
    from notifiers.smtp import compose

    raw = compose(letter(), "ipflow@example.org").as_bytes()
    assert raw.isascii()
    assert b"=?utf-8?" in raw


def test_the_same_key_always_gives_the_same_message_id() -> None:
    assert letter().message_id == letter(subject="另一个标题").message_id
    assert letter().message_id != letter(key="letter/2027/2/email/kjc@example.org").message_id


def test_a_mail_carries_its_attachments(mail_server: MailSink) -> None:
    pdf = Attachment("预警告知书.pdf", b"%PDF-1.7 test", "application/pdf")
    mail_server.notifier().send(letter(attachments=(pdf,)))
    [mail] = mail_server.mails
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() == "预警告知书.pdf"
    assert attached.get_content() == b"%PDF-1.7 test"


def test_a_mail_to_several_addresses_reaches_each_with_a_named_sender(
    mail_server: MailSink,
) -> None:
    named = SmtpNotifier(
        "127.0.0.1", mail_server.port, "贵州省知识产权局 <ipflow@example.org>", timeout=5
    )
    named.send(letter(recipient="kjc@example.org; 风险防控 <risk@example.org>"))
    [mail] = mail_server.mails
    assert [a.addr_spec for a in mail["To"].addresses] == ["kjc@example.org", "risk@example.org"]
    assert mail["From"].addresses[0].display_name == "贵州省知识产权局"


def test_some_recipients_refused_is_a_permanent_failure_so_the_others_get_no_copy(
    mail_server: MailSink,
) -> None:
    with pytest.raises(PermanentError, match="其余已送达"):
        mail_server.notifier().send(letter(recipient="kjc@example.org, nobody@example.org"))
    assert len(mail_server.mails) == 1


def test_a_mail_server_that_is_down_is_a_transient_failure_of_the_whole_channel() -> None:
    down = SmtpNotifier("127.0.0.1", free_port(), "ipflow@example.org", timeout=2)
    with pytest.raises(TransientError, match="无法连接邮件服务器") as failure:
        down.send(letter())
    assert failure.value.channel_down


def test_a_recipient_refused_for_good_is_a_permanent_failure(mail_server: MailSink) -> None:
    with pytest.raises(PermanentError, match="550"):
        mail_server.notifier().send(letter(recipient="nobody@example.org"))
    assert mail_server.mails == []


def test_a_recipient_refused_for_now_is_a_transient_failure(mail_server: MailSink) -> None:
    with pytest.raises(TransientError, match="450") as failure:
        mail_server.notifier().send(letter(recipient="busy@example.org"))
    assert not failure.value.channel_down


def test_a_recipient_that_is_no_mail_address_is_a_permanent_failure(
    mail_server: MailSink,
) -> None:
    with pytest.raises(PermanentError, match="不是邮件地址"):
        mail_server.notifier().send(letter(recipient="unit-贵州大学"))


# --- bots -------------------------------------------------------------------------------


def test_wecom_receives_a_markdown_message(bots: BotServer) -> None:
    bot("wecom", bots).send(letter())
    [post] = bots.posts
    assert post.query == {"key": ["693a91f6"]}
    assert post.body["msgtype"] == "markdown"
    assert post.body["markdown"]["content"].startswith(f"**{SUBJECT}**\n贵州大学")


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
def test_a_signed_bot_message_passes_the_servers_signature_check(
    bots: BotServer, kind: str
) -> None:
    bot(kind, bots).send(letter())
    [post] = bots.posts
    text = json.dumps(post.body, ensure_ascii=False)
    assert SUBJECT in text and "滞后23.44个百分点" in text


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
def test_a_wrong_secret_is_refused_by_the_bot_and_is_permanent(bots: BotServer, kind: str) -> None:
    with pytest.raises(PermanentError, match="签名"):
        bot(kind, bots, secret="wrong").send(letter())


@pytest.mark.parametrize(
    ("kind", "answer", "failure"),
    [
        ("wecom", {"errcode": 45009, "errmsg": "api freq out of limit"}, TransientError),
        ("wecom", {"errcode": -1, "errmsg": "system busy"}, TransientError),
        ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, PermanentError),
        ("wecom", {"errcode": 48123, "errmsg": "never heard of it"}, TransientError),
        ("dingtalk", {"errcode": 130101, "errmsg": "send too fast"}, TransientError),
        ("dingtalk", {"errcode": 310000, "errmsg": "keywords not in content"}, PermanentError),
        ("feishu", {"code": 11232, "msg": "frequency limited"}, TransientError),
        ("feishu", {"code": 19024, "msg": "Key Words Not Found"}, PermanentError),
        ("feishu", {"StatusCode": 19007, "StatusMessage": "Bot Not Exist"}, PermanentError),
    ],
)
def test_http_200_with_a_non_zero_code_is_a_failure(
    bots: BotServer, kind: str, answer: dict[str, Any], failure: type[Exception]
) -> None:
    bots.script.append((200, answer))
    with pytest.raises(failure):
        bot(kind, bots).send(letter())


def test_feishu_success_in_the_older_status_code_form_is_a_success(bots: BotServer) -> None:
    bots.script.append((200, {"Extra": None, "StatusCode": 0, "StatusMessage": "success"}))
    bot("feishu", bots).send(letter())


def test_an_answer_without_a_code_is_not_taken_for_a_success(bots: BotServer) -> None:
    bots.script.append((200, {"hello": "world"}))
    with pytest.raises(TransientError, match="无法识别"):
        bot("wecom", bots).send(letter())


@pytest.mark.parametrize(
    ("status", "failure"), [(503, TransientError), (429, TransientError), (404, PermanentError)]
)
def test_http_errors_of_a_bot_are_classified(
    bots: BotServer, status: int, failure: type[Exception]
) -> None:
    bots.script.append((status, {"error": "x"}))
    with pytest.raises(failure, match=f"HTTP {status}"):
        bot("wecom", bots).send(letter())


def test_a_bot_that_is_unreachable_is_a_transient_failure_of_the_channel() -> None:
    with pytest.raises(TransientError, match="无法连接企业微信机器人") as failure:
        WeComNotifier(f"http://127.0.0.1:{free_port()}/wecom", timeout=2).send(letter())
    assert failure.value.channel_down


def test_a_bot_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="不是 http"):
        WeComNotifier("file:///etc/passwd")


# --- folder -----------------------------------------------------------------------------


def test_the_file_channel_writes_one_eml_per_key_however_often_it_is_sent(tmp_path: Path) -> None:
    channel = FileNotifier(tmp_path / "outbox", sender="ipflow@example.org")
    message = letter(key="letter/2027/1/file/unit-贵州大学", recipient="unit-贵州大学")
    channel.send(message)
    channel.send(message)
    [written] = list((tmp_path / "outbox").iterdir())
    assert written == channel.path_for(message) and written.suffix == ".eml"
    assert "贵州大学" in written.name
    mail = email.message_from_bytes(written.read_bytes(), policy=default)
    assert mail["Message-ID"] == message.message_id
    assert mail["Subject"] == SUBJECT
    assert "unit-贵州大学" in str(mail["To"])
    assert written.read_bytes().isascii()


def test_the_file_channel_writes_json_when_asked(tmp_path: Path) -> None:
    channel = FileNotifier(tmp_path, fmt="json")
    channel.send(letter())
    [written] = list(tmp_path.iterdir())
    document = json.loads(written.read_text(encoding="utf-8"))
    assert written.suffix == ".json"
    assert (document["subject"], document["text"], document["html"]) == (SUBJECT, TEXT, HTML)
    assert document["message_id"] == letter().message_id


def test_the_file_channel_leaves_no_partial_file_behind(tmp_path: Path) -> None:
    channel = FileNotifier(tmp_path)
    for n in range(5):
        channel.send(letter(key=f"notice/{n}"))
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".eml"] * 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_an_unwritable_folder_is_a_transient_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(TransientError, match="无法写入"):
        FileNotifier(blocker / "outbox").send(letter())


# --- building channels from the configuration -------------------------------------------


def test_channels_come_from_the_configuration(tmp_path: Path) -> None:
    settings = Settings(
        smtp=SmtpSettings(
            host="mail.example.org",
            port=587,
            username="ipflow",
            password_env="IPFLOW_SMTP_PASSWORD",
            starttls=True,
        ),
        webhooks=(
            {"kind": "wecom", "url": "https://qyapi.example/send?key=1"},
            {"kind": "dingtalk", "url": "https://oapi.example/robot/send", "secret": "s"},
            {"kind": "feishu", "url": "https://open.example/hook/1", "name": "feishu-office"},
        ),
    )
    channels = channels_from_settings(settings, tmp_path, {"IPFLOW_SMTP_PASSWORD": "pw"})
    assert sorted(channels) == ["dingtalk", "email", "feishu-office", "file", "wecom"]
    smtp = channels["email"]
    assert isinstance(smtp, SmtpNotifier)
    assert (smtp.host, smtp.port, smtp.password, smtp.starttls) == (
        "mail.example.org",
        587,
        "pw",
        True,
    )
    assert isinstance(channels["file"], FileNotifier)
    assert isinstance(channels["feishu-office"], FeishuNotifier)


@pytest.mark.parametrize(
    ("webhooks", "environ", "message"),
    [
        ((), {}, "IPFLOW_SMTP_PASSWORD 未设置"),
        (({"kind": "slack", "url": "https://x"},), {"IPFLOW_SMTP_PASSWORD": "pw"}, "kind"),
        (({"kind": "wecom"},), {"IPFLOW_SMTP_PASSWORD": "pw"}, "缺少 url"),
        (
            ({"kind": "wecom", "url": "https://a"}, {"kind": "wecom", "url": "https://b"}),
            {"IPFLOW_SMTP_PASSWORD": "pw"},
            "重复",
        ),
    ],
)
def test_a_wrong_channel_configuration_is_refused_with_the_reason(
    tmp_path: Path, webhooks: tuple[dict[str, str], ...], environ: dict[str, str], message: str
) -> None:
    settings = Settings(smtp=SmtpSettings(password_env="IPFLOW_SMTP_PASSWORD"), webhooks=webhooks)
    with pytest.raises(ChannelConfigError, match=message):
        channels_from_settings(settings, tmp_path, environ)
