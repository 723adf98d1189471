"""ipflow recommendations: risk-disposal recommendations for the provincial office."""

from __future__ import annotations

import click

from commands.common import JSON_OPTION, Invocation, _, emit_json, pass_invocation


@click.group()
def recommendations() -> None:
    """Risk-disposal recommendations (风险处置建议) for the provincial office."""


@recommendations.command("list")
@click.option("--status", help="open or handled.")
@JSON_OPTION
@pass_invocation
def recommendations_list(invocation: Invocation, status: str | None, as_json: bool) -> None:
    """List risk-disposal recommendations, newest first.

    A red project gets one when it turns red; it gets no other from the same source while
    that one is open.

    \b
    Example:
      ipflow recommendations list --status open --json
    """
    from workflow.check.recommendations import SOURCE_LABELS, list_recommendations
    from workflow.core.results import to_json

    rows = list_recommendations(invocation.app(), status)
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        source = _(SOURCE_LABELS[r.source]) if r.source in SOURCE_LABELS else r.source
        click.echo(
            f"#{r.id:<4} "
            + _("项目#{id} {title}（{unit}）{day} {source} {status}：{reason}").format(
                id=r.project_id,
                title=r.title,
                unit=r.unit,
                day=r.created_on,
                source=source,
                status=r.status,
                reason=r.reason,
            )
        )
