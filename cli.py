"""The `ipflow` command line: parse options, call one use case, print the result."""

from __future__ import annotations

import gc
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from rich.console import Console

    from workflow.core.context import AppContext

DEFAULT_DB = "sqlite:///ipflow.db"


def _(message: str) -> str:
    """`message` (a Chinese msgid) in the language in force."""
    from workflow.core.i18n import _ as translate

    return translate(message)


class DateType(click.ParamType[date, Any]):
    """A YYYY-MM-DD calendar date."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(_("“{value}”不是YYYY-MM-DD格式的日期").format(value=value), param, ctx)


class YuanType(click.ParamType[int, Any]):
    """An amount in whole yuan (500000 = 50万)."""

    name = "YUAN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from workflow.core.money import parse_yuan

        try:
            return parse_yuan(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()
YUAN = YuanType()
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


def fail(message: str) -> NoReturn:
    """Print a refusal as one paragraph on stderr and exit with status 1."""
    click.echo(f"ipflow: {message}", err=True)
    sys.exit(1)


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


class IpflowGroup(click.Group):
    """A click group that turns every refusal into a one-paragraph message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from workflow.core.config import ConfigError
        from workflow.core.errors import Refused
        from workflow.db.engine import DatabaseError

        try:
            return super().invoke(ctx)
        except (Refused, ConfigError, DatabaseError) as exc:
            fail(str(exc))
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            fail(_("数据库操作失败，未做任何修改：{detail}").format(detail=detail))
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

    \b
    Example:
      ipflow db upgrade
      ipflow project create --category high_value_patent --title 磷化工专利培育 \\
          --unit 贵州大学 --start 2027-01-01 --end 2028-12-31 --budget 500000
      ipflow check run --today 2027-06-30 --json
      ipflow --lang en project show 3
    """
    from workflow.core.i18n import choose_language, language

    ctx.with_resource(language(choose_language(lang, os.environ)))
    ctx.obj = {
        "db": db_url or os.environ.get("IPFLOW_DB") or DEFAULT_DB,
        "actor": actor or os.environ.get("IPFLOW_USER") or getpass.getuser(),
        "config": config_path,
    }


def app(ctx: click.Context, migrate: bool = False) -> AppContext:
    """Build the wiring for this invocation: settings, engine, clock, actor."""
    from workflow.core.clock import clock_from_env
    from workflow.core.config import load_settings
    from workflow.core.context import AppContext
    from workflow.db.engine import make_engine, require_schema, upgrade

    settings = load_settings(ctx.obj["config"])
    engine = make_engine(ctx.obj["db"])
    if migrate:
        upgrade(engine)
    else:
        require_schema(engine)
    return AppContext(engine, settings, clock_from_env(), ctx.obj["actor"])


# ---------------------------------------------------------------- db


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the schema to the newest revision; safe to run again.

    \b
    Example:
      ipflow --db postgresql+psycopg://postgres@127.0.0.1:5432/test db upgrade
    """
    from workflow.db.engine import current_revision, make_engine, upgrade

    engine = make_engine(ctx.obj["db"])
    try:
        before = current_revision(engine)
        revision = upgrade(engine)
    except Exception as exc:
        if type(exc).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):
            from workflow.db.engine import DatabaseError

            raise DatabaseError(
                _("无法迁移数据库：{error}").format(error=str(exc).splitlines()[0])
            ) from None
        raise
    if before == revision:
        click.echo(_("数据库结构已是最新版本（{revision}）").format(revision=revision))
    elif before is None:
        click.echo(_("数据库结构已创建（{revision}）").format(revision=revision))
    else:
        click.echo(
            _("数据库结构已从{before}升级到{revision}").format(before=before, revision=revision)
        )


# ---------------------------------------------------------------- demo


@cli.command()
@click.option(
    "--today",
    type=DATE,
    default="2027-09-30",
    show_default=True,
    help="The logical date of the demo's nightly check.",
)
@click.pass_context
def demo(ctx: click.Context, today: date) -> None:
    """Fill a fresh database with a realistic 2027 programme and run the nightly check once.

    \b
    Example:
      ipflow --db sqlite:///demo.db demo --today 2027-09-30
    """
    from workflow.demo.programme import build_demo

    summary = build_demo(app(ctx, migrate=True), today)
    click.echo(summary)


# ---------------------------------------------------------------- units


@cli.group()
def unit() -> None:
    """Units (applicants) and their credit records."""


@unit.command("add")
@click.argument("name")
@click.option(
    "--kind",
    default="enterprise",
    show_default=True,
    help="enterprise, university, institute, association, service_org or authority.",
)
@click.option("--contact-email", metavar="EMAIL", help="Where letters and notices go.")
@click.pass_context
def unit_add(ctx: click.Context, name: str, kind: str, contact_email: str | None) -> None:
    """Register a unit.

    \b
    Example:
      ipflow unit add 贵州大学 --kind university --contact-email kjc@gzu.edu.cn
    """
    from workflow.units.actions import add_unit

    unit_id = add_unit(app(ctx), name, kind, contact_email)
    click.echo(_("已登记单位#{id}：{name}").format(id=unit_id, name=name))


@unit.command("list")
@JSON_OPTION
@click.pass_context
def unit_list(ctx: click.Context, as_json: bool) -> None:
    """List units with their number of credit records in force.

    \b
    Example:
      ipflow unit list --json
    """
    from workflow.units.actions import list_units

    rows = list_units(app(ctx))
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        count = r["active_records"]
        flag = _("  有效信用记录{count}条").format(count=count) if count else ""
        click.echo(
            f"#{r['id']:<5} " + _("{name}（{kind}）").format(name=r["name"], kind=r["kind"]) + flag
        )


@unit.group("record")
def unit_record() -> None:
    """A unit's credit records (行政处罚, 经营异常, 严重失信, 失信名单, 限制申报)."""


