"""ipflow unit: the applicant units and their credit records."""

from __future__ import annotations

from datetime import date

import click

from commands.common import DATE, JSON_OPTION, Invocation, _, emit_json, pass_invocation


@click.group()
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
@pass_invocation
def unit_add(invocation: Invocation, name: str, kind: str, contact_email: str | None) -> None:
    """Register a unit.

    \b
    Example:
      ipflow unit add 贵州大学 --kind university --contact-email kjc@gzu.edu.cn
    """
    from workflow.units.actions import add_unit

    unit_id = add_unit(invocation.app(), name, kind, contact_email)
    click.echo(_("已登记单位#{id}：{name}").format(id=unit_id, name=name))


@unit.command("list")
@JSON_OPTION
@pass_invocation
def unit_list(invocation: Invocation, as_json: bool) -> None:
    """List units with their number of credit records in force.

    \b
    Example:
      ipflow unit list --json
    """
    from workflow.core.results import to_json
    from workflow.units.actions import list_units

    rows = list_units(invocation.app())
    if as_json:
        emit_json(to_json(rows))
        return
    for r in rows:
        count = r.active_records
        flag = _("  有效信用记录{count}条").format(count=count) if count else ""
        click.echo(f"#{r.id:<5} " + _("{name}（{kind}）").format(name=r.name, kind=r.kind) + flag)


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
@pass_invocation
def unit_record_add(
    invocation: Invocation, unit_name: str, kind: str, start: date, end: date | None, note: str
) -> None:
    """Record an adverse credit finding; `approve` is refused while it is in force.

    \b
    Example:
      ipflow unit record add 某科技公司 --kind abnormal_operation --start 2027-03-01 \\
          --end 2027-12-31 --note 信用中国公示
    """
    from workflow.units.actions import add_record

    record_id = add_record(invocation.app(), unit_name, kind, start, end, note)
    click.echo(_("已记录信用记录#{id}").format(id=record_id))


@unit_record.command("list")
@click.argument("unit_name", metavar="UNIT")
@JSON_OPTION
@pass_invocation
def unit_record_list(invocation: Invocation, unit_name: str, as_json: bool) -> None:
    """List a unit's credit records.

    \b
    Example:
      ipflow unit record list 某科技公司 --json
    """
    from workflow.core.results import to_json
    from workflow.units.actions import RECORD_KINDS, list_records

    records = list_records(invocation.app(), unit_name)
    if as_json:
        emit_json(to_json(records))
        return
    if not records:
        click.echo(_("{unit}没有信用记录").format(unit=unit_name))
    for r in records:
        state = _("有效") if r.active else _("已失效")
        period = _("{start}至{end}").format(start=r.start, end=r.end or _("长期"))
        click.echo(f"#{r.id} {_(RECORD_KINDS[r.kind])} {period} {state} {r.note}")
