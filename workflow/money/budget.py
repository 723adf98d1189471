"""Budget lines, disbursements, expenditures with their flags (SPEC.md §7), reviews, fund use.

An expenditure is flagged when it is booked outside the approved budget lines, when it is a
single large item (≥ 20% of the project's committed funding or ≥ 10万, both configurable in
[check]), or when it takes spending above its line, above the budget or above what was
disbursed. An unflagged expenditure counts as accepted; a flagged one waits for review
(`ipflow expense review`): accepted, or misuse (违规挪用). The nightly check turns a misuse
into a red flag and an unreviewed large item into an amber one (`money_findings`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from states.definitions import ACTIVE_STATES
from workflow.core.boundary import Work, use_case
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import N_, _
from workflow.core.results import Result
from workflow.core.text import entry_text
from workflow.db.orm import Project
from workflow.db.orm_money import BudgetLine, Disbursement, Expenditure, ProjectFunding
from workflow.db.widths import width
from workflow.money.figures import ACCEPTED, MoneyFigures, money_of
from workflow.projects.actions import project_for_change

if TYPE_CHECKING:
    from workflow.money.reviews import BudgetReviewView, FundEvaluationView

FLAG_LABELS = {
    "outside_lines": N_("超出批复预算科目"),
    "large": N_("单笔大额支出"),
    "over_line": N_("超出该科目预算"),
    "over_budget": N_("累计支出超出预算"),
    "over_disbursed": N_("累计支出超出已拨付资金"),
}
PENDING, MISUSE = "pending", "misuse"
DECISIONS = {"accept": ACCEPTED, "misuse": MISUSE}
LINE_STATES = frozenset({"approved"}) | ACTIVE_STATES
"""States in which the budget lines may be set (at approval, or adjusted while carried out)."""
DISBURSE_STATES = frozenset({"approved"}) | (ACTIVE_STATES - {"suspended"})
"""States in which money may be paid out: never while suspended (funding paused)."""


@dataclass(frozen=True)
class BudgetLines(Result):
    """A project's budget lines just set: `budget set --json`."""

    project_id: int
    lines: dict[str, int]
    total: int


@dataclass(frozen=True)
class Disbursed(Result):
    """A disbursement just recorded: `disburse --json`."""

    id: int
    project_id: int
    disbursed: int
    """Everything paid to the project so far, this disbursement included."""


@dataclass(frozen=True)
class Booked(Result):
    """An expenditure just booked: `expense add --json`."""

    id: int
    project_id: int
    flags: list[str]
    status: str


@dataclass(frozen=True)
class Reviewed(Result):
    """An expenditure just reviewed: `expense review --json`."""

    id: int
    project_id: int
    status: str


def disbursed_total(session: Session, project_id: int) -> int:
    """Everything paid to the project so far."""
    total = session.scalar(
        select(func.coalesce(func.sum(Disbursement.amount), 0)).where(
            Disbursement.project_id == project_id
        )
    )
    return int(total or 0)


def spent_accepted_total(session: Session, project_id: int) -> int:
    """Expenditures that count: unflagged, or reviewed and accepted."""
    total = session.scalar(
        select(func.coalesce(func.sum(Expenditure.amount), 0)).where(
            Expenditure.project_id == project_id, Expenditure.review_status == ACCEPTED
        )
    )
    return int(total or 0)


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(_("没有编号为{project_id}的项目").format(project_id=project_id))
    return project


def _committed(session: Session, project: Project, rule: str) -> int:
    row = session.get(ProjectFunding, project.id)
    if row is None:
        raise Refused(_("项目#{id}尚未立项，没有资助承诺：{rule}").format(id=project.id, rule=rule))
    return row.committed


def _check_amount(amount: int, what: str) -> None:
    if amount <= 0:
        raise Refused(_("{what}须为正整数元，得到{amount}").format(what=what, amount=amount))


