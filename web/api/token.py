"""POST /api/v1/token: a name and password (and a TOTP code when the account has one) for a token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from pydantic import BaseModel

from web.api.common import errors
from web.visitors import State
from workflow.auth.door import SignInRefused, check_code, check_password, issue_signed_in_token
from workflow.core.i18n import _

router = APIRouter(tags=["sign-in"], responses=errors(401, 422))


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: str


@router.post("/token")
def token(
    request: Request,
    state: State,
    username: Annotated[str, Form(min_length=1, max_length=200)],
    password: Annotated[str, Form(min_length=1, max_length=400)],
    code: Annotated[str, Form(max_length=20)] = "",
) -> TokenAnswer:
    """Sign in with a name and password (OAuth2 password form) and receive a bearer token."""
    address = request.client.host if request.client else None
    unauthorised = {"WWW-Authenticate": "Bearer"}
    try:
        user_id, stage = check_password(
            state.door(), username, password, via="api", address=address
        )
        if stage == "enrol":
            raise HTTPException(
                401,
                _("您的角色须使用动态验证码：请先在网页上登录并绑定身份验证器"),
                headers=unauthorised,
            )
        if stage == "code":
            if not code:
                raise HTTPException(401, _("请在 code 字段给出动态验证码"), headers=unauthorised)
            check_code(state.door(), user_id, code, via="api", address=address)
    except SignInRefused as refused:
        raise HTTPException(401, str(refused), headers=unauthorised) from None
    secret, expires = issue_signed_in_token(state.door(), user_id, _("接口登录"))
    return TokenAnswer(access_token=secret, expires_at=expires.isoformat())
