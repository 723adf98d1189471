"""The caller in the API: who the token is for, their tokens, revoking one, signing out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from web.api.common import SIGNED_IN, answer, errors
from web.api.schemas import list_of, model_of
from web.visitors import ApiVisitor, State
from workflow.access.rules import ROLES
from workflow.auth.actions import TokenView
from workflow.core.i18n import _
from workflow.core.results import to_json

router = APIRouter(tags=["me"], responses=SIGNED_IN)


class Me(BaseModel):
    """The user a token acts as."""

    name: str
    role: str
    role_name: str
    unit: str | None


@router.get("/me", response_class=JSONResponse, responses={200: {"model": Me}})
def me(visitor: ApiVisitor) -> JSONResponse:
    """The user the bearer token acts as: every call acts as them, with their role's rights."""
    role_name = _(ROLES.get(visitor.role, visitor.role))
    return answer(
        Me(
            name=visitor.name, role=visitor.role, role_name=role_name, unit=visitor.unit
        ).model_dump()
    )


@router.get(
    "/me/tokens",
    response_class=JSONResponse,
    responses={200: {"model": list_of(TokenView)}, **errors(401, 403, 422)},
)
def my_tokens(visitor: ApiVisitor, state: State) -> JSONResponse:
    """The caller's own API tokens (never their secrets), as `ipflow user token list --json`."""
    from workflow.auth.actions import list_tokens

    return answer(to_json(list_tokens(state.acting(visitor))))


@router.delete(
    "/me/tokens/{token_id}",
    response_class=JSONResponse,
    responses={200: {"model": model_of(TokenView)}, **errors(401, 403, 404, 422)},
)
def revoke_my_token(
    token_id: Annotated[int, Path(description="The token's number, from GET /me/tokens")],
    visitor: ApiVisitor,
    state: State,
) -> JSONResponse:
    """Revoke one of the caller's own tokens at once; another user's is not found (404)."""
    from workflow.auth.actions import revoke_token

    return answer(revoke_token(state.acting(visitor), token_id, only_own=True).as_json())


@router.delete("/token", status_code=204, responses={204: {"description": "Signed out"}})
def sign_out(request: Request, visitor: ApiVisitor, state: State) -> Response:
    """Sign out: the bearer token of this request is revoked (`ipflow logout`)."""
    from workflow.auth.door import end_token

    end_token(state.door(), request.headers["authorization"].partition(" ")[2].strip())
    return Response(status_code=204)
