"""ipflow scheduler: the process that runs the nightly check every day."""

from __future__ import annotations

import sys

import click

from commands.common import Invocation, pass_invocation
from commands.notify import deliverer


@click.group()
def scheduler() -> None:
    """The process that runs the nightly check."""


@scheduler.command("run")
@pass_invocation
def scheduler_run(invocation: Invocation) -> None:
    """Run the nightly check at [schedule].time every day until SIGTERM; logs are JSON lines.

    On start it first runs every logical date missed while no scheduler was running,
    oldest first. Several instances may share one PostgreSQL database: each date runs
    once. With SQLite, run a single instance.

    \b
    Example:
      ipflow --db postgresql+psycopg://ipflow@db/ipflow scheduler run
    """
    import logging

    from workflow.check.scheduler import JsonFormatter, serve

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("ipflow").addHandler(handler)
    logging.getLogger("ipflow").setLevel(logging.INFO)
    context = invocation.app()
    serve(context, deliverer(context))
