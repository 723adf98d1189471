"""The office's desk: the dashboard, risk-disposal recommendations, approvals, the programme budget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from web.pages.forms import done, form_yuan, notice_of, refusal_status
from web.security import require_csrf
from web.state import WebState
from web.templating import render
from web.visitors import PageVisitor, State
from workflow.access.rules import allowed
from workflow.auth.door import Visitor
from workflow.core.errors import Refused

router = APIRouter(include_in_schema=False)

AWAITING = (
    "applied",
    "screened",
    "approved",
    "yearly_review",
    "acceptance",
    "rectifying",
    "clawback",
    "suspended",
)
"""States in which a project waits for a step of the office: screening, approval, the start,
a yearly review, acceptance, a re-acceptance, the claw-back, a suspension's outcome."""


def dashboard_view(
    request: Request,
    visitor: Visitor,
    state: WebState,
    *,
    error: str = "",
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    """Flags by category, the red projects and the recommendations waiting for the office."""
    from workflow.check.recommendations import list_recommendations
    from workflow.reporting.overview import overview

    ctx = state.acting(visitor)
    waiting = (
        list_recommendations(ctx, "open") if allowed(visitor.role, "recommendation_list") else []
    )
    return render(
        request,
        "dashboard.html",
        status,
        visitor=visitor,
        o=overview(ctx),
        recommendations=waiting,
        error=error,
        notice="" if error else notice_of(request),
        form=form or {},
    )


@router.get("/dashboard")
def dashboard(request: Request, visitor: PageVisitor, state: State) -> Response:
    return dashboard_view(request, visitor, state)


@router.post("/recommendations/{recommendation_id}/handle")
def handle(
    request: Request,
    recommendation_id: int,
    visitor: PageVisitor,
    state: State,
    decision: Annotated[str, Form(max_length=2000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The office's decision, as `ipflow recommendations handle ID --decision --note`."""
    from workflow.check.recommendations import handle_recommendation

    require_csrf(visitor.csrf, csrf)
    try:
        handle_recommendation(state.acting(visitor), recommendation_id, decision, note)
    except Refused as refused:
        status = refusal_status(refused)
        form = {"id": recommendation_id, "decision": decision, "note": note}
        return dashboard_view(request, visitor, state, error=str(refused), status=status, form=form)
    return done("/dashboard", "handled")


@router.get("/approvals")
def approvals(request: Request, visitor: PageVisitor, state: State) -> Response:
    """Projects waiting for a step of the office, by state; each opens on its actions."""
    from workflow.projects.actions import list_projects

    rows = list_projects(state.acting(visitor), None, None, None)
    groups = {s: [r for r in rows if r.state == s] for s in AWAITING}
    return render(
        request,
        "approvals.html",
        visitor=visitor,
        groups={s: found for s, found in groups.items() if found},
    )


def programme_view(
    request: Request,
    visitor: Visitor,
    state: WebState,
    year: int,
    *,
    error: str = "",
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    from states.categories import CATEGORIES
    from workflow.money.programme import programme_status

    return render(
        request,
        "programme.html",
        status,
        visitor=visitor,
        s=programme_status(state.acting(visitor), year),
        year=year,
        categories=CATEGORIES,
        error=error,
        notice="" if error else notice_of(request),
        form=form or {},
    )


@router.get("/programme")
def programme(
    request: Request,
    visitor: PageVisitor,
    state: State,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """The programme year's budget per category: committed, disbursed, remaining."""
    return programme_view(request, visitor, state, year or state.acting(visitor).today().year)


@router.post("/programme/budget")
def set_budget(
    request: Request,
    visitor: PageVisitor,
    state: State,
    year: Annotated[int, Form(ge=2000, le=2100)],
    category: Annotated[str, Form(max_length=100)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A category's year budget, as `ipflow programme budget --year --category --amount`."""
    from workflow.money.programme import set_year_budget

    require_csrf(visitor.csrf, csrf)
    try:
        set_year_budget(state.acting(visitor), year, category, form_yuan(amount))
    except Refused as refused:
        status = refusal_status(refused)
        form = {"category": category, "amount": amount}
        return programme_view(
            request, visitor, state, year, error=str(refused), status=status, form=form
        )
    return done(f"/programme?year={year}", "budget")
