"""The ASGI application of `ipflow serve`: pages at /, the API at /api/v1, refusals answered."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from web.limits import MARGIN, BodyLimit
from web.security import LanguageAndHeaders
from web.state import WebState
from web.visitors import SignInNeeded
from workflow.core.clock import Clock, system_clock
from workflow.core.config import Settings
from workflow.core.errors import Forbidden, NotFound, Refused, Stale

API = "/api/v1"


def status_of(refusal: Refused) -> int:
    """The HTTP status of a refusal: 404 not found (or not visible), 403, 409 stale, else 422."""
    if isinstance(refusal, NotFound):
        return 404
    if isinstance(refusal, Forbidden):
        return 403
    if isinstance(refusal, Stale):
        return 409
    return 422


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API)


def create_app(engine_url: str, settings: Settings, clock: Clock = system_clock) -> FastAPI:
    """The application on the database at `engine_url` (its schema must be current)."""
    from web.api import projects as api_projects
    from web.api import token as api_token
    from web.pages import account, home, ledger, letters, office, reports, signin
    from workflow.db.engine import make_engine, require_schema
    from workflow.projects.evidence import MAX_FILES

    engine = make_engine(engine_url)
    require_schema(engine)
    app = FastAPI(
        title="ipflow",
        version="1",
        openapi_url=f"{API}/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="REST API of ipflow: the JSON keys of the CLI's --json, bearer tokens.",
    )
    app.state.ipflow = WebState(engine, settings, clock)
    app.add_middleware(BodyLimit, limit=settings.web.evidence_max_bytes * MAX_FILES + MARGIN)
    app.add_middleware(LanguageAndHeaders)
    app.mount(
        "/static",
        StaticFiles(directory=Path(__file__).resolve().parent / "static"),
        name="static",
    )
    for router in (api_token.router, api_projects.router):
        app.include_router(router, prefix=API)
    for router in (signin.router, home.router, reports.router, letters.router):
        app.include_router(router)
    for router in (ledger.router, office.router, account.router):
        app.include_router(router)

    @app.exception_handler(Refused)
    def refused(request: Request, exc: Refused) -> Response:
        status = status_of(exc)
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        from web.templating import render

        return render(request, "error.html", status, error=str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        from web.templating import render
        from workflow.core.i18n import _

        return render(request, "error.html", 422, error=_("网址或表单中的值无效，请返回后重新填写"))

    @app.exception_handler(SignInNeeded)
    def sign_in_needed(request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request) or exc.status_code == 401:
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        from web.templating import render

        return render(request, "error.html", exc.status_code, error=str(exc.detail))

    return app
