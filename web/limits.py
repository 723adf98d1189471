"""The largest request body the server reads: a form with the most evidence files, and a margin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.responses import PlainTextResponse

MARGIN = 1024 * 1024
"""What a form may hold beside its files: fields, multipart boundaries and headers."""

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]


class TooLarge(Exception):
    """The body grew past the limit while it was read (no Content-Length, or a false one)."""


class BodyLimit:
    """ASGI middleware: a body larger than `limit` bytes is answered 413 before it is parsed
    (a declared Content-Length) or as soon as it passes the limit (a chunked body), so that no
    upload fills the disk where the form parser spools files."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from workflow.core.i18n import _

        answer = PlainTextResponse(
            _("请求内容超过{limit}字节的上限：请减少或压缩所附文件").format(
                limit=f"{self.limit:,}"
            ),
            status_code=413,
            headers={"Connection": "close"},
        )
        await answer(scope, receive, send)
