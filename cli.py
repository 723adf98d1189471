"""The `ipflow` command line: the root group, its global options and the refusal → exit status 1."""

from __future__ import annotations

import gc
import getpass
import os
import sys
from typing import Any, NoReturn

import click

DEFAULT_DB = "sqlite:///ipflow.db"

COMMANDS: dict[str, tuple[str, str]] = {
    "budget": (
        "commands.budget:budget",
        "A project's budget lines and fund use; the contractor's budget review and evaluation.",
    ),
    "check": ("commands.check:check", "The nightly check."),
    "city": (
        "commands.city:city",
        "capability_city: ranking of the prefecture-level applications.",
    ),
    "db": ("commands.db:db", "Database schema commands."),
    "demo": (
        "commands.demo:demo",
        "Fill a fresh database with a realistic 2027 programme and run the nightly check once.",
    ),
    "disburse": (
        "commands.money:disburse_cmd",
        "Record a disbursement (拨付); never above the project's committed funding.",
    ),
    "evaluation": (
        "commands.performance:evaluation",
        "Performance evaluations (绩效评价) of monitored projects.",
    ),
    "expense": ("commands.money:expense", "Expenditures (支出) of projects and their review."),
    "indicator": (
        "commands.performance:indicator",
        "Performance indicators (绩效指标): targets, actuals, assessments.",
    ),
    "ledger": ("commands.ledger:ledger", "The progress ledger (进度台账)."),
    "login": (
        "commands.login:login",
        "Sign in to an ipflow server and keep its token for this user (IPFLOW_URL).",
    ),
    "logout": ("commands.login:logout", "Sign out of an ipflow server: its token is revoked."),
    "letters": ("commands.letters:letters", "Warning letters (预警告知书)."),
    "notify": ("commands.notify:notify", "Delivery of letters and notices from the outbox."),
    "plot": ("commands.plot:plot", "Charts of progress and flags (PNG or SVG)."),
    "programme": (
        "commands.programme:programme",
        "The programme year: budgets per category and their use.",
    ),
    "project": ("commands.project:project", "Create, import, list, show and advance projects."),
    "recommendations": (
        "commands.recommendations:recommendations",
        "Risk-disposal recommendations (风险处置建议) for the provincial office.",
    ),
    "report": ("commands.report:report", "Quarterly reports."),
    "risk": (
        "commands.risk:risk",
        "The register of risk points (风险点台账) for the semi-annual risk assessment.",
    ),
    "scheduler": ("commands.scheduler:scheduler", "The process that runs the nightly check."),
    "serve": (
        "commands.serve:serve",
        "Serve the web console at / and the REST API under /api/v1 (OpenAPI: /api/v1/openapi.json).",
    ),
    "unit": ("commands.unit:unit", "Units (applicants) and their credit records."),
    "user": (
        "commands.user:user",
        "Users and roles (admin, manager, unit, contractor, scheduler); refusals are logged.",
    ),
    "workflow": ("commands.workflow:workflow_group", "The lifecycle machines of the categories."),
}
"""Each command: where it is defined (module:attribute) and the first line of its help.

`ipflow --help` lists the commands from here, so it imports none of their modules; a command's
module is imported only when that command runs or shows its own help.
"""


def fail(message: str) -> NoReturn:
    """Print a refusal as one paragraph on stderr, secrets hidden, and exit with status 1."""
    from notifiers.base import redact

    click.echo(f"ipflow: {redact(message)}", err=True)
    sys.exit(1)


class IpflowGroup(click.Group):
    """The root group: loads a command from its module on first use, turns refusals into status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name][0].split(":")
        # __import__, unlike importlib.import_module, shows in `python -X importtime`.
        command = getattr(__import__(module, fromlist=[attribute]), attribute)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            # click suggests close names from the commands it holds; this group holds none.
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=COMMANDS, ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their short help, as click lays them out, from `COMMANDS` alone."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [
            (name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from workflow.core.config import ConfigError
        from workflow.core.errors import Refused
        from workflow.core.i18n import _
        from workflow.db.engine import DatabaseError, first_line

        try:
            return super().invoke(ctx)
        except (Refused, ConfigError, DatabaseError) as exc:
            fail(str(exc))
        except SQLAlchemyError as exc:
            detail = first_line(getattr(exc, "orig", None) or exc)
            fail(_("数据库操作失败，未做任何修改：{detail}").format(detail=detail))
        except BrokenPipeError:
            # The reader went away (`ipflow … | head -1`): nothing more to tell it, and
            # nothing to report. Point stdout at /dev/null so the exit's flush stays quiet, and
            # end as tools killed by SIGPIPE do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(128 + 13)
        except OSError as exc:
            fail(_("文件或网络操作失败：{error}").format(error=exc))


@click.group(cls=IpflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="SQLAlchemy database URL (else $IPFLOW_DB, else sqlite:///ipflow.db).",
)
@click.option(
    "--as", "actor", metavar="USER", help="Who is acting (else $IPFLOW_USER, else OS user)."
)
@click.option(
    "--config",
    "config_path",
    metavar="FILE",
    help="TOML configuration (else $IPFLOW_CONFIG, else ./ipflow.toml, else defaults).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    envvar="IPFLOW_LANG",
    help="Language of messages: zh or en (else $IPFLOW_LANG, else the locale, else zh).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    db_url: str | None,
    actor: str | None,
    config_path: str | None,
    lang: str | None,
) -> None:
    """ipflow: projects of the Guizhou IP utilisation-promotion programme, application to closure.

    With IPFLOW_URL set, the commands the REST API covers go through that server as the user of
    the token (IPFLOW_TOKEN, or the one `ipflow login` kept); the others need the database.

    \b
    Example:
      ipflow db upgrade
      ipflow project create --category high_value_patent --title 磷化工专利培育 \\
          --unit 贵州大学 --start 2027-01-01 --end 2028-12-31 --budget 500000
      ipflow check run --today 2027-06-30 --json
      ipflow --lang en project show 3
    """
    from commands.common import Invocation
    from workflow.core.i18n import _, choose_language, language

    chosen = choose_language(lang, os.environ)
    ctx.with_resource(language(chosen))
    remote = None
    if url := os.environ.get("IPFLOW_URL"):
        from commands.remote import Remote

        remote = Remote.from_env(url, os.environ, chosen)
        for option, given in (("--db", db_url), ("--as", actor)):
            if given is not None:
                fail(
                    _(
                        "已设置 IPFLOW_URL={url}：命令通过服务器执行，操作人是访问令牌的用户，不能同时用 {option}。直接访问数据库（服务器运维人员的方式）请先取消 IPFLOW_URL"
                    ).format(url=remote.url, option=option)
                )
    ctx.obj = Invocation(
        db_url=db_url or os.environ.get("IPFLOW_DB") or DEFAULT_DB,
        actor=actor or os.environ.get("IPFLOW_USER") or getpass.getuser(),
        config_path=config_path,
        remote=remote,
    )


def main() -> None:
    """Console-script entry point."""
    # What is loaded so far (click and the root group) lives as long as the process: moved out
    # of the cyclic collector's reach, it is not traversed again by every collection that the
    # imports of a command set off (a sixth of a short command's time).
    gc.freeze()
    cli(prog_name="ipflow")
