"""ipflow demo: a realistic sample programme and one nightly check."""

from __future__ import annotations

from datetime import date

import click

from commands.common import DATE, Invocation, _, pass_invocation


@click.command()
@click.option(
    "--today",
    type=DATE,
    default="2027-09-30",
    show_default=True,
    help="The logical date of the demo's nightly check.",
)
@click.option(
    "--accounts",
    is_flag=True,
    help="Also register web sign-in accounts (office, manager, contractor, unit) with the "
    "demo password, and print them.",
)
@pass_invocation
def demo(invocation: Invocation, today: date, accounts: bool) -> None:
    """Fill a fresh database with a realistic 2027 programme and run the nightly check once.

    With --accounts, one account per role of the web console is registered, all with the
    demo password it prints: sign in at `ipflow serve` (scripts/serve-demo does it all). Once
    accounts exist, commands on that database act as a registered user (--as office).

    \b
    Example:
      ipflow --db sqlite:///demo.db demo --today 2027-09-30
      ipflow --db sqlite:///demo.db demo --accounts
    """
    from workflow.demo.programme import build_demo

    context = invocation.app(migrate=True)
    summary = build_demo(context, today)
    click.echo(summary)
    if not accounts:
        return
    from workflow.access.rules import ROLES
    from workflow.demo.accounts import DEMO_PASSWORD, register_accounts

    click.echo(_("演示账户（密码均为 {password}）：").format(password=DEMO_PASSWORD))
    for account in register_accounts(context):
        unit = f"（{account.unit}）" if account.unit else ""
        click.echo(f"  {account.name:<11} {_(ROLES[account.role])}{unit}")
