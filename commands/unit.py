"""ipflow unit: the applicant units and their credit records."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from commands.common import (
    DATE,
    JSON_OPTION,
    RECORD_KIND,
    UNIT_KIND,
    Invocation,
    _,
    correction_line,
    emit_json,
    pass_invocation,
)

if TYPE_CHECKING:
    from workflow.units.actions import UnitView


@click.group()
def unit() -> None:
    """Units (applicants) and their credit records."""


KIND_HELP = (
    "enterprise, university, institute, association, service_org, accounting_firm, "
    "consultancy, city_ip_office (a prefecture's or 贵安新区's IP office), county_ip_office, "
    "zone_authority (the IP authority of a national IP-service demonstration zone) or "
    "industry_authority (or the Chinese name: 企业, 高校, 科研院所, …)."
)
FACT_OPTION = click.option(
    "--fact",
    "fact_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A fact the applicant rules need (repeatable; an empty VALUE clears it): "
    "legal_person=yes|no (default yes), valid_patents=N, chain_leader=yes, "
    "leading_enterprise=yes, national_demo_candidate=yes, guizhou_registered=yes, "
    "provincial_gi_holder=yes.",
)


def _facts(pairs: tuple[str, ...]) -> dict[str, str]:
    facts: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                _("“{pair}”应为 KEY=VALUE").format(pair=pair), param_hint="--fact"
            )
        facts[key.strip()] = value.strip()
    return facts


@unit.command("add")
@click.argument("name")
@click.option("--kind", type=UNIT_KIND, default="enterprise", show_default=True, help=KIND_HELP)
@click.option("--contact-email", metavar="EMAIL", help="Where letters and notices go.")
@FACT_OPTION
@click.option("--note", default="", help="Source of the facts (recorded with them).")
@pass_invocation
def unit_add(
    invocation: Invocation,
    name: str,
    kind: str,
    contact_email: str | None,
    fact_pairs: tuple[str, ...],
    note: str,
) -> None:
    """Register a unit with its kind and the facts the applicant rules need.

    \b
    Example:
      ipflow unit add 贵州大学 --kind university --fact valid_patents=1260 \\
          --contact-email kjc@gzu.edu.cn
    """
    from workflow.units.actions import add_unit

    unit_id = add_unit(invocation.app(), name, kind, contact_email, _facts(fact_pairs), note)
    click.echo(_("已登记单位#{id}：{name}").format(id=unit_id, name=name))


@unit.command("set")
@click.argument("name")
@click.option("--kind", type=UNIT_KIND, help="Correct the unit's kind: " + KIND_HELP)
@click.option(
    "--contact-email", metavar="EMAIL", help="Correct where letters go (empty: no address)."
)
@FACT_OPTION
@click.option("--note", default="", help="Source of the facts, or why it is corrected (kept).")
@JSON_OPTION
@pass_invocation
def unit_set(
    invocation: Invocation,
    name: str,
    kind: str | None,
    contact_email: str | None,
    fact_pairs: tuple[str, ...],
    note: str,
    as_json: bool,
) -> None:
    """Record a unit's facts, or correct its kind or contact; applications and approvals read them.

    A corrected kind or contact is kept in the unit's corrections (`unit show`) with what it
    was before, who corrected it, when and the note.

    \b
    Example:
      ipflow unit set 某科技公司 --fact chain_leader=yes --note 省工信厅链主企业名单
      ipflow unit set 贵州大学 --kind university --contact-email kjc@gzu.edu.cn --note 登记有误
    """
    from workflow.units.actions import set_unit

    view = set_unit(invocation.app(), name, kind, _facts(fact_pairs), note, contact_email)
    if as_json:
        emit_json(view.as_json())
        return
    _echo_unit(view)


@unit.command("show")
@click.argument("name")
@JSON_OPTION
@pass_invocation
def unit_show(invocation: Invocation, name: str, as_json: bool) -> None:
    """Show a unit: its kind, contact, facts and credit records in force.

    \b
    Example:
      ipflow unit show 贵州大学 --json
    """
    from workflow.units.actions import show_unit

    view = show_unit(invocation.app(), name)
    if as_json:
        emit_json(view.as_json())
        return
    _echo_unit(view)


def _echo_unit(view: UnitView) -> None:
    from states.eligibility import FACTS, UNIT_KINDS, show_fact

    click.echo(
        _("单位#{id} {name}（{kind}，{label}）").format(
            id=view.id, name=view.name, kind=view.kind, label=_(UNIT_KINDS[view.kind])
        )
    )
    if view.contact_email:
        click.echo(_("  联系邮箱：{email}").format(email=view.contact_email))
    for name, value in view.facts.items():
        click.echo(f"  {_(FACTS[name].label)}：{show_fact(name, value)}（{name}）")
    click.echo(_("  有效信用记录{count}条").format(count=view.active_records))
    if view.corrections:
        click.echo(_("  更正记录（北京时间）："))
    for c in view.corrections:
        click.echo(f"    {correction_line(c)}")


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
    type=RECORD_KIND,
    required=True,
    help="penalty, abnormal_operation, serious_dishonesty, blacklist or restricted "
    "(or the Chinese name: 行政处罚, 经营异常, 严重失信, …).",
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
        if r.revoked_at is not None:
            state = _("已撤销（{note}）").format(note=r.revoke_note)
        period = _("{start}至{end}").format(start=r.start, end=r.end or _("长期"))
        click.echo(f"#{r.id} {_(RECORD_KINDS[r.kind])} {period} {state} {r.note}")


@unit_record.command("revoke")
@click.argument("record_id", type=int, metavar="ID")
@click.option("--note", required=True, help="Why the record was entered in error (kept).")
@JSON_OPTION
@pass_invocation
def unit_record_revoke(invocation: Invocation, record_id: int, note: str, as_json: bool) -> None:
    """Revoke a credit record entered in error: it is kept, marked revoked, and never in force.

    \b
    Example:
      ipflow unit record revoke 12 --note 误录：处罚对象为同名的另一家公司
    """
    from workflow.units.actions import revoke_record

    record = revoke_record(invocation.app(), record_id, note)
    if as_json:
        emit_json(record.as_json())
        return
    click.echo(_("已撤销单位“{unit}”的信用记录#{id}").format(unit=record.unit, id=record.id))
