"""The ASGI application of `ipflow serve`: pages at /, the API at /api/v1, refusals answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, HTTPException, Request
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
from workflow.core.errors import (
    Forbidden,
    NotFound,
    OutOfScope,
    Refused,
    Stale,
    VersionMismatch,
)

API = "/api/v1"


def status_of(refusal: Refused) -> int:
    """The HTTP status of a refusal: 404 not found (or not visible), 403, 412 If-Match
    stale, 409 stale, else 422."""
    if isinstance(refusal, NotFound):
        return 404
    if isinstance(refusal, Forbidden):
        return 403
    if isinstance(refusal, VersionMismatch):
        return 412
    if isinstance(refusal, Stale):
        return 409
    return 422


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API)


def create_app(engine_url: str, settings: Settings, clock: Clock = system_clock) -> FastAPI:
    """The application on the database at `engine_url` (its schema must be current)."""
    from web.api import letters as api_letters
    from web.api import me as api_me
    from web.api import money as api_money
    from web.api import projects as api_projects
    from web.api import token as api_token
    from web.api.common import invalid_request
    from web.pages import account, home, ledger, letters, office, reports, signin
    from workflow.db.engine import make_engine, require_schema
    from workflow.projects.evidence import MAX_FILES

    engine = make_engine(engine_url, (settings.web.pool_size, settings.web.max_overflow))
    require_schema(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync endpoints run in the event loop's worker threads, 40 by default.
        to_thread.current_default_thread_limiter().total_tokens = settings.web.threads
        yield

    app = FastAPI(
        lifespan=lifespan,
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
    for router in (
        api_token.router,
        api_me.router,
        api_projects.router,
        api_letters.router,
        api_money.router,
    ):
        app.include_router(router, prefix=API)
    for router in (signin.router, home.router, reports.router, letters.router):
        app.include_router(router)
    for router in (ledger.router, office.router, account.router):
        app.include_router(router)

    @app.exception_handler(Refused)
    def refused(request: Request, exc: Refused) -> Response:
        status = status_of(exc)
        # Another unit's record is answered as one that does not exist, word for word.
        message = exc.unseen if isinstance(exc, OutOfScope) else str(exc)
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=status)
        from web.templating import render

        return render(request, "error.html", status, error=message)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        message = invalid_request(exc)
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=422)
        from web.templating import render

        return render(request, "error.html", 422, error=message)

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
