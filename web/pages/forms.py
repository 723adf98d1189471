"""What the pages' forms share: reading dates and amounts as typed, and answering a refusal."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from web.app import status_of
from workflow.core.errors import Forbidden, NotFound, Refused


def form_date(text: str, what: str, default: date | None = None) -> date:
    """The date a form field gives (2027-06-30, 2027/6/30, 2027年6月30日), else `default`
    when the field is empty and one is given; a refusal naming the field otherwise."""
    from workflow.core.dates import parse_date

    if not text.strip() and default is not None:
        return default
    try:
        return parse_date(text, what=what)
    except ValueError as exc:
        raise Refused(str(exc)) from None


def form_yuan(text: str) -> int:
    """An amount in yuan as typed (500000, 50万, ¥500,000.00); a refusal otherwise."""
    from workflow.core.money import parse_yuan

    try:
        return parse_yuan(text)
    except ValueError as exc:
        raise Refused(str(exc)) from None


def refusal_status(refusal: Refused) -> int:
    """The status of a page that shows `refusal` as its error. A record that is not there (or
    not visible: another unit's) and an action the role may never take are raised again: the
    404 or 403 page answers them, as the API does, without the page of the record."""
    if isinstance(refusal, NotFound | Forbidden):
        raise refusal
    return status_of(refusal)


def done(path: str, notice: str) -> Response:
    """After an action: back to `path` (303, so a reload does not post again), its notice named
    by a code the page knows (`NOTICES`), never by free text from the address."""
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}notice={notice}", status_code=303)


def notice_of(request: Request) -> str:
    """The message of the notice code in the request's address, if it names one."""
    from web.pages.notices import NOTICES
    from workflow.core.i18n import _

    code = request.query_params.get("notice", "")
    return _(NOTICES[code]) if code in NOTICES else ""
