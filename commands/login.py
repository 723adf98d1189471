"""ipflow login / logout: sign in to a server and keep its token for this user, or drop it."""

from __future__ import annotations

import os
import sys

import click

from commands.common import _


def _server(url: str | None) -> str:
    from commands.remote import normal_url

    chosen = url or os.environ.get("IPFLOW_URL")
    if not chosen:
        raise click.UsageError(_("请用 --url 指定服务器地址（或设置 IPFLOW_URL）"))
    if not chosen.startswith(("http://", "https://")):
        raise click.BadParameter(
            _("服务器地址须以 http:// 或 https:// 开头，得到“{url}”").format(url=chosen),
            param_hint="--url",
        )
    return normal_url(chosen)


@click.command("login")
@click.option(
    "--url", metavar="URL", help="The server, e.g. https://ipflow.example.org (else $IPFLOW_URL)."
)
@click.option("--name", help="Your user name (asked when not given).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--code", default="", help="The authenticator's code, where your role needs one.")
def login(url: str | None, name: str | None, password_stdin: bool, code: str) -> None:
    """Sign in to an ipflow server and keep its token for this user (IPFLOW_URL).

    The token goes in ~/.config/ipflow/credentials.json (or under $XDG_CONFIG_HOME), readable
    by you only. Commands then work against the server when IPFLOW_URL names it, acting as
    you: no database credentials are needed on this machine.

    \b
    Example:
      ipflow login --url https://ipflow.example.org --name 贵大科技处
      export IPFLOW_URL=https://ipflow.example.org
      ipflow project list
    """
    from commands.remote import Remote, credentials_path, read_credentials, write_credentials
    from workflow.core.errors import Refused

    server = _server(url)
    user = name or click.prompt(_("用户名"))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(_("密码"), hide_input=True)
    remote = Remote(server, None)
    form = {"username": user, "password": password, "code": code}
    answer = remote.request("POST", "/token", form=form).json()
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str):
        raise Refused(_("服务器{url}没有返回访问令牌").format(url=server))
    me = remote.request("GET", "/me", token=token).json()
    path = credentials_path(os.environ)
    entries = read_credentials(path)
    entries[server] = {"token": token, "user": me["name"], "expires_at": answer["expires_at"]}
    write_credentials(path, entries)
    click.echo(
        _("已以“{user}”（{role}）登录{url}，令牌保存在{path}，有效期至{expires}").format(
            user=me["name"],
            role=me["role_name"],
            url=server,
            path=path,
            expires=answer["expires_at"][:10],
        )
    )
    if os.environ.get("IPFLOW_URL", "").rstrip("/") != server:
        click.echo(_("请设置 export IPFLOW_URL={url}，命令即通过该服务器执行").format(url=server))


@click.command("logout")
@click.option("--url", metavar="URL", help="The server (else $IPFLOW_URL).")
def logout(url: str | None) -> None:
    """Sign out of an ipflow server: its token is revoked.

    The token kept by `ipflow login` is revoked on the server and removed from the
    credentials file.

    \b
    Example:
      ipflow logout --url https://ipflow.example.org
    """
    from commands.remote import Remote, credentials_path, read_credentials, write_credentials
    from workflow.core.errors import Refused

    server = _server(url)
    path = credentials_path(os.environ)
    entries = read_credentials(path)
    kept = entries.pop(server, None)
    if kept is None:
        click.echo(_("本机没有{url}的登录令牌").format(url=server))
        return
    write_credentials(path, entries)
    try:
        Remote(server, kept["token"]).request("DELETE", "/token")
    except Refused as refused:
        raise Refused(
            _("已从本机删除{url}的登录令牌，但未能在服务器上吊销它：{reason}").format(
                url=server, reason=refused
            )
        ) from None
    click.echo(_("已退出{url}，令牌已吊销").format(url=server))
