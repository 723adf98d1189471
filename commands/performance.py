"""ipflow indicator and ipflow evaluation: performance indicators, their values, evaluations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from commands.common import DATE, JSON_OPTION, Invocation, _, emit_json, pass_invocation

if TYPE_CHECKING:
    from workflow.performance.store import EvaluationView, IndicatorView


@click.group()
def indicator() -> None:
    """Performance indicators (绩效指标): targets, actuals, assessments."""


def _number(value: float | None, unit: str | None = None) -> str:
    return "—" if value is None else f"{value:g}{unit or ''}"


def indicator_line(i: IndicatorView) -> str:
    """One indicator as a line of text: its target or criterion and where it stands."""
    from workflow.performance.rules import ASSESSMENTS, QUANTITATIVE

    if i.kind == QUANTITATIVE:
        met = _("已达成") if i.met else _("未达成")
        return _("{name}（定量）：目标{target}，实际{actual}，{met}").format(
            name=i.name, target=_number(i.target, i.unit), actual=_number(i.actual, i.unit), met=met
        )
    assessed = _(ASSESSMENTS[i.assessment][0]) if i.assessment else _("未评估")
    return _("{name}（定性）：标准“{criterion}”，评估{assessed}").format(
        name=i.name, criterion=i.criterion, assessed=assessed
    )


def _echo(result: Any, as_json: bool, text: str) -> None:
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(text)


@indicator.command("add")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--name", required=True, help="The indicator's name, unique in the project.")
@click.option("--target", type=float, help="Quantitative: the target value.")
@click.option("--unit", help="Quantitative: the target's unit of measure (件, 万元, 家 …).")
@click.option("--qualitative", "criterion", metavar="CRITERION", help="Qualitative: the criterion.")
@JSON_OPTION
@pass_invocation
def indicator_add(
    invocation: Invocation,
    project_id: int,
    name: str,
    target: float | None,
    unit: str | None,
    criterion: str | None,
    as_json: bool,
) -> None:
    """Set a performance indicator: a quantitative target (--target, --unit) or a qualitative
    criterion (--qualitative), for a monitored project (office: manager or admin).

    \b
    Example:
      ipflow indicator add 3 --name 发明专利申请 --target 20 --unit 件
      ipflow indicator add 3 --name 产业带动 --qualitative 带动省内3家以上企业开展专利运营
    """
    from workflow.performance.actions import add_indicator

    result = add_indicator(invocation.app(), project_id, name, target, unit, criterion)
    _echo(result, as_json, _("项目#{id}已设指标：").format(id=project_id) + indicator_line(result))


@indicator.command("record")
@click.argument("project_id", type=int, metavar="ID")
@click.argument("name")
@click.option("--actual", type=float, required=True, help="The actual value, in the target's unit.")
@click.option("--date", "day", type=DATE, help="As of this day (default today, not after it).")
@click.option("--note", default="", help="Where the figure comes from.")
@JSON_OPTION
@pass_invocation
def indicator_record(
    invocation: Invocation,
    project_id: int,
    name: str,
    actual: float,
    day: date | None,
    note: str,
    as_json: bool,
) -> None:
    """Record a quantitative indicator's actual (the unit for its own project, or the office);
    the latest on or before a day counts on that day.

    \b
    Example:
      ipflow indicator record 3 发明专利申请 --actual 22 --date 2027-12-20 --note 受理通知书22份
    """
    from workflow.performance.actions import record_actual

    context = invocation.app()
    result = record_actual(context, project_id, name, actual, day or context.today(), note)
    _echo(result, as_json, _("项目#{id}：").format(id=project_id) + indicator_line(result))


@indicator.command("assess")
@click.argument("project_id", type=int, metavar="ID")
@click.argument("name")
@click.option(
    "--assessment",
    type=click.Choice(["met", "partly", "not_met"]),
    required=True,
    help="达到/部分达到/未达到.",
)
@click.option("--date", "day", type=DATE, help="As of this day (default today, not after it).")
@click.option("--note", default="", help="What the assessment rests on.")
@JSON_OPTION
@pass_invocation
def indicator_assess(
    invocation: Invocation,
    project_id: int,
    name: str,
    assessment: str,
    day: date | None,
    note: str,
    as_json: bool,
) -> None:
    """Assess a qualitative indicator against its criterion (the contractor, or the admin).

    \b
    Example:
      ipflow indicator assess 3 产业带动 --assessment partly --note 已带动2家企业
    """
    from workflow.performance.actions import assess_indicator

    context = invocation.app()
    result = assess_indicator(context, project_id, name, assessment, day or context.today(), note)
    _echo(result, as_json, _("项目#{id}：").format(id=project_id) + indicator_line(result))


@indicator.command("list")
@click.argument("project_id", type=int, metavar="ID")
@JSON_OPTION
@pass_invocation
def indicator_list(invocation: Invocation, project_id: int, as_json: bool) -> None:
    """A project's indicators as they stand today, with 绩效目标达成率, fund use and the score.

    \b
    Example:
      ipflow indicator list 3 --json
    """
    from commands.common import rate_text
    from workflow.performance.actions import list_indicators

    result = list_indicators(invocation.app(), project_id)
    if as_json:
        emit_json(result.as_json())
        return
    f = result.figures
    click.echo(_("项目#{id}的绩效指标（{day}）：").format(id=project_id, day=result.as_of))
    for i in result.indicators:
        click.echo(f"  {indicator_line(i)}")
    click.echo(
        _(
            "  绩效目标达成率{achievement}（{met}/{targets}），资金支出率{fund_use}，定性评价{qualitative}，综合得分{score}"
        ).format(
            achievement=rate_text(f["achievement"]),
            met=f["targets_met"],
            targets=f["targets"],
            fund_use=rate_text(f["fund_use"]),
            qualitative=rate_text(f["qualitative_rate"]),
            score=_number(f["computed_score"]),
        )
    )


@click.group()
def evaluation() -> None:
    """Performance evaluations (绩效评价) of monitored projects."""


def evaluation_line(e: EvaluationView) -> str:
    """One recorded evaluation as a line of text."""
    from commands.common import rate_text
    from workflow.performance.rules import GRADE_LABELS

    return _(
        "{day} 项目#{id}“{title}”：综合得分{score:g}，{grade}（绩效目标达成率{achievement}，资金支出率{fund_use}）；{findings}"
    ).format(
        day=e.day,
        id=e.project_id,
        title=e.title,
        score=e.score,
        grade=_(GRADE_LABELS[e.grade]),
        achievement=rate_text(e.achievement),
        fund_use=rate_text(e.fund_use),
        findings=e.findings,
    )


@evaluation.command("record")
@click.argument("project_id", type=int, metavar="ID")
@click.option("--findings", required=True, help="What the evaluation found and suggests.")
@click.option("--score", type=float, help="The composite score, 0-100 (default: the computed one).")
@click.option("--date", "day", type=DATE, help="As of this day (default today, not after it).")
@JSON_OPTION
@pass_invocation
def evaluation_record(
    invocation: Invocation,
    project_id: int,
    findings: str,
    score: float | None,
    day: date | None,
    as_json: bool,
) -> None:
    """Record a project's performance evaluation (the contractor): the day's figures, the score
    (computed from 绩效目标达成率, fund use and the qualitative indicators unless --score gives
    it), its grade and the findings. `project show` and `project create` list the unit's
    evaluations when it applies again.

    \b
    Example:
      ipflow evaluation record 3 --findings 目标基本完成，建议压缩设备预算 --date 2027-12-31
    """
    from workflow.performance.actions import record_evaluation

    context = invocation.app()
    result = record_evaluation(context, project_id, findings, day or context.today(), score)
    _echo(result, as_json, _("已记录绩效评价：") + evaluation_line(result))
