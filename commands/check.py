"""ipflow check: the nightly check."""

from __future__ import annotations

from datetime import date

import click

from commands.common import (
    DATE,
    JSON_OPTION,
    Invocation,
    _,
    emit_json,
    flag_text,
    pass_invocation,
    summary_table,
    terminal,
    working,
)


@click.group()
def check() -> None:
    """The nightly check."""


@check.command("run")
@click.option("--today", type=DATE, help="Logical date to check (default: today, Asia/Shanghai).")
@click.option("--dry-run", is_flag=True, help="Compute and report, write nothing.")
@JSON_OPTION
@pass_invocation
def check_run(invocation: Invocation, today: date | None, dry_run: bool, as_json: bool) -> None:
    """Compute progress and flags of every active project, write the ledger, issue letters.

    Running it again for the same date issues nothing twice.

    \b
    Example:
      ipflow check run --today 2027-06-30 --dry-run --json
    """
    from workflow.check.actions import run_check

    context = invocation.app()
    console = terminal(as_json)
    with working(console, _("正在检查全部在研项目…")):
        result = run_check(context, today or context.today(), dry_run)
    for skipped in result.skipped:
        what = _("预警告知书") if skipped.what == "letter" else _("提醒和通知")
        click.echo(
            _(
                "警告：项目#{project_id}的{what}无法由其数据生成，本次未发出（其他项目照常检查，下次检查将重试）：{reason}"
            ).format(project_id=skipped.project_id, what=what, reason=skipped.reason),
            err=True,
        )
    if as_json:
        emit_json(result.as_json())
        return
    prefix = _("（试运行，未写入）") if dry_run else ""
    if console is not None:
        rows = [
            (_("检查项目"), str(result.checked)),
            (f"[green]{flag_text('green')}[/]", str(result.flags["green"])),
            (f"[yellow]{flag_text('amber')}[/]", str(result.flags["amber"])),
            (f"[red]{flag_text('red')}[/]", str(result.flags["red"])),
            (_("发出预警告知书"), str(result.letters_issued)),
            (_("待发通知"), str(result.notices_queued)),
            (_("投递失败（待处理）"), str(result.deliveries_failed)),
        ]
        summary_table(console, prefix + _("{day}夜间检查").format(day=result.date_), rows)
        return
    click.echo(
        prefix
        + _(
            "{day}检查{checked}个项目：绿{green} 黄{amber} 红{red}；发出预警告知书{letters}份，待发通知{notices}条"
        ).format(
            day=result.date_,
            checked=result.checked,
            green=result.flags["green"],
            amber=result.flags["amber"],
            red=result.flags["red"],
            letters=result.letters_issued,
            notices=result.notices_queued,
        )
    )
    if result.deliveries_failed:
        click.echo(
            _(
                "投递失败的消息{failed}条：ipflow notify list --status failed 查看原因，"
                "修复后用 ipflow notify retry --failed 重新排队"
            ).format(failed=result.deliveries_failed)
        )