@use_case("budget_set", write=True, subject=("project", "project_id"))
def set_budget_lines(work: Work, project_id: int, lines: dict[str, int]) -> BudgetLines:
    """Approve (or replace) a project's budget lines; they must add up to its committed funding."""
    session = work.session
    if not lines:
        raise Refused(_("至少需要一个预算科目（--line 科目=元）"))
    for name, amount in lines.items():
        if not entry_text(name, _("预算科目名称"), limit=width(BudgetLine.name)):
            raise Refused(_("预算科目名称不能为空"))
        _check_amount(amount, _("预算科目“{name}”的金额").format(name=name))
    project = _project(session, project_id)
    if project.state not in LINE_STATES:
        raise Refused(
            _("项目#{id}当前状态为{state}：预算科目只能在立项后、结项前设定").format(
                id=project.id, state=project.state
            )
        )
    committed = _committed(session, project, _("预算科目须在立项后设定"))
    total = sum(lines.values())
    if total != committed:
        raise Refused(
            _(
                "预算科目合计{total}元，须等于项目承诺资助额{committed}元（预算按批复资金编制）"
            ).format(total=total, committed=committed)
        )
    for old in session.scalars(select(BudgetLine).where(BudgetLine.project_id == project.id)):
        session.delete(old)
    session.flush()
    for name, amount in lines.items():
        session.add(BudgetLine(project_id=project.id, name=name.strip(), amount=amount))
    return BudgetLines(project.id, lines, total)


def _voucher(text: str | None) -> str | None:
    return entry_text(text or "", _("凭证号"), limit=width(Disbursement.voucher)) or None


def _refuse_duplicate(
    session: Session, project: Project, day: date, amount: int, stage: str, voucher: str | None
) -> None:
    """Refuse a payment recorded twice: the same voucher reference again, or, without one, the
    same day, amount and stage again. A reversed payment (冲正) may be recorded anew."""
    reversed_ids = select(Disbursement.reverses_id).where(Disbursement.reverses_id.is_not(None))
    same = (
        [Disbursement.voucher == voucher]
        if voucher is not None
        else [Disbursement.day == day, Disbursement.amount == amount, Disbursement.stage == stage]
    )
    first = session.scalars(
        select(Disbursement)
        .where(Disbursement.project_id == project.id, Disbursement.reverses_id.is_(None), *same)
        .where(Disbursement.id.not_in(reversed_ids))
        .order_by(Disbursement.id)
        .limit(1)
    ).first()
    if first is None:
        return
    what = (
        _("凭证号“{voucher}”已用于").format(voucher=voucher)
        if voucher is not None
        else _("已有同日、同额、同阶段的")
    )
    hint = "" if voucher is not None else _("；如确为另一笔拨付，请用 --voucher 注明其凭证号")
    raise Refused(
        _(
            "项目#{project_id}{what}拨付#{id}（{day}，{amount}元，{stage}，{actor}登记）：同一笔拨付不能重复登记{hint}"
        ).format(
            project_id=project.id,
            what=what,
            id=first.id,
            day=first.day,
            amount=first.amount,
            stage=first.stage,
            actor=first.actor,
            hint=hint,
        )
    )


