"""ipflow budget: a project's budget lines, fund use, budget review and fund evaluation."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from commands.common import (
    DATE,
    JSON_OPTION,
    Invocation,
    _,
    emit_json,
    money_lines,
    pass_invocation,
    rate_text,
)

if TYPE_CHECKING:
    from workflow.money.reviews import BudgetReviewView, FundEvaluationView


@click.group()
def budget() -> None:
    """A project's budget lines and fund use; the contractor's budget review and evaluation."""


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
    if d.review is not None:
        for text in review_lines(d.review):
            click.echo(f"  {text}")
    for evaluation in d.evaluations:
        for text in evaluation_lines(evaluation):
            click.echo(f"  {text}")


def review_lines(r: BudgetReviewView) -> list[str]:
    """A budget review as text: the opinion, each suggestion, each suggested amount."""
    from workflow.money.rules import OPINIONS

    lines = [
        _("事前预算审核（{day}，{actor}）：{opinion}").format(
            day=r.day, actor=r.actor, opinion=_(OPINIONS[r.opinion])
        )
    ]
    lines.extend(
        _("  优化建议{n}：{text}").format(n=n, text=text)
        for n, text in enumerate(r.suggestions, start=1)
    )
    for name, amount in r.suggested_lines.items():
        before = r.reviewed_lines.get(name)
        was = _("新增") if before is None else _("原{amount}元").format(amount=f"{before:,}")
        lines.append(
            _("  建议{line}：{amount}元（{was}）").format(line=name, amount=f"{amount:,}", was=was)
        )
    return lines


def evaluation_lines(e: FundEvaluationView) -> list[str]:
    """A fund summary evaluation as text: its figures, conclusion and findings."""
    from workflow.money.rules import BASES

    lines = [
        _("资金总结评价（{day}，{basis}，{actor}）：{conclusion}").format(
            day=e.day, basis=_(BASES[e.basis]), actor=e.actor, conclusion=e.conclusion
        ),
        _(
            "  核定资助{granted}元，已拨付{disbursed}元，已支出{spent}元，审核认可{accepted}元；结余{balance}元，结转{carry_over}元，收回{recovered}元；认可支出率{use_rate}"
        ).format(
            granted=f"{e.granted:,}",
            disbursed=f"{e.disbursed:,}",
            spent=f"{e.spent:,}",
            accepted=f"{e.accepted:,}",
            balance=f"{e.balance:,}",
            carry_over=f"{e.carry_over:,}",
            recovered=f"{e.recovered:,}",
            use_rate=rate_text(e.use_rate),
        ),
    ]
    lines.extend(_("  发现{n}：{text}").format(n=n, text=t) for n, t in enumerate(e.findings, 1))
    return lines


@budget.command("review")
@click.argument("project_id", type=int, metavar="ID")
@click.option(
    "--opinion",
    required=True,
    metavar="approve|revise",
    help="approve (同意) or revise (建议调整).",
)
@click.option(
    "--suggestion",
    "suggestions",
    multiple=True,
    metavar="TEXT",
    help="An optimisation suggestion (预算优化建议); repeat for each.",
)
@click.option(
    "--line",
    "line_pairs",
    multiple=True,
    metavar="NAME=YUAN",
    help="A suggested amount for a line (0 drops it, a new name adds one); repeat per line.",
)
@JSON_OPTION
@pass_invocation
def budget_review(
    invocation: Invocation,
    project_id: int,
    opinion: str,
    suggestions: tuple[str, ...],
    line_pairs: tuple[str, ...],
    as_json: bool,
) -> None:
    """The contractor's review of a project's budget before implementation (事前预算审核).

    Possible while the project is approved and not yet started, once its budget lines are
    set. revise needs a suggestion or a suggested amount; the suggested budget must still add
    up to the grant. The latest review shows in `budget show` and in the fund-use report.

    \b
    Example:
      ipflow budget review 7 --opinion revise --suggestion 设备购置宜以租代购 \\
          --suggestion 增列专利运营费 --line 设备费=150000 --line 专利运营费=50000
    """
    from workflow.money.reviews import review_budget

    result = review_budget(
        invocation.app(), project_id, opinion, list(suggestions), _line_pairs(line_pairs)
    )
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(_("已记录项目#{id}的事前预算审核").format(id=project_id))
    for text in review_lines(result):
        click.echo(f"  {text}")


@budget.command("evaluate")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--conclusion", required=True, metavar="TEXT", help="The evaluation's conclusion.")
@click.option(
    "--finding", "findings", multiple=True, metavar="TEXT", help="A finding; repeat for each."
)
@JSON_OPTION
@pass_invocation
def budget_evaluate(
    invocation: Invocation,
    project_id: int,
    conclusion: str,
    findings: tuple[str, ...],
    as_json: bool,
) -> None:
    """The contractor's fund summary evaluation (资金总结评价) of a project's stage.

    At a yearly review or an acceptance under way it rests on the figures so far (the balance
    is carried into the next stage); once the final accounts are recorded (a passed
    acceptance, a termination, a claw-back) on their balance, carry-over and recovery. The
    figures are computed and stored with the conclusion; each stage is evaluated once. The
    fund-summary periodic report lists the evaluations of a half-year.

    \b
    Example:
      ipflow budget evaluate 7 --conclusion 资金使用合规，结余按规定结转 \\
          --finding 设备费执行率偏低
    """
    from workflow.money.reviews import evaluate_funds

    result = evaluate_funds(invocation.app(), project_id, conclusion, list(findings))
    if as_json:
        emit_json(result.as_json())
        return
    for text in evaluation_lines(result):
        click.echo(text)
