"""Funding per category, computed from the call's rules, and the money effects of transitions.

Rules (seed 004, SPEC.md §2), all amounts in integer yuan:

- fixed grants at approval: the category's `grant` (50万, 20万, 30万, 100万 …);
- patent_navigation: 20万 for an industry project, 10万 for an enterprise project, chosen at
  approval with `--data kind=industry|enterprise` and kept on the project's funding row;
- gi_brand: 50万 at approval; `roll` after a passed year-1 review adds 50万–100万 (inclusive);
- capability_city: by rank, 200/100/100/50/50/50/20/20/20/20万 (see workflow.projects.city_rank);
- data_ip_leader: nothing at approval; each `award` pays 10万, never more than 20万 per unit;
- data_ip_securitization: 4% × issuance × (financing ÷ issuance size), rounded down to the yuan,
  reserved at approval first come, first served against the year's 200万 cap. The applicant
  whose subsidy crosses the cap is reserved what is left of it (a partial subsidy); once
  nothing is left, approval is refused. Paid (`pay_subsidy`) only after the product ends;
  `revoke` (default, or no longer qualifying) releases the reservation;
- service_brand: 50万 committed at approval, paid only when acceptance passes with 2026
  revenue ≥ 1000万 and statistics registration; `close_unpaid` releases it.

Where the office has set a year budget for the category (`ipflow programme budget`),
committing beyond it is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES, WAN
from states.guards import SECURITIZATION_CAP
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.money import parse_yuan
from workflow.db.locks import lock_key
from workflow.db.orm import Project, ProjectEvent
from workflow.db.orm_money import Disbursement, FinalAccount, ProgrammeBudget, ProjectFunding
from workflow.money.budget import disbursed_total, spent_accepted_total

CITY_TIERS: tuple[int, ...] = tuple(n * WAN for n in (200, 100, 100, 50, 50, 50, 20, 20, 20, 20))
"""capability_city grants by rank 1–10 (seed 004): 630万 in all."""
NAVIGATION_GRANTS = {"industry": 20 * WAN, "enterprise": 10 * WAN}
NAVIGATION_LABELS = {"industry": "产业类", "enterprise": "企业类"}
SECURITIZATION_RATE = Decimal("0.04")
PAID_BY_TRANSITION = frozenset({"service_brand", "data_ip_leader", "data_ip_securitization"})
"""Categories whose money moves only through their transitions, never by a manual disbursement."""
RELEASING = frozenset({"terminate", "revoke", "close_unpaid", "close"})
"""Triggers after which the programme's commitment shrinks to what was spent and accepted."""


def securitization_subsidy(issuance: int, financing: int, issue_size: int) -> int:
    """4% of the product's issuance × the enterprise's share of it, rounded down to the yuan."""
    exact = SECURITIZATION_RATE * issuance * Decimal(financing) / Decimal(issue_size)
    return int(exact.quantize(Decimal(1), rounding=ROUND_DOWN))


def city_grant(rank: int) -> int:
    """The capability_city grant of `rank` (1-based); 0 beyond the tenth."""
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
    """What is left of the year's 200万 securitisation subsidy cap."""
    return SECURITIZATION_CAP - committed_in_year(session, year, "data_ip_securitization")


def leader_awards_of_unit(session: Session, unit_id: int) -> int:
    """All awards the unit received over its data_ip_leader projects (the 20万 cap is per unit)."""
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


def lock_caps(session: Session, project: Project, trigger: str) -> None:
    """Lock the money caps `trigger` checks on `project`, before anything reads their totals.

    Approve, roll and award commit money against the year budget (and securitisation's cap);
    an award of data_ip_leader also counts against the unit's 20万. Keys are always taken in
    this order, after the project's row, so two transitions never wait for each other in turn.
    """
    if trigger in ("approve", "roll", "award"):
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
        ends = date.fromisoformat(data.get("ends", ""))
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
                    "专利导航项目须注明类型：--data kind=industry（产业类，20万元）或 --data kind=enterprise（企业类，10万元）"
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
    session: Session, ctx: AppContext, project: Project, row: ProjectFunding, trigger: str
) -> FinalAccount:
    disbursed = disbursed_total(session, project.id)
    spent = spent_accepted_total(session, project.id)
    balance = disbursed - spent
    recovers = trigger in RELEASING
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


def apply_effects(
    session: Session,
    ctx: AppContext,
    project: Project,
    trigger: str,
    amount: int | None,
    data: dict[str, str],
    via_ranking: bool = False,
) -> dict[str, Any]:
    """Record the money a transition moves; return what its history event should also hold.

    Runs inside the transition's transaction; a Refused rolls the whole transition back.
    """
    if trigger == "approve":
        return _approve(session, project, data, via_ranking)
    row = funding_of(session, project.id)
    if row is None:
        if trigger not in ("roll", "award"):
            return {}
        row = ProjectFunding(
            project_id=project.id,
            year=project.start.year,
            category=project.category,
            committed=0,
        )
        session.add(row)
    session.flush()
    effect: dict[str, Any] = {}
    if trigger in ("roll", "award") and amount is not None:
        _check_year_budget(session, row.year, row.category, amount)
        row.committed += amount
        if trigger == "award":
            _disburse(session, ctx, project, amount, "年度绩效评价补助")
    elif trigger == "pay_subsidy":
        _disburse(session, ctx, project, row.committed, "证券化产品到期，发放补贴")
        effect["paid"] = row.committed
    elif trigger in ("pass_acceptance", "pass_reacceptance"):
        if project.category == "service_brand":
            _disburse(session, ctx, project, row.committed, "达到上规入统条件，发放资助")
        session.flush()
        account = _final_account(session, ctx, project, row, trigger)
        effect.update(balance=account.balance, carry_over=account.carry_over)
    elif trigger in RELEASING:
        session.flush()
        account = _final_account(session, ctx, project, row, trigger)
        row.committed = account.spent_accepted
        effect.update(clawback=account.clawback, released_to=row.committed)
    return effect