@use_case("disburse", write=True, subject=("project", "project_id"))
def disburse(
    work: Work, project_id: int, day: date, amount: int, stage: str, voucher: str | None = None
) -> Disbursed:
    """Pay a stage of a project's funding (拨付), never above what the rules committed, and
    never twice (`_refuse_duplicate`)."""
    ctx, session = work.ctx, work.session
    from workflow.money.funding import PAID_BY_TRANSITION, paying_triggers

    _check_amount(amount, _("拨付金额"))
    stage = entry_text(stage, _("拨付阶段"), limit=width(Disbursement.stage))
    if not stage:
        raise Refused(_("须注明拨付阶段（--stage）"))
    voucher = _voucher(voucher)
    if day > ctx.today():
        raise Refused(_("拨付日期{day}晚于今天{today}").format(day=day, today=ctx.today()))
    # disbursed ≤ committed: lock the project's row, as `project advance` does, so that the
    # payments and transitions (termination, suspension) of one project go one at a time.
    session.get(Project, project_id, with_for_update=True)
    project = _project(session, project_id)
    if project.category in PAID_BY_TRANSITION:
        raise Refused(
            _("{category}类项目的资金只随其评价或验收结果拨付（{triggers}），不能单独拨付").format(
                category=project.category,
                triggers=_("、").join(paying_triggers(project.category)),
            )
        )
    if project.state not in DISBURSE_STATES:
        raise Refused(
            _(
                "项目#{id}当前状态为{state}，不能拨付：只在立项后、实施期间拨付，暂停期间停止拨款"
            ).format(id=project.id, state=project.state)
        )
    committed = _committed(session, project, _("不能拨付"))
    _refuse_duplicate(session, project, day, amount, stage, voucher)
    paid = disbursed_total(session, project.id)
    if paid + amount > committed:
        raise Refused(
            _("累计拨付将达{total}元，超过项目承诺资助额{committed}元（已拨付{paid}元）").format(
                total=paid + amount, committed=committed, paid=paid
            )
        )
    row = Disbursement(
        project_id=project.id,
        day=day,
        amount=amount,
        stage=stage,
        actor=ctx.actor,
        created_at=ctx.clock(),
        voucher=voucher,
    )
    session.add(row)
    session.flush()
    return Disbursed(row.id, project.id, paid + amount)


def expenditure_flags(
    amount: int,
    line: str,
    lines: dict[str, int],
    spent_by_line: dict[str, int],
    committed: int,
    disbursed: int,
    large_share: float,
    large_yuan: int,
) -> list[str]:
    """The SPEC.md §7 flags a new expenditure raises, given what was spent before it."""
    flags: list[str] = []
    if line not in lines:
        flags.append("outside_lines")
    if amount >= large_yuan or (committed > 0 and amount >= large_share * committed):
        flags.append("large")
    if line in lines and spent_by_line.get(line, 0) + amount > lines[line]:
        flags.append("over_line")
    spent = sum(spent_by_line.values()) + amount
    if spent > committed:
        flags.append("over_budget")
    if spent > disbursed:
        flags.append("over_disbursed")
    return flags


@use_case("expense_add", write=True, subject=("project", "project_id"))
def record_expenditure(
    work: Work,
    project_id: int,
    line: str,
    day: date,
    amount: int,
    description: str,
    expected_version: int | None = None,
) -> Booked:
    """Book one expenditure of a project being carried out; returns its id and flags.
    `expected_version`: refused unless the project is at that version."""
    ctx, session = work.ctx, work.session
    _check_amount(amount, _("支出金额"))
    line = entry_text(line, _("预算科目名称"), limit=width(Expenditure.line))
    if not description.strip():
        raise Refused(_("须说明支出内容（--description）"))
    if day > ctx.today():
        raise Refused(_("支出日期{day}晚于今天{today}").format(day=day, today=ctx.today()))
    project = project_for_change(session, project_id, expected_version)
    if project.state not in ACTIVE_STATES:
        raise Refused(
            _("项目#{id}当前状态为{state}，只有实施中的项目才能登记支出").format(
                id=project.id, state=project.state
            )
        )
    if day < project.start:
        raise Refused(
            _("支出日期{day}早于项目开始日期{start}").format(day=day, start=project.start)
        )
    committed = _committed(session, project, _("不能登记支出"))
    lines = dict(
        session.execute(
            select(BudgetLine.name, BudgetLine.amount).where(BudgetLine.project_id == project.id)
        )
        .tuples()
        .all()
    )
    spent_by_line: dict[str, int] = defaultdict(int)
    for name, spent in session.execute(
        select(Expenditure.line, Expenditure.amount).where(
            Expenditure.project_id == project.id, Expenditure.review_status != MISUSE
        )
    ).tuples():
        spent_by_line[name] += spent
    check = ctx.settings.check
    flags = expenditure_flags(
        amount,
        line,
        lines,
        spent_by_line,
        committed,
        disbursed_total(session, project.id),
        check.large_expense_share,
        check.large_expense_yuan,
    )
    row = Expenditure(
        project_id=project.id,
        line=line,
        day=day,
        amount=amount,
        description=description.strip(),
        flags=flags,
        review_status=PENDING if flags else ACCEPTED,
        review_note="",
        actor=ctx.actor,
        created_at=ctx.clock(),
    )
    session.add(row)
    session.flush()
    return Booked(row.id, project.id, flags, row.review_status)


