"""ipflow budget: a project's budget lines and fund use."""

from __future__ import annotations

from datetime import date

import click

from commands.common import (
    DATE,
    JSON_OPTION,
    Invocation,
    _,
    emit_json,
    money_lines,
    pass_invocation,
)


@click.group()
def budget() -> None:
    """A project's budget lines and fund use."""


def _line_pairs(pairs: tuple[str, ...]) -> dict[str, int]:
    from workflow.core.errors import Refused
    from workflow.core.money import parse_yuan

    lines: dict[str, int] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.UsageError(_("“{pair}”应写成 科目=元").format(pair=pair))
        try:
            lines[name.strip()] = parse_yuan(value)
        except ValueError as exc:
            raise Refused(_("预算科目“{name}”：{error}").format(name=name, error=exc)) from None
    return lines


@budget.command("set")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--line", "line_pairs", multiple=True, required=True, metavar="NAME=YUAN")
@JSON_OPTION
@pass_invocation
def budget_set(
    invocation: Invocation, project_id: int, line_pairs: tuple[str, ...], as_json: bool
) -> None:
    """Approve a project's budget lines; they must add up to its committed funding.

    \b
    Example:
      ipflow budget set 7 --line 设备费=200000 --line 劳务费=150000 --line 专利费=150000
    """
    from workflow.money.budget import set_budget_lines

    result = set_budget_lines(invocation.app(), project_id, _line_pairs(line_pairs))
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(
            _("项目#{id}预算科目已设定，合计{total}元").format(id=project_id, total=result.total)
        )


@budget.command("show")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--as-of", type=DATE, help="Cut-off date (default: today).")
@JSON_OPTION
@pass_invocation
def budget_show(invocation: Invocation, project_id: int, as_of: date | None, as_json: bool) -> None:
    """Fund use of a project: applied, granted, disbursed, spent, accepted, recovered, rates
    against the grant, spending by line, open flags.

    \b
    Example:
      ipflow budget show 7 --as-of 2027-06-30 --json
    """
    from workflow.money.budget import fund_use

    d = fund_use(invocation.app(), project_id, as_of)
    if as_json:
        emit_json(d.as_json())
        return
    click.echo(_("项目#{id}（截至{as_of}）").format(id=project_id, as_of=d.as_of))
    for text in money_lines(d.money):
        click.echo(f"  {text}")
    for line in d.lines:
        planned = (
            _("科目外")
            if line.budget is None
            else _("预算{amount}元").format(amount=f"{line.budget:,}")
        )
        click.echo(
            _("  {line}：{planned}，已支出{spent}元").format(
                line=line.line, planned=planned, spent=f"{line.spent:,}"
            )
        )
    for flag in d.open_flags:
        click.echo(
            _("  支出#{id} {amount}元：{text}").format(
                id=flag.expense_id, amount=f"{flag.amount:,}", text=flag.text
            )
        )
