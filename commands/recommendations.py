"""ipflow recommendations: risk-disposal recommendations for the provincial office."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from commands.common import JSON_OPTION, Invocation, _, emit_json, pass_invocation

if TYPE_CHECKING:
    from workflow.check.recommendations import RecommendationView


@click.group()
def recommendations() -> None:
    """Risk-disposal recommendations (风险处置建议) for the provincial office."""


def _lines(r: RecommendationView) -> list[str]:
    """A recommendation as `list` prints it: the headline, its contingency plan, its handling."""
    from workflow.check.recommendations import SOURCE_LABELS

    source = _(SOURCE_LABELS[r.source]) if r.source in SOURCE_LABELS else r.source
    lines = [
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
    ]
    if r.contingency:
        lines.append("      " + _("风险预案：{plan}").format(plan=r.contingency))
    if r.handled_on is not None:
        handled = _("{day} {actor}办结，处置决定：{decision}").format(
            day=r.handled_on, actor=r.handled_by, decision=r.decision
        )
        if r.note:
            handled += _("；处置备注：{note}").format(note=r.note)
        lines.append("      " + handled)
    return lines


@recommendations.command("list")
@click.option("--status", help="open or handled.")
@JSON_OPTION
@pass_invocation
def recommendations_list(invocation: Invocation, status: str | None, as_json: bool) -> None:
    """List risk-disposal recommendations, newest first, with the contingency plan (风险预案)
    each carries and, once handled, the office's decision.

    A red project gets one when it turns red; it gets no other from the same source while
    that one is open, nor while it stays red after the office handled it.

    \b
    Example:
      ipflow recommendations list --status open --json
    """
    from workflow.check.recommendations import list_recommendations
    from workflow.core.results import to_json

    rows = list_recommendations(invocation.app(), status)
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        click.echo("\n".join(_lines(r)))


@recommendations.command("handle")
@click.argument("recommendation_id", type=int, metavar="ID")
@click.option("--decision", required=True, help="The provincial office's decision (处置决定).")
@click.option("--note", help="A note on the decision (备注).")
@JSON_OPTION
@pass_invocation
def recommendations_handle(
    invocation: Invocation, recommendation_id: int, decision: str, note: str | None, as_json: bool
) -> None:
    """Record the provincial office's decision on an open recommendation, which closes it.

    Only the office (role admin) handles recommendations; one already handled is refused. A
    project that turns red again afterwards gets a new one.

    \b
    Example:
      ipflow recommendations handle 4 --decision 暂停拨付第二期资金，责令三个月内整改 \\
          --note 经2027年7月15日局务会研究
    """
    from workflow.check.recommendations import handle_recommendation

    result = handle_recommendation(invocation.app(), recommendation_id, decision, note)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(
        _("风险处置建议#{id}（项目#{project_id}）已办结，处置决定：{decision}").format(
            id=result.id, project_id=result.project_id, decision=result.decision
        )
    )
