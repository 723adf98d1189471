"""One's own account: change the password, issue, list and revoke one's API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from web.pages.forms import done, notice_of, refusal_status
from web.security import require_csrf
from web.state import WebState
from web.templating import render
from web.visitors import PageVisitor, State
from workflow.auth.door import Visitor
from workflow.core.errors import Refused

router = APIRouter(include_in_schema=False)


def account_view(
    request: Request,
    visitor: Visitor,
    state: WebState,
    *,
    error: str = "",
    status: int = 200,
    **values: Any,
) -> Response:
    from workflow.auth.actions import list_tokens

    return render(
        request,
        "account.html",
        status,
        visitor=visitor,
        tokens=list_tokens(state.acting(visitor)),
        now=state.clock(),
        error=error,
        notice="" if error else notice_of(request),
        **values,
    )


@router.get("/account")
def account(request: Request, visitor: PageVisitor, state: State) -> Response:
    return account_view(request, visitor, state)


@router.post("/account/password")
def change_password(
    request: Request,
    visitor: PageVisitor,
    state: State,
    current: Annotated[str, Form(max_length=400)] = "",
    password: Annotated[str, Form(max_length=400)] = "",
    repeat: Annotated[str, Form(max_length=400)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A new password, proving the current one."""
    from workflow.auth.actions import change_own_password
    from workflow.core.i18n import _

    require_csrf(visitor.csrf, csrf)
    try:
        if password != repeat:
            raise Refused(_("两次输入的新密码不一致，密码未修改"))
        change_own_password(state.acting(visitor), current, password)
    except Refused as refused:
        return account_view(
            request, visitor, state, error=str(refused), status=refusal_status(refused)
        )
    return done("/account", "password")


@router.post("/account/tokens")
def new_token(
    request: Request,
    visitor: PageVisitor,
    state: State,
    label: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A new API token for oneself; its secret is shown on this answer only."""
    from workflow.auth.actions import issue_own_token
    from workflow.core.i18n import _

    require_csrf(visitor.csrf, csrf)
    try:
        if days.strip() and not days.strip().isdigit():
            raise Refused(_("令牌有效期须为1到366天，得到{days}").format(days=days))
        issued = issue_own_token(state.acting(visitor), label, int(days) if days.strip() else None)
    except Refused as refused:
        return account_view(
            request, visitor, state, error=str(refused), status=refusal_status(refused)
        )
    return account_view(request, visitor, state, issued=issued)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(
    request: Request,
    token_id: int,
    visitor: PageVisitor,
    state: State,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    from workflow.auth.actions import revoke_token

    require_csrf(visitor.csrf, csrf)
    try:
        revoke_token(state.acting(visitor), token_id)
    except Refused as refused:
        return account_view(
            request, visitor, state, error=str(refused), status=refusal_status(refused)
        )
    return done("/account", "revoked")
