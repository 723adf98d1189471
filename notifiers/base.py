"""The rendered message every channel sends, the channel protocol and its two failures."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Attachment:
    """A file sent along with a message (mail and the folder channel; bots ignore it)."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    """A rendered message; `key` is unique per (message, channel, recipient) and never reused."""

    key: str
    recipient: str
    subject: str
    text: str
    html: str | None = None
    date: datetime | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def idempotency_key(self) -> str:
        """A stable hex digest of `key`: the same message always carries the same one."""
        return hashlib.sha1(self.key.encode("utf-8")).hexdigest()

    @property
    def message_id(self) -> str:
        """The deterministic RFC 5322 Message-ID, so receivers can drop a repeated delivery."""
        return f"<{self.idempotency_key}@ipflow>"


class Notifier(Protocol):
    """A channel: delivers one message or raises TransientError / PermanentError."""

    def send(self, message: Message) -> None: ...


@runtime_checkable
class DigestNotifier(Notifier, Protocol):
    """A chat bot: the dispatcher groups its messages into digests that the service accepts.

    `fits` says whether a message is within the service's size limit, measured on what the
    service limits (the encoded request body, or the one field it caps), as it would be sent.
    """

    def fits(self, message: Message) -> bool: ...


class DeliveryError(Exception):
    """A message was not delivered; the text says why, in the words users read."""


class TransientError(DeliveryError):
    """Worth another try later (server down, timeout, 4xx, rate limit, unknown answer).

    `channel_down` says the whole channel is unreachable, not just this message: the
    dispatcher then stops trying that channel's other messages in the same run.
    """

    def __init__(self, reason: str, *, channel_down: bool = False) -> None:
        super().__init__(reason)
        self.channel_down = channel_down


class PermanentError(DeliveryError):
    """Will fail again however often it is tried (address refused, bad signature)."""


_SECRET_PATTERNS = (
    # user:password@ in a URL (database URLs, SMTP URLs)
    (re.compile(r"(\b[a-zA-Z][\w+.-]*://[^\s:/@]*:)[^\s@/]+@"), r"\1***@"),
    # tokens and signatures in a query string (WeCom key, DingTalk access_token, sign)
    (
        re.compile(
            r"([?&](?:key|access_token|token|sign|secret|password|passwd|pwd)=)[^&\s#\"']+",
            re.IGNORECASE,
        ),
        r"\1***",
    ),
    # the token that ends a Feishu/Lark hook path
    (re.compile(r"(/hook/)[\w.~-]+"), r"\1***"),
)


def redact(text: str, *secrets: str) -> str:
    """`text` fit to show: passwords and tokens in URLs, and each of `secrets`, replaced by ***."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text
