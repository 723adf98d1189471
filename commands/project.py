"""ipflow project: create, import, list, show and advance projects."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from commands.common import (
    CATEGORY,
    DATE,
    JSON_OPTION,
    YUAN,
    Invocation,
    _,
    emit_json,
    flag_text,
    local_time,
    money_lines,
    pass_invocation,
    summary_table,
    terminal,
    working,
)


@click.group()
def project() -> None:
    """Create, import, list, show and advance projects."""


def _read_plan(invocation: Invocation, path: str | None, start: date, end: date) -> list[Any]:
    from workflow.core.config import load_settings
    from workflow.projects.importing.rows import read_plan_file

    if path is None:
        return []
    limits = load_settings(invocation.config_path).imports
    return read_plan_file(Path(path), start, end, limits)


@project.command("create")
@click.option(
    "--category",
    type=CATEGORY,
    required=True,
    help="Category code or name, e.g. high_value_patent or 高价值专利培育项目.",
)
@click.option("--title", required=True, help="Project title.")
@click.option("--unit", "unit_name", required=True, help="Applicant unit (registered if new).")
@click.option("--start", type=DATE, required=True, help="First day of the term.")
@click.option("--end", type=DATE, required=True, help="Last day of the term.")
@click.option("--budget", type=YUAN, required=True, help="Budget in yuan (500000 = 50万).")
@click.option(
    "--plan",
    "plan_path",
    metavar="FILE",
    help="Plan: CSV (UTF-8 or GBK) or xlsx with task,start,due[,weight] (or 任务,开始,截止,权重).",
)
@click.option("--contact-email", metavar="EMAIL", help="Where this project's letters go.")
@click.option("--ref", metavar="TEXT", help="The application number (申报编号), unique.")
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="UNIT",
    help="A co-applicant of a joint application (a registered unit; repeatable).",
)
@click.option(
    "--tier",
    metavar="TIER",
    help="strong_enterprise: basic (基础培育, the default) or special (专项培育); gi_brand: "
    "the GI right holder's level, provincial, prefecture or county (code or Chinese name).",
)
@click.option(
    "--data",
    "data_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="What the application states (data_ip_securitization: issuance, financing, size, "
    "issued, ends).",
)
@JSON_OPTION
@pass_invocation
def project_create(
    invocation: Invocation,
    category: str,
    title: str,
    unit_name: str,
    start: date,
    end: date,
    budget: int,
    plan_path: str | None,
    contact_email: str | None,
    ref: str | None,
    partners: tuple[str, ...],
    tier: str | None,
    data_pairs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create a project in state `applied`.

    The applicant (and each partner) must be of a kind, and have the unit facts, that the
    category admits (`ipflow unit set UNIT --fact ...`); a refusal says what is missing.
    A data_ip_securitization application states its product with --data and reserves its
    subsidy now, first applied, first served.

    \b
    Example:
      ipflow project create --category data_ip_chain --title 磷化工产业链数据知识产权强链 \\
          --unit 贵州磷化（集团）有限责任公司 --start 2027-01-01 --end 2027-12-31 \\
          --budget 300000 --plan plan.csv --ref 2027-SJ-001 --json
      ipflow project create --category patent_navigation --title 新能源电池产业专利导航 \\
          --unit 贵州师范大学 --partner 贵州省工业和信息化厅 --start 2027-01-01 \\
          --end 2027-12-31 --budget 200000
      ipflow project create --category data_ip_securitization --title 证券化融资补贴 \\
          --unit 贵阳某云计算服务有限公司 --start 2027-01-01 --end 2027-12-31 \\
          --budget 1200000 --data issuance=100000000 --data financing=30000000 \\
          --data issued=2026-06-30 --data ends=2027-06-30
    """
    from states.eligibility import TIERS
    from workflow.core.codes import code_for
    from workflow.projects.actions import NewProject, create

    if tier is not None:
        tier = code_for(tier, TIERS.get(category, {}))
    result = create(
        invocation.app(),
        NewProject(
            category,
            title,
            unit_name,
            start,
            end,
            budget,
            _read_plan(invocation, plan_path, start, end),
            contact_email,
            ref,
            tier,
            partners,
            _data_pairs(data_pairs),
        ),
    )
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(_("已创建项目#{id}，状态：{state}").format(id=result.id, state=result.state))
    _evaluations(_("  该单位以往项目的绩效评价（评价成果应用）："), result.unit_evaluations)


