"""Warning letters in the API: the list, a letter as issued, its file, the rectification plan
and follow-ups, and the contractor's review."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from web.api.common import SIGNED_IN, Day, Idempotency, answer, errors, post
from web.api.schemas import list_of, model_of
from web.visitors import ApiVisitor, State
from workflow.core.limits import MAX_KEY
from workflow.core.results import to_json
from workflow.letters.actions import LetterRow
from workflow.letters.review import FollowedUp, LetterFile, LetterReviewed, PlanRecorded

router = APIRouter(tags=["letters"], responses=SIGNED_IN)

LetterId = Annotated[int, Path(description="The letter's number (id)")]
READS = errors(401, 403, 404, 422)
CHANGES = errors(401, 403, 404, 409, 422)
MEDIA = {
    "text": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


@router.get(
    "/letters",
    response_class=JSONResponse,
    responses={
        200: {
            "model": list_of(LetterRow),
            "description": "Letters as `ipflow letters list --json`, newest first",
            "headers": {
                "X-Total-Count": {
                    "description": "How many letters match",
                    "schema": {"type": "integer"},
                }
            },
        },
        **errors(401, 403, 422),
    },
)
def letters(
    visitor: ApiVisitor,
    state: State,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_KEY)] = 0,
) -> JSONResponse:
    """The warning letters the caller may see, newest first (`ipflow letters list --json`)."""
    from workflow.letters.actions import list_letters

    rows = list_letters(state.acting(visitor), status)
    return answer(to_json(rows[offset : offset + limit]), {"X-Total-Count": str(len(rows))})


@router.get(
    "/letters/{letter_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The letter as issued (`ipflow letters show`)",
            "content": {media: {"schema": {"type": "string"}} for media in MEDIA.values()},
        },
        **READS,
    },
)
def letter(
    letter_id: LetterId,
    visitor: ApiVisitor,
    state: State,
    format: Literal["text", "html", "pdf"] = "text",
) -> Response:
    """A letter as issued: its text, its HTML, or an A4 PDF."""
    from workflow.letters.actions import show_letter

    body = show_letter(state.acting(visitor), letter_id, format)
    return Response(body, media_type=MEDIA[format])


@router.get(
    "/letters/{letter_id}/file",
    response_class=JSONResponse,
    responses={200: {"model": model_of(LetterFile)}, **READS},
)
def letter_file(letter_id: LetterId, visitor: ApiVisitor, state: State) -> JSONResponse:
    """A letter's review trail, rectification plan and follow-ups (`ipflow letters file --json`)."""
    from workflow.letters.review import letter_file

    return answer(letter_file(state.acting(visitor), letter_id).as_json())


class PlanIn(BaseModel):
    received: Day
    due: Day | None = None
    summary: str = Field(default="", max_length=4000)


@router.post(
    "/letters/{letter_id}/plan",
    status_code=201,
    response_class=JSONResponse,
    responses={201: {"model": model_of(PlanRecorded)}, **CHANGES},
)
def record_plan(
    letter_id: LetterId, plan: PlanIn, visitor: ApiVisitor, state: State, once: Idempotency
) -> JSONResponse:
    """The unit's rectification plan answering the letter (`ipflow letters plan --json`)."""
    from workflow.letters.review import record_plan

    return post(
        state,
        visitor,
        once,
        lambda ctx: record_plan(ctx, letter_id, plan.received, plan.due, plan.summary),
    )


class FollowUpIn(BaseModel):
    date: Day
    note: str = Field(max_length=4000)
    done: bool = False


@router.post(
    "/letters/{letter_id}/follow-ups",
    status_code=201,
    response_class=JSONResponse,
    responses={201: {"model": model_of(FollowedUp)}, **CHANGES},
)
def follow_up(
    letter_id: LetterId, entry: FollowUpIn, visitor: ApiVisitor, state: State, once: Idempotency
) -> JSONResponse:
    """One follow-up of the letter's rectification plan (`ipflow letters follow-up --json`)."""
    from workflow.letters.review import follow_up

    return post(
        state,
        visitor,
        once,
        lambda ctx: follow_up(ctx, letter_id, entry.date, entry.note, entry.done),
    )


class ReviewIn(BaseModel):
    status: str = Field(max_length=20, description="reviewed, closed or escalated")
    comment: str = Field(max_length=4000)


@router.post(
    "/letters/{letter_id}/reviews",
    status_code=201,
    response_class=JSONResponse,
    responses={201: {"model": model_of(LetterReviewed)}, **CHANGES},
)
def review(
    letter_id: LetterId, decision: ReviewIn, visitor: ApiVisitor, state: State, once: Idempotency
) -> JSONResponse:
    """The contractor's review: pending → reviewed → closed, or escalated
    (`ipflow letters review --json`)."""
    from workflow.letters.review import review_letter

    return post(
        state,
        visitor,
        once,
        lambda ctx: review_letter(ctx, letter_id, decision.status, decision.comment),
    )
