"""ipflow demo: a realistic sample programme and one nightly check."""

from __future__ import annotations

from datetime import date

import click

from commands.common import DATE, Invocation, pass_invocation


@click.command()
@click.option(
    "--today",
    type=DATE,
    default="2027-09-30",
    show_default=True,
    help="The logical date of the demo's nightly check.",
)
@pass_invocation
def demo(invocation: Invocation, today: date) -> None:
    """Fill a fresh database with a realistic 2027 programme and run the nightly check once.

    \b
    Example:
      ipflow --db sqlite:///demo.db demo --today 2027-09-30
    """
    from workflow.demo.programme import build_demo

    summary = build_demo(invocation.app(migrate=True), today)
    click.echo(summary)
