"""ipflow risk: the register of risk points (风险点台账) for the semi-annual risk assessment."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from commands.common import JSON_OPTION, Invocation, _, emit_json, pass_invocation

if TYPE_CHECKING:
    from workflow.risks.actions import RiskPointView


@click.group()
def risk() -> None:
    """The register of risk points (风险点台账) for the semi-annual risk assessment."""


def _lines(r: RiskPointView) -> list[str]:
    """A risk point as `list` prints it: the headline, owner and action, then each change."""
    from workflow.risks.rules import LEVELS, STATUSES

    where = (
        _("全局")
        if r.project_id is None
        else _("项目#{id} {title}（{unit}）").format(id=r.project_id, title=r.title, unit=r.unit)
    )
    lines = [
        f"#{r.id:<4} "
        + _("[{level}] {where}：{point}（{day}登记，{status}）").format(
            level=_(LEVELS[r.level]),
            where=where,
            point=r.point,
            day=r.identified_on,
            status=_(STATUSES[r.status]),
        ),
        "      " + _("责任方：{owner}；应对措施：{action}").format(owner=r.owner, action=r.action),
    ]
    for c in r.changes:
        lines.append(
            "      "
            + _("{day} {actor}：{from_status}→{to_status}，{from_level}→{to_level}").format(
                day=c.day,
                actor=c.actor,
                from_status=_(STATUSES[c.from_status]),
                to_status=_(STATUSES[c.to_status]),
                from_level=_(LEVELS[c.from_level]),
                to_level=_(LEVELS[c.to_level]),
            )
            + (_("；{note}").format(note=c.note) if c.note else "")
        )
    return lines


@risk.command("add")
@click.option("--project", "project_id", type=int, metavar="ID", help="The project concerned.")
@click.option("--point", required=True, metavar="TEXT", help="The risk point (风险点).")
@click.option("--level", required=True, metavar="high|medium|low", help="Its level.")
@click.option("--owner", required=True, metavar="TEXT", help="Who acts on it (责任方).")
@click.option("--action", required=True, metavar="TEXT", help="What is done (应对措施).")
@JSON_OPTION
@pass_invocation
def risk_add(
    invocation: Invocation,
    project_id: int | None,
    point: str,
    level: str,
    owner: str,
    action: str,
    as_json: bool,
) -> None:
    """Enter a risk point in the register, identified today and open.

    Without --project the point concerns the whole programme. The risk-assessment report of
    a half-year (report periodic --kind risk) lists the points identified by its end and not
    closed before it began, with their level, owner, action and status.

    \b
    Example:
      ipflow risk add --project 3 --point 设备采购集中于年末，存在突击花钱风险 --level high \\
          --owner 风险防控机构项目组 --action 按季度核查设备采购合同与付款凭证
    """
    from workflow.risks.actions import add_risk

    result = add_risk(invocation.app(), project_id, point, level, owner, action)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo("\n".join(_lines(result)))


@risk.command("list")
@click.option("--status", metavar="open|closed", help="Only the points with this status.")
@click.option("--project", "project_id", type=int, metavar="ID", help="Only this project's.")
@JSON_OPTION
@pass_invocation
def risk_list(
    invocation: Invocation, status: str | None, project_id: int | None, as_json: bool
) -> None:
    """List the register's risk points, newest first, each with its changes.

    A unit user sees the points of its own projects only.

    \b
    Example:
      ipflow risk list --status open --json
    """
    from workflow.core.results import to_json
    from workflow.risks.actions import list_risks

    rows = list_risks(invocation.app(), status, project_id)
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        click.echo("\n".join(_lines(r)))


@risk.command("update")
@click.argument("risk_id", type=int, metavar="ID")
@click.option("--status", metavar="open|closed", help="Close the point, or reopen it.")
@click.option("--level", metavar="high|medium|low", help="Its reassessed level.")
@click.option("--note", default="", metavar="TEXT", help="How it was handled (required to close).")
@JSON_OPTION
@pass_invocation
def risk_update(
    invocation: Invocation,
    risk_id: int,
    status: str | None,
    level: str | None,
    note: str,
    as_json: bool,
) -> None:
    """Close or reopen a risk point, or reassess its level, today.

    A change of status needs --note; each change is kept, so a report of a past half-year
    shows the points as they stood at its end.

    \b
    Example:
      ipflow risk update 2 --status closed --note 已完成整改并经现场核查
    """
    from workflow.risks.actions import update_risk

    result = update_risk(invocation.app(), risk_id, status, level, note)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo("\n".join(_lines(result)))
