"""Who is asking: the bearer token of an API call, or the session cookie of a page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from web.security import SESSION_COOKIE
from web.state import WebState, web_state
from workflow.auth.door import Visitor, session_visitor, token_visitor
from workflow.core.i18n import _


class SignInNeeded(Exception):
    """A page needs a signed-in visitor; the answer is a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.location = "/signin?next=" + quote(next_path, safe="/")


BEARER = HTTPBearer(
    auto_error=False,
    description="An API token: from POST /api/v1/token, or `ipflow user token create`",
)
"""The API's security scheme: a bearer token (it documents itself in the OpenAPI document)."""


def api_visitor(
    state: Annotated[WebState, Depends(web_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Visitor:
    """The holder of the request's bearer token, else 401."""
    secret = credentials.credentials.strip() if credentials is not None else ""
    visitor = token_visitor(state.door(), secret) if secret else None
    if visitor is None:
        raise HTTPException(
            401,
            _(
                "需要有效的访问令牌：请先 POST /api/v1/token 登录，或用 ipflow user token create 签发"
            ),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return visitor


def session_of(request: Request, state: WebState) -> Visitor | None:
    """The visitor of the request's session cookie at whatever stage, or None."""
    secret = request.cookies.get(SESSION_COOKIE)
    return session_visitor(state.door(), secret) if secret else None


def page_visitor(request: Request, state: Annotated[WebState, Depends(web_state)]) -> Visitor:
    """The signed-in visitor of a page, else a redirect to the sign-in page."""
    visitor = session_of(request, state)
    if visitor is None or visitor.stage != "full":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(target)
    return visitor


ApiVisitor = Annotated[Visitor, Depends(api_visitor)]
PageVisitor = Annotated[Visitor, Depends(page_visitor)]
State = Annotated[WebState, Depends(web_state)]
