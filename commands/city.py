"""ipflow city: the ranking of the capability_city applications."""

from __future__ import annotations

from pathlib import Path

import click

from commands.common import JSON_OPTION, YEAR, Invocation, _, emit_json, pass_invocation


@click.group()
def city() -> None:
    """capability_city: ranking of the prefecture-level applications."""


@city.command("rank")
@click.option("--year", type=YEAR, required=True, help="Programme year of the applications.")
@click.option(
    "--scores",
    "scores_path",
    required=True,
    metavar="FILE.csv",
    help="CSV (UTF-8 or GBK): unit (or 单位), then one column per scoring dimension.",
)
@click.option("--approve", is_flag=True, help="Approve all ranked applicants in one transaction.")
@JSON_OPTION
@pass_invocation
def city_rank(
    invocation: Invocation, year: int, scores_path: str, approve: bool, as_json: bool
) -> None:
    """Rank the year's capability_city applications by weighted total score.

    Ranks 1-10 get 200/100/100/50/50/50/20/20/20/20万. Equal totals are ordered by the
    dimensions in column order; applicants equal on every dimension are refused.

    \b
    Example:
      ipflow city rank --year 2027 --scores scores-2027.csv --json
      ipflow city rank --year 2027 --scores scores-2027.csv --approve
    """
    from workflow.core.config import load_settings
    from workflow.core.results import to_json
    from workflow.projects.city_rank import city_rank as rank_cities
    from workflow.projects.importing.files import read_text

    limits = load_settings(invocation.config_path).imports
    text = read_text(Path(scores_path), _("评分文件"), limits)
    rows = rank_cities(invocation.app(), year, text, approve)
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        click.echo(
            _("第{rank}名 {unit} 项目#{id} 总分{total} 资助{amount}元").format(
                rank=f"{r.rank:>2}",
                unit=r.unit,
                id=r.project_id,
                total=f"{r.total:g}",
                amount=r.amount,
            )
        )
    if approve:
        click.echo(_("已统一立项：{count}项").format(count=sum(1 for r in rows if r.amount)))
