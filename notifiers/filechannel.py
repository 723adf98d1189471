"""The folder channel: each message becomes one `.eml` or `.json` file, for offices without mail."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from notifiers.base import Message, PermanentError, TransientError
from notifiers.smtp import compose

FORMATS = ("eml", "json")


def file_stem(key: str) -> str:
    """A readable, file-system-safe name derived from `key` alone, unique by its digest."""
    slug = re.sub(r"[^\w.-]+", "_", key, flags=re.UNICODE).strip("._")[:60]
    digest = Message(key=key, recipient="", subject="", text="").idempotency_key[:16]
    return f"{slug}-{digest}" if slug else digest


class FileNotifier:
    """Writes `<key-derived-name>.eml` (a full RFC 5322 mail) or `.json` into `folder`.

    The file appears whole or not at all (written to a temporary name, then renamed), and a
    message whose file is already there is not written again: the same key gives the same
    name, so a repeated delivery leaves exactly one file.
    """

    def __init__(self, folder: Path, *, fmt: str = "eml", sender: str = "ipflow@localhost") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"文件通道不支持格式“{fmt}”；可选：{', '.join(FORMATS)}")
        self.folder = Path(folder)
        self.fmt = fmt
        self.sender = sender

    def path_for(self, message: Message) -> Path:
        """Where `message` is (or will be) written."""
        return self.folder / f"{file_stem(message.key)}.{self.fmt}"

    def render(self, message: Message) -> bytes:
        """The file's content."""
        if self.fmt == "eml":
            return compose(message, self.sender).as_bytes()
        document = {
            "key": message.key,
            "message_id": message.message_id,
            "recipient": message.recipient,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "date": message.date.isoformat() if message.date else None,
            "attachments": [a.filename for a in message.attachments],
        }
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def send(self, message: Message) -> None:
        """Write `message`'s file unless it exists; a full disk or a locked folder is transient,
        a message that cannot be rendered is permanent."""
        target = self.path_for(message)
        if target.exists():
            return
        try:
            content = self.render(message)
        except (ValueError, TypeError) as exc:  # e.g. a recipient no mail header can hold
            raise PermanentError(f"文件无法生成：{exc}") from None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise TransientError(
                f"无法写入文件夹{self.folder}：{exc.strerror or exc}", channel_down=True
            ) from None
