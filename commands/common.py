"""What the command modules share: the invocation, parameter types, JSON and terminal output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from commands.remote import Remote
    from workflow.core.context import AppContext
    from workflow.core.files import OutputFile
    from workflow.corrections.log import CorrectionView
    from workflow.money.figures import MoneyFigures


def _(message: str) -> str:
    """`message` (a Chinese msgid) in the language in force."""
    from workflow.core.i18n import _ as translate

    return translate(message)


@dataclass(frozen=True)
class Invocation:
    """What the global options chose for this run of ipflow: database, actor, configuration."""

    db_url: str
    actor: str
    config_path: str | None
    remote: Remote | None = None
    """The server the CLI works against (IPFLOW_URL), or None: the database directly."""

    def app(self, migrate: bool = False) -> AppContext:
        """Build the wiring the use cases run in: settings, engine, clock, actor.

        The schema must be current; with `migrate`, it is brought to the newest revision first.
        Against a server (IPFLOW_URL) there is no database here: the command is refused.
        The engine's connections are closed when the command ends (a PostgreSQL server sees a
        clean goodbye, not a dropped socket).
        """
        if self.remote is not None:
            raise self.remote.not_here(click.get_current_context().command_path.partition(" ")[2])
        from workflow.core.clock import clock_from_env, pinned_day
        from workflow.core.config import load_settings
        from workflow.core.context import AppContext
        from workflow.core.text import entry_text
        from workflow.db.engine import make_engine, require_schema, upgrade
        from workflow.db.orm import ProjectEvent
        from workflow.db.widths import width

        actor = entry_text(self.actor, _("操作人（--as）"), limit=width(ProjectEvent.actor))
        settings = load_settings(self.config_path)
        engine = make_engine(self.db_url)
        click.get_current_context().call_on_close(engine.dispose)
        if migrate:
            upgrade(engine)
        else:
            require_schema(engine)
        clock = clock_from_env()
        if (day := pinned_day()) is not None:
            click.echo(
                _("注意：日期按环境变量IPFLOW_TODAY固定为{day}，不是系统日期").format(day=day),
                err=True,
            )
        return AppContext(engine, settings, clock, actor)

    def output(self, path: str, force: bool) -> OutputFile:
        """The file a command is to write, checked now (see workflow.core.files)."""
        from workflow.core.files import OutputFile

        return OutputFile.for_command(path, force, self.db_url)


pass_invocation = click.make_pass_decorator(Invocation)
"""Hands a command the `Invocation` that the root group built from the global options."""


class DateType(click.ParamType[date, Any]):
    """A calendar date: 2027-03-01, 2027/3/1, 2027.3.1 or 2027年3月1日."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        from workflow.core.dates import parse_date

        if isinstance(value, date):
            return value
        from workflow.core.limits import day_problem

        try:
            day = parse_date(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        problem = day_problem(day)
        if problem:
            self.fail(problem, param, ctx)
        return day


class YearType(click.ParamType[int, Any]):
    """A programme year (2027), within the years ipflow takes (workflow.core.limits)."""

    name = "YEAR"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from workflow.core.limits import year_problem

        try:
            year = int(str(value).strip())
        except ValueError:
            self.fail(_("“{value}”不是年份").format(value=value), param, ctx)
        problem = year_problem(year)
        if problem:
            self.fail(problem, param, ctx)
        return year


class YuanType(click.ParamType[int, Any]):
    """An amount in whole yuan: 500000, 500,000, 50万, 3.8万元, ¥500,000.00."""

    name = "YUAN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from workflow.core.money import parse_yuan

        try:
            return parse_yuan(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class CodeType(click.ParamType[str, Any]):
    """A code of a list of choices, given as the code or as its Chinese label
    (`高价值专利培育项目` → high_value_patent); an unknown value is left for the use case to
    refuse with its list of choices."""

    name = "CODE"

    def __init__(self, labels: Callable[[], Mapping[str, str]]) -> None:
        self.labels = labels
        """Code → Chinese label, loaded only when a value is converted."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from workflow.core.codes import code_for

        return code_for(str(value), self.labels())


def _categories() -> dict[str, str]:
    from states.categories import CATEGORIES

    return {code: category.name for code, category in CATEGORIES.items()}


def _unit_kinds() -> dict[str, str]:
    from states.eligibility import UNIT_KINDS

    return UNIT_KINDS


def _record_kinds() -> dict[str, str]:
    from workflow.units.actions import RECORD_KINDS

    return RECORD_KINDS


DATE = DateType()
YEAR = YearType()
YUAN = YuanType()
CATEGORY = CodeType(_categories)
UNIT_KIND = CodeType(_unit_kinds)
RECORD_KIND = CodeType(_record_kinds)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
FORCE_OPTION = click.option(
    "--force", is_flag=True, help="Overwrite FILE when it exists (never a link or the database)."
)


def emit_json(document: Any) -> None:
    """Print `document` as the only thing on stdout."""
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def terminal(as_json: bool) -> Console | None:
    """A rich console on stdout when it is a terminal and --json is not given, else None."""
    if as_json or not sys.stdout.isatty():
        return None
    from rich.console import Console

    return Console()


@contextmanager
def working(console: Console | None, what: str) -> Iterator[None]:
    """A pulsing progress bar with the elapsed time while a long step runs (terminals only)."""
    if console is None:
        yield
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn(what), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        progress.add_task(what, total=None)
        yield


def summary_table(console: Console, title: str, rows: list[tuple[str, str]]) -> None:
    """A two-column table of what a command did, for the terminal."""
    from rich.table import Table

    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)


def local_time(moment: datetime) -> str:
    """A stored timestamp as Beijing time to the minute."""
    from workflow.core.clock import SHANGHAI

    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def flag_text(flag: str | None) -> str:
    """A flag's label in the language in force, or a dash before any check."""
    from workflow.check.rules import FLAG_LABELS

    return "—" if flag is None else _(FLAG_LABELS[flag])


def rate_text(rate: float | None) -> str:
    """A rate against the grant as a percentage, or a dash when there is no grant."""
    return "—" if rate is None else f"{rate:.2f}%"


def money_lines(m: MoneyFigures) -> list[str]:
    """A project's six money figures and its rates against the grant, as two lines of text."""
    return [
        _("申请金额{applied}元，核定资助{granted}元").format(
            applied=f"{m.applied:,}", granted=f"{m.granted:,}"
        ),
        _(
            "已拨付{disbursed}元（拨付率{disbursed_rate}），已支出{spent}元（支出率{spent_rate}），其中审核认可{accepted}元，已收回{recovered}元"
        ).format(
            disbursed=f"{m.disbursed:,}",
            disbursed_rate=rate_text(m.disbursed_rate),
            spent=f"{m.spent:,}",
            spent_rate=rate_text(m.spent_rate),
            accepted=f"{m.accepted:,}",
            recovered=f"{m.recovered:,}",
        ),
    ]


def correction_line(c: CorrectionView) -> str:
    """A correction on one line: when, who, what (before → after) and why."""
    from workflow.corrections.log import KINDS

    changes = _("；").join(
        f"{key}: {c.before.get(key, '—')} → {value}" for key, value in c.after.items()
    )
    subject = f"#{c.subject_id}" if c.subject_id is not None else ""
    note = f"  {c.note}" if c.note else ""
    return f"{local_time(c.at)} {c.actor}: {_(KINDS[c.kind])}{subject}（{changes}）{note}"
