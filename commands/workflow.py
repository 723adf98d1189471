"""ipflow workflow: the lifecycle machines of the categories."""

from __future__ import annotations

import click

from commands.common import JSON_OPTION, _, emit_json


@click.group("workflow")
def workflow_group() -> None:
    """The lifecycle machines of the categories."""


@workflow_group.command("show")
@click.argument("category")
@JSON_OPTION
def workflow_show(category: str, as_json: bool) -> None:
    """Print a category's states, transitions (with guards and effects) and a Mermaid diagram.

    \b
    Example:
      ipflow workflow show gi_brand
    """
    from states.diagram import describe_definition
    from workflow.core.errors import Refused

    try:
        document = describe_definition(category)
    except KeyError:
        from states.categories import CATEGORIES

        raise Refused(
            _("未知的项目类别“{category}”；可选：{choices}").format(
                category=category, choices=", ".join(CATEGORIES)
            )
        ) from None
    if as_json:
        emit_json(document)
        return
    click.echo(_("{category}（{name}），定义版本{version}").format(**document))
    click.echo(_("状态：{states}").format(states=_("、").join(document["states"])))
    click.echo(_("转换："))
    for t in document["transitions"]:
        conditions = _("；").join(t["guards"])
        guards = "  " + _("[条件：{guards}]").format(guards=conditions) if t["guards"] else ""
        money = "  (--amount)" if t["amount"] else ""
        effects = "  " + _("[效果：{effects}]").format(effects=_("、").join(t["effects"]))
        effects = effects if t["effects"] else ""
        click.echo(
            f"  {t['trigger']:<20} {' | '.join(t['from'])} → {t['to']}{money}{guards}{effects}"
        )
    click.echo("\nMermaid:\n" + document["mermaid"])
