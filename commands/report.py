"""ipflow report: quarterly reports of projects and periodic reports of the contractor."""

from __future__ import annotations

from datetime import date

import click

from commands.common import (
    DATE,
    FORCE_OPTION,
    JSON_OPTION,
    Invocation,
    _,
    emit_json,
    pass_invocation,
    summary_table,
    terminal,
    working,
)


@click.group()
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
@click.option("--note", default="", help="Why a completion went down (required then).")
@click.option(
    "--evidence",
    "evidence_paths",
    multiple=True,
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    help="An evidence file (PDF, JPG, PNG, XLSX, DOCX or ZIP) kept with the report; repeatable.",
)
@JSON_OPTION
@pass_invocation
def report_submit(
    invocation: Invocation,
    project_id: int,
    report_date: date,
    pairs: tuple[str, ...],
    note: str,
    evidence_paths: tuple[str, ...],
    as_json: bool,
) -> None:
    """Submit a progress report (quarterly, or annual for data_ip_leader) as of --date.

    Give the tasks that changed; the others keep their completion of the latest report on or
    before that date, whatever the order reports are entered in. The date may not be after
    today, before the start, or after the term's end plus the grace period
    ([check] report_grace_days, default 10). A completion that goes down needs --note.
    Evidence files are checked by name and content and kept with the report, all or none,
    each at most [web] evidence_max_bytes (default 10 MiB).

    \b
    Example:
      ipflow report submit 7 --date 2027-03-31 --progress 专利导航分析=60 --progress 专利布局=20
      ipflow report submit 7 --date 2027-06-30 --progress 专利布局=45 --evidence 调研纪要.pdf
    """
    from pathlib import Path

    from workflow.projects.evidence import EvidenceFile
    from workflow.projects.reports import submit

    progress = _progress_pairs(pairs)
    if invocation.remote is not None:
        if evidence_paths:
            from workflow.core.errors import Refused

            raise Refused(
                _("通过服务器（IPFLOW_URL）提交报告时不能附证明材料：请在网页的报告表单中上传")
            )
        result = invocation.remote.submit(project_id, report_date, progress, note)
    else:
        context = invocation.app()
        limit = context.settings.web.evidence_max_bytes
        evidence = []
        for path in evidence_paths:
            with open(path, "rb") as stream:  # one byte past the limit is enough to refuse it
                evidence.append(EvidenceFile(Path(path).name, stream.read(limit + 1)))
        result = submit(context, project_id, report_date, progress, note, tuple(evidence))
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(_("已记录项目#{id}的{day}报告").format(id=project_id, day=report_date))


@report.command("periodic")
@click.option(
    "--kind",
    type=click.Choice(["quarterly", "fund-use", "risk", "performance", "fund-summary"]),
    required=True,
    help="quarterly task execution, semi-annual fund use, risk or fund summary evaluation, "
    "yearly performance.",
)
@click.option("--period", required=True, help="2027Q3 (quarterly), 2027H1 (semi-annual), 2027.")
@click.option("--output", required=True, metavar="FILE", help="Where to write the report.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), help="Default: FILE's suffix.")
@FORCE_OPTION
@pass_invocation
def report_periodic(
    invocation: Invocation, kind: str, period: str, output: str, fmt: str | None, force: bool
) -> None:
    """Write a periodic report of the contractor (SPEC.md §8) as HTML or A4 PDF.

    quarterly: 项目任务执行季度报告; fund-use: 资金使用监管报告 with the budget reviews
    (half-year); risk: 项目风险评估报告 with the risk-point register (half-year); fund-summary:
    资金总结评价报告, the fund evaluations recorded (half-year); performance: 绩效评价总报告 and
    one per category (year).

    A report covers the projects active at some time in the period, those that ended in it
    included, with the flags of the period's checks; a period not yet begun is refused.
    A PDF needs a Chinese font on this host (Debian: fonts-noto-cjk). An existing FILE is not
    overwritten without --force; a symbolic link or the database itself is never written.

    \b
    Example:
      ipflow report periodic --kind quarterly --period 2027Q3 --output 2027Q3季报.pdf
      ipflow report periodic --kind performance --period 2027 --output 绩效.html
    """
    from workflow.reporting.periodic import render_report

    chosen = fmt or ("pdf" if output.lower().endswith(".pdf") else "html")
    target = invocation.output(output, force)
    console = terminal(False)
    with working(console, _("正在生成报告…")):
        document = render_report(invocation.app(), kind, period, chosen)
        target.write(document)
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


@report.command("correct")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--date", "report_date", type=DATE, required=True, help="The date of the report.")
@click.option(
    "--progress",
    "pairs",
    multiple=True,
    metavar="TASK=PCT",
    help="The completion (0-100) the report should have given a task; repeat per task.",
)
@click.option("--new-date", type=DATE, help="The date the report should have had.")
@click.option("--note", required=True, help="Why the report is corrected (kept).")
@JSON_OPTION
@pass_invocation
def report_correct(
    invocation: Invocation,
    project_id: int,
    report_date: date,
    pairs: tuple[str, ...],
    new_date: date | None,
    note: str,
    as_json: bool,
) -> None:
    """Correct a report typed wrong; the original is kept in the project's history.

    The completions given (and --new-date) supersede the report's; the tasks left out keep
    what it states. Later reports that carried a task forward from it carry the corrected
    value; what they state themselves stays.

    \b
    Example:
      ipflow report correct 7 --date 2027-03-31 --progress 专利布局=25 --note 误填为52
    """
    from workflow.projects.reports import correct

    result = correct(
        invocation.app(), project_id, report_date, _progress_pairs(pairs), note, new_date
    )
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(_("已更正项目#{id}的{day}报告").format(id=project_id, day=result.date_))
