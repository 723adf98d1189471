"""What the API's routes share: documented errors, ETag and If-Match, idempotent POSTs, answers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from web.api.idempotency import KeptAnswer, Replay
from web.api.schemas import Problem
from web.state import WebState
from workflow.auth.door import Visitor
from workflow.core.context import AppContext
from workflow.core.i18n import _
from workflow.core.limits import day_problem
from workflow.core.results import to_json

DESCRIPTIONS = {
    401: "No valid bearer token (WWW-Authenticate: Bearer)",
    403: "The caller's role may not take this action",
    404: "Not found, or not visible to the caller",
    409: "Changed by someone else meanwhile: read it again and retry",
    412: "If-Match names another version of the project than its current one",
    422: "Invalid request, or refused by the rules; nothing was changed",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route for these error statuses, each a `Problem`."""
    return {code: {"model": Problem, "description": DESCRIPTIONS[code]} for code in codes}


SIGNED_IN = errors(401, 422)
"""The errors every route behind a bearer token may answer."""


def _check_day(day: date) -> date:
    problem = day_problem(day)
    if problem:
        raise ValueError(problem)
    return day


Day = Annotated[date, AfterValidator(_check_day)]
"""A date in a request body, within the dates ipflow takes (workflow.core.limits)."""


def etag(version: int) -> str:
    """The ETag of a project at `version` (its row version, `Project.version`)."""
    return f'"{version}"'


ETAG = re.compile(r'"(\d{1,9})"')


def if_match(
    value: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The project\'s ETag from its GET (e.g. "3"): refused with 412 when '
            "the project has changed since. Without it the change is made whatever the version.",
        ),
    ] = None,
) -> int | None:
    """The project version an If-Match header names; None without one (or with `*`)."""
    if value is None or value.strip() == "*":
        return None
    found = ETAG.fullmatch(value.strip())
    if found is None:
        raise HTTPException(
            412,
            _('If-Match 须为读取项目时得到的 ETag（例如 "3"），得到“{value}”').format(
                value=value[:100]
            ),
        )
    return int(found.group(1))


IfMatch = Annotated[int | None, Depends(if_match)]

KEY = re.compile(r"[\x21-\x7e]{1,200}")


@dataclass(frozen=True)
class IdempotencyKey:
    """An Idempotency-Key header and the fingerprint of the request it came with."""

    key: str
    fingerprint: str


async def idempotency_key(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Any unique text (up to 200 visible ASCII characters): a retry with the "
            "same key and request gets the first answer without acting again; the same key "
            "with another request is refused (422).",
        ),
    ] = None,
) -> IdempotencyKey | None:
    """The request's idempotency key with its fingerprint (method, path, query and body)."""
    if key is None:
        return None
    if not KEY.fullmatch(key):
        raise HTTPException(422, _("Idempotency-Key 须为1到200个可见ASCII字符（不含空格）"))
    body = await request.body()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode()):
        digest.update(part + b"\n")
    digest.update(body)
    return IdempotencyKey(key, digest.hexdigest())


Idempotency = Annotated[IdempotencyKey | None, Depends(idempotency_key)]


def post(
    state: WebState,
    visitor: Visitor,
    once: IdempotencyKey | None,
    call: Callable[[AppContext], object],
    status: int = 201,
) -> JSONResponse:
    """Run `call` (one writing use case) as the visitor and answer its result as JSON.

    With an idempotency key, the answer is kept in the use case's own transaction, and a
    request already answered gets that answer again (`Idempotent-Replayed: true`).
    """
    hook = None
    if once is not None:
        hook = KeptAnswer(visitor.user_id, once.key, once.fingerprint, status, state.clock)
    try:
        result = call(state.acting(visitor, hook))
    except Replay as replay:
        return JSONResponse(
            json.loads(replay.body), replay.status, headers={"Idempotent-Replayed": "true"}
        )
    return JSONResponse(to_json(result), status)


def answer(document: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON answer (200) of a use case's document."""
    return JSONResponse(document, headers=headers)


def invalid_request(exc: RequestValidationError) -> str:
    """A request that does not validate, as one paragraph: what is wrong where."""
    problems = []
    for error in exc.errors()[:10]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        problems.append(f"{where}: {error.get('msg', '')}" if where else str(error.get("msg")))
    return _("请求有误，未做任何修改：{problems}").format(problems="；".join(problems))
