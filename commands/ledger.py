"""ipflow ledger: the progress ledger as xlsx or csv."""

from __future__ import annotations

from datetime import date

import click

from commands.common import (
    DATE,
    FORCE_OPTION,
    JSON_OPTION,
    Invocation,
    _,
    emit_json,
    pass_invocation,
    summary_table,
    terminal,
    working,
)


@click.group()
def ledger() -> None:
    """The progress ledger (进度台账)."""


@ledger.command("export")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--output", required=True, metavar="FILE", help="Where to write the ledger.")
@FORCE_OPTION
@click.option(
    "--today", type=DATE, help="The ledger's day, not after today (default: today, Asia/Shanghai)."
)
@JSON_OPTION
@pass_invocation
def ledger_export(
    invocation: Invocation, fmt: str, output: str, force: bool, today: date | None, as_json: bool
) -> None:
    """Export the progress ledger of a day as the latest nightly check on or before it found it.

    The rows are the projects that check recorded, with its states, figures and flags: a
    project that has ended since is still listed as it was. A day after today, or one before
    the first completed check (there is no record of it), is refused.

    xlsx has Chinese headers, a frozen header row, filters, coloured flags and amounts in
    yuan; csv is UTF-8 with a byte-order mark so Excel opens it correctly. Text that a
    spreadsheet would read as a formula (= + - @) stays text in both.

    An existing FILE is not overwritten without --force; a symbolic link or the database
    itself is never written; the file appears whole or not at all.

    \b
    Example:
      ipflow ledger export --format xlsx --output 进度台账.xlsx --today 2027-09-30
    """
    from workflow.reporting.ledger import export_ledger

    target = invocation.output(output, force)
    context = invocation.app()
    day = today or context.today()
    console = terminal(as_json)
    with working(console, _("正在导出进度台账…")):
        ledger_file = export_ledger(context, fmt, day)
        target.write(ledger_file.content)
    count = ledger_file.projects
    if as_json:
        emit_json({"output": output, "format": fmt, "date": day.isoformat(), "projects": count})
        return
    if console is not None:
        rows = [(_("台账日期"), day.isoformat()), (_("项目"), str(count)), (_("文件"), output)]
        summary_table(console, _("进度台账已导出"), rows)
        return
    click.echo(
        _("已导出{day}的进度台账（{count}个项目）到{path}").format(
            day=day, count=count, path=output
        )
    )