@use_case("expense_review", write=True, subject=("expense", "expense_id"))
def review_expenditure(work: Work, expense_id: int, decision: str, note: str) -> Reviewed:
    """The contractor's review of an expenditure: accepted, or misuse (final)."""
    ctx, session = work.ctx, work.session
    if decision not in DECISIONS:
        raise Refused(
            _("审核结论须为 accept 或 misuse，得到“{decision}”").format(decision=decision)
        )
    row = session.get(Expenditure, expense_id)
    if row is None:
        raise NotFound(_("没有编号为{expense_id}的支出").format(expense_id=expense_id))
    if row.review_status == MISUSE:
        raise Refused(_("支出#{id}已认定为违规挪用，不能再改变审核结论").format(id=row.id))
    if row.review_status == ACCEPTED and decision == "accept":
        raise Refused(_("支出#{id}已是审核通过状态").format(id=row.id))
    if decision == "misuse" and not note.strip():
        raise Refused(_("认定违规挪用须写明理由（--note）"))
    row.review_status = DECISIONS[decision]
    row.reviewed_on = ctx.today()
    row.reviewer = ctx.actor
    row.review_note = note.strip()
    return Reviewed(row.id, row.project_id, row.review_status)


def money_findings(session: Session, day: date) -> dict[int, tuple[int, int]]:
    """Per active project on `day`: (expenditures found to be misuse, large ones not yet reviewed).

    One set-based query; it reads only what was known on `day`, so a replay gives the same.
    """
    rows = session.execute(
        select(
            Expenditure.project_id,
            Expenditure.flags,
            Expenditure.review_status,
            Expenditure.reviewed_on,
        )
        .join(Project, Project.id == Expenditure.project_id)
        .where(Project.state.in_(ACTIVE_STATES), Expenditure.day <= day)
        .where(or_(Expenditure.review_status != ACCEPTED, Expenditure.reviewed_on.is_not(None)))
    ).tuples()
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for project_id, flags, status, reviewed_on in rows:
        reviewed = reviewed_on is not None and reviewed_on <= day
        if status == MISUSE and reviewed:
            found[project_id][0] += 1
        elif "large" in flags and not reviewed:
            found[project_id][1] += 1
    return {pid: (m, u) for pid, (m, u) in found.items()}


@dataclass(frozen=True)
class LineUse(Result):
    """One budget line and what was spent on it."""

    line: str
    budget: int | None
    spent: int
    accepted: int


@dataclass(frozen=True)
class OpenFlag(Result):
    """A flagged expenditure not accepted: awaiting review, or found to be misuse."""

    expense_id: int
    day: date
    line: str
    amount: int
    status: str
    flags: list[str]
    text: str


