"""Funding per category, computed from the call's rules, and the money effects of transitions.

The figures are those of states.rules (seed 004, SPEC.md §2), all amounts in integer yuan:

- fixed grants at approval: the category's grant (GRANTS);
- patent_navigation: by kind (NAVIGATION_GRANTS), chosen at approval with
  `--data kind=industry|enterprise` and kept on the project's funding row;
- gi_brand: its grant at approval; `roll` after a passed year-1 review adds an amount in
  GI_ROLLING;
- capability_city: by rank (CITY_TIERS, see workflow.projects.city_rank);
- data_ip_leader: nothing at approval; each `award` pays LEADER_AWARD, never more than
  LEADER_UNIT_CAP per unit;
- data_ip_securitization: SECURITIZATION_RATE × issuance × (financing ÷ issuance size), rounded
  down to the yuan, reserved at approval first come, first served against the year's
  SECURITIZATION_YEAR_CAP. The applicant whose subsidy crosses the cap is reserved what is left
  of it (a partial subsidy); once nothing is left, approval is refused. Paid (`pay_subsidy`)
  only after the product ends; `revoke` (default, or no longer qualifying) releases the
  reservation;
- service_brand: its grant committed at approval, paid only when acceptance passes with the
  revenue condition (SERVICE_BRAND_REVENUE) and statistics registration; `close_unpaid`
  releases it.

Where the office has set a year budget for the category (`ipflow programme budget`),
committing beyond it is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES
from states.definitions import DEFINITIONS
from states.machines import definition_for
from states.rules import (
    CITY_TIERS,
    NAVIGATION_GRANTS,
    SECURITIZATION_RATE,
    SECURITIZATION_YEAR_CAP,
    wan,
)
from workflow.core.context import AppContext
from workflow.core.dates import parse_date
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.money import parse_yuan
from workflow.db.locks import lock_key
from workflow.db.orm import Project, ProjectEvent
from workflow.db.orm_money import Disbursement, FinalAccount, ProgrammeBudget, ProjectFunding
from workflow.money.budget import disbursed_total, spent_accepted_total


def securitization_subsidy(issuance: int, financing: int, issue_size: int) -> int:
    """The rate of the product's issuance × the enterprise's share of it, rounded down to the yuan."""
    exact = SECURITIZATION_RATE * issuance * Decimal(financing) / Decimal(issue_size)
    return int(exact.quantize(Decimal(1), rounding=ROUND_DOWN))


def city_grant(rank: int) -> int:
    """The capability_city grant of `rank` (1-based); 0 beyond the last tier."""
    return CITY_TIERS[rank - 1] if 1 <= rank <= len(CITY_TIERS) else 0


def funding_of(session: Session, project_id: int) -> ProjectFunding | None:
    """The project's funding row, once it has been approved."""
    return session.get(ProjectFunding, project_id)


def committed_in_year(session: Session, year: int, category: str) -> int:
    """Money committed to the category's projects of programme year `year`."""
    total = session.scalar(
        select(func.coalesce(func.sum(ProjectFunding.committed), 0)).where(
            ProjectFunding.year == year, ProjectFunding.category == category
        )
    )
    return int(total or 0)


def securitization_cap_remaining(session: Session, year: int) -> int:
    """What is left of the year's securitisation subsidy cap."""
    return SECURITIZATION_YEAR_CAP - committed_in_year(session, year, "data_ip_securitization")


def leader_awards_of_unit(session: Session, unit_id: int) -> int:
    """All awards the unit received over its data_ip_leader projects (the cap is per unit)."""
    rows = session.scalars(
        select(ProjectEvent.data)
        .join(Project, Project.id == ProjectEvent.project_id)
        .where(
            Project.unit_id == unit_id,
            Project.category == "data_ip_leader",
            ProjectEvent.trigger == "award",
        )
    )
    return sum(int(d.get("amount", 0)) for d in rows)


def clawback_due(session: Session, project_id: int) -> int:
    """Disbursed minus spent-and-accepted money: what goes back after a double failure."""
    return max(0, disbursed_total(session, project_id) - spent_accepted_total(session, project_id))


def money_facts(
    session: Session, ctx: AppContext, project: Project, trigger: str
) -> dict[str, Any]:
    """The facts the money guards of `trigger` look at (see states.guards.Facts)."""
    facts: dict[str, Any] = {}
    if project.category == "data_ip_securitization" and trigger == "approve":
        facts["cap_remaining"] = securitization_cap_remaining(session, project.start.year)
    if trigger == "pay_subsidy":
        row = funding_of(session, project.id)
        facts["product_ended"] = bool(row and row.product_end and row.product_end <= ctx.today())
    if trigger == "close":
        facts["clawback_due"] = clawback_due(session, project.id)
    if trigger == "award":
        facts["awards_total"] = leader_awards_of_unit(session, project.unit_id)
    return facts


