"""Projects in the API: the caller's visible list, one project, a progress report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from web.visitors import ApiVisitor, State
from workflow.core.results import to_json

router = APIRouter(tags=["projects"])


@router.get("/projects")
def projects(
    request: Request,
    response: Response,
    visitor: ApiVisitor,
    state: State,
    category: str | None = None,
    project_state: Annotated[str | None, Query(alias="state")] = None,
    flag: Annotated[str | None, Query(pattern="^(green|amber|red)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """The caller's visible projects, as `ipflow project list --json`, a page at a time.

    The total is in `X-Total-Count`; the next page's address in `Link` (rel="next").
    """
    from workflow.projects.actions import list_projects

    rows = list_projects(state.acting(visitor), category, project_state, flag)
    response.headers["X-Total-Count"] = str(len(rows))
    if offset + limit < len(rows):
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        response.headers["Link"] = f'<{following}>; rel="next"'
    document: list[dict[str, Any]] = to_json(rows[offset : offset + limit])
    return document


@router.get("/projects/{project_id}", responses={404: {"description": "Not visible"}})
def project(project_id: int, visitor: ApiVisitor, state: State) -> dict[str, Any]:
    """One project as `ipflow project show --json`; 404 when the caller may not see it."""
    from workflow.projects.actions import show

    return show(state.acting(visitor), project_id).as_json()


class ReportIn(BaseModel):
    date: date
    progress: dict[str, float] = Field(min_length=1)
    note: str = Field(default="", max_length=2000)


@router.post("/projects/{project_id}/reports", status_code=201)
def submit_report(
    project_id: int, report: ReportIn, visitor: ApiVisitor, state: State
) -> dict[str, Any]:
    """A progress report: per-task completion in percent on a date (`ipflow report submit`)."""
    from workflow.projects.reports import submit

    result = submit(state.acting(visitor), project_id, report.date, report.progress, report.note)
    return result.as_json()
