"""ipflow db: create or migrate the schema."""

from __future__ import annotations

import click

from commands.common import Invocation, _, pass_invocation


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@pass_invocation
def db_upgrade(invocation: Invocation) -> None:
    """Create or migrate the schema to the newest revision; safe to run again.

    \b
    Example:
      ipflow --db postgresql+psycopg://postgres@127.0.0.1:5432/test db upgrade
    """
    from workflow.db.engine import current_revision, make_engine, upgrade

    engine = make_engine(invocation.db_url)
    try:
        before = current_revision(engine)
        revision = upgrade(engine)
    except Exception as exc:
        if type(exc).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):
            from workflow.db.engine import DatabaseError, first_line, hide_secrets

            error = hide_secrets(first_line(exc), invocation.db_url)
            raise DatabaseError(_("无法迁移数据库：{error}").format(error=error)) from None
        raise
    finally:
        engine.dispose()
    if before == revision:
        click.echo(_("数据库结构已是最新版本（{revision}）").format(revision=revision))
    elif before is None:
        click.echo(_("数据库结构已创建（{revision}）").format(revision=revision))
    else:
        click.echo(
            _("数据库结构已从{before}升级到{revision}").format(before=before, revision=revision)
        )
