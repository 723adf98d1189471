"""ipflow plot: charts of progress and flags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import click

from commands.common import DATE, FORCE_OPTION, Invocation, _, pass_invocation

if TYPE_CHECKING:
    from workflow.core.files import OutputFile


@click.group()
def plot() -> None:
    """Charts of progress and flags (PNG or SVG)."""


def _write_plot(target: OutputFile, make: Callable[[str], bytes]) -> None:
    fmt = "svg" if target.path.name.lower().endswith(".svg") else "png"
    target.write(make(fmt))
    click.echo(_("已写入{path}").format(path=target.path))


@plot.command("progress")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--output", required=True, metavar="FILE", help="FILE.png or FILE.svg.")
@FORCE_OPTION
@pass_invocation
def plot_progress(invocation: Invocation, project_id: int, output: str, force: bool) -> None:
    """A project's planned progress curve with the actual progress of its reports.

    \b
    Example:
      ipflow plot progress 3 --output progress-3.svg
    """
    from workflow.reporting.periodic import progress_curve_data
    from workflow.reporting.plots import progress_curve

    target = invocation.output(output, force)
    curve = progress_curve_data(invocation.app(), project_id)
    _write_plot(
        target,
        lambda fmt: progress_curve(curve.title, curve.days, curve.planned, curve.points, fmt),
    )


@plot.command("flags")
@click.option("--from", "first", type=DATE, required=True, help="First checked day.")
@click.option("--to", "last", type=DATE, required=True, help="Last checked day.")
@click.option("--output", required=True, metavar="FILE", help="FILE.png or FILE.svg.")
@FORCE_OPTION
@pass_invocation
def plot_flags(invocation: Invocation, first: date, last: date, output: str, force: bool) -> None:
    """How many projects were green, amber and red on each checked day.

    \b
    Example:
      ipflow plot flags --from 2027-01-01 --to 2027-09-30 --output flags.png
    """
    from workflow.reporting.periodic import flag_series
    from workflow.reporting.plots import flag_counts

    target = invocation.output(output, force)
    series = flag_series(invocation.app(), first, last)
    if not series.days:
        from workflow.core.errors import Refused

        raise Refused(_("{first}至{last}之间没有检查记录，无法作图").format(first=first, last=last))
    _write_plot(target, lambda fmt: flag_counts(series.days, series.counts, fmt))


@plot.command("lag")
@click.option("--today", type=DATE, help="The ledger's day (default: today).")
@click.option("--output", required=True, metavar="FILE", help="FILE.png or FILE.svg.")
@FORCE_OPTION
@pass_invocation
def plot_lag(invocation: Invocation, today: date | None, output: str, force: bool) -> None:
    """The lag of every active project, by category, against the warning line.

    \b
    Example:
      ipflow plot lag --today 2027-09-30 --output lag.png
    """
    from workflow.reporting.periodic import lag_series
    from workflow.reporting.plots import lag_by_category

    target = invocation.output(output, force)
    context = invocation.app()
    lags = lag_series(context, today or context.today()).lags
    threshold = context.settings.check.lag_warning
    _write_plot(target, lambda fmt: lag_by_category(lags, threshold, fmt))
