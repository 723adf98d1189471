"""Sign-in pages: password, the second factor (or enrolling an authenticator), sign-out, language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from web.security import (
    LANG_COOKIE,
    LANGUAGES,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    new_login_csrf,
    require_csrf,
    same,
    set_cookie,
)
from web.templating import render
from web.visitors import State, session_of
from workflow.auth.door import (
    SignInRefused,
    check_code,
    check_password,
    end_session,
    open_session,
    pending_secret,
    provisioning_uri,
)
from workflow.core.i18n import _

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _signin_page(
    request: Request, next_path: str, error: str = "", status: int = 200, username: str = ""
) -> Response:
    """The sign-in form; after a refusal it keeps the name typed, never the password."""
    token = new_login_csrf()
    response = render(
        request,
        "signin.html",
        status,
        next=safe_next(next_path),
        csrf=token,
        error=error,
        username=username,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
    return response


@router.get("/signin")
def signin_form(request: Request, next: str = "/") -> Response:
    return _signin_page(request, next)


def _session_cookie(request: Request, response: Response, secret: str, hours: int) -> Response:
    set_cookie(response, request, SESSION_COOKIE, secret, hours * 3600)
    return response


@router.post("/signin")
def signin(
    request: Request,
    state: State,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=400)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    if not same(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf):
        return _signin_page(request, next, _("表单已过期，请重新输入"), 403)
    try:
        user_id, stage = check_password(
            state.door(), username, password, via="web", address=_address(request)
        )
    except SignInRefused as refused:
        return _signin_page(request, next, str(refused), 401, username)
    if stage == "enrol":
        from workflow.auth.door import start_enrolment

        start_enrolment(state.door(), user_id)
    opened = open_session(state.door(), user_id, stage)
    target = {"full": safe_next(next), "code": "/signin/code", "enrol": "/signin/enrol"}[stage]
    if stage != "full":
        target += "?next=" + safe_next(next)
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return _session_cookie(request, response, opened.secret, state.settings.web.session_hours)


def _second_factor_page(
    request: Request, state: State, next_path: str, error: str = "", status: int = 200
) -> Response:
    visitor = session_of(request, state)
    if visitor is None or visitor.stage == "full":
        return RedirectResponse("/signin", status_code=303)
    secret = pending_secret(state.door(), visitor.user_id) if visitor.stage == "enrol" else None
    return render(
        request,
        "second_factor.html",
        status,
        visitor=visitor,
        csrf=visitor.csrf,
        next=safe_next(next_path),
        secret=secret,
        uri=provisioning_uri(visitor.name, secret) if secret else None,
        error=error,
    )


@router.get("/signin/code")
@router.get("/signin/enrol")
def second_factor_form(request: Request, state: State, next: str = "/") -> Response:
    return _second_factor_page(request, state, next)


@router.post("/signin/code")
@router.post("/signin/enrol")
def second_factor(
    request: Request,
    state: State,
    code: Annotated[str, Form(max_length=20)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    visitor = session_of(request, state)
    if visitor is None or visitor.stage == "full":
        return RedirectResponse("/signin", status_code=303)
    require_csrf(visitor.csrf, csrf)
    try:
        check_code(state.door(), visitor.user_id, code, via="web", address=_address(request))
    except SignInRefused as refused:
        return _second_factor_page(request, state, next, str(refused), 401)
    # A new session for the full sign-in: the half-signed-in one's secret is never reused.
    end_session(state.door(), request.cookies[SESSION_COOKIE])
    opened = open_session(state.door(), visitor.user_id, "full")
    response = RedirectResponse(safe_next(next), status_code=303)
    return _session_cookie(request, response, opened.secret, state.settings.web.session_hours)


@router.post("/signout")
def signout(
    request: Request, state: State, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    visitor = session_of(request, state)
    if visitor is not None:
        require_csrf(visitor.csrf, csrf)
        end_session(state.door(), request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def choose_language(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        set_cookie(response, request, LANG_COOKIE, code, 365 * 86400)
    return response
