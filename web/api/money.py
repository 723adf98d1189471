"""Money in the API: the contractor's review of a flagged expenditure, the progress ledger."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from web.api.common import SIGNED_IN, Day, Idempotency, errors, post
from web.api.schemas import model_of
from web.visitors import ApiVisitor, State
from workflow.money.budget import Reviewed

router = APIRouter(tags=["money"], responses=SIGNED_IN)

LEDGER_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExpenseReviewIn(BaseModel):
    decision: Literal["accept", "misuse"]
    note: str = Field(default="", max_length=4000, description="Reasons (required for misuse)")


@router.post(
    "/expenditures/{expense_id}/reviews",
    status_code=201,
    response_class=JSONResponse,
    responses={201: {"model": model_of(Reviewed)}, **errors(401, 403, 404, 409, 422)},
)
def review_expenditure(
    expense_id: Annotated[int, Path(description="The expenditure's number")],
    review: ExpenseReviewIn,
    visitor: ApiVisitor,
    state: State,
    once: Idempotency,
) -> JSONResponse:
    """The contractor's review of a flagged expenditure (`ipflow expense review --json`)."""
    from workflow.money.budget import review_expenditure

    return post(
        state,
        visitor,
        once,
        lambda ctx: review_expenditure(ctx, expense_id, review.decision, review.note),
    )


@router.get(
    "/ledger",
    response_class=Response,
    responses={
        200: {
            "description": "The progress ledger (进度台账) of the day as a file",
            "content": {media: {"schema": {"type": "string"}} for media in LEDGER_MEDIA.values()},
        },
        **errors(401, 403, 422),
    },
)
def ledger(
    visitor: ApiVisitor,
    state: State,
    format: Literal["csv", "xlsx"] = "xlsx",
    day: Annotated[Day | None, Query(alias="date", description="Default: today")] = None,
) -> Response:
    """The progress ledger as the latest nightly check on or before the day found it
    (`ipflow ledger export`); a unit's user gets its own unit's rows."""
    from workflow.reporting.ledger import export_ledger

    ctx = state.acting(visitor)
    chosen = day or ctx.today()
    found = export_ledger(ctx, format, chosen)
    name = f"ledger-{chosen.isoformat()}.{format}"
    return Response(
        found.content,
        media_type=LEDGER_MEDIA[format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Project-Count": str(found.projects),
        },
    )
