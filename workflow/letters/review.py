"""The contractor's work on warning letters: review decisions, rectification plans, follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.check.recommendations import recommend
from workflow.core.boundary import Work, use_case
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import Letter
from workflow.db.orm_review import LetterReview, RectificationFollowUp, RectificationPlan
from workflow.letters.rules import STATUSES

STATUS_LABELS: dict[str, str] = {code: s.label for code, s in STATUSES.items()}
"""Each review status's label (a msgid), as workflow.letters.rules.STATUSES gives it."""


@dataclass(frozen=True)
class LetterReviewed(Result):
    """A letter just moved to a review status: `letters review --json`."""

    id: int
    number: str
    project_id: int
    status: str
    recommendation_created: bool


@dataclass(frozen=True)
class PlanRecorded(Result):
    """A rectification plan just recorded: `letters plan --json`."""

    letter_id: int
    number: str
    plan_id: int
    received_on: date
    due: date
    late_days: int


@dataclass(frozen=True)
class FollowedUp(Result):
    """A follow-up of a rectification plan just recorded: `letters follow-up --json`."""

    letter_id: int
    plan_id: int
    day: date
    done: bool
    overdue_days: int


@dataclass(frozen=True)
class ReviewStep(Result):
    """One step of a letter's review trail."""

    from_: str
    to: str
    comment: str
    day: date
    actor: str


@dataclass(frozen=True)
class FollowUpEntry(Result):
    """One follow-up of a rectification plan."""

    day: date
    note: str
    done: bool
    actor: str


@dataclass(frozen=True)
class PlanFile(Result):
    """A letter's rectification plan with its follow-ups."""

    received_on: date
    due: date
    summary: str
    follow_ups: list[FollowUpEntry]


@dataclass(frozen=True)
class LetterFile(Result):
    """A letter's file: review trail, plan and follow-ups (`letters file --json`)."""

    id: int
    number: str
    project_id: int
    status: str
    rectification_due: date
    reviews: list[ReviewStep]
    plan: PlanFile | None


def _letter(session: Session, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id, with_for_update=True)
    if letter is None:
        raise NotFound(_("没有编号为{letter_id}的预警告知书").format(letter_id=letter_id))
    return letter


def _plan(session: Session, letter_id: int) -> RectificationPlan | None:
    return session.scalar(select(RectificationPlan).where(RectificationPlan.letter_id == letter_id))


@use_case("letter_review", write=True, subject=("letter", "letter_id"))
def review_letter(work: Work, letter_id: int, status: str, comment: str) -> LetterReviewed:
    """Move a letter to `status` with the contractor's comment, as STATUSES allows.

    pending → reviewed or escalated; reviewed → closed or escalated. A letter is closed only
    once its rectification plan is recorded. Escalation hands the office a risk-disposal
    recommendation (风险处置建议) in the same transaction.
    """
    ctx, session = work.ctx, work.session
    wanted = STATUSES.get(status)
    if wanted is None:
        raise Refused(
            _("未知的审核状态“{status}”；可选：{choices}").format(
                status=status, choices=", ".join(STATUSES)
            )
        )
    if not comment.strip():
        raise Refused(_("审核意见不能为空：请用 --comment 说明审核结论"))
    day = ctx.today()
    letter = _letter(session, letter_id)
    current = STATUSES[letter.status]
    if status not in current.moves:
        possible = _("、").join(_(STATUSES[s].label) for s in current.moves) or _(
            "无（已是终结状态）"
        )
        raise Refused(
            _(
                "预警告知书{number}当前为“{current}”，不能改为“{wanted}”；当前可改为：{possible}"
            ).format(
                number=letter.number,
                current=_(current.label),
                wanted=_(wanted.label),
                possible=possible,
            )
        )
    if wanted.needs_plan and _plan(session, letter.id) is None:
        raise Refused(
            _(
                "预警告知书{number}尚未收到整改方案，不能办结；请先用 ipflow letters plan {id} --received 日期 登记整改方案"
            ).format(number=letter.number, id=letter.id)
        )
    session.add(
        LetterReview(
            letter_id=letter.id,
            from_status=letter.status,
            to_status=status,
            comment=comment,
            day=day,
            actor=ctx.actor,
            at=ctx.clock(),
        )
    )
    recommended = wanted.recommends and _recommend(
        session, letter, day, comment, ctx.settings.contingency.red
    )
    letter.status = status
    return LetterReviewed(letter.id, letter.number, letter.project_id, status, recommended)


def _recommend(session: Session, letter: Letter, day: date, comment: str, contingency: str) -> bool:
    """Hand the office a risk-disposal recommendation carrying the red level's contingency
    plan (disposal is the red level's response); False when one is already open."""
    reason = f"预警告知书{letter.number}经风险防控机构审核上报：{comment}"
    return recommend(session, letter.project_id, day, reason, "escalation", contingency)


