"""ipflow user: users, roles and the refusals logged."""

from __future__ import annotations

import click

from commands.common import JSON_OPTION, Invocation, _, emit_json, local_time, pass_invocation

ROLE_CODES = ("admin", "manager", "unit", "contractor", "scheduler")
"""The roles of workflow.access.rules.ROLES, spelled here so that --help imports no domain."""


@click.group()
def user() -> None:
    """Users and roles (admin, manager, unit, contractor, scheduler); refusals are logged."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(ROLE_CODES),
    help="admin 省知识产权局, manager 项目管理员, unit 项目承担单位, contractor 风险防控机构, "
    "scheduler 定时任务 (the nightly check's process).",
)
@click.option("--unit", "unit_name", metavar="UNIT", help="The registered unit of a unit user.")
@JSON_OPTION
@pass_invocation
def user_add(
    invocation: Invocation, name: str, role: str, unit_name: str | None, as_json: bool
) -> None:
    """Register a user with a role. The first user must be an admin; from then on roles apply.

    \b
    Example:
      ipflow user add 王处长 --role admin
      ipflow --as 王处长 user add 贵州大学科技处 --role unit --unit 贵州大学
    """
    from workflow.access.actions import add_user

    result = add_user(invocation.app(), name, role, unit_name)
    if as_json:
        emit_json(result.as_json())
    else:
        unit_text = _("，单位：{unit}").format(unit=result.unit) if result.unit else ""
        click.echo(
            _("已登记用户“{name}”，角色：{role}").format(name=result.name, role=result.role)
            + unit_text
        )


@user.command("list")
@JSON_OPTION
@pass_invocation
def user_list(invocation: Invocation, as_json: bool) -> None:
    """List users with their role, unit and whether they are active.

    \b
    Example:
      ipflow user list --json
    """
    from workflow.access.actions import list_users
    from workflow.core.results import to_json

    rows = list_users(invocation.app())
    if as_json:
        emit_json(to_json(rows))
        return
    if not rows:
        click.echo(_("尚未登记用户：单用户模式，操作人可执行一切操作"))
    for r in rows:
        state = _("在用") if r.active else _("已停用（{by}）").format(by=r.disabled_by)
        click.echo(f"{r.name:<16} {r.role:<10} {r.unit or '—'}  {state}")


@user.command("disable")
@click.argument("name")
@JSON_OPTION
@pass_invocation
def user_disable(invocation: Invocation, name: str, as_json: bool) -> None:
    """Disable a user: they may no longer act. The last active admin cannot be disabled.

    \b
    Example:
      ipflow user disable 李某
    """
    from workflow.access.actions import disable_user

    result = disable_user(invocation.app(), name)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(_("已停用用户“{name}”").format(name=result.name))


@user.command("refusals")
@JSON_OPTION
@pass_invocation
def user_refusals(invocation: Invocation, as_json: bool) -> None:
    """List the actions refused for lack of permission: who, what, when and why.

    \b
    Example:
      ipflow user refusals --json
    """
    from workflow.access.actions import list_refusals
    from workflow.core.results import to_json

    rows = list_refusals(invocation.app())
    if as_json:
        emit_json(to_json(rows))
        return
    if not rows:
        click.echo(_("没有被拒绝的操作"))
    for r in rows:
        target = " " + _("项目#{id}").format(id=r.project_id) if r.project_id is not None else ""
        click.echo(f"{local_time(r.at)} {r.actor} {r.action}{target}：{r.reason}")


@user.command("rights")
@click.option("--role", type=click.Choice(ROLE_CODES), help="Only this role's column.")
@JSON_OPTION
def user_rights(role: str | None, as_json: bool) -> None:
    """Print the permission table: what each role may do (all / own unit only / monitored
    projects only / no).

    \b
    Example:
      ipflow user rights
      ipflow user rights --role unit --json
    """
    from workflow.access.rules import IN_SCOPE, OWN, PERMISSIONS, ROLES, USE_CASES

    roles = [role] if role else list(ROLES)
    if as_json:
        emit_json({action: {r: row[r] for r in roles} for action, row in PERMISSIONS.items()})
        return
    marks = {"allow": "✓", OWN: _("本单位"), IN_SCOPE: _("监测范围"), "deny": "—"}
    click.echo((" " * 22 + "".join(_pad(r, 12) for r in roles)).rstrip())
    for index, (action, row) in enumerate(PERMISSIONS.items()):
        if index == len(USE_CASES):
            click.echo(_("生命周期操作（project advance）："))
        click.echo((_pad(action, 22) + "".join(_pad(marks[row[r]], 12) for r in roles)).rstrip())


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    from unicodedata import east_asian_width

    used = sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 1)
