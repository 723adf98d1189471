"""ipflow serve: the web console and REST API on uvicorn."""

from __future__ import annotations

import click

from commands.common import Invocation, _, pass_invocation


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (PostgreSQL; SQLite serves one office with one).",
)
@click.option(
    "--proxy-headers",
    is_flag=True,
    help="Trust X-Forwarded-Proto/For from a reverse proxy (TLS ends there: cookies get Secure).",
)
@pass_invocation
def serve(invocation: Invocation, host: str, port: int, workers: int, proxy_headers: bool) -> None:
    """Serve the web console at / and the REST API under /api/v1.

    The OpenAPI document is at /api/v1/openapi.json. Units, the contractor and the office sign
    in with the passwords set by `ipflow user add --password-stdin` or `ipflow user password`;
    each sees only what the permission table gives its role. Run the nightly scheduler
    (`ipflow scheduler run`) beside it.

    SQLite serves one office with one worker. On PostgreSQL, several workers share the
    sessions and tokens stored there; each keeps up to [web] pool_size + max_overflow
    connections, and serve refuses workers that would not fit in max_connections. Behind a
    TLS reverse proxy, listen on loopback with --proxy-headers (it trusts any sender's
    X-Forwarded-* headers).

    \b
    Example:
      ipflow --db sqlite:///ipflow.db serve --port 8000
      IPFLOW_DB=postgresql+psycopg://ipflow@db/ipflow ipflow serve --workers 2 --proxy-headers
    """
    import os

    import uvicorn

    from workflow.db.engine import DatabaseError, connection_budget_problem

    # The database answers, its schema is current, the configuration reads; the workers'
    # connections fit in the database's.
    context = invocation.app()
    web = context.settings.web
    problem = connection_budget_problem(context.engine, workers, web.pool_size + web.max_overflow)
    context.engine.dispose()
    if problem:
        raise DatabaseError(problem)
    os.environ["IPFLOW_DB"] = invocation.db_url
    if invocation.config_path:
        os.environ["IPFLOW_CONFIG"] = invocation.config_path
    click.echo(
        _("ipflow 网页与接口：http://{host}:{port}/ （接口文档 /api/v1/openapi.json）").format(
            host=host, port=port
        ),
        err=True,
    )
    uvicorn.run(
        "web.server:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        # The C parser and event loop, named so that an install without them fails here
        # rather than serving every answer about 40 ms later (README, the web under load).
        http="httptools",
        loop="uvloop",
        forwarded_allow_ips="*" if proxy_headers else None,
        log_level="warning",
        access_log=False,
    )
