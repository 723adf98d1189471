"""ipflow disburse and ipflow expense: disbursements and expenditures of projects."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from commands.common import DATE, JSON_OPTION, YUAN, Invocation, _, emit_json, pass_invocation


class PaymentGroup(click.Group):
    """`disburse ID …` records a payment; `disburse reverse|list …` are its subcommands.

    The payment form takes the project's number where a subcommand's name would stand, so the
    group hands any other first word (and `--help`) to the payment command.
    """

    def __init__(self, payment: click.Command, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.payment = payment

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if args and args[0] in self.commands:
            return super().make_context(info_name, args, parent, **extra)
        return self.payment.make_context(info_name, args, parent, **extra)


@click.command("disburse")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--date", "day", type=DATE, required=True, help="Day of payment.")
@click.option("--amount", type=YUAN, required=True, help="Amount in yuan.")
@click.option("--stage", required=True, help="Stage, e.g. 首期拨付.")
@click.option(
    "--voucher",
    metavar="REF",
    help="The payment voucher's reference (凭证号); a second payment with it is refused.",
)
@JSON_OPTION
@pass_invocation
def disburse_payment(
    invocation: Invocation,
    project_id: int,
    day: date,
    amount: int,
    stage: str,
    voucher: str | None,
    as_json: bool,
) -> None:
    """Record a disbursement (拨付); never above the project's committed funding, never twice.

    A payment with the voucher reference of an earlier one, or without a voucher on the same
    day with the same amount and stage, is refused, naming the first. A mistaken payment is
    reversed with `ipflow disburse reverse PAYMENT_ID --note …`; `ipflow disburse list ID`
    lists a project's payments.

    \b
    Example:
      ipflow disburse 7 --date 2027-03-01 --amount 250000 --stage 首期拨付 --voucher 黔财拨2027-031
      ipflow disburse list 7
      ipflow disburse reverse 12 --note 误拨：应拨付项目#8
    """
    from workflow.money.budget import disburse

    result = disburse(invocation.app(), project_id, day, amount, stage, voucher)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(
            _("项目#{id}已拨付{amount}元，累计{total}元").format(
                id=project_id, amount=amount, total=result.disbursed
            )
        )


disburse_cmd = PaymentGroup(
    disburse_payment,
    name="disburse",
    help=(
        "Record a disbursement (拨付); never above the project's committed funding.\n\n"
        "`ipflow disburse ID --date D --amount Y --stage S [--voucher REF]` records a payment "
        "(see `ipflow disburse --help`); the subcommands list and reverse them."
    ),
)


@disburse_cmd.command("reverse")
@click.argument("disbursement_id", type=int, metavar="PAYMENT_ID")
@click.option("--note", required=True, help="Why the payment was a mistake (kept).")
@click.option("--date", "day", type=DATE, help="Day of the reversal (default: today).")
@JSON_OPTION
@pass_invocation
def disburse_reverse(
    invocation: Invocation, disbursement_id: int, note: str, day: date | None, as_json: bool
) -> None:
    """Reverse a mistaken payment (冲正): a negative entry naming it; nothing is deleted.

    \b
    Example:
      ipflow disburse reverse 12 --note 误拨：应拨付项目#8
    """
    from workflow.money.reversals import reverse

    result = reverse(invocation.app(), disbursement_id, note, day)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(
        _("拨付#{payment}已冲正（冲正#{id}，{amount}元），项目#{project}累计拨付{total}元").format(
            payment=result.reverses,
            id=result.id,
            amount=result.amount,
            project=result.project_id,
            total=result.disbursed,
        )
    )


@disburse_cmd.command("list")
@click.argument("project_id", type=int, metavar="ID")
@JSON_OPTION
@pass_invocation
def disburse_list(invocation: Invocation, project_id: int, as_json: bool) -> None:
    """List a project's payments and reversals, with their numbers and vouchers.

    \b
    Example:
      ipflow disburse list 7 --json
    """
    from workflow.core.results import to_json
    from workflow.money.reversals import payments

    rows = payments(invocation.app(), project_id)
    if as_json:
        emit_json(to_json(rows))
        return
    if not rows:
        click.echo(_("项目#{id}尚无拨付").format(id=project_id))
    for r in rows:
        if r.reverses is not None:
            what = _("冲正拨付#{id}：{note}").format(id=r.reverses, note=r.note)
        elif r.reversed_by is not None:
            what = _("已由冲正#{id}冲正").format(id=r.reversed_by)
        else:
            what = ""
        voucher = _("凭证号{voucher}").format(voucher=r.voucher) if r.voucher else ""
        click.echo(f"#{r.id:<5} {r.day} {r.amount:>12,} {r.stage} {voucher} {what}".rstrip())


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

    if invocation.remote is not None:
        result = invocation.remote.record_expenditure(project_id, line, day, amount, description)
    else:
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

    if invocation.remote is not None:
        result = invocation.remote.review_expenditure(expense_id, decision, note)
    else:
        result = review_expenditure(invocation.app(), expense_id, decision, note)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(_("支出#{id}审核结论：{status}").format(id=expense_id, status=result.status))
