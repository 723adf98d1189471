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
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the web sign-in password from standard input (its first line).",
)
@JSON_OPTION
@pass_invocation
def user_add(
    invocation: Invocation,
    name: str,
    role: str,
    unit_name: str | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Register a user with a role. The first user must be an admin; from then on roles apply.

    \b
    Example:
      ipflow user add 王处长 --role admin
      ipflow --as 王处长 user add 贵州大学科技处 --role unit --unit 贵州大学
      printf '%s\n' "$PASSWORD" | ipflow --as 王处长 user add 张三 --role manager --password-stdin
    """
    from workflow.access.actions import add_user

    password = read_password() if password_stdin else None
    result = add_user(invocation.app(), name, role, unit_name, password)
    if as_json:
        emit_json(result.as_json())
    else:
        unit_text = _("，单位：{unit}").format(unit=result.unit) if result.unit else ""
        click.echo(
            _("已登记用户“{name}”，角色：{role}").format(name=result.name, role=result.role)
            + unit_text
        )


def read_password(from_stdin: bool = True) -> str:
    """The password on standard input's first line, or else asked for twice."""
    import sys

    if not from_stdin:
        return str(click.prompt(_("密码"), hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise click.UsageError(_("标准输入中没有密码：请在第一行给出密码"))
    return password


@user.command("password")
@click.argument("name")
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the new password from standard input instead of asking for it.",
)
@click.option(
    "--reset-2fa",
    "reset_2fa",
    is_flag=True,
    help="Also forget the user's authenticator: they set up a new one at the next sign-in.",
)
@JSON_OPTION
@pass_invocation
def user_password(
    invocation: Invocation, name: str, password_stdin: bool, reset_2fa: bool, as_json: bool
) -> None:
    """Set or reset a user's web sign-in password (the admin); unlocks a locked account.

    \b
    Example:
      ipflow --as 王处长 user password 贵州大学科技处
      printf '%s\n' "$PASSWORD" | ipflow --as 王处长 user password 张三 --password-stdin --reset-2fa
    """
    from workflow.auth.actions import reset_authenticator, set_password

    password = read_password(password_stdin)
    app = invocation.app()
    result = set_password(app, name, password)
    if reset_2fa:
        reset_authenticator(app, name)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(_("已设置用户“{name}”的登录密码").format(name=result.name))
        if reset_2fa:
            click.echo(_("已清除其动态验证码设备，下次登录时重新绑定"))


@user.group("token")
def user_token() -> None:
    """API tokens for scripts and the CLI against a server (IPFLOW_URL)."""


@user_token.command("create")
@click.argument("name", required=False)
@click.option("--label", default="", help="What the token is for (shown in the list).")
@click.option("--days", type=int, help="Days until it expires (else [web] token_days, 90).")
@JSON_OPTION
@pass_invocation
def token_create(
    invocation: Invocation, name: str | None, label: str, days: int | None, as_json: bool
) -> None:
    """Issue an API token: to oneself, or (the admin) to the user NAME. Shown this once.

    \b
    Example:
      ipflow --as 王处长 user token create 统计脚本 --label 月报 --days 30
      export IPFLOW_TOKEN=$(ipflow user token create --json | jq -r .token)
    """
    from workflow.auth.actions import issue_own_token, issue_token

    app = invocation.app()
    result = issue_token(app, name, label, days) if name else issue_own_token(app, label, days)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(result.token)
        click.echo(
            _("令牌#{id}（用户“{user}”）有效期至{expires}；它只显示这一次").format(
                id=result.id, user=result.user, expires=local_time(result.expires_at)
            ),
            err=True,
        )


@user_token.command("list")
@click.option("--all", "everyone", is_flag=True, help="Every user's tokens (the admin).")
@JSON_OPTION
@pass_invocation
def token_list(invocation: Invocation, everyone: bool, as_json: bool) -> None:
    """List API tokens (never their secrets): one's own, or with --all everyone's.

    \b
    Example:
      ipflow user token list --all
    """
    from workflow.auth.actions import list_tokens
    from workflow.core.results import to_json

    rows = list_tokens(invocation.app(), everyone)
    if as_json:
        emit_json(to_json(rows))
        return
    if not rows:
        click.echo(_("没有令牌"))
    for r in rows:
        state = _("已吊销") if r.revoked_at else _("至{at}").format(at=local_time(r.expires_at))
        click.echo(f"#{r.id} {r.user} {r.label} {state}")


@user_token.command("revoke")
@click.argument("token_id", type=int)
@JSON_OPTION
@pass_invocation
def token_revoke(invocation: Invocation, token_id: int, as_json: bool) -> None:
    """Revoke an API token at once: one's own, or any (the admin).

    \b
    Example:
      ipflow user token revoke 3
    """
    from workflow.auth.actions import revoke_token

    result = revoke_token(invocation.app(), token_id)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(_("已吊销令牌#{id}").format(id=result.id))


@user.command("sign-ins")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10000))
@JSON_OPTION
@pass_invocation
def user_sign_ins(invocation: Invocation, limit: int, as_json: bool) -> None:
    """The latest sign-in attempts on the web console and the API, newest first (the admin).

    \b
    Example:
      ipflow user sign-ins --limit 20
    """
    from workflow.auth.actions import list_sign_ins
    from workflow.core.results import to_json

    rows = list_sign_ins(invocation.app(), limit)
    if as_json:
        emit_json(to_json(rows))
        return
    if not rows:
        click.echo(_("没有登录记录"))
    for r in rows:
        click.echo(f"{local_time(r.at)} {r.via:<4} {r.outcome:<12} {r.name} {r.address or ''}")


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
