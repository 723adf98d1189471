"""Cookies, CSRF tokens, the language of a request and the security headers of every answer."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from fastapi import HTTPException, Request
from starlette.responses import Response

from workflow.core.i18n import language

SESSION_COOKIE = "ipflow_session"
LOGIN_CSRF_COOKIE = "ipflow_login_csrf"
"""Before sign-in there is no session: the sign-in form's CSRF token is double-submitted."""
LANG_COOKIE = "ipflow_lang"
LANGUAGES = ("zh", "en")

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
}


def secure_request(request: Request) -> bool:
    """Whether cookies get the Secure flag: over HTTPS (behind a proxy, with --proxy-headers)."""
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """A cookie scripts cannot read, sent only to this site (and over HTTPS when served so)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure_request(request),
        path="/",
    )


def same(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return bool(expected) and given is not None and hmac.compare_digest(expected, given)


def require_csrf(expected: str, given: str | None) -> None:
    """Refuse a form whose CSRF token is missing or wrong (403)."""
    if not same(expected, given):
        from workflow.core.i18n import _

        raise HTTPException(403, _("表单已过期或来源不明（CSRF校验未通过），请刷新页面后重试"))


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def request_language(scope: MutableMapping[str, Any]) -> str:
    """?lang=, else the language cookie, else Accept-Language, else Chinese."""
    from urllib.parse import parse_qs

    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    asked: str = query.get("lang", [""])[0]
    if asked in LANGUAGES:
        return asked
    headers = dict(scope.get("headers", []))
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:
        cookie = SimpleCookie()
    if LANG_COOKIE in cookie and cookie[LANG_COOKIE].value in LANGUAGES:
        return cookie[LANG_COOKIE].value
    accept = headers.get(b"accept-language", b"").decode("latin-1").lower()
    return "en" if accept.startswith("en") else "zh"


ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class LanguageAndHeaders:
    """ASGI middleware: puts the request's language in force (a context variable, which the
    threads running the endpoints inherit) and adds the security headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (name.lower().encode(), value.encode())
                    for name, value in HEADERS.items()
                    if name.lower().encode() not in present
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        lang = request_language(scope)
        scope.setdefault("state", {})["lang"] = lang
        with language(lang):
            await self.app(scope, receive, send_with_headers)
