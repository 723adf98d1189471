"""Group chat bots: WeCom (企业微信), DingTalk (钉钉) and Feishu/Lark (飞书) webhooks.

Size. Each service caps something different, and a message over the cap is refused for good,
so the cap is checked on exactly what the service measures, as it would be sent (UTF-8):

- WeCom (企业微信群机器人): the `content` field, 4096 bytes for `markdown` and 2048 for `text`;
- DingTalk (钉钉自定义机器人): the request body, 20000 bytes (errcode 460101 "body 大小不合法，
  请保持大小在 20000bytes 以内");
- Feishu (飞书自定义机器人): the request body, 20 KB (taken as 20000 bytes).

`fits` answers for a message; the dispatcher packs digests with it, and `send` refuses a
message that does not fit without posting it.

Verdicts. Every service answers HTTP 200 even when it refuses a message and puts the verdict
in the JSON body (`errcode` for WeCom and DingTalk, `code` or `StatusCode` for Feishu):
anything but 0 is a failure. The codes the services document for what will fail again
however often it is sent (bad signature, missing keyword, IP not allowed, bot deleted or
disabled, invalid parameters, content too large or refused) are permanent: the message is
marked failed at once. Rate limits ("发送速度太快", WeCom 45009, DingTalk 410100, Feishu
11232), "system busy" and every code not listed are transient, so an unknown answer is
retried rather than lost. HTTP 408, 429 and 5xx are transient, other 4xx permanent unless
their JSON body carries a code listed as transient; no connection or a timeout is transient
and marks the bot down for the rest of the run.

Text. Letters and notices are plain text, and what applicants typed (titles, unit names) is in
them: a title holding `**`, `[x](http://…)`, backquotes or `<font …>` would turn into bold, a
link, code or colour in a markdown message. WeCom and DingTalk markdown therefore get the text
through `markdown_literal`, which shows it as it is. Neither service documents an escape
character (a backslash may be shown, or ignored), so the characters that make markdown are
replaced by their full-width forms, which read the same in Chinese text.

Secrets. A bot's address holds its token (WeCom `key`, DingTalk `access_token`, the last part
of a Feishu hook path) and may be signed with a secret: neither appears in any error text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, ClassVar, NoReturn
from urllib.parse import urlencode, urlsplit

from notifiers.base import Message, PermanentError, TransientError, redact

MARKDOWN_MARKS = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "~": "～",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "|": "｜",
        "&": "＆",
        "#": "＃",
        "-": "－",
        "+": "＋",
        "=": "＝",
        ".": "．",
        ")": "）",
    }
)
"""Each character that makes markdown, and the full-width form that shows it instead."""
INLINE_MARKS = "\\`*_~[]<>|&"
"""Characters that make markdown anywhere in a line: emphasis, code, links, HTML, entities."""
LINE_START = re.compile(r"^([ \t]*)(#+|(?:[-+=]+|\d+[.)])(?=[ \t]|$))", re.MULTILINE)
"""What makes markdown only at the start of a line: headings, list items, rules, underlines."""


def markdown_literal(text: str) -> str:
    """`text` as markdown that shows it as it is (see the module docstring)."""
    text = "".join(c.translate(MARKDOWN_MARKS) if c in INLINE_MARKS else c for c in text)
    return LINE_START.sub(lambda m: m[1] + m[2].translate(MARKDOWN_MARKS), text)


def encode(body: dict[str, Any]) -> bytes:
    """The request body as it is posted: JSON, non-ASCII kept as UTF-8."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def sign(timestamp: str, secret: str, *, feishu: bool = False) -> str:
    """The base64 HMAC-SHA256 signature of `timestamp + "\\n" + secret`.

    DingTalk keys the HMAC with the secret and signs that string; Feishu keys it with that
    string and signs nothing.
    """
    string_to_sign = f"{timestamp}\n{secret}".encode()
    if feishu:
        digest = hmac.new(string_to_sign, b"", hashlib.sha256).digest()
    else:
        digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class WebhookNotifier:
    """What the three bots share: POST JSON with a timeout, read the verdict, classify it."""

    service: ClassVar[str] = ""
    msgtypes: ClassVar[tuple[str, ...]] = ()
    limits: ClassVar[dict[str, int]] = {}
    """The service's size limit per message type, in bytes (of what `size` measures)."""
    permanent_codes: ClassVar[dict[int, str]] = {}
    """Result codes that will come again however often the message is sent: failed at once."""
    transient_codes: ClassVar[dict[int, str]] = {}
    """Result codes documented as temporary (rate limits, busy); any unlisted code is too."""

    def __init__(
        self,
        url: str,
        secret: str = "",
        *,
        msgtype: str = "",
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"{self.service}机器人地址“{redact(url)}”不是 http(s) 地址")
        msgtype = msgtype or self.msgtypes[0]
        if msgtype not in self.msgtypes:
            raise ValueError(
                f"{self.service}机器人不支持消息类型“{msgtype}”；可选：{', '.join(self.msgtypes)}"
            )
        self.url = url
        self.secret = secret
        self.msgtype = msgtype
        self.timeout = timeout
        self.clock = clock

    @property
    def limit(self) -> int:
        """The service's size limit for this bot's message type, in bytes."""
        return self.limits[self.msgtype]

    def size(self, message: Message) -> int:
        """The bytes of what the service limits (by default the encoded request body)."""
        return len(encode(self.request(message)[1]))

    def fits(self, message: Message) -> bool:
        """Whether `message`, as it would be sent, is within the service's size limit."""
        return self.size(message) <= self.limit

    def send(self, message: Message) -> None:
        """Post `message` to the bot, or raise TransientError / PermanentError."""
        size = self.size(message)
        if size > self.limit:
            raise PermanentError(
                f"{self.service}机器人消息为{size}字节，超过服务上限{self.limit}字节，未发送"
            )
        url, body = self.request(message)
        self.check(self.post(url, body))

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        """The URL (with any signature) and the JSON body for `message`."""
        raise NotImplementedError

    def verdict(self, answer: dict[str, Any]) -> tuple[int | None, str]:
        """The service's result code (None when the answer carries none) and its text."""
        code = answer.get("errcode")
        return (code if isinstance(code, int) else None), str(answer.get("errmsg", ""))

    def check(self, answer: dict[str, Any]) -> None:
        """Raise unless the service's answer says the message was accepted."""
        code, text = self.verdict(answer)
        if code == 0:
            return
        if code is None:
            raise TransientError(
                self.hide(f"{self.service}机器人的应答无法识别：{json.dumps(answer)[:300]}")
            )
        shown = self.hide(f"{code} {text}".strip())
        if code in self.permanent_codes:
            raise PermanentError(
                f"{self.service}机器人拒绝消息（{shown}）：{self.permanent_codes[code]}，不再重试"
            )
        why = self.transient_codes.get(code, "原因未列明，稍后重试")
        raise TransientError(f"{self.service}机器人暂未接收消息（{shown}）：{why}")

    def hide(self, text: str) -> str:
        """`text` without this bot's address, token or secret."""
        return redact(text, self.url, self.secret)

    def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` as UTF-8 JSON and return the decoded JSON answer."""
        request = urllib.request.Request(
            url,
            data=encode(body),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            self.http_error(exc.code, exc.read()[:300])
        except (urllib.error.URLError, OSError) as exc:  # refused, DNS, timeout, TLS
            reason = self.hide(str(getattr(exc, "reason", exc) or type(exc).__name__))
            raise TransientError(
                f"无法连接{self.service}机器人：{reason}", channel_down=True
            ) from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            shown = self.hide(raw[:200].decode("utf-8", "replace"))
            raise TransientError(f"{self.service}机器人的应答不是JSON：{shown}") from None
        if not isinstance(answer, dict):
            raise TransientError(self.hide(f"{self.service}机器人的应答无法识别：{answer!s:.200}"))
        return answer

    def http_error(self, status: int, raw: bytes) -> NoReturn:
        """Classify an HTTP error: 408, 429, 5xx and a body with a transient code are transient."""
        detail = self.hide(raw.decode("utf-8", errors="replace"))
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = None
        code = self.verdict(answer)[0] if isinstance(answer, dict) else None
        if status in (408, 429) or status >= 500 or code in self.transient_codes:
            raise TransientError(
                f"{self.service}机器人暂不可用：HTTP {status} {detail}", channel_down=True
            )
        raise PermanentError(f"{self.service}机器人拒绝请求：HTTP {status} {detail}")


class WeComNotifier(WebhookNotifier):
    """企业微信群机器人: `markdown` (content ≤ 4096 bytes) or `text` (≤ 2048 bytes); no signing."""

    service = "企业微信"
    msgtypes = ("markdown", "text")
    limits: ClassVar[dict[str, int]] = {"markdown": 4096, "text": 2048}
    permanent_codes: ClassVar[dict[int, str]] = {
        93000: "机器人地址无效（key错误或机器人已删除）",
        40008: "消息类型无效",
        40035: "参数无效",
        40058: "消息参数无效（如内容超过长度上限）",
        44004: "消息内容为空",
        45002: "消息内容超过大小上限",
    }
    transient_codes: ClassVar[dict[int, str]] = {
        -1: "系统繁忙，稍后重试",
        45009: "调用频率超过上限（每个机器人每分钟20条），稍后重试",
        45033: "并发调用超过上限，稍后重试",
    }

    def size(self, message: Message) -> int:
        """WeCom caps the `content` field, not the body."""
        return len(self.content(message).encode("utf-8"))

    def content(self, message: Message) -> str:
        """The `content` field: the subject (bold in markdown), then the text."""
        if self.msgtype == "markdown":
            return f"**{markdown_literal(message.subject)}**\n{markdown_literal(message.text)}"
        return f"{message.subject}\n{message.text}"

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        return self.url, {"msgtype": self.msgtype, self.msgtype: {"content": self.content(message)}}


class DingTalkNotifier(WebhookNotifier):
    """钉钉自定义机器人: `markdown` or `text`, body ≤ 20000 bytes; with a secret, signs
    `timestamp`+`sign` in the URL."""

    service = "钉钉"
    msgtypes = ("markdown", "text")
    limits: ClassVar[dict[str, int]] = {"markdown": 20000, "text": 20000}
    permanent_codes: ClassVar[dict[int, str]] = {
        310000: "安全设置不符（签名不匹配、缺少关键词或IP不在白名单）",
        300001: "机器人地址无效（access_token不存在）",
        40035: "缺少参数",
        400013: "群已被解散",
        400101: "机器人地址无效（access_token不存在）",
        400102: "机器人已停用",
        400105: "不支持的消息类型",
        400106: "机器人不存在",
        430101: "消息含有不安全的外链",
        430102: "消息含有不合适的文本",
        430103: "消息含有不合适的图片",
        430104: "消息含有不合适的内容",
        460101: "消息体超过大小上限（20000字节）",
    }
    transient_codes: ClassVar[dict[int, str]] = {
        -1: "系统繁忙，稍后重试",
        130101: "发送太快（每分钟20条），稍后重试",
        410100: "发送速度太快而限流，稍后重试",
    }

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        url = self.url
        if self.secret:
            timestamp = str(int(self.clock() * 1000))
            query = urlencode({"timestamp": timestamp, "sign": sign(timestamp, self.secret)})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        if self.msgtype == "markdown":
            text = markdown_literal(message.text).replace("\n", "  \n")  # hard line breaks
            heading = markdown_literal(message.subject)
            body = {"title": message.subject, "text": f"### {heading}\n\n{text}"}
            return url, {"msgtype": "markdown", "markdown": body}
        return url, {"msgtype": "text", "text": {"content": f"{message.subject}\n{message.text}"}}


class FeishuNotifier(WebhookNotifier):
    """飞书/Lark 自定义机器人: rich-text `post` or `text`, body ≤ 20 KB; with a secret, signs in
    the body."""

    service = "飞书"
    msgtypes = ("post", "text")
    limits: ClassVar[dict[str, int]] = {"post": 20000, "text": 20000}
    permanent_codes: ClassVar[dict[int, str]] = {
        9499: "请求参数错误",
        19001: "请求参数无效",
        19002: "请求参数无效",
        19007: "机器人不存在或已停用",
        19021: "签名校验失败（密钥错误或时间戳超过1小时）",
        19022: "IP不在白名单",
        19024: "消息中缺少设定的关键词",
        19036: "消息超过大小上限",
    }
    transient_codes: ClassVar[dict[int, str]] = {
        11232: "服务限流（每个机器人每分钟100次、每秒5次），稍后重试",
        99991400: "请求频率超过上限，稍后重试",
    }

    def verdict(self, answer: dict[str, Any]) -> tuple[int | None, str]:
        for code_key, text_key in (("code", "msg"), ("StatusCode", "StatusMessage")):
            code = answer.get(code_key)
            if isinstance(code, int):
                return code, str(answer.get(text_key, ""))
        return None, ""

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any]
        if self.msgtype == "post":
            lines = [[{"tag": "text", "text": line}] for line in message.text.split("\n")]
            body = {
                "msg_type": "post",
                "content": {"post": {"zh_cn": {"title": message.subject, "content": lines}}},
            }
        else:
            body = {"msg_type": "text", "content": {"text": f"{message.subject}\n{message.text}"}}
        if self.secret:
            timestamp = str(int(self.clock()))
            body["timestamp"] = timestamp
            body["sign"] = sign(timestamp, self.secret, feishu=True)
        return self.url, body
