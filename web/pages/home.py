"""The start page by role, the projects a visitor may see, one project's page and its actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from web.pages.forms import done, form_date, form_yuan, notice_of, refusal_status
from web.security import require_csrf
from web.state import WebState
from web.templating import render
from web.visitors import PageVisitor, State
from workflow.access.rules import allowed
from workflow.auth.door import Visitor
from workflow.core.errors import Refused

router = APIRouter(include_in_schema=False)

START = {
    "unit": "/projects",
    "contractor": "/letters",
    "admin": "/dashboard",
    "manager": "/dashboard",
}
"""Where each role lands after signing in; any other on its account page."""

FlagFilter = Annotated[str | None, Query(pattern="^(green|amber|red)?$")]


@router.get("/")
def start(visitor: PageVisitor) -> Response:
    return RedirectResponse(START.get(visitor.role, "/account"), status_code=303)


PAGE = 100
"""Projects per page of the list."""


@router.get("/projects")
def project_list(
    request: Request,
    visitor: PageVisitor,
    state: State,
    category: str | None = None,
    flag: FlagFilter = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The projects the visitor may see, a page of PAGE at a time (computed for that page)."""
    from states.categories import CATEGORIES
    from workflow.projects.actions import project_page

    page = project_page(state.acting(visitor), category or None, None, flag or None, PAGE, offset)
    return render(
        request,
        "projects.html",
        visitor=visitor,
        rows=page.projects,
        total=page.total,
        offset=offset,
        page_size=PAGE,
        flag=flag or "",
        category=category or "",
        categories=CATEGORIES,
    )


def _trigger_choices(
    category: str, project_state: str, triggers: list[str], role: str
) -> list[Any]:
    """The triggers possible now that `role` may fire: (trigger, label, takes an amount)."""
    from states.definitions import DEFINITIONS
    from states.rules import figures
    from workflow.core.i18n import _

    definition = DEFINITIONS[category]
    choices = []
    for trigger in triggers:
        transition = definition.transition(trigger, project_state)
        if transition is None or not allowed(role, trigger):
            continue
        label = _(transition.label).format(**figures()) if transition.label else trigger
        choices.append((trigger, label, transition.amount))
    return choices


def project_view(
    request: Request,
    visitor: Visitor,
    state: WebState,
    project_id: int,
    *,
    error: str = "",
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """The page of one project: flag explained, plan against progress, reports and evidence,
    letters, money, the lifecycle actions the visitor may take, history."""
    from states.definitions import ACTIVE_STATES
    from workflow.check.rules import explain
    from workflow.projects.dossier import project_dossier

    dossier = project_dossier(state.acting(visitor), project_id)
    project = dossier.project
    role = visitor.role
    return render(
        request,
        "project.html",
        status,
        visitor=visitor,
        p=project,
        reasons=[explain(r["code"], r["text"]) for r in project.flag_reasons],
        plan=dossier.plan,
        letters=dossier.letters,
        funds=dossier.funds,
        triggers=_trigger_choices(project.category, project.state, project.triggers, role),
        active=project.state in ACTIVE_STATES,
        error=error,
        notice="" if error else notice_of(request),
        form=form or {},
    )


@router.get("/projects/{project_id}")
def project_page(request: Request, project_id: int, visitor: PageVisitor, state: State) -> Response:
    return project_view(request, visitor, state, project_id)


@router.post("/projects/{project_id}/advance")
def advance_project(
    request: Request,
    project_id: int,
    visitor: PageVisitor,
    state: State,
    trigger: Annotated[str, Form(max_length=100)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    data: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Fire a lifecycle trigger as `ipflow project advance ID TRIGGER --note --amount --data`."""
    from workflow.projects.actions import advance

    require_csrf(visitor.csrf, csrf)
    form = {"trigger": trigger, "note": note, "amount": amount, "data": data}
    try:
        advance(
            state.acting(visitor),
            project_id,
            trigger,
            note,
            form_yuan(amount) if amount.strip() else None,
            _data_pairs(data),
        )
    except Refused as refused:
        status = refusal_status(refused)
        return project_view(
            request, visitor, state, project_id, error=str(refused), status=status, form=form
        )
    return done(f"/projects/{project_id}", "advanced")


def _data_pairs(text: str) -> dict[str, str]:
    """KEY=VALUE per line (or separated by ; or ，), as `--data KEY=VALUE` gives them."""
    from workflow.core.i18n import _

    pairs: dict[str, str] = {}
    for part in text.replace("；", "\n").replace(";", "\n").splitlines():
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise Refused(_("“{pair}”应为 名称=值").format(pair=part.strip()))
        pairs[key.strip()] = value.strip()
    return pairs


@router.post("/projects/{project_id}/expenses")
def add_expense(
    request: Request,
    project_id: int,
    visitor: PageVisitor,
    state: State,
    line: Annotated[str, Form(max_length=200)] = "",
    day: Annotated[str, Form(max_length=40)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Book an expenditure as `ipflow expense add ID --line --date --amount --description`."""
    from workflow.core.i18n import _
    from workflow.money.budget import record_expenditure

    require_csrf(visitor.csrf, csrf)
    ctx = state.acting(visitor)
    form = {"line": line, "day": day, "amount": amount, "description": description}
    try:
        record_expenditure(
            ctx,
            project_id,
            line,
            form_date(day, _("支出日期"), ctx.today()),
            form_yuan(amount),
            description,
        )
    except Refused as refused:
        status = refusal_status(refused)
        return project_view(
            request, visitor, state, project_id, error=str(refused), status=status, form=form
        )
    return done(f"/projects/{project_id}", "expense")


@router.post("/projects/{project_id}/expenses/{expense_id}/review")
def review_expense(
    request: Request,
    project_id: int,
    expense_id: int,
    visitor: PageVisitor,
    state: State,
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The contractor's review of a flagged expenditure, as `ipflow expense review`."""
    from workflow.money.budget import review_expenditure

    require_csrf(visitor.csrf, csrf)
    try:
        review_expenditure(state.acting(visitor), expense_id, decision, note)
    except Refused as refused:
        status = refusal_status(refused)
        return project_view(request, visitor, state, project_id, error=str(refused), status=status)
    return done(f"/projects/{project_id}", "expense_reviewed")
