"""The start page by role, and the projects a visitor may see: the list and one project."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from web.templating import render
from web.visitors import PageVisitor, State
from workflow.access.rules import ROLES

router = APIRouter(include_in_schema=False)

START = {"unit": "/projects", "contractor": "/projects", "admin": "/projects"}


@router.get("/")
def start(visitor: PageVisitor) -> Response:
    return RedirectResponse(START.get(visitor.role, "/projects"), status_code=303)


@router.get("/projects")
def project_list(
    request: Request,
    visitor: PageVisitor,
    state: State,
    category: str | None = None,
    flag: Annotated[str | None, Query(pattern="^(green|amber|red)?$")] = None,
) -> Response:
    from workflow.projects.actions import list_projects

    rows = list_projects(state.acting(visitor), category or None, None, flag or None)
    return render(
        request, "projects.html", visitor=visitor, role_names=ROLES, rows=rows, flag=flag or ""
    )


@router.get("/projects/{project_id}")
def project_page(request: Request, project_id: int, visitor: PageVisitor, state: State) -> Response:
    from workflow.check.rules import explain
    from workflow.projects.actions import show

    project = show(state.acting(visitor), project_id)
    reasons = [explain(r["code"], r["text"]) for r in project.flag_reasons]
    return render(
        request,
        "project.html",
        visitor=visitor,
        role_names=ROLES,
        p=project,
        reasons=reasons,
    )