@unit_record.command("add")
@click.argument("unit_name", metavar="UNIT")
@click.option(
    "--kind",
    required=True,
    help="penalty, abnormal_operation, serious_dishonesty, blacklist or restricted.",
)
@click.option("--start", type=DATE, required=True, help="First day the record is in force.")
@click.option("--end", type=DATE, help="Last day in force (open-ended when left out).")
@click.option("--note", default="", help="Source and details.")
@click.pass_context
def unit_record_add(
    ctx: click.Context, unit_name: str, kind: str, start: date, end: date | None, note: str
) -> None:
    """Record an adverse credit finding; `approve` is refused while it is in force.

    \b
    Example:
      ipflow unit record add 某科技公司 --kind abnormal_operation --start 2027-03-01 \\
          --end 2027-12-31 --note 信用中国公示
    """
    from workflow.units.actions import add_record

    record_id = add_record(app(ctx), unit_name, kind, start, end, note)
    click.echo(_("已记录信用记录#{id}").format(id=record_id))


@unit_record.command("list")
@click.argument("unit_name", metavar="UNIT")
@JSON_OPTION
@click.pass_context
def unit_record_list(ctx: click.Context, unit_name: str, as_json: bool) -> None:
    """List a unit's credit records.

    \b
    Example:
      ipflow unit record list 某科技公司 --json
    """
    from workflow.units.actions import RECORD_KINDS, list_records

    records = list_records(app(ctx), unit_name)
    if as_json:
        emit_json([r.__dict__ for r in records])
        return
    if not records:
        click.echo(_("{unit}没有信用记录").format(unit=unit_name))
    for r in records:
        state = _("有效") if r.active else _("已失效")
        period = _("{start}至{end}").format(start=r.start, end=r.end or _("长期"))
        click.echo(f"#{r.id} {_(RECORD_KINDS[r.kind])} {period} {state} {r.note}")


# ---------------------------------------------------------------- projects


@cli.group()
def project() -> None:
    """Create, import, list, show and advance projects."""