def year_budget_key(year: int, category: str) -> str:
    """The lock key of a category's committed total in a programme year (its year budget).

    data_ip_securitization's 200万 cap is that category's committed total in the year too, so
    this key (per year for that category) also serialises its first-come reservations.
    """
    return f"programme_budget:{year}:{category}"


COMMITTING = frozenset({"commit_grant", "commit_amount"})
"""The effects that commit money against the year budget (and securitisation's cap)."""


def lock_caps(session: Session, project: Project, trigger: str) -> None:
    """Lock the money caps `trigger` checks on `project`, before anything reads their totals.

    A transition whose effects commit money locks the year budget's key (which also covers
    securitisation's cap); an award of data_ip_leader also counts against the unit's 20万. Keys
    are always taken in this order, after the project's row, so two transitions never wait
    for each other in turn.
    """
    effects = definition_for(project.category, project.definition_version).effects_of(trigger)
    if COMMITTING & set(effects):
        lock_key(session, year_budget_key(project.start.year, project.category))
    if trigger == "award" and project.category == "data_ip_leader":
        lock_key(session, f"leader_awards:{project.unit_id}")


def _positive_int(data: dict[str, str], key: str, label: str) -> int:
    text = data.get(key)
    if text is None:
        raise Refused(_("须提供{label}（--data {key}=元）").format(label=label, key=key))
    try:
        value = parse_yuan(text)
    except ValueError as exc:
        raise Refused(_("{label}：{error}").format(label=label, error=exc)) from None
    if value <= 0:
        raise Refused(_("{label}须为正整数元，得到{value}").format(label=label, value=value))
    return value


def _securitization_terms(data: dict[str, str]) -> tuple[int, int, int, date]:
    issuance = _positive_int(data, "issuance", _("证券化产品发行金额"))
    financing = _positive_int(data, "financing", _("企业实际融资额"))
    size = _positive_int(data, "size", _("产品发行规模")) if "size" in data else issuance
    if financing > size:
        raise Refused(
            _("企业实际融资额{financing}元不能超过产品发行规模{size}元").format(
                financing=financing, size=size
            )
        )
    try:
        ends = parse_date(data.get("ends", ""))
    except ValueError:
        raise Refused(_("须提供证券化产品到期日（--data ends=YYYY-MM-DD）")) from None
    return issuance, financing, size, ends


def _check_year_budget(session: Session, year: int, category: str, extra: int) -> None:
    budget = session.get(ProgrammeBudget, (year, category))
    if budget is None:
        return
    committed = committed_in_year(session, year, category)
    if committed + extra > budget.amount:
        raise Refused(
            _(
                "超出{year}年度{name}预算：预算{budget}元，已承诺{committed}元，本次{extra}元"
            ).format(
                year=year,
                name=_(CATEGORIES[category].name),
                budget=budget.amount,
                committed=committed,
                extra=extra,
            )
        )


def _approve(
    session: Session, project: Project, data: dict[str, str], via_ranking: bool
) -> dict[str, Any]:
    category = project.category
    year = project.start.year
    row = ProjectFunding(project_id=project.id, year=year, category=category, committed=0)
    effect: dict[str, Any] = {}
    if category == "patent_navigation":
        kind = data.get("kind", "")
        if kind not in NAVIGATION_GRANTS:
            raise Refused(
                _(
                    "专利导航项目须注明类型：--data kind=industry（产业类，{industry}元）或 --data kind=enterprise（企业类，{enterprise}元）"
                ).format(
                    industry=wan(NAVIGATION_GRANTS["industry"]),
                    enterprise=wan(NAVIGATION_GRANTS["enterprise"]),
                )
            )
        row.kind, row.committed = kind, NAVIGATION_GRANTS[kind]
    elif category == "capability_city":
        rank = int(data.get("rank", "0")) if via_ranking else 0
        row.committed = city_grant(rank)
        effect["rank"] = rank
    elif category == "data_ip_securitization":
        issuance, financing, size, ends = _securitization_terms(data)
        subsidy = securitization_subsidy(issuance, financing, size)
        remaining = securitization_cap_remaining(session, year)
        row.issuance, row.financing, row.issue_size, row.product_end = (
            issuance,
            financing,
            size,
            ends,
        )
        row.committed = min(subsidy, remaining)
        effect["subsidy"] = subsidy
        if row.committed < subsidy:
            effect["capped"] = True
    else:
        row.committed = CATEGORIES[category].grant or 0
    _check_year_budget(session, year, category, row.committed)
    session.add(row)
    effect["committed"] = row.committed
    return effect


def _disburse(session: Session, ctx: AppContext, project: Project, amount: int, stage: str) -> None:
    session.add(
        Disbursement(
            project_id=project.id,
            day=ctx.today(),
            amount=amount,
            stage=stage,
            actor=ctx.actor,
            created_at=ctx.clock(),
        )
    )


