"""Group chat bots: WeCom (企业微信), DingTalk (钉钉) and Feishu/Lark (飞书) webhooks.

Every service answers HTTP 200 even when it refuses a message and puts the verdict in the
JSON body (`errcode` for WeCom and DingTalk, `code` or `StatusCode` for Feishu): anything
but 0 is a failure. Codes the services document as configuration errors (bad signature,
missing keyword, IP not allowed, invalid URL or parameters) are permanent; rate limits,
"system busy" and every code not listed here are transient, so an unknown answer is retried
rather than lost. HTTP 429 and 5xx are transient, other 4xx permanent; no connection or a
timeout is transient and marks the bot down for the rest of the run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from notifiers.base import Message, PermanentError, TransientError, truncate_utf8


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
    permanent_codes: ClassVar[dict[int, str]] = {}

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
            raise ValueError(f"{self.service}机器人地址“{url}”不是 http(s) 地址")
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
        # What the dispatcher may put into one digest: the service's limit, less our framing.
        self.digest_bytes = self.limits[msgtype] - 200

    def send(self, message: Message) -> None:
        """Post `message` to the bot, or raise TransientError / PermanentError."""
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
            raise TransientError(f"{self.service}机器人的应答无法识别：{json.dumps(answer)[:300]}")
        if code in self.permanent_codes:
            raise PermanentError(
                f"{self.service}机器人拒绝消息（{code} {text}）：{self.permanent_codes[code]}"
            )
        raise TransientError(f"{self.service}机器人暂未接收消息（{code} {text}）")

    def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` as UTF-8 JSON and return the decoded JSON answer."""
        request = urllib.request.Request(
            url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", errors="replace")
            if exc.code == 429 or exc.code >= 500:
                raise TransientError(
                    f"{self.service}机器人暂不可用：HTTP {exc.code} {detail}", channel_down=True
                ) from None
            raise PermanentError(
                f"{self.service}机器人拒绝请求：HTTP {exc.code} {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:  # refused, DNS, timeout, TLS
            reason = getattr(exc, "reason", exc)
            raise TransientError(
                f"无法连接{self.service}机器人：{reason or type(exc).__name__}", channel_down=True
            ) from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise TransientError(
                f"{self.service}机器人的应答不是JSON：{raw[:200].decode('utf-8', 'replace')}"
            ) from None
        if not isinstance(answer, dict):
            raise TransientError(f"{self.service}机器人的应答无法识别：{str(answer)[:200]}")
        return answer


class WeComNotifier(WebhookNotifier):
    """企业微信群机器人: `markdown` (4096 bytes) or `text` (2048 bytes); no signing."""

    service = "企业微信"
    msgtypes = ("markdown", "text")
    limits: ClassVar[dict[str, int]] = {"markdown": 4096, "text": 2048}
    permanent_codes: ClassVar[dict[int, str]] = {
        93000: "机器人地址无效（key错误或机器人已删除）",
        40008: "消息类型无效",
        40058: "消息参数无效",
        44004: "消息内容为空",
    }

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        limit = self.limits[self.msgtype]
        if self.msgtype == "markdown":
            content = truncate_utf8(f"**{message.subject}**\n{message.text}", limit)
        else:
            content = truncate_utf8(f"{message.subject}\n{message.text}", limit)
        return self.url, {"msgtype": self.msgtype, self.msgtype: {"content": content}}


class DingTalkNotifier(WebhookNotifier):
    """钉钉自定义机器人: `markdown` or `text`; with a secret, signs `timestamp`+`sign` in the URL."""

    service = "钉钉"
    msgtypes = ("markdown", "text")
    limits: ClassVar[dict[str, int]] = {"markdown": 20000, "text": 20000}
    permanent_codes: ClassVar[dict[int, str]] = {
        310000: "安全设置不符（签名不匹配、缺少关键词或IP不在白名单）",
        300001: "机器人地址无效（access_token不存在）",
        40035: "缺少参数",
    }

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        limit = self.limits[self.msgtype]
        url = self.url
        if self.secret:
            timestamp = str(int(self.clock() * 1000))
            query = urlencode({"timestamp": timestamp, "sign": sign(timestamp, self.secret)})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        if self.msgtype == "markdown":
            text = message.text.replace("\n", "  \n")  # markdown hard line breaks
            body = {"title": message.subject, "text": f"### {message.subject}\n\n{text}"}
            body["text"] = truncate_utf8(body["text"], limit)
            return url, {"msgtype": "markdown", "markdown": body}
        content = truncate_utf8(f"{message.subject}\n{message.text}", limit)
        return url, {"msgtype": "text", "text": {"content": content}}


class FeishuNotifier(WebhookNotifier):
    """飞书/Lark 自定义机器人: rich-text `post` or `text`; with a secret, signs in the body."""

    service = "飞书"
    msgtypes = ("post", "text")
    limits: ClassVar[dict[str, int]] = {"post": 20000, "text": 20000}
    permanent_codes: ClassVar[dict[int, str]] = {
        9499: "请求参数错误",
        19001: "请求参数无效",
        19007: "机器人不存在或已停用",
        19021: "签名校验失败（密钥错误或时间戳超过1小时）",
        19022: "IP不在白名单",
        19024: "消息中缺少设定的关键词",
    }

    def verdict(self, answer: dict[str, Any]) -> tuple[int | None, str]:
        for code_key, text_key in (("code", "msg"), ("StatusCode", "StatusMessage")):
            code = answer.get(code_key)
            if isinstance(code, int):
                return code, str(answer.get(text_key, ""))
        return None, ""

    def request(self, message: Message) -> tuple[str, dict[str, Any]]:
        limit = self.limits[self.msgtype]
        body: dict[str, Any]
        if self.msgtype == "post":
            text = truncate_utf8(message.text, limit - len(message.subject.encode()))
            lines = [[{"tag": "text", "text": line}] for line in text.split("\n")]
            body = {
                "msg_type": "post",
                "content": {"post": {"zh_cn": {"title": message.subject, "content": lines}}},
            }
        else:
            content = truncate_utf8(f"{message.subject}\n{message.text}", limit)
            body = {"msg_type": "text", "content": {"text": content}}
        if self.secret:
            timestamp = str(int(self.clock()))
            body["timestamp"] = timestamp
            body["sign"] = sign(timestamp, self.secret, feishu=True)
        return self.url, body
