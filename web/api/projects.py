"""Projects in the API: the caller's visible list, one project, reports, transitions, spending."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from web.api.common import SIGNED_IN, Day, Idempotency, IfMatch, answer, errors, etag, post
from web.api.schemas import list_of, model_of
from web.visitors import ApiVisitor, State
from workflow.core.limits import MAX_KEY, MAX_YUAN
from workflow.core.results import to_json
from workflow.money.budget import Booked
from workflow.projects.actions import PAGE_LIMIT, ProjectSummary, ProjectView, Transition
from workflow.projects.reports import Submitted

router = APIRouter(tags=["projects"], responses=SIGNED_IN)

ProjectId = Annotated[int, Path(description="The project's number")]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Yuan = Annotated[int, Field(ge=-MAX_YUAN, le=MAX_YUAN, description="Whole yuan")]
CHANGES = errors(401, 403, 404, 409, 412, 422)


@router.get(
    "/projects",
    response_class=JSONResponse,
    responses={
        200: {
            "model": list_of(ProjectSummary),
            "description": "A page of projects as `ipflow project list --json`",
            "headers": {
                "X-Total-Count": {
                    "description": "How many projects match",
                    "schema": {"type": "integer"},
                },
                "Link": {
                    "description": 'The next page, rel="next"',
                    "schema": {"type": "string"},
                },
            },
        },
        **errors(401, 403, 422),
    },
)
def projects(
    request: Request,
    visitor: ApiVisitor,
    state: State,
    category: Annotated[str | None, Query(max_length=40)] = None,
    project_state: Annotated[str | None, Query(alias="state", max_length=30)] = None,
    flag: Annotated[str | None, Query(pattern="^(green|amber|red)$")] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_KEY)] = 0,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_KEY, description="Only projects with a larger id")
    ] = None,
) -> JSONResponse:
    """The caller's visible projects, as `ipflow project list --json`, a page at a time, in id
    order: `limit` from `offset`, or (keyset) those after the id `after`.

    The total is in `X-Total-Count`; the next page's address in `Link` (rel="next").
    """
    from workflow.projects.actions import project_page

    page = project_page(state.acting(visitor), category, project_state, flag, limit, offset, after)
    headers = {"X-Total-Count": str(page.total)}
    if after is not None and len(page.projects) == limit:
        following = request.url.include_query_params(after=page.projects[-1].id, limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    elif after is None and offset + limit < page.total:
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return answer(to_json(page.projects), headers)


@router.get(
    "/projects/{project_id}",
    response_class=JSONResponse,
    responses={
        200: {
            "model": model_of(ProjectView),
            "description": "The project as `ipflow project show --json`",
            "headers": {
                "ETag": {
                    "description": "The project's version, for If-Match",
                    "schema": {"type": "string"},
                }
            },
        },
        **errors(401, 403, 404, 422),
    },
)
def project(project_id: ProjectId, visitor: ApiVisitor, state: State) -> JSONResponse:
    """One project as `ipflow project show --json`; 404 when the caller may not see it."""
    from workflow.projects.actions import show

    view = show(state.acting(visitor), project_id)
    return answer(view.as_json(), {"ETag": etag(view.version)})


class ReportIn(BaseModel):
    date: Day
    progress: dict[Annotated[str, Field(max_length=200)], Percent] = Field(min_length=1)
    note: str = Field(default="", max_length=2000)


@router.post(
    "/projects/{project_id}/reports",
    status_code=201,
    response_class=JSONResponse,
    responses={201: {"model": model_of(Submitted)}, **CHANGES},
)
def submit_report(
    project_id: ProjectId,
    report: ReportIn,
    visitor: ApiVisitor,
    state: State,
    version: IfMatch,
    once: Idempotency,
) -> JSONResponse:
    """A progress report: per-task completion in percent on a date (`ipflow report submit`)."""
    from workflow.projects.reports import submit

    return post(
        state,
        visitor,
        once,
        lambda ctx: submit(
            ctx, project_id, report.date, report.progress, report.note, expected_version=version
        ),
    )


class TransitionIn(BaseModel):
    trigger: str = Field(
        max_length=40, description="`triggers` of the project lists those possible now"
    )
    note: str = Field(default="", max_length=2000)
    amount: Yuan | None = None
    data: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, description="Facts the transition needs, e.g. grade"
    )


@router.post(
    "/projects/{project_id}/transitions",
    status_code=201,
    response_class=JSONResponse,
    responses={201: {"model": model_of(Transition)}, **CHANGES},
)
def fire_transition(
    project_id: ProjectId,
    transition: TransitionIn,
    visitor: ApiVisitor,
    state: State,
    version: IfMatch,
    once: Idempotency,
) -> JSONResponse:
    """Fire one lifecycle transition, as `ipflow project advance ID TRIGGER --json`."""
    from workflow.projects.actions import advance

    return post(
        state,
        visitor,
        once,
        lambda ctx: advance(
            ctx,
            project_id,
            transition.trigger,
            transition.note,
            transition.amount,
            transition.data,
            version,
        ),
    )


class ExpenditureIn(BaseModel):
    line: str = Field(max_length=100, description="The budget line (科目) it is booked on")
    date: Day
    amount: Yuan
    description: str = Field(max_length=2000)


@router.post(
    "/projects/{project_id}/expenditures",
    status_code=201,
    response_class=JSONResponse,
    responses={201: {"model": model_of(Booked)}, **CHANGES},
)
def record_expenditure(
    project_id: ProjectId,
    expenditure: ExpenditureIn,
    visitor: ApiVisitor,
    state: State,
    version: IfMatch,
    once: Idempotency,
) -> JSONResponse:
    """Book one expenditure of a project being carried out (`ipflow expense add --json`)."""
    from workflow.money.budget import record_expenditure

    return post(
        state,
        visitor,
        once,
        lambda ctx: record_expenditure(
            ctx,
            project_id,
            expenditure.line,
            expenditure.date,
            expenditure.amount,
            expenditure.description,
            version,
        ),
    )
