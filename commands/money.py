"""ipflow disburse and ipflow expense: disbursements and expenditures of projects."""

from __future__ import annotations

from datetime import date

import click

from commands.common import DATE, JSON_OPTION, YUAN, Invocation, _, emit_json, pass_invocation


@click.command("disburse")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--date", "day", type=DATE, required=True, help="Day of payment.")
@click.option("--amount", type=YUAN, required=True, help="Amount in yuan.")
@click.option("--stage", required=True, help="Stage, e.g. 首期拨付.")
@JSON_OPTION
@pass_invocation
def disburse_cmd(
    invocation: Invocation, project_id: int, day: date, amount: int, stage: str, as_json: bool
) -> None:
    """Record a disbursement (拨付); never above the project's committed funding.

    \b
    Example:
      ipflow disburse 7 --date 2027-03-01 --amount 250000 --stage 首期拨付
    """
    from workflow.money.budget import disburse

    result = disburse(invocation.app(), project_id, day, amount, stage)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(
            _("项目#{id}已拨付{amount}元，累计{total}元").format(
                id=project_id, amount=amount, total=result.disbursed
            )
        )


@click.group()
def expense() -> None:
    """Expenditures (支出) of projects and their review."""


@expense.command("add")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--line", required=True, help="Budget line.")
@click.option("--date", "day", type=DATE, required=True, help="Day of the expenditure.")
@click.option("--amount", type=YUAN, required=True, help="Amount in yuan.")
@click.option("--description", required=True, help="What was bought or paid.")
@JSON_OPTION
@pass_invocation
def expense_add(
    invocation: Invocation,
    project_id: int,
    line: str,
    day: date,
    amount: int,
    description: str,
    as_json: bool,
) -> None:
    """Record an expenditure; flagged items (outside lines, large, over budget) await review.

    \b
    Example:
      ipflow expense add 7 --line 设备费 --date 2027-05-10 --amount 38000 --description 检测仪器
    """
    from workflow.money.budget import FLAG_LABELS, record_expenditure

    result = record_expenditure(invocation.app(), project_id, line, day, amount, description)
    if as_json:
        emit_json(result.as_json())
        return
    flags = _("、").join(_(FLAG_LABELS[f]) for f in result.flags)
    marked = _("，标记：{flags}（待审核）").format(flags=flags) if flags else ""
    click.echo(_("支出#{id}已登记").format(id=result.id) + marked)


@expense.command("review")
@click.argument("expense_id", type=int, metavar="EXPENSE_ID")
@click.option("--decision", type=click.Choice(["accept", "misuse"]), required=True)
@click.option("--note", default="", help="Reasons (required for misuse).")
@JSON_OPTION
@pass_invocation
def expense_review(
    invocation: Invocation, expense_id: int, decision: str, note: str, as_json: bool
) -> None:
    """Review a flagged expenditure: accept it, or find misuse (违规挪用, red flag).

    \b
    Example:
      ipflow expense review 12 --decision misuse --note 用于非项目人员差旅
    """
    from workflow.money.budget import review_expenditure

    result = review_expenditure(invocation.app(), expense_id, decision, note)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(_("支出#{id}审核结论：{status}").format(id=expense_id, status=result.status))
