"""ipflow programme: the year's budgets per category and their use."""

from __future__ import annotations

import click

from commands.common import (
    CATEGORY,
    JSON_OPTION,
    YEAR,
    YUAN,
    Invocation,
    _,
    emit_json,
    pass_invocation,
)


@click.group()
def programme() -> None:
    """The programme year: budgets per category and their use."""


@programme.command("status")
@click.option("--year", type=YEAR, help="Programme year (default: this year).")
@JSON_OPTION
@pass_invocation
def programme_status(invocation: Invocation, year: int | None, as_json: bool) -> None:
    """Per category: year budget, committed, disbursed and remaining money (yuan).

    \b
    Example:
      ipflow programme status --year 2027 --json
    """
    from workflow.money.programme import programme_status as status

    context = invocation.app()
    document = status(context, year or context.today().year)
    if as_json:
        emit_json(document.as_json())
        return
    click.echo(_("{year}年度资金使用情况（元）").format(year=document.year))
    for r in document.categories:
        budget = _("未设定") if r.budget is None else r.budget
        left = "-" if r.remaining is None else r.remaining
        click.echo(
            f"{r.category:<24} "
            + _("预算{budget} 已承诺{committed} 已拨付{disbursed} 剩余{left}").format(
                budget=budget, committed=r.committed, disbursed=r.disbursed, left=left
            )
        )


@programme.command("budget")
@click.option("--year", type=YEAR, required=True, help="Programme year.")
@click.option("--category", type=CATEGORY, required=True, help="Category code or name.")
@click.option("--amount", type=YUAN, required=True, help="The year's budget in yuan.")
@JSON_OPTION
@pass_invocation
def programme_budget(
    invocation: Invocation, year: int, category: str, amount: int, as_json: bool
) -> None:
    """Set a category's budget for a programme year; approvals beyond it are refused.

    \b
    Example:
      ipflow programme budget --year 2027 --category high_value_patent --amount 5000000
    """
    from workflow.money.programme import set_year_budget

    result = set_year_budget(invocation.app(), year, category, amount)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(
            _("{year}年度{category}预算：{amount}元（已承诺{committed}元）").format(
                year=year, category=category, amount=amount, committed=result.committed
            )
        )
