"""ipflow letters: warning letters, their review, rectification plans and follow-ups."""

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
    flag_text,
    pass_invocation,
)


@click.group()
def letters() -> None:
    """Warning letters (预警告知书)."""


@letters.command("list")
@click.option("--status", help="pending, reviewed, closed or escalated.")
@JSON_OPTION
@pass_invocation
def letters_list(invocation: Invocation, status: str | None, as_json: bool) -> None:
    """List warning letters, newest first.

    \b
    Example:
      ipflow letters list --status pending --json
    """
    from workflow.core.results import to_json
    from workflow.letters.actions import list_letters
    from workflow.letters.rules import STATUSES

    if invocation.remote is not None:
        rows = invocation.remote.letters(status)
    else:
        rows = list_letters(invocation.app(), status)
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        project = _("项目#{id}").format(id=r.project_id)
        lag = _("滞后{lag}").format(lag=f"{r.lag:g}")
        status = _(STATUSES[r.status].label)
        click.echo(
            f"#{r.id:<4} {r.number} {project} {r.issued_on} {lag} {flag_text(r.level)} {status}"
        )


@letters.command("show")
@click.argument("letter_id", type=int, metavar="ID")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "html", "pdf"]), default="text", show_default=True
)
@click.option("--output", metavar="FILE", help="Write to FILE instead of stdout.")
@FORCE_OPTION
@pass_invocation
def letters_show(
    invocation: Invocation, letter_id: int, fmt: str, output: str | None, force: bool
) -> None:
    """Show a letter as it was issued.

    A PDF needs a Chinese font on this host (Debian: fonts-noto-cjk) and is refused without
    one. An existing FILE is not overwritten without --force; a symbolic link or the
    database itself is never written.

    \b
    Example:
      ipflow letters show 3 --format html --output letter-3.html
      ipflow letters show 3 --format pdf --output letter-3.pdf
    """
    from workflow.letters.actions import show_letter

    if fmt == "pdf" and not output:
        raise click.UsageError(_("PDF格式须用 --output 指定文件"))
    target = invocation.output(output, force) if output else None
    if invocation.remote is not None:
        body = invocation.remote.letter(letter_id, fmt)
    else:
        body = show_letter(invocation.app(), letter_id, fmt)
    if target is None:
        click.echo(body, nl=False)
        return
    target.write(body if isinstance(body, bytes) else body.encode("utf-8"))
    click.echo(_("已写入{path}").format(path=output))


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
@pass_invocation
def letters_review(
    invocation: Invocation, letter_id: int, status: str, comment: str, as_json: bool
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

    if invocation.remote is not None:
        result = invocation.remote.review_letter(letter_id, status, comment)
    else:
        result = review_letter(invocation.app(), letter_id, status, comment)
    if as_json:
        emit_json(result.as_json())
        return
    extra = _("，已向省知识产权局提出风险处置建议") if result.recommendation_created else ""
    click.echo(
        _("预警告知书{number}已改为“{status}”").format(
            number=result.number, status=_(STATUS_LABELS[status])
        )
        + extra
    )


@letters.command("plan")
@click.argument("letter_id", type=int, metavar="ID")
@click.option("--received", type=DATE, required=True, help="Day the rectification plan arrived.")
@click.option("--due", type=DATE, help="Day the rectification must be done (default +15 days).")
@click.option("--summary", default="", help="What the plan commits to (整改措施).")
@JSON_OPTION
@pass_invocation
def letters_plan(
    invocation: Invocation,
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

    if invocation.remote is not None:
        result = invocation.remote.record_plan(letter_id, received, due, summary)
    else:
        result = record_plan(invocation.app(), letter_id, received, due, summary)
    if as_json:
        emit_json(result.as_json())
        return
    late = _("（逾期{days}天报送）").format(days=result.late_days) if result.late_days else ""
    click.echo(
        _("已登记{number}的整改方案{late}，整改完成期限{due}").format(
            number=result.number, late=late, due=result.due
        )
    )


@letters.command("follow-up")
@click.argument("letter_id", type=int, metavar="ID")
@click.option("--date", "day", type=DATE, required=True, help="Day of the follow-up.")
@click.option("--note", required=True, help="What was found (整改进展).")
@click.option("--done", is_flag=True, help="The rectification is complete.")
@JSON_OPTION
@pass_invocation
def letters_follow_up(
    invocation: Invocation, letter_id: int, day: date, note: str, done: bool, as_json: bool
) -> None:
    """Record one follow-up of a letter's rectification plan (整改跟踪).

    \b
    Example:
      ipflow letters follow-up 3 --date 2027-08-31 --note 调研已补齐 --done
    """
    from workflow.letters.review import follow_up

    if invocation.remote is not None:
        result = invocation.remote.follow_up(letter_id, day, note, done)
    else:
        result = follow_up(invocation.app(), letter_id, day, note, done)
    if as_json:
        emit_json(result.as_json())
        return
    state = (
        _("整改已完成") if done else _("整改未完成，逾期{days}天").format(days=result.overdue_days)
    )
    click.echo(_("已记录{day}的整改跟踪：{state}").format(day=day, state=state))


@letters.command("file")
@click.argument("letter_id", type=int, metavar="ID")
@JSON_OPTION
@pass_invocation
def letters_file(invocation: Invocation, letter_id: int, as_json: bool) -> None:
    """Show a letter's review trail, rectification plan and follow-ups.

    \b
    Example:
      ipflow letters file 3 --json
    """
    from workflow.letters.review import STATUS_LABELS, letter_file

    if invocation.remote is not None:
        doc = invocation.remote.letter_file(letter_id)
    else:
        doc = letter_file(invocation.app(), letter_id)
    if as_json:
        emit_json(doc.as_json())
        return
    project = _("项目#{id}").format(id=doc.project_id)
    click.echo(f"{doc.number} {project} {_(STATUS_LABELS[doc.status])}")
    for r in doc.reviews:
        click.echo(
            f"  {r.day} {r.actor}："
            + _("{status}，{comment}").format(status=_(STATUS_LABELS[r.to]), comment=r.comment)
        )
    plan = doc.plan
    if plan is None:
        click.echo(_("  整改方案：未收到（应于{due}前报送）").format(due=doc.rectification_due))
        return
    click.echo(
        _("  整改方案：{received}收到，{due}前完成。{summary}").format(
            received=plan.received_on, due=plan.due, summary=plan.summary
        )
    )
    for f in plan.follow_ups:
        done = _("（已完成）") if f.done else ""
        click.echo(f"  {f.day} " + _("跟踪：{note}").format(note=f.note) + done)