@use_case("rectification", write=True, subject=("letter", "letter_id"))
def record_plan(
    work: Work, letter_id: int, received: date, due: date | None, summary: str
) -> PlanRecorded:
    """Record the unit's rectification plan: received on `received`, to be carried out by `due`.

    `due` defaults to `received` plus the configured rectification days (15). Recording the
    plan stops the letter's "plan overdue" count in the nightly check.
    """
    ctx, session = work.ctx, work.session
    letter = _letter(session, letter_id)
    if STATUSES[letter.status].final:
        raise Refused(
            _("预警告知书{number}已{status}，不能再登记整改方案").format(
                number=letter.number, status=_(STATUSES[letter.status].label)
            )
        )
    if received < letter.issued_on:
        raise Refused(
            _("整改方案收到日期{received}早于告知书{number}的发出日期{issued_on}").format(
                received=received, number=letter.number, issued_on=letter.issued_on
            )
        )
    if received > ctx.today():
        raise Refused(
            _("整改方案收到日期{received}晚于今天{today}").format(
                received=received, today=ctx.today()
            )
        )
    if _plan(session, letter.id) is not None:
        raise Refused(
            _("预警告知书{number}的整改方案已登记；整改进展请用 letters follow-up").format(
                number=letter.number
            )
        )
    plan_due = due or received + timedelta(days=ctx.settings.check.rectification_days)
    if plan_due < received:
        raise Refused(
            _("整改完成期限{plan_due}早于方案收到日期{received}").format(
                plan_due=plan_due, received=received
            )
        )
    plan = RectificationPlan(
        letter_id=letter.id,
        received_on=received,
        due=plan_due,
        summary=summary,
        actor=ctx.actor,
        created_at=ctx.clock(),
    )
    session.add(plan)
    letter.plan_received_on = received
    session.flush()
    return PlanRecorded(
        letter_id=letter.id,
        number=letter.number,
        plan_id=plan.id,
        received_on=received,
        due=plan_due,
        late_days=max(0, (received - letter.rectification_due).days),
    )


@use_case("rectification", write=True, subject=("letter", "letter_id"))
def follow_up(work: Work, letter_id: int, day: date, note: str, done: bool) -> FollowedUp:
    """Record one follow-up of a letter's rectification plan (整改跟踪)."""
    ctx, session = work.ctx, work.session
    if not note.strip():
        raise Refused(_("跟踪情况不能为空：请用 --note 说明整改进展"))
    letter = _letter(session, letter_id)
    plan = _plan(session, letter.id)
    if plan is None:
        raise Refused(
            _("预警告知书{number}尚未登记整改方案，无法记录整改跟踪").format(number=letter.number)
        )
    if day < plan.received_on or day > ctx.today():
        raise Refused(
            _("跟踪日期{day}须在方案收到日期{received_on}与今天{today}之间").format(
                day=day, received_on=plan.received_on, today=ctx.today()
            )
        )
    session.add(
        RectificationFollowUp(
            plan_id=plan.id, day=day, note=note, done=done, actor=ctx.actor, at=ctx.clock()
        )
    )
    return FollowedUp(
        letter_id=letter.id,
        plan_id=plan.id,
        day=day,
        done=done,
        overdue_days=max(0, (day - plan.due).days) if not done else 0,
    )


@use_case("letter_file", write=False, subject=("letter", "letter_id"))
def letter_file(work: Work, letter_id: int) -> LetterFile:
    """A letter's review trail, rectification plan and follow-ups, oldest first."""
    session = work.session
    letter = _letter(session, letter_id)
    plan = _plan(session, letter.id)
    reviews = session.scalars(
        select(LetterReview).where(LetterReview.letter_id == letter.id).order_by(LetterReview.id)
    )
    follow_ups = (
        session.scalars(
            select(RectificationFollowUp)
            .where(RectificationFollowUp.plan_id == plan.id)
            .order_by(RectificationFollowUp.day, RectificationFollowUp.id)
        ).all()
        if plan
        else []
    )
    return LetterFile(
        id=letter.id,
        number=letter.number,
        project_id=letter.project_id,
        status=letter.status,
        rectification_due=letter.rectification_due,
        reviews=[
            ReviewStep(r.from_status, r.to_status, r.comment, r.day, r.actor) for r in reviews
        ],
        plan=None
        if plan is None
        else PlanFile(
            received_on=plan.received_on,
            due=plan.due,
            summary=plan.summary,
            follow_ups=[FollowUpEntry(f.day, f.note, f.done, f.actor) for f in follow_ups],
        ),
    )
