"""Warning letters on the web: the queue, one letter as its unit received it, review, plan, follow-up."""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from web.pages.forms import done, form_date, notice_of, refusal_status
from web.security import require_csrf
from web.state import WebState
from web.templating import render
from web.visitors import PageVisitor, State
from workflow.access.rules import allowed
from workflow.auth.door import Visitor
from workflow.core.errors import Refused

router = APIRouter(include_in_schema=False)

LETTER_HEADERS = {
    # The letter is the HTML the unit was sent, with its own inline style: it is shown in a
    # sandboxed frame of this site only, where no script runs and nothing is fetched.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; "
        "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
}


@router.get("/letters")
def letter_queue(
    request: Request,
    visitor: PageVisitor,
    state: State,
    status: Annotated[str | None, Query(pattern="^(pending|reviewed|closed|escalated)?$")] = None,
    level: Annotated[str | None, Query(pattern="^(amber|red)?$")] = None,
) -> Response:
    """Letters newest first, by review status (pending → reviewed → closed / escalated)."""
    from workflow.letters.actions import list_letters
    from workflow.letters.rules import STATUSES

    every = list_letters(state.acting(visitor), None, level or None)
    counts = Counter(letter.status for letter in every)
    return render(
        request,
        "letters.html",
        visitor=visitor,
        rows=[r for r in every if not status or r.status == status],
        counts=counts,
        total=len(every),
        statuses=list(STATUSES),
        status=status or "",
        level=level or "",
    )


def letter_view(
    request: Request,
    visitor: Visitor,
    state: WebState,
    letter_id: int,
    *,
    error: str = "",
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """One letter: the letter as issued, its review trail, the plan and its follow-ups, and
    the actions the visitor may take on it."""
    from workflow.letters.actions import list_letters
    from workflow.letters.review import letter_file
    from workflow.letters.rules import STATUSES
    from workflow.projects.actions import show

    ctx = state.acting(visitor)
    trail = letter_file(ctx, letter_id)
    row = next(r for r in list_letters(ctx, None, None, trail.project_id) if r.id == letter_id)
    current = STATUSES[trail.status]
    return render(
        request,
        "letter.html",
        status,
        visitor=visitor,
        letter=row,
        trail=trail,
        project=show(ctx, trail.project_id),
        moves=list(current.moves) if allowed(visitor.role, "letter_review") else [],
        may_plan=not current.final
        and trail.plan is None
        and allowed(visitor.role, "rectification"),
        may_follow=trail.plan is not None
        and allowed(visitor.role, "rectification")
        and visitor.role != "unit",
        today=ctx.today(),
        error=error,
        notice="" if error else notice_of(request),
        form=form or {},
    )


@router.get("/letters/{letter_id}")
def letter_page(request: Request, letter_id: int, visitor: PageVisitor, state: State) -> Response:
    return letter_view(request, visitor, state, letter_id)


@router.get("/letters/{letter_id}/document")
def letter_document(letter_id: int, visitor: PageVisitor, state: State) -> Response:
    """The letter's HTML exactly as the unit was sent it, for the frame of the letter page."""
    from workflow.letters.actions import show_letter

    body = show_letter(state.acting(visitor), letter_id, "html")
    return Response(body, media_type="text/html; charset=utf-8", headers=LETTER_HEADERS)


@router.get("/letters/{letter_id}/pdf")
def letter_pdf(letter_id: int, visitor: PageVisitor, state: State) -> Response:
    """The letter as an A4 PDF (`ipflow letters show ID --format pdf`)."""
    from workflow.letters.actions import show_letter

    body = show_letter(state.acting(visitor), letter_id, "pdf")
    name = quote(f"预警告知书-{letter_id}.pdf")
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/letters/{letter_id}/review")
def review(
    request: Request,
    letter_id: int,
    visitor: PageVisitor,
    state: State,
    status: Annotated[str, Form(max_length=20)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The contractor's review, as `ipflow letters review ID --status --comment`."""
    from workflow.letters.review import review_letter

    require_csrf(visitor.csrf, csrf)
    try:
        review_letter(state.acting(visitor), letter_id, status, comment)
    except Refused as refused:
        code = refusal_status(refused)
        form = {"status": status, "comment": comment}
        return letter_view(
            request, visitor, state, letter_id, error=str(refused), status=code, form=form
        )
    return done(f"/letters/{letter_id}", "reviewed")


@router.post("/letters/{letter_id}/plan")
def plan(
    request: Request,
    letter_id: int,
    visitor: PageVisitor,
    state: State,
    received: Annotated[str, Form(max_length=40)] = "",
    due: Annotated[str, Form(max_length=40)] = "",
    summary: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The rectification plan answering the letter, as `ipflow letters plan ID --received
    --due --summary`: a unit's arrives today; the contractor records the day it arrived."""
    from workflow.core.i18n import _
    from workflow.letters.review import record_plan

    require_csrf(visitor.csrf, csrf)
    ctx = state.acting(visitor)
    try:
        if not summary.strip():
            raise Refused(_("请填写整改措施：整改方案须写明措施、时间节点和责任人"))
        arrived = ctx.today() if visitor.role == "unit" else form_date(received, _("收到日期"))
        until = form_date(due, _("整改完成期限")) if due.strip() else None
        record_plan(ctx, letter_id, arrived, until, summary)
    except Refused as refused:
        code = refusal_status(refused)
        form = {"received": received, "due": due, "summary": summary}
        return letter_view(
            request, visitor, state, letter_id, error=str(refused), status=code, form=form
        )
    return done(f"/letters/{letter_id}", "plan")


@router.post("/letters/{letter_id}/follow-up")
def follow(
    request: Request,
    letter_id: int,
    visitor: PageVisitor,
    state: State,
    day: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    finished: Annotated[str, Form(max_length=10)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """One follow-up of the plan, as `ipflow letters follow-up ID --date --note [--done]`."""
    from workflow.core.i18n import _
    from workflow.letters.review import follow_up

    require_csrf(visitor.csrf, csrf)
    ctx = state.acting(visitor)
    try:
        follow_up(ctx, letter_id, form_date(day, _("跟踪日期"), ctx.today()), note, bool(finished))
    except Refused as refused:
        code = refusal_status(refused)
        form = {"day": day, "note": note, "finished": finished}
        return letter_view(
            request, visitor, state, letter_id, error=str(refused), status=code, form=form
        )
    return done(f"/letters/{letter_id}", "follow_up")
