"""Reversal (冲正) of a mistaken payment, and the list of a project's payments.

A payment is never deleted or changed. Its reversal is a second disbursement of the negated
amount that names it (`reverses_id`), dated on the day of the reversal, so that every sum of
disbursements — the money views (workflow.money.figures), the cap disbursed ≤ committed, the
programme's use (workflow.money.programme) — drops by the payment from that day on, and a
view of an earlier day still shows it paid. Each reversal is logged as a correction of the
project (`project show` lists it in the history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core.boundary import Work, use_case
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.corrections.log import record_correction
from workflow.db.orm import Project
from workflow.db.orm_money import Disbursement, FinalAccount
from workflow.money.budget import disbursed_total


@dataclass(frozen=True)
class Reversed(Result):
    """A reversal just recorded: `disburse reverse --json`."""

    id: int
    """The reversal's own number (a disbursement of the negated amount)."""
    project_id: int
    reverses: int
    amount: int
    """The reversal's amount: the reversed payment's, negated."""
    disbursed: int
    """Everything paid to the project after the reversal."""


@dataclass(frozen=True)
class PaymentView(Result):
    """A payment or a reversal as `disburse list` shows it."""

    id: int
    day: date
    amount: int
    stage: str
    voucher: str | None
    reverses: int | None
    """The payment this entry reverses (a reversal), else None."""
    reversed_by: int | None
    """The reversal of this payment, if it was reversed."""
    note: str
    actor: str


def _refuse_reversal(session: Session, payment: Disbursement, project: Project) -> None:
    """Refuse to reverse a reversal, a payment reversed already, a payment the rules made with a
    transition, or a payment of a project whose final accounts are recorded."""
    from workflow.money.funding import PAID_BY_TRANSITION

    if payment.reverses_id is not None:
        raise Refused(
            _("拨付#{id}本身是对拨付#{original}的冲正，不能再冲正").format(
                id=payment.id, original=payment.reverses_id
            )
        )
    reversal = session.scalar(select(Disbursement).where(Disbursement.reverses_id == payment.id))
    if reversal is not None:
        raise Refused(
            _("项目#{project_id}的拨付#{id}已于{day}由冲正#{reversal}冲正（{actor}）").format(
                project_id=project.id,
                id=payment.id,
                day=reversal.day,
                reversal=reversal.id,
                actor=reversal.actor,
            )
        )
    if project.category in PAID_BY_TRANSITION:
        raise Refused(
            _(
                "拨付#{id}是{category}类项目#{project_id}随其评价或验收结果依规则支付的款项，不能冲正"
            ).format(id=payment.id, category=project.category, project_id=project.id)
        )
    account = session.get(FinalAccount, project.id)
    if account is not None:
        raise Refused(
            _(
                "项目#{project_id}已于{day}办理决算（已拨付{disbursed}元），拨付#{id}不能再冲正：多拨的资金按决算收回"
            ).format(
                project_id=project.id, day=account.day, disbursed=account.disbursed, id=payment.id
            )
        )


@use_case("disburse_reverse", write=True)
def reverse(work: Work, disbursement_id: int, note: str, day: date | None = None) -> Reversed:
    """Reverse a mistaken payment (冲正) with a negative entry naming it, on `day` (today)."""
    ctx, session = work.ctx, work.session
    if not note.strip():
        raise Refused(_("冲正须写明理由（--note）"))
    payment = session.get(Disbursement, disbursement_id)
    if payment is None:
        raise NotFound(_("没有编号为{id}的拨付").format(id=disbursement_id))
    # the payments and transitions of one project go one at a time (as `disburse` does)
    project = session.get_one(Project, payment.project_id, with_for_update=True)
    _refuse_reversal(session, payment, project)
    day = day or ctx.today()
    if not payment.day <= day <= ctx.today():
        raise Refused(
            _("冲正日期{day}须在原拨付日期{paid}至今天{today}之间").format(
                day=day, paid=payment.day, today=ctx.today()
            )
        )
    reversal = Disbursement(
        project_id=project.id,
        day=day,
        amount=-payment.amount,
        stage=payment.stage,
        actor=ctx.actor,
        created_at=ctx.clock(),
        reverses_id=payment.id,
        note=note.strip(),
    )
    session.add(reversal)
    session.flush()
    before = {
        "amount": payment.amount,
        "day": payment.day.isoformat(),
        "stage": payment.stage,
        "voucher": payment.voucher,
    }
    after = {"amount": 0, "reversal": reversal.id}
    record_correction(
        session,
        ctx,
        "disbursement",
        before,
        after,
        note.strip(),
        project=project,
        subject_id=payment.id,
    )
    return Reversed(
        reversal.id, project.id, payment.id, reversal.amount, disbursed_total(session, project.id)
    )


@use_case("disburse_list", write=False, subject=("project", "project_id"))
def payments(work: Work, project_id: int) -> list[PaymentView]:
    """A project's payments and reversals, in the order they were recorded."""
    session = work.session
    if session.get(Project, project_id) is None:
        raise NotFound(_("没有编号为{project_id}的项目").format(project_id=project_id))
    rows = list(
        session.scalars(
            select(Disbursement)
            .where(Disbursement.project_id == project_id)
            .order_by(Disbursement.id)
        )
    )
    reversed_by = {r.reverses_id: r.id for r in rows if r.reverses_id is not None}
    return [
        PaymentView(
            r.id,
            r.day,
            r.amount,
            r.stage,
            r.voucher,
            r.reverses_id,
            reversed_by.get(r.id),
            r.note,
            r.actor,
        )
        for r in rows
    ]