def _read_plan(path: str | None, start: date, end: date) -> list[Any]:
    from workflow.core.errors import Refused
    from workflow.projects.plans import PlanError, parse_plan

    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise Refused(
            _("无法读取计划文件{path}：{reason}").format(path=path, reason=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise Refused(_("计划文件{path}不是UTF-8编码的CSV").format(path=path)) from None
    try:
        return parse_plan(text, start, end, source=path)
    except PlanError as exc:
        raise Refused(
            _("计划文件有误：{problems}").format(problems=_("；").join(exc.problems))
        ) from None


@project.command("create")
@click.option("--category", required=True, help="Category code, e.g. high_value_patent.")
@click.option("--title", required=True, help="Project title.")
@click.option("--unit", "unit_name", required=True, help="Applicant unit (registered if new).")
@click.option("--start", type=DATE, required=True, help="First day of the term.")
@click.option("--end", type=DATE, required=True, help="Last day of the term.")
@click.option("--budget", type=YUAN, required=True, help="Budget in yuan (500000 = 50万).")
@click.option("--plan", "plan_path", metavar="FILE.csv", help="Plan CSV: task,start,due[,weight].")
@click.option("--contact-email", metavar="EMAIL", help="Where this project's letters go.")
@JSON_OPTION
@click.pass_context
def project_create(
    ctx: click.Context,
    category: str,
    title: str,
    unit_name: str,
    start: date,
    end: date,
    budget: int,
    plan_path: str | None,
    contact_email: str | None,
    as_json: bool,
) -> None:
    """Create a project in state `applied`.

    \b
    Example:
      ipflow project create --category data_ip_chain --title 磷化工产业链数据知识产权强链 \\
          --unit 贵州磷化（集团）有限责任公司 --start 2027-01-01 --end 2027-12-31 \\
          --budget 300000 --plan plan.csv --json
    """
    from workflow.projects.actions import NewProject, create

    result = create(
        app(ctx),
        NewProject(
            category,
            title,
            unit_name,
            start,
            end,
            budget,
            _read_plan(plan_path, start, end),
            contact_email,
        ),
    )
    if as_json:
        emit_json(result)
    else:
        click.echo(
            _("已创建项目#{id}，状态：{state}").format(id=result["id"], state=result["state"])
        )


@project.command("import")
@click.argument("path", metavar="FILE")
@click.option(
    "--plan",
    "plan_path",
    metavar="FILE.csv",
    help="Plan CSV with a project column (default: FILE with .plan.csv beside it).",
)
@JSON_OPTION
@click.pass_context
def project_import(ctx: click.Context, path: str, plan_path: str | None, as_json: bool) -> None:
    """Import projects from CSV or xlsx, all rows or none; every bad row is reported.

    The projects file has the create options as columns (category,title,unit,start,end,
    budget,contact_email). The plan file has project,task,start,due,weight, where
    `project` is the line number of the project in the projects file (2 = first row) or
    its title. An xlsx workbook holds both: a sheet "projects" (or "项目", else the first
    sheet) and a sheet "plan" (or "计划"); cells may be real dates and numbers or text.

    \b
    Example:
      ipflow project import projects.csv --plan projects.plan.csv
      ipflow project import 2027申报.xlsx
    """
    from workflow.projects.importing.rows import import_projects

    console = terminal(as_json)
    with working(console, _("正在校验并导入项目…")):
        ids = import_projects(app(ctx), Path(path), Path(plan_path) if plan_path else None)
    if as_json:
        emit_json({"imported": len(ids), "ids": ids})
        return
    numbers = _("#{first}至#{last}").format(first=ids[0], last=ids[-1]) if ids else "—"
    if console is not None:
        rows = [(_("导入项目"), str(len(ids))), (_("项目编号"), numbers)]
        summary_table(console, _("导入 {path}").format(path=path), rows)
    elif ids:
        click.echo(_("已导入{count}个项目：{numbers}").format(count=len(ids), numbers=numbers))
    else:
        click.echo(_("没有可导入的项目"))


def _local_time(iso: str) -> str:
    from datetime import datetime

    from workflow.core.clock import SHANGHAI

    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _flag_text(flag: str | None) -> str:
    from workflow.check.rules import FLAG_LABELS

    return "—" if flag is None else _(FLAG_LABELS[flag])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


@project.command("list")
@click.option("--category", help="Only this category.")
@click.option("--state", help="Only projects in this state.")
@click.option("--flag", type=click.Choice(["green", "amber", "red"]), help="Only this flag.")
@JSON_OPTION
@click.pass_context
def project_list(
    ctx: click.Context, category: str | None, state: str | None, flag: str | None, as_json: bool
) -> None:
    """List projects with state, progress and flag.

    \b
    Example:
      ipflow project list --flag red --json
    """
    from workflow.projects.actions import list_projects

    rows = list_projects(app(ctx), category, state, flag)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        planned = _("计划{pct}").format(pct=f"{_pct(r['planned']):>7}")
        actual = _("实际{pct}").format(pct=f"{_pct(r['actual']):>7}")
        click.echo(
            f"#{r['id']:<5} {_flag_text(r['flag'])} {r['state']:<14} {planned} {actual}  "
            f"{r['category']:<22} {r['unit']}｜{r['title']}"
        )


@project.command("show")
@click.argument("project_id", type=int, metavar="ID")
@JSON_OPTION
@click.pass_context
def project_show(ctx: click.Context, project_id: int, as_json: bool) -> None:
    """Show a project: state, possible triggers, progress, flag with its reasons, history.

    \b
    Example:
      ipflow project show 12 --json
    """
    from workflow.check.rules import explain
    from workflow.projects.actions import show

    p = show(app(ctx), project_id)
    if as_json:
        emit_json(p)
        return
    click.echo(_("项目#{id} {title}").format(id=p["id"], title=p["title"]))
    click.echo(
        _("  类别：{category}   承担单位：{unit}").format(category=p["category"], unit=p["unit"])
    )
    click.echo(
        _("  实施期：{start} 至 {end}   预算：{budget}元").format(
            start=p["start"], end=p["end"], budget=p["budget"]
        )
    )
    click.echo(
        _("  状态：{state}   可执行：{triggers}").format(
            state=p["state"], triggers=_("、").join(p["triggers"]) or _("无")
        )
    )
    click.echo(
        _(
            "  进度（{as_of}）：计划{planned}，实际{actual}，滞后{lag}个百分点；最近报告：{last}"
        ).format(
            as_of=p["as_of"],
            planned=_pct(p["planned"]),
            actual=_pct(p["actual"]),
            lag="—" if p["lag"] is None else p["lag"],
            last=p["last_report"] or _("无"),
        )
    )
    if p["flag"] is None:
        click.echo(_("  预警：尚未检查"))
    else:
        click.echo(
            _("  预警：{flag}（{day}检查）").format(flag=_flag_text(p["flag"]), day=p["flag_date"])
        )
        for reason in p["flag_reasons"]:
            click.echo(f"    - {explain(reason['code'], reason['text'])}")
        if not p["flag_reasons"]:
            click.echo(_("    - 进度正常，报告按时提交，无未办结的告知书"))
    click.echo(_("  历史（北京时间）："))
    for e in p["history"]:
        note = f"  {e['note']}" if e["note"] else ""
        click.echo(
            f"    {_local_time(e['at'])} {e['actor']}: {e['from'] or '—'} →{e['trigger']}→ {e['to']}{note}"
        )


def _data_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                _("“{pair}”应为 KEY=VALUE").format(pair=pair), param_hint="--data"
            )
        data[key.strip()] = value.strip()
    return data


@project.command("advance")
@click.argument("project_id", type=int, metavar="ID")
@click.argument("trigger")
@click.option("--note", default="", help="Why (recorded in the history).")
@click.option("--amount", type=YUAN, help="Money the transition carries, in yuan.")
@click.option(
    "--data",
    "data_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Facts the transition needs, e.g. --data revenue=12000000 --data registered=yes.",
)
@JSON_OPTION
@click.pass_context
def project_advance(
    ctx: click.Context,
    project_id: int,
    trigger: str,
    note: str,
    amount: int | None,
    data_pairs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Fire one transition (screen, approve, start, review, roll, terminate, …).

    `ipflow project show ID` lists the triggers possible now; `ipflow workflow show
    CATEGORY` lists them all.

    \b
    Example:
      ipflow project advance 7 approve --note 专家评审通过
      ipflow project advance 9 roll --amount 800000 --note 第一年度评价达标
    """
    from workflow.projects.actions import advance

    result = advance(app(ctx), project_id, trigger, note, amount, _data_pairs(data_pairs))
    if as_json:
        emit_json(result)
    else:
        click.echo(
            _("项目#{id}：").format(id=result["id"])
            + f"{result['from']} →{trigger}→ {result['to']}"
        )


# ---------------------------------------------------------------- reports


@cli.group()
def report() -> None:
    """Quarterly reports."""


def _progress_pairs(pairs: tuple[str, ...]) -> dict[str, float]:
    from workflow.projects.reports import parse_percent

    result: dict[str, float] = {}
    for pair in pairs:
        task, sep, pct = pair.rpartition("=")
        if not sep or not task.strip():
            raise click.BadParameter(
                _("“{pair}”应为 任务=百分比").format(pair=pair), param_hint="--progress"
            )
        try:
            result[task.strip()] = parse_percent(pct.strip(), task.strip())
        except ValueError as exc:
            from workflow.core.errors import Refused

            raise Refused(str(exc)) from None
    return result


@report.command("submit")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--date", "report_date", type=DATE, required=True, help="The report's date.")
@click.option(
    "--progress",
    "pairs",
    multiple=True,
    required=True,
    metavar="TASK=PCT",
    help="Completion percent (0-100) of a plan task; repeat per task.",
)
@JSON_OPTION
@click.pass_context
def report_submit(
    ctx: click.Context, project_id: int, report_date: date, pairs: tuple[str, ...], as_json: bool
) -> None:
    """Submit a quarterly report; tasks left out keep their last reported completion.

    \b
    Example:
      ipflow report submit 7 --date 2027-03-31 --progress 专利导航分析=60 --progress 专利布局=20
    """
    from workflow.projects.reports import submit

    result = submit(app(ctx), project_id, report_date, _progress_pairs(pairs))
    if as_json:
        emit_json(result)
    else:
        click.echo(_("已记录项目#{id}的{day}季度报告").format(id=project_id, day=report_date))


# ---------------------------------------------------------------- check


@cli.group()
def check() -> None:
    """The nightly check."""


@check.command("run")
@click.option("--today", type=DATE, help="Logical date to check (default: today, Asia/Shanghai).")
@click.option("--dry-run", is_flag=True, help="Compute and report, write nothing.")
@JSON_OPTION
@click.pass_context
def check_run(ctx: click.Context, today: date | None, dry_run: bool, as_json: bool) -> None:
    """Compute progress and flags of every active project, write the ledger, issue letters.

    Running it again for the same date issues nothing twice.

    \b
    Example:
      ipflow check run --today 2027-06-30 --dry-run --json
    """
    from workflow.check.actions import run_check

    context = app(ctx)
    console = terminal(as_json)
    with working(console, _("正在检查全部在研项目…")):
        result = run_check(context, today or context.today(), dry_run)
    if as_json:
        emit_json(result.as_json())
        return
    j = result.as_json()
    prefix = _("（试运行，未写入）") if dry_run else ""
    if console is not None:
        rows = [
            (_("检查项目"), str(j["checked"])),
            (f"[green]{_flag_text('green')}[/]", str(j["flags"]["green"])),
            (f"[yellow]{_flag_text('amber')}[/]", str(j["flags"]["amber"])),
            (f"[red]{_flag_text('red')}[/]", str(j["flags"]["red"])),
            (_("发出预警告知书"), str(j["letters_issued"])),
            (_("待发通知"), str(j["notices_queued"])),
        ]
        summary_table(console, prefix + _("{day}夜间检查").format(day=j["date"]), rows)
        return
    click.echo(
        prefix
        + _(
            "{day}检查{checked}个项目：绿{green} 黄{amber} 红{red}；发出预警告知书{letters}份，待发通知{notices}条"
        ).format(
            day=j["date"],
            checked=j["checked"],
            green=j["flags"]["green"],
            amber=j["flags"]["amber"],
            red=j["flags"]["red"],
            letters=j["letters_issued"],
            notices=j["notices_queued"],
        )
    )


# ---------------------------------------------------------------- scheduler


@cli.group()
def scheduler() -> None:
    """The process that runs the nightly check."""


@scheduler.command("run")
@click.pass_context
def scheduler_run(ctx: click.Context) -> None:
    """Run the nightly check at [schedule].time every day until SIGTERM; logs are JSON lines.

    On start it first runs every logical date missed while no scheduler was running,
    oldest first. Several instances may share one PostgreSQL database: each date runs
    once. With SQLite, run a single instance.

    \b
    Example:
      ipflow --db postgresql+psycopg://ipflow@db/ipflow scheduler run
    """
    import logging

    from workflow.check.scheduler import JsonFormatter, serve

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("ipflow").addHandler(handler)
    logging.getLogger("ipflow").setLevel(logging.INFO)
    context = app(ctx)
    serve(context, deliverer(context))


# ---------------------------------------------------------------- notify


def deliverer(context: AppContext, retry_all: bool = False) -> Callable[[], dict[str, int]]:
    """Flush the outbox through the channels the configuration names."""
    from notifiers.build import ChannelConfigError, channels_from_settings
    from workflow.core.errors import Refused
    from workflow.outbox.delivery import flush

    try:
        channels = channels_from_settings(
            context.settings, Path(context.settings.delivery.outbox_dir)
        )
    except ChannelConfigError as exc:
        raise Refused(_(exc.template).format(**exc.values)) from None
    return lambda: flush(context, channels, retry_all=retry_all)


@cli.group()
def notify() -> None:
    """Delivery of letters and notices from the outbox."""


@notify.command("flush")
@click.option(
    "--all",
    "retry_all",
    is_flag=True,
    help="Also retry now what waits for a later attempt (after an outage).",
)
@JSON_OPTION
@click.pass_context
def notify_flush(ctx: click.Context, retry_all: bool, as_json: bool) -> None:
    """Deliver what the outbox holds and is due; failures wait for a later attempt.

    \b
    Example:
      ipflow notify flush --all --json
    """
    counts = deliverer(app(ctx), retry_all)()
    if as_json:
        emit_json(counts)
        return
    click.echo(_("已发送{sent}条，失败{failed}条，仍待发送{pending}条").format(**counts))


# ---------------------------------------------------------------- letters


@cli.group()
def letters() -> None:
    """Warning letters (预警告知书)."""


@letters.command("list")
@click.option("--status", help="pending, reviewed, closed or escalated.")
@JSON_OPTION
@click.pass_context
def letters_list(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """List warning letters, newest first.

    \b
    Example:
      ipflow letters list --status pending --json
    """
    from workflow.letters.actions import list_letters

    rows = list_letters(app(ctx), status)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        project = _("项目#{id}").format(id=r["project_id"])
        lag = _("滞后{lag}").format(lag=f"{r['lag']:g}")
        click.echo(
            f"#{r['id']:<4} {r['number']} {project} {r['issued_on']} {lag} {r['level']} {r['status']}"
        )


@letters.command("show")
@click.argument("letter_id", type=int, metavar="ID")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "html", "pdf"]), default="text", show_default=True
)
@click.option("--output", metavar="FILE", help="Write to FILE instead of stdout.")
@click.pass_context
def letters_show(ctx: click.Context, letter_id: int, fmt: str, output: str | None) -> None:
    """Show a letter as it was issued.

    \b
    Example:
      ipflow letters show 3 --format html --output letter-3.html
      ipflow letters show 3 --format pdf --output letter-3.pdf
    """
    from workflow.letters.actions import show_letter

    body = show_letter(app(ctx), letter_id, fmt)
    if isinstance(body, bytes):
        if not output:
            raise click.UsageError(_("PDF格式须用 --output 指定文件"))
        Path(output).write_bytes(body)
        click.echo(_("已写入{path}").format(path=output))
    elif output:
        Path(output).write_text(body, encoding="utf-8")
        click.echo(_("已写入{path}").format(path=output))
    else:
        click.echo(body, nl=False)


# ---------------------------------------------------------------- workflow


@cli.group("workflow")
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


# ---------------------------------------------------------------- recommendations


@cli.group()
def recommendations() -> None:
    """Risk-disposal recommendations (风险处置建议) for the provincial office."""


@recommendations.command("list")
@click.option("--status", help="open or handled.")
@JSON_OPTION
@click.pass_context
def recommendations_list(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """List risk-disposal recommendations, newest first.

    A red project gets one when it turns red; it gets no other from the same source while
    that one is open.

    \b
    Example:
      ipflow recommendations list --status open --json
    """
    from workflow.check.recommendations import SOURCE_LABELS, list_recommendations

    rows = list_recommendations(app(ctx), status)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        source = _(SOURCE_LABELS[r["source"]]) if r["source"] in SOURCE_LABELS else r["source"]
        click.echo(
            f"#{r['id']:<4} "
            + _("项目#{id} {title}（{unit}）{day} {source} {status}：{reason}").format(
                id=r["project_id"],
                title=r["title"],
                unit=r["unit"],
                day=r["created_on"],
                source=source,
                status=r["status"],
                reason=r["reason"],
            )
        )


# ---------------------------------------------------------------- letter review, ledger, periodic reports, plots


@letters.command("review")
@click.argument("letter_id", type=int, metavar="ID")
@click.option(
    "--status",
    type=click.Choice(["reviewed", "closed", "escalated"]),
    required=True,
    help="New status: reviewed, closed (needs a plan) or escalated (recommends disposal).",
)
@click.option("--comment", required=True, help="The contractor's finding (审核意见).")
@JSON_OPTION
@click.pass_context
def letters_review(
    ctx: click.Context, letter_id: int, status: str, comment: str, as_json: bool
) -> None:
    """Review a warning letter: pending → reviewed → closed or escalated.

    Escalating gives the provincial office a risk-disposal recommendation (风险处置建议),
    listed by `ipflow recommendations list`.

    \b
    Example:
      ipflow letters review 3 --status reviewed --comment 滞后原因属实，督促报送整改方案
      ipflow letters review 3 --status escalated --comment 逾期未整改，建议暂停拨款
    """
    from workflow.letters.review import STATUS_LABELS, review_letter

    result = review_letter(app(ctx), letter_id, status, comment)
    if as_json:
        emit_json(result)
        return
    extra = _("，已向省知识产权局提出风险处置建议") if result["recommendation_created"] else ""
    click.echo(
        _("预警告知书{number}已改为“{status}”").format(
            number=result["number"], status=_(STATUS_LABELS[status])
        )
        + extra
    )


@letters.command("plan")
@click.argument("letter_id", type=int, metavar="ID")
@click.option("--received", type=DATE, required=True, help="Day the rectification plan arrived.")
@click.option("--due", type=DATE, help="Day the rectification must be done (default +15 days).")
@click.option("--summary", default="", help="What the plan commits to (整改措施).")
@JSON_OPTION
@click.pass_context
def letters_plan(
    ctx: click.Context,
    letter_id: int,
    received: date,
    due: date | None,
    summary: str,
    as_json: bool,
) -> None:
    """Record the unit's rectification plan (整改方案) answering a letter.

    A letter whose plan has not arrived by its deadline turns its project red at the
    nightly check once it is more than 15 days overdue.

    \b
    Example:
      ipflow letters plan 3 --received 2027-07-10 --due 2027-08-31 --summary 增派人员，补齐调研
    """
    from workflow.letters.review import record_plan

    result = record_plan(app(ctx), letter_id, received, due, summary)
    if as_json:
        emit_json(result)
        return
    late = _("（逾期{days}天报送）").format(days=result["late_days"]) if result["late_days"] else ""
    click.echo(
        _("已登记{number}的整改方案{late}，整改完成期限{due}").format(
            number=result["number"], late=late, due=result["due"]
        )
    )


@letters.command("follow-up")
@click.argument("letter_id", type=int, metavar="ID")
@click.option("--date", "day", type=DATE, required=True, help="Day of the follow-up.")
@click.option("--note", required=True, help="What was found (整改进展).")
@click.option("--done", is_flag=True, help="The rectification is complete.")
@JSON_OPTION
@click.pass_context
def letters_follow_up(
    ctx: click.Context, letter_id: int, day: date, note: str, done: bool, as_json: bool
) -> None:
    """Record one follow-up of a letter's rectification plan (整改跟踪).

    \b
    Example:
      ipflow letters follow-up 3 --date 2027-08-31 --note 调研已补齐 --done
    """
    from workflow.letters.review import follow_up

    result = follow_up(app(ctx), letter_id, day, note, done)
    if as_json:
        emit_json(result)
        return
    state = (
        _("整改已完成")
        if done
        else _("整改未完成，逾期{days}天").format(days=result["overdue_days"])
    )
    click.echo(_("已记录{day}的整改跟踪：{state}").format(day=day, state=state))


@letters.command("file")
@click.argument("letter_id", type=int, metavar="ID")
@JSON_OPTION
@click.pass_context
def letters_file(ctx: click.Context, letter_id: int, as_json: bool) -> None:
    """Show a letter's review trail, rectification plan and follow-ups.

    \b
    Example:
      ipflow letters file 3 --json
    """
    from workflow.letters.review import STATUS_LABELS, letter_file

    doc = letter_file(app(ctx), letter_id)
    if as_json:
        emit_json(doc)
        return
    project = _("项目#{id}").format(id=doc["project_id"])
    click.echo(f"{doc['number']} {project} {_(STATUS_LABELS[doc['status']])}")
    for r in doc["reviews"]:
        click.echo(
            f"  {r['day']} {r['actor']}："
            + _("{status}，{comment}").format(
                status=_(STATUS_LABELS[r["to"]]), comment=r["comment"]
            )
        )
    plan = doc["plan"]
    if plan is None:
        click.echo(_("  整改方案：未收到（应于{due}前报送）").format(due=doc["rectification_due"]))
        return
    click.echo(
        _("  整改方案：{received}收到，{due}前完成。{summary}").format(
            received=plan["received_on"], due=plan["due"], summary=plan["summary"]
        )
    )
    for f in plan["follow_ups"]:
        done = _("（已完成）") if f["done"] else ""
        click.echo(f"  {f['day']} " + _("跟踪：{note}").format(note=f["note"]) + done)


@cli.group()
def ledger() -> None:
    """The progress ledger (进度台账)."""


@ledger.command("export")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--output", required=True, metavar="FILE", help="Where to write the ledger.")
@click.option("--today", type=DATE, help="The ledger's day (default: today, Asia/Shanghai).")
@JSON_OPTION
@click.pass_context
def ledger_export(
    ctx: click.Context, fmt: str, output: str, today: date | None, as_json: bool
) -> None:
    """Export the progress ledger: one row per active project, as the latest check found it.

    xlsx has Chinese headers, a frozen header row, filters, coloured flags and amounts in
    yuan; csv is UTF-8 with a byte-order mark so Excel opens it correctly.

    \b
    Example:
      ipflow ledger export --format xlsx --output 进度台账.xlsx --today 2027-09-30
    """
    from workflow.reporting.ledger import export_ledger

    context = app(ctx)
    day = today or context.today()
    console = terminal(as_json)
    with working(console, _("正在导出进度台账…")):
        count = export_ledger(context, fmt, Path(output), day)
    if as_json:
        emit_json({"output": output, "format": fmt, "date": day.isoformat(), "projects": count})
        return
    if console is not None:
        rows = [(_("台账日期"), day.isoformat()), (_("项目"), str(count)), (_("文件"), output)]
        summary_table(console, _("进度台账已导出"), rows)
        return
    click.echo(
        _("已导出{day}的进度台账（{count}个项目）到{path}").format(
            day=day, count=count, path=output
        )
    )


@report.command("periodic")
@click.option(
    "--kind",
    type=click.Choice(["quarterly", "fund-use", "risk", "performance"]),
    required=True,
    help="quarterly task execution, semi-annual fund use or risk, yearly performance.",
)
@click.option("--period", required=True, help="2027Q3 (quarterly), 2027H1 (semi-annual), 2027.")
@click.option("--output", required=True, metavar="FILE", help="Where to write the report.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), help="Default: FILE's suffix.")
@click.pass_context
def report_periodic(
    ctx: click.Context, kind: str, period: str, output: str, fmt: str | None
) -> None:
    """Write a periodic report of the contractor (SPEC.md §8) as HTML or A4 PDF.

    quarterly: 项目任务执行季度报告; fund-use: 资金使用监管报告 (half-year); risk: 项目风险
    评估报告 (half-year); performance: 绩效评价总报告 and one per category (year).

    \b
    Example:
      ipflow report periodic --kind quarterly --period 2027Q3 --output 2027Q3季报.pdf
      ipflow report periodic --kind performance --period 2027 --output 绩效.html
    """
    from workflow.reporting.periodic import render_report

    chosen = fmt or ("pdf" if output.lower().endswith(".pdf") else "html")
    console = terminal(False)
    with working(console, _("正在生成报告…")):
        document = render_report(app(ctx), kind, period, chosen)
    Path(output).write_bytes(document)
    if console is not None:
        rows = [
            (_("报告"), kind),
            (_("期间"), period),
            (_("文件"), output),
            (_("大小"), _("{size}字节").format(size=f"{len(document):,}")),
        ]
        summary_table(console, _("报告已生成"), rows)
        return
    click.echo(_("已写入{path}").format(path=output))


@cli.group()
def plot() -> None:
    """Charts of progress and flags (PNG or SVG)."""


def _write_plot(output: str, make: Callable[[str], bytes]) -> None:
    fmt = "svg" if output.lower().endswith(".svg") else "png"
    Path(output).write_bytes(make(fmt))
    click.echo(_("已写入{path}").format(path=output))


@plot.command("progress")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--output", required=True, metavar="FILE", help="FILE.png or FILE.svg.")
@click.pass_context
def plot_progress(ctx: click.Context, project_id: int, output: str) -> None:
    """A project's planned progress curve with the actual progress of its reports.

    \b
    Example:
      ipflow plot progress 3 --output progress-3.svg
    """
    from workflow.reporting.periodic import progress_curve_data
    from workflow.reporting.plots import progress_curve

    title, days, planned, points = progress_curve_data(app(ctx), project_id)
    _write_plot(output, lambda fmt: progress_curve(title, days, planned, points, fmt))


@plot.command("flags")
@click.option("--from", "first", type=DATE, required=True, help="First checked day.")
@click.option("--to", "last", type=DATE, required=True, help="Last checked day.")
@click.option("--output", required=True, metavar="FILE", help="FILE.png or FILE.svg.")
@click.pass_context
def plot_flags(ctx: click.Context, first: date, last: date, output: str) -> None:
    """How many projects were green, amber and red on each checked day.

    \b
    Example:
      ipflow plot flags --from 2027-01-01 --to 2027-09-30 --output flags.png
    """
    from workflow.reporting.periodic import flag_series
    from workflow.reporting.plots import flag_counts

    days, counts = flag_series(app(ctx), first, last)
    if not days:
        from workflow.core.errors import Refused

        raise Refused(_("{first}至{last}之间没有检查记录，无法作图").format(first=first, last=last))
    _write_plot(output, lambda fmt: flag_counts(days, counts, fmt))


@plot.command("lag")
@click.option("--today", type=DATE, help="The ledger's day (default: today).")
@click.option("--output", required=True, metavar="FILE", help="FILE.png or FILE.svg.")
@click.pass_context
def plot_lag(ctx: click.Context, today: date | None, output: str) -> None:
    """The lag of every active project, by category, against the warning line.

    \b
    Example:
      ipflow plot lag --today 2027-09-30 --output lag.png
    """
    from workflow.reporting.periodic import lag_series
    from workflow.reporting.plots import lag_by_category

    context = app(ctx)
    lags = lag_series(context, today or context.today())
    threshold = context.settings.check.lag_warning
    _write_plot(output, lambda fmt: lag_by_category(lags, threshold, fmt))


# ---------------------------------------------------------------- users


@cli.group()
def user() -> None:
    """Users and roles (admin, manager, unit, contractor); refusals are logged."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "manager", "unit", "contractor"]),
    help="admin 省知识产权局, manager 项目管理员, unit 项目承担单位, contractor 风险防控机构.",
)
@click.option("--unit", "unit_name", metavar="UNIT", help="The registered unit of a unit user.")
@JSON_OPTION
@click.pass_context
def user_add(
    ctx: click.Context, name: str, role: str, unit_name: str | None, as_json: bool
) -> None:
    """Register a user with a role. The first user must be an admin; from then on roles apply.

    \b
    Example:
      ipflow user add 王处长 --role admin
      ipflow --as 王处长 user add 贵州大学科技处 --role unit --unit 贵州大学
    """
    from workflow.access.actions import add_user

    result = add_user(app(ctx), name, role, unit_name)
    if as_json:
        emit_json(result)
    else:
        unit_text = _("，单位：{unit}").format(unit=result["unit"]) if result["unit"] else ""
        click.echo(
            _("已登记用户“{name}”，角色：{role}").format(name=result["name"], role=result["role"])
            + unit_text
        )


@user.command("list")
@JSON_OPTION
@click.pass_context
def user_list(ctx: click.Context, as_json: bool) -> None:
    """List users with their role, unit and whether they are active.

    \b
    Example:
      ipflow user list --json
    """
    from workflow.access.actions import list_users

    rows = list_users(app(ctx))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(_("尚未登记用户：单用户模式，操作人可执行一切操作"))
    for r in rows:
        state = _("在用") if r["active"] else _("已停用（{by}）").format(by=r["disabled_by"])
        click.echo(f"{r['name']:<16} {r['role']:<10} {r['unit'] or '—'}  {state}")


@user.command("disable")
@click.argument("name")
@JSON_OPTION
@click.pass_context
def user_disable(ctx: click.Context, name: str, as_json: bool) -> None:
    """Disable a user: they may no longer act. The last active admin cannot be disabled.

    \b
    Example:
      ipflow user disable 李某
    """
    from workflow.access.actions import disable_user

    result = disable_user(app(ctx), name)
    if as_json:
        emit_json(result)
    else:
        click.echo(_("已停用用户“{name}”").format(name=result["name"]))


@user.command("refusals")
@JSON_OPTION
@click.pass_context
def user_refusals(ctx: click.Context, as_json: bool) -> None:
    """List the actions refused for lack of permission: who, what, when and why.

    \b
    Example:
      ipflow user refusals --json
    """
    from workflow.access.actions import list_refusals

    rows = list_refusals(app(ctx))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(_("没有被拒绝的操作"))
    for r in rows:
        target = (
            " " + _("项目#{id}").format(id=r["project_id"]) if r["project_id"] is not None else ""
        )
        click.echo(f"{_local_time(r['at'])} {r['actor']} {r['action']}{target}：{r['reason']}")


# ---------------------------------------------------------------- money: city ranking, programme, budgets


@cli.group()
def city() -> None:
    """capability_city: ranking of the prefecture-level applications."""


@city.command("rank")
@click.option("--year", type=int, required=True, help="Programme year of the applications.")
@click.option(
    "--scores",
    "scores_path",
    required=True,
    metavar="FILE.csv",
    help="CSV: unit, then one column per scoring dimension.",
)
@click.option("--approve", is_flag=True, help="Approve all ranked applicants in one transaction.")
@JSON_OPTION
@click.pass_context
def city_rank(
    ctx: click.Context, year: int, scores_path: str, approve: bool, as_json: bool
) -> None:
    """Rank the year's capability_city applications by weighted total score.

    Ranks 1-10 get 200/100/100/50/50/50/20/20/20/20万. Equal totals are ordered by the
    dimensions in column order; applicants equal on every dimension are refused.

    \b
    Example:
      ipflow city rank --year 2027 --scores scores-2027.csv --json
      ipflow city rank --year 2027 --scores scores-2027.csv --approve
    """
    from workflow.core.errors import Refused
    from workflow.projects.city_rank import city_rank as rank_cities

    try:
        text = Path(scores_path).read_text(encoding="utf-8")
    except OSError as exc:
        raise Refused(
            _("无法读取评分文件{path}：{reason}").format(path=scores_path, reason=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise Refused(_("评分文件{path}不是UTF-8编码的CSV").format(path=scores_path)) from None
    rows = rank_cities(app(ctx), year, text, approve)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(
            _("第{rank}名 {unit} 项目#{id} 总分{total} 资助{amount}元").format(
                rank=f"{r['rank']:>2}",
                unit=r["unit"],
                id=r["project_id"],
                total=f"{r['total']:g}",
                amount=r["amount"],
            )
        )
    if approve:
        click.echo(_("已统一立项：{count}项").format(count=sum(1 for r in rows if r["amount"])))


@cli.group()
def programme() -> None:
    """The programme year: budgets per category and their use."""


@programme.command("status")
@click.option("--year", type=int, help="Programme year (default: this year).")
@JSON_OPTION
@click.pass_context
def programme_status(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """Per category: year budget, committed, disbursed and remaining money (yuan).

    \b
    Example:
      ipflow programme status --year 2027 --json
    """
    from workflow.money.programme import programme_status as status

    context = app(ctx)
    document = status(context, year or context.today().year)
    if as_json:
        emit_json(document)
        return
    click.echo(_("{year}年度资金使用情况（元）").format(year=document["year"]))
    for r in document["categories"]:
        budget = _("未设定") if r["budget"] is None else r["budget"]
        left = "-" if r["remaining"] is None else r["remaining"]
        click.echo(
            f"{r['category']:<24} "
            + _("预算{budget} 已承诺{committed} 已拨付{disbursed} 剩余{left}").format(
                budget=budget, committed=r["committed"], disbursed=r["disbursed"], left=left
            )
        )


@programme.command("budget")
@click.option("--year", type=int, required=True, help="Programme year.")
@click.option("--category", required=True, help="Category code.")
@click.option("--amount", type=YUAN, required=True, help="The year's budget in yuan.")
@JSON_OPTION
@click.pass_context
def programme_budget(
    ctx: click.Context, year: int, category: str, amount: int, as_json: bool
) -> None:
    """Set a category's budget for a programme year; approvals beyond it are refused.

    \b
    Example:
      ipflow programme budget --year 2027 --category high_value_patent --amount 5000000
    """
    from workflow.money.programme import set_year_budget

    result = set_year_budget(app(ctx), year, category, amount)
    if as_json:
        emit_json(result)
    else:
        click.echo(
            _("{year}年度{category}预算：{amount}元（已承诺{committed}元）").format(
                year=year, category=category, amount=amount, committed=result["committed"]
            )
        )


@cli.group()
def budget() -> None:
    """A project's budget lines and fund use."""


def _line_pairs(pairs: tuple[str, ...]) -> dict[str, int]:
    from workflow.core.errors import Refused
    from workflow.core.money import parse_yuan

    lines: dict[str, int] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.UsageError(_("“{pair}”应写成 科目=元").format(pair=pair))
        try:
            lines[name.strip()] = parse_yuan(value)
        except ValueError as exc:
            raise Refused(_("预算科目“{name}”：{error}").format(name=name, error=exc)) from None
    return lines


@budget.command("set")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--line", "line_pairs", multiple=True, required=True, metavar="NAME=YUAN")
@JSON_OPTION
@click.pass_context
def budget_set(
    ctx: click.Context, project_id: int, line_pairs: tuple[str, ...], as_json: bool
) -> None:
    """Approve a project's budget lines; they must add up to its committed funding.

    \b
    Example:
      ipflow budget set 7 --line 设备费=200000 --line 劳务费=150000 --line 专利费=150000
    """
    from workflow.money.budget import set_budget_lines

    result = set_budget_lines(app(ctx), project_id, _line_pairs(line_pairs))
    if as_json:
        emit_json(result)
    else:
        click.echo(
            _("项目#{id}预算科目已设定，合计{total}元").format(id=project_id, total=result["total"])
        )


@budget.command("show")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--as-of", type=DATE, help="Cut-off date (default: today).")
@JSON_OPTION
@click.pass_context
def budget_show(ctx: click.Context, project_id: int, as_of: date | None, as_json: bool) -> None:
    """Fund use of a project: committed, disbursed, spent by line, open flags.

    \b
    Example:
      ipflow budget show 7 --as-of 2027-06-30 --json
    """
    from workflow.money.budget import fund_use

    d = fund_use(app(ctx), project_id, as_of)
    if as_json:
        emit_json(d)
        return
    click.echo(
        _(
            "项目#{id}（截至{as_of}）承诺{committed}元 已拨付{disbursed}元 已支出{spent}元（审核通过{spent_accepted}元）"
        ).format(id=project_id, **d)
    )
    for line in d["lines"]:
        planned = (
            _("科目外")
            if line["budget"] is None
            else _("预算{amount}元").format(amount=line["budget"])
        )
        click.echo(
            _("  {line}：{planned}，已支出{spent}元").format(
                line=line["line"], planned=planned, spent=line["spent"]
            )
        )
    for flag in d["open_flags"]:
        click.echo(
            _("  支出#{id} {amount}元：{text}").format(
                id=flag["expense_id"], amount=flag["amount"], text=flag["text"]
            )
        )


@cli.command("disburse")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--date", "day", type=DATE, required=True, help="Day of payment.")
@click.option("--amount", type=YUAN, required=True, help="Amount in yuan.")
@click.option("--stage", required=True, help="Stage, e.g. 首期拨付.")
@JSON_OPTION
@click.pass_context
def disburse_cmd(
    ctx: click.Context, project_id: int, day: date, amount: int, stage: str, as_json: bool
) -> None:
    """Record a disbursement (拨付); never above the project's committed funding.

    \b
    Example:
      ipflow disburse 7 --date 2027-03-01 --amount 250000 --stage 首期拨付
    """
    from workflow.money.budget import disburse

    result = disburse(app(ctx), project_id, day, amount, stage)
    if as_json:
        emit_json(result)
    else:
        click.echo(
            _("项目#{id}已拨付{amount}元，累计{total}元").format(
                id=project_id, amount=amount, total=result["disbursed"]
            )
        )


@cli.group()
def expense() -> None:
    """Expenditures (支出) of projects and their review."""


@expense.command("add")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--line", required=True, help="Budget line.")
@click.option("--date", "day", type=DATE, required=True, help="Day of the expenditure.")
@click.option("--amount", type=YUAN, required=True, help="Amount in yuan.")
@click.option("--description", required=True, help="What was bought or paid.")
@JSON_OPTION
@click.pass_context
def expense_add(
    ctx: click.Context,
    project_id: int,
    line: str,
    day: date,
    amount: int,
    description: str,
    as_json: bool,
) -> None:
    """Record an expenditure; flagged items (outside lines, large, over budget) await review.

    \b
    Example:
      ipflow expense add 7 --line 设备费 --date 2027-05-10 --amount 38000 --description 检测仪器
    """
    from workflow.money.budget import FLAG_LABELS, record_expenditure

    result = record_expenditure(app(ctx), project_id, line, day, amount, description)
    if as_json:
        emit_json(result)
        return
    flags = _("、").join(_(FLAG_LABELS[f]) for f in result["flags"])
    marked = _("，标记：{flags}（待审核）").format(flags=flags) if flags else ""
    click.echo(_("支出#{id}已登记").format(id=result["id"]) + marked)


@expense.command("review")
@click.argument("expense_id", type=int, metavar="EXPENSE_ID")
@click.option("--decision", type=click.Choice(["accept", "misuse"]), required=True)
@click.option("--note", default="", help="Reasons (required for misuse).")
@JSON_OPTION
@click.pass_context
def expense_review(
    ctx: click.Context, expense_id: int, decision: str, note: str, as_json: bool
) -> None:
    """Review a flagged expenditure: accept it, or find misuse (违规挪用, red flag).

    \b
    Example:
      ipflow expense review 12 --decision misuse --note 用于非项目人员差旅
    """
    from workflow.money.budget import review_expenditure

    result = review_expenditure(app(ctx), expense_id, decision, note)
    if as_json:
        emit_json(result)
    else:
        click.echo(_("支出#{id}审核结论：{status}").format(id=expense_id, status=result["status"]))


def main() -> None:
    """Console-script entry point."""
    # What is loaded so far (click and the command tree) lives as long as the process: moved
    # out of the cyclic collector's reach, it is not traversed again by every collection that
    # the imports of a command set off (a sixth of a short command's time).
    gc.freeze()
    cli(prog_name="ipflow")
