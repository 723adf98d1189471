"""data_ip_securitization at filing: the product's terms checked, the subsidy reserved in filing order.

The call funds securitisation first applied, first served (先申请先资助) until the year's
200万 are used. So the subsidy is reserved when the application is filed, not when it is
approved: the application states its product (states.rules.SECURITIZATION_TERMS), the rate gives
the subsidy, and what is left of the programme year's cap is reserved for it under the year's
lock. An earlier application keeps its reservation whatever the order of approvals; the
application that crosses the cap is reserved what is left, and once nothing is left a filing is
refused. A rejected or withdrawn application's reservation lapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from states.rules import (
    SECURITIZATION_ISSUE_YEAR,
    SECURITIZATION_TERMS,
    SECURITIZATION_YEAR_CAP,
)
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.money import parse_yuan
from workflow.db.locks import lock_key
from workflow.db.orm import Project
from workflow.db.orm_claims import SubsidyClaim
from workflow.db.orm_money import ProgrammeBudget
from workflow.money.funding import committed_in_year, securitization_subsidy, year_budget_key

CATEGORY = "data_ip_securitization"
PENDING = ("applied", "screened")
"""States in which a filed application's reservation holds before it becomes a grant."""


@dataclass(frozen=True)
class Terms:
    """What a securitisation application states about its product."""

    issuance: int
    financing: int
    size: int
    issued: date
    ends: date


def _amount(data: dict[str, str], key: str, label: str) -> int:
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


def _day(data: dict[str, str], key: str, label: str) -> date:
    try:
        return date.fromisoformat(data.get(key, ""))
    except ValueError:
        raise Refused(
            _("须提供{label}（--data {key}=YYYY-MM-DD）").format(label=label, key=key)
        ) from None


def terms_of(data: dict[str, str], today: date) -> Terms:
    """The product an application states, or a refusal naming what is missing or ineligible.

    The product must have been issued in SECURITIZATION_ISSUE_YEAR (and not after today) and end
    after its issue. (The enterprise's Guizhou registration is a unit fact that the applicant
    rule of states.eligibility checks.)
    """
    unknown = sorted(set(data) - set(SECURITIZATION_TERMS))
    if unknown:
        raise Refused(
            _("证券化资助申报不认识 --data {keys}；可填写：{known}").format(
                keys=", ".join(unknown), known=", ".join(SECURITIZATION_TERMS)
            )
        )
    issuance = _amount(data, "issuance", _("证券化产品发行金额"))
    financing = _amount(data, "financing", _("企业实际融资额"))
    size = _amount(data, "size", _("产品发行规模")) if "size" in data else issuance
    if financing > size:
        raise Refused(
            _("企业实际融资额{financing}元不能超过产品发行规模{size}元").format(
                financing=financing, size=size
            )
        )
    issued = _day(data, "issued", _("证券化产品发行日"))
    ends = _day(data, "ends", _("证券化产品到期日"))
    if issued.year != SECURITIZATION_ISSUE_YEAR:
        raise Refused(
            _("证券化产品须于{year}年期间发行，而发行日为{issued}，不在资助范围内").format(
                year=SECURITIZATION_ISSUE_YEAR, issued=issued
            )
        )
    if issued > today:
        raise Refused(
            _("证券化产品发行日{issued}晚于今天{today}").format(issued=issued, today=today)
        )
    if ends <= issued:
        raise Refused(
            _("证券化产品到期日{ends}须晚于发行日{issued}").format(ends=ends, issued=issued)
        )
    return Terms(issuance, financing, size, issued, ends)


def cap_remaining(session: Session, year: int) -> int:
    """What is left of `year`'s securitisation money: the cap (or the office's lower year budget)
    less what is granted and what waiting applications have reserved."""
    budget = session.get(ProgrammeBudget, (year, CATEGORY))
    limit = min(SECURITIZATION_YEAR_CAP, budget.amount) if budget else SECURITIZATION_YEAR_CAP
    waiting = session.scalar(
        select(func.coalesce(func.sum(SubsidyClaim.reserved), 0))
        .join(Project, Project.id == SubsidyClaim.project_id)
        .where(SubsidyClaim.year == year, Project.state.in_(PENDING))
    )
    return limit - committed_in_year(session, year, CATEGORY) - int(waiting or 0)


def file_claim(
    session: Session, ctx: AppContext, project: Project, data: dict[str, str]
) -> dict[str, Any]:
    """Check the application's product and reserve its subsidy now; return data for its event."""
    terms = terms_of(data, ctx.today())
    year = project.start.year
    lock_key(session, year_budget_key(year, CATEGORY))
    remaining = cap_remaining(session, year)
    if remaining <= 0:
        raise Refused(
            _("{year}年度数据知识产权证券化补贴额度{cap}元已用完（先申请先资助）").format(
                year=year, cap=SECURITIZATION_YEAR_CAP
            )
        )
    subsidy = securitization_subsidy(terms.issuance, terms.financing, terms.size)
    claim = SubsidyClaim(
        project_id=project.id,
        year=year,
        issuance=terms.issuance,
        financing=terms.financing,
        issue_size=terms.size,
        issued_on=terms.issued,
        product_end=terms.ends,
        subsidy=subsidy,
        reserved=min(subsidy, remaining),
        filed_at=ctx.clock(),
    )
    session.add(claim)
    recorded: dict[str, Any] = {"subsidy": subsidy, "reserved": claim.reserved}
    if claim.reserved < subsidy:
        recorded["capped"] = True
    return recorded