def _final_account(
    session: Session,
    ctx: AppContext,
    project: Project,
    row: ProjectFunding,
    trigger: str,
    recovers: bool,
) -> FinalAccount:
    disbursed = disbursed_total(session, project.id)
    spent = spent_accepted_total(session, project.id)
    balance = disbursed - spent
    account = FinalAccount(
        project_id=project.id,
        day=ctx.today(),
        trigger=trigger,
        committed=row.committed,
        disbursed=disbursed,
        spent_accepted=spent,
        balance=balance,
        carry_over=0 if recovers else max(balance, 0),
        clawback=max(balance, 0) if recovers else 0,
        actor=ctx.actor,
        created_at=ctx.clock(),
    )
    session.merge(account)
    return account


@dataclass(frozen=True)
class Move:
    """One accepted transition as its money effects see it."""

    session: Session
    ctx: AppContext
    project: Project
    trigger: str
    amount: int | None
    data: dict[str, str]
    via_ranking: bool

    def funding(self, create: bool = False) -> ProjectFunding | None:
        """The project's funding row (with `create`, a new empty one where there is none)."""
        row = funding_of(self.session, self.project.id)
        if row is None and create:
            row = ProjectFunding(
                project_id=self.project.id,
                year=self.project.start.year,
                category=self.project.category,
                committed=0,
            )
            self.session.add(row)
        if row is not None:
            self.session.flush()
        return row


def _commit_grant(m: Move) -> dict[str, Any]:
    """Commit what the category's rules grant at approval (see `_approve`)."""
    return _approve(m.session, m.project, m.data, m.via_ranking)


def _commit_amount(m: Move) -> dict[str, Any]:
    """Add the amount given to the commitment, within the category's year budget."""
    row = m.funding(create=True)
    if row is not None and m.amount is not None:
        _check_year_budget(m.session, row.year, row.category, m.amount)
        row.committed += m.amount
    return {}


def _pay_award(m: Move) -> dict[str, Any]:
    """Pay the amount given at once: the leader's award after an evaluation."""
    if m.funding() is not None and m.amount is not None:
        _disburse(m.session, m.ctx, m.project, m.amount, "年度绩效评价补助")
    return {}


def _pay_subsidy(m: Move) -> dict[str, Any]:
    """Pay the securitisation subsidy reserved at approval, once the product has ended."""
    row = m.funding()
    if row is None:
        return {}
    _disburse(m.session, m.ctx, m.project, row.committed, "证券化产品到期，发放补贴")
    return {"paid": row.committed}


def _pay_grant(m: Move) -> dict[str, Any]:
    """Pay the grant committed at approval, now that its condition is met (service_brand)."""
    row = m.funding()
    if row is not None:
        _disburse(m.session, m.ctx, m.project, row.committed, "达到上规入统条件，发放资助")
    return {}


def _carry_over(m: Move) -> dict[str, Any]:
    """Final accounts at a passed acceptance: the balance is carried over."""
    row = m.funding()
    if row is None:
        return {}
    account = _final_account(m.session, m.ctx, m.project, row, m.trigger, recovers=False)
    return {"balance": account.balance, "carry_over": account.carry_over}


def _release(m: Move) -> dict[str, Any]:
    """Final accounts recovering the balance; the commitment shrinks to the accepted spending."""
    row = m.funding()
    if row is None:
        return {}
    account = _final_account(m.session, m.ctx, m.project, row, m.trigger, recovers=True)
    row.committed = account.spent_accepted
    return {"clawback": account.clawback, "released_to": row.committed}


EFFECTS: dict[str, Callable[[Move], dict[str, Any]]] = {
    "commit_grant": _commit_grant,
    "commit_amount": _commit_amount,
    "pay_award": _pay_award,
    "pay_subsidy": _pay_subsidy,
    "pay_grant": _pay_grant,
    "final_account": _carry_over,
    "release": _release,
}
"""The money effects a transition declares (states.definitions.EFFECT_LABELS), by name."""

PAYING = frozenset({"pay_award", "pay_subsidy", "pay_grant"})
"""The effects that pay money out."""


def paying_triggers(category: str) -> list[str]:
    """The triggers of `category` whose effects pay money out, in definition order."""
    return [t.trigger for t in DEFINITIONS[category].transitions if PAYING & set(t.effects)]


PAID_BY_TRANSITION = frozenset(code for code in DEFINITIONS if paying_triggers(code))
"""Categories whose money moves only through their transitions, never by a manual disbursement."""


def apply_effects(
    session: Session,
    ctx: AppContext,
    project: Project,
    trigger: str,
    amount: int | None,
    data: dict[str, str],
    via_ranking: bool = False,
) -> dict[str, Any]:
    """Carry out the money effects `trigger` declares, in order; return data for its event.

    Runs inside the transition's transaction, before the project's state changes; a Refused
    rolls the whole transition back.
    """
    move = Move(session, ctx, project, trigger, amount, data, via_ranking)
    definition = definition_for(project.category, project.definition_version)
    recorded: dict[str, Any] = {}
    for name in definition.effects_of(trigger):
        if name in EFFECTS:  # the others (restrict_unit) are the project use case's
            recorded.update(EFFECTS[name](move))
    return recorded