@dataclass(frozen=True)
class FundUse(Result):
    """A project's fund use as of a day: `budget show --json`."""

    project_id: int
    as_of: date
    committed: int
    """What the programme owes the project now (after a release, its accepted spending)."""
    disbursed: int
    spent: int
    spent_accepted: int
    lines: list[LineUse]
    open_flags: list[OpenFlag]
    money: MoneyFigures
    """Applied, granted, disbursed, spent, accepted, recovered, and the rates against the grant."""
    review: BudgetReviewView | None = None
    """The contractor's latest budget review (事前预算审核) by the day (`budget show` only)."""
    evaluations: list[FundEvaluationView] = field(default_factory=list)
    """The contractor's fund summary evaluations (资金总结评价) by the day (`budget show` only)."""


@use_case("budget_show", write=False, subject=("project", "project_id"))
def fund_use(work: Work, project_id: int, as_of: date | None = None) -> FundUse:
    """The fund use of one project: budget, disbursed, spent by line, open flags, and the
    contractor's budget review and fund evaluations."""
    return project_fund_use(work, project_id, as_of or work.ctx.today())


def project_fund_use(
    work: Work, project_id: int, day: date, money: MoneyFigures | None = None
) -> FundUse:
    """What `fund_use` reads, in the transaction of a use case that shows more (`money`: the
    project's figures on `day`, when that use case has them already)."""
    from workflow.money.reviews import evaluations_of, latest_review

    session = work.session
    project = _project(session, project_id)
    known = {project.id: money} if money else None
    return replace(
        fund_use_rows(session, [project.id], day, known)[project.id],
        review=latest_review(session, project.id, day),
        evaluations=evaluations_of(session, project.id, day),
    )


def status_on(e: Expenditure, day: date) -> str:
    """An expenditure's review status as it stood on `day`: pending until its review."""
    return PENDING if e.reviewed_on is not None and e.reviewed_on > day else e.review_status


def fund_use_rows(
    session: Session,
    project_ids: list[int],
    day: date,
    known: dict[int, MoneyFigures] | None = None,
) -> dict[int, FundUse]:
    """Fund-use data of many projects as of `day`: their money figures (`known`: already read
    by the caller for these projects), lines and open flags."""
    money = known or money_of(session, day, project_ids)
    committed = dict(
        session.execute(
            select(ProjectFunding.project_id, ProjectFunding.committed).where(
                ProjectFunding.project_id.in_(project_ids)
            )
        )
        .tuples()
        .all()
    )
    lines: dict[int, dict[str, LineUse]] = defaultdict(dict)
    for pid, name, amount in session.execute(
        select(BudgetLine.project_id, BudgetLine.name, BudgetLine.amount)
        .where(BudgetLine.project_id.in_(project_ids))
        .order_by(BudgetLine.project_id, BudgetLine.id)
    ).tuples():
        lines[pid][name] = LineUse(name, amount, 0, 0)
    open_flags: dict[int, list[OpenFlag]] = defaultdict(list)
    for e in session.scalars(
        select(Expenditure)
        .where(Expenditure.project_id.in_(project_ids), Expenditure.day <= day)
        .order_by(Expenditure.id)
    ):
        use = lines[e.project_id].get(e.line, LineUse(e.line, None, 0, 0))
        status = status_on(e, day)
        accepted = e.amount if status == ACCEPTED else 0
        lines[e.project_id][e.line] = LineUse(
            use.line, use.budget, use.spent + e.amount, use.accepted + accepted
        )
        if status != ACCEPTED:
            text = _("、").join(_(FLAG_LABELS[f]) for f in e.flags) + (
                _("（认定违规挪用）") if status == MISUSE else _("（待审核）")
            )
            open_flags[e.project_id].append(
                OpenFlag(e.id, e.day, e.line, e.amount, status, list(e.flags), text)
            )
    return {
        pid: FundUse(
            project_id=pid,
            as_of=day,
            committed=committed.get(pid, 0),
            disbursed=money[pid].disbursed,
            spent=money[pid].spent,
            spent_accepted=money[pid].accepted,
            lines=list(lines[pid].values()),
            open_flags=open_flags[pid],
            money=money[pid],
        )
        for pid in project_ids
    }