def _evaluations(heading: str, found: list[Any]) -> None:
    """Performance evaluations under a heading, one a line; nothing when there are none."""
    from commands.performance import evaluation_line

    if found:
        click.echo(heading)
        for e in found:
            click.echo(f"    {evaluation_line(e)}")


@project.command("import")
@click.argument("path", metavar="FILE")
@click.option(
    "--plan",
    "plan_path",
    metavar="FILE.csv",
    help="Plan CSV with a project column (default: FILE with .plan.csv beside it).",
)
@JSON_OPTION
@pass_invocation
def project_import(invocation: Invocation, path: str, plan_path: str | None, as_json: bool) -> None:
    """Import projects from CSV or xlsx, all rows or none; every bad row is reported.

    The projects file has the create options as columns (category,title,unit,start,end,
    budget[,contact_email,ref,tier,partners,data]; partners separated by 、 or ;, data holds
    KEY=VALUE pairs separated by semicolons). The plan file has project,task,start,due,weight,
    where `project` is the line number of the project in the projects file (2 = first row) or
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
        ids = import_projects(invocation.app(), Path(path), Path(plan_path) if plan_path else None)
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


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


@project.command("list")
@click.option("--category", type=CATEGORY, help="Only this category (code or name).")
@click.option("--state", help="Only projects in this state.")
@click.option("--flag", type=click.Choice(["green", "amber", "red"]), help="Only this flag.")
@JSON_OPTION
@pass_invocation
def project_list(
    invocation: Invocation, category: str | None, state: str | None, flag: str | None, as_json: bool
) -> None:
    """List projects with state, progress and flag.

    \b
    Example:
      ipflow project list --flag red --json
    """
    from workflow.core.results import to_json
    from workflow.projects.actions import list_projects

    if invocation.remote is not None:
        rows = invocation.remote.projects(category, state, flag)
    else:
        rows = list_projects(invocation.app(), category, state, flag)
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        planned = _("计划{pct}").format(pct=f"{_pct(r.planned):>7}")
        actual = _("实际{pct}").format(pct=f"{_pct(r.actual):>7}")
        click.echo(
            f"#{r.id:<5} {flag_text(r.flag)} {r.state:<14} {planned} {actual}  "
            f"{r.category:<22} {r.unit}｜{r.title}"
        )


@project.command("show")
@click.argument("project_id", type=int, metavar="ID")
@JSON_OPTION
@pass_invocation
def project_show(invocation: Invocation, project_id: int, as_json: bool) -> None:
    """Show a project: state, possible triggers, progress, flag with its reasons, history.

    \b
    Example:
      ipflow project show 12 --json
    """
    from workflow.check.rules import explain
    from workflow.projects.actions import show

    if invocation.remote is not None:
        p = invocation.remote.project(project_id)
    else:
        p = show(invocation.app(), project_id)
    if as_json:
        emit_json(p.as_json())
        return
    click.echo(_("项目#{id} {title}").format(id=p.id, title=p.title))
    click.echo(_("  类别：{category}   承担单位：{unit}").format(category=p.category, unit=p.unit))
    if p.partners:
        click.echo(_("  合作单位：{partners}").format(partners=_("、").join(p.partners)))
    if p.ref or p.tier:
        click.echo(
            _("  申报编号：{ref}   申报层级：{tier}").format(ref=p.ref or "—", tier=p.tier or "—")
        )
    click.echo(_("  实施期：{start} 至 {end}").format(start=p.start, end=p.end))
    grant, use = money_lines(p.money)
    click.echo(_("  资金（{as_of}）：").format(as_of=p.as_of) + grant)
    click.echo(f"    {use}")
    click.echo(
        _("  状态：{state}   可执行：{triggers}").format(
            state=p.state, triggers=_("、").join(p.triggers) or _("无")
        )
    )
    if p.last_report is None:
        click.echo(_("  进度：尚无进度报告"))
    else:
        click.echo(
            _("  进度（按{last}的报告）：计划{planned}，实际{actual}，滞后{lag}个百分点").format(
                last=p.last_report, planned=_pct(p.planned), actual=_pct(p.actual), lag=p.lag
            )
        )
    click.echo(
        _("  {as_of}的计划进度：{planned}（仅供参考；滞后按报告日计算）").format(
            as_of=p.as_of, planned=_pct(p.planned_today)
        )
    )
    if not p.monitored:
        click.echo(_("  预警：不在风险防控机构的监测范围内，每日检查不评预警"))
    elif p.flag is None:
        click.echo(_("  预警：尚未检查"))
    else:
        click.echo(_("  预警：{flag}（{day}检查）").format(flag=flag_text(p.flag), day=p.flag_date))
        for reason in p.flag_reasons:
            click.echo(f"    - {explain(reason['code'], reason['text'])}")
        if not p.flag_reasons:
            click.echo(_("    - 进度正常，报告按时提交，无未办结的告知书"))
    if p.acceptance_grade is not None:
        click.echo(_("  验收等级：{grade}").format(grade=_grade_text(p.acceptance_grade)))
    _evaluations(_("  本项目的绩效评价："), p.evaluations)
    _evaluations(_("  该单位其他项目的绩效评价（评价成果应用）："), p.unit_evaluations)
    click.echo(_("  历史（北京时间）："))
    for e in p.history:
        note = f"  {e.note}" if e.note else ""
        click.echo(f"    {local_time(e.at)} {e.actor}: {e.from_ or '—'} →{e.trigger}→ {e.to}{note}")


def _grade_text(grade: str) -> str:
    from states.rules import ACCEPTANCE_GRADES

    return f"{_(ACCEPTANCE_GRADES[grade])}（{grade}）"


@project.command("amend")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--start", type=DATE, help="The first day the term should have.")
@click.option("--end", type=DATE, help="The last day the term should have.")
@click.option("--plan", "plan_path", metavar="FILE.csv", help="The plan it should have.")
@click.option(
    "--tier",
    metavar="TIER",
    help="The tier it should have, as `project create --tier` takes it (gi_brand: provincial, "
    "prefecture or county).",
)
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="UNIT",
    help="A co-applicant it should have (repeatable): the ones given replace its partners.",
)
@click.option("--note", required=True, help="Why it is corrected (kept in the history).")
@JSON_OPTION
@pass_invocation
def project_amend(
    invocation: Invocation,
    project_id: int,
    start: date | None,
    end: date | None,
    plan_path: str | None,
    tier: str | None,
    partners: tuple[str, ...],
    note: str,
    as_json: bool,
) -> None:
    """Correct a project's term, plan, tier or partners; the history keeps what they were.

    The term and plan may be corrected while the project is applied, screened or approved (an
    approved project keeps its start year). A plan that no longer fits a corrected term must be
    given anew with --plan; the default one-task plan follows the term. The tier and partners
    may be corrected until approval, checked as `project create` checks them; after it, only
    a tier the application never stated (one filed before tiers existed) may be recorded.

    \b
    Example:
      ipflow project amend 7 --plan plan.csv --note 申报书附件计划录入有误
      ipflow project amend 7 --start 2027-03-01 --end 2028-02-29 --note 实施期按批复更正
      ipflow project amend 9 --tier prefecture --partner 仁怀市酱香白酒协会 --note 补录申报层级
    """
    from workflow.projects.amend import amend

    result = amend(
        invocation.app(), project_id, start, end, plan_path, note, tier, partners or None
    )
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(
        _("已更正项目#{id}：实施期{start}至{end}，计划任务{count}项").format(
            id=result.id, start=result.start, end=result.end, count=len(result.plan)
        )
    )
    if result.tier or result.partners:
        click.echo(
            _("  申报层级：{tier}   合作单位：{partners}").format(
                tier=result.tier or "—", partners=_("、").join(result.partners) or "—"
            )
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
    help="Facts the transition needs, e.g. --data grade=excellent, --data restrict_years=3, "
    "--data revenue=12000000 --data registered_on=2026-12-20.",
)
@JSON_OPTION
@pass_invocation
def project_advance(
    invocation: Invocation,
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
      ipflow project advance 12 pass_acceptance --data grade=excellent
      ipflow project advance 15 close --amount 60000 --data restrict_years=3
    """
    from workflow.projects.actions import advance

    data = _data_pairs(data_pairs)
    if invocation.remote is not None:
        result = invocation.remote.advance(project_id, trigger, note, amount, data)
    else:
        result = advance(invocation.app(), project_id, trigger, note, amount, data)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(
            _("项目#{id}：").format(id=result.id) + f"{result.from_} →{trigger}→ {result.to}"
        )
