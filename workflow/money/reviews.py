"""The contractor's budget review (事前建议) and fund summary evaluation (事后评价): record, read.

The rules (when, what an opinion needs, which figures) are in workflow.money.rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import Project, ProjectEvent
from workflow.db.orm_money import BudgetLine, FinalAccount
from workflow.db.orm_oversight import BudgetReview, FundEvaluation
from workflow.money.budget import _committed, _project
from workflow.money.figures import money_of, rate
from workflow.money.rules import (
    OPINIONS,
    REVIEW_STATES,
    STAGE_STATES,
    stage_balance,
    suggested_budget,
    use_rate,
)


@dataclass(frozen=True)
class BudgetReviewView(Result):
    """A budget review as `budget review --json` and `budget show --json` (key review) show it."""

    id: int
    project_id: int
    day: date
    opinion: str
    """"approve" (同意) or "revise" (建议调整)."""
    reviewed_lines: dict[str, int]
    suggestions: list[str]
    suggested_lines: dict[str, int]
    """Suggested amounts of the lines named (0: drop the line)."""
    actor: str


@dataclass(frozen=True)
class FundEvaluationView(Result):
    """A fund summary evaluation as `budget evaluate --json` shows it; amounts in yuan."""

    id: int
    project_id: int
    day: date
    basis: str
    """"final" (the final accounts) or "stage" (a stage evaluation or acceptance under way)."""
    state: str
    granted: int
    disbursed: int
    spent: int
    accepted: int
    balance: int
    """结余: disbursed − spent and accepted."""
    carry_over: int
    """结转: the balance the project keeps (at a stage: into its next stage)."""
    recovered: int
    disbursed_rate: float | None
    """拨付率: disbursed ÷ granted, percent."""
    spent_rate: float | None
    """支出率: spent ÷ granted, percent."""
    use_rate: float | None
    """认可支出率: accepted ÷ disbursed, percent."""
    conclusion: str
    findings: list[str]
    actor: str


def _texts(values: list[str], what: str) -> list[str]:
    """`values` stripped; an empty one is refused, named by `what`."""
    texts = [v.strip() for v in values]
    if any(not t for t in texts):
        raise Refused(_("{what}不能为空").format(what=what))
    return texts


def _review_view(r: BudgetReview) -> BudgetReviewView:
    return BudgetReviewView(
        r.id,
        r.project_id,
        r.day,
        r.opinion,
        dict(r.reviewed_lines),
        list(r.suggestions),
        dict(r.suggested_lines),
        r.actor,
    )


def _lines_of(session: Session, project_id: int) -> dict[str, int]:
    return dict(
        session.execute(
            select(BudgetLine.name, BudgetLine.amount)
            .where(BudgetLine.project_id == project_id)
            .order_by(BudgetLine.id)
        )
        .tuples()
        .all()
    )


def _check_suggested(
    project: Project, lines: dict[str, int], suggested: dict[str, int], committed: int
) -> None:
    """Suggested amounts are whole yuan ≥ 0 (0 only for a line that exists), named, and leave a
    budget that adds up to the grant."""
    for name, amount in suggested.items():
        if not name:
            raise Refused(_("预算科目名称不能为空"))
        if amount < 0 or (amount == 0 and name not in lines):
            raise Refused(
                _("建议科目“{name}”的金额须为正整数元（0表示取消已有科目），得到{amount}").format(
                    name=name, amount=amount
                )
            )
    total = sum(suggested_budget(lines, suggested).values())
    if total != committed:
        raise Refused(
            _(
                "项目#{id}按建议调整后的预算合计{total}元，须等于项目承诺资助额{committed}元：优化建议只调整科目结构，不改变资助总额"
            ).format(id=project.id, total=total, committed=committed)
        )


def _check_opinion(opinion: str, suggestions: list[str], suggested: dict[str, int]) -> None:
    if opinion not in OPINIONS:
        raise Refused(
            _("审核意见须为 approve（同意）或 revise（建议调整），得到“{opinion}”").format(
                opinion=opinion
            )
        )
    if opinion == "revise" and not suggestions and not suggested:
        raise Refused(
            _("审核意见为建议调整时，须提出预算优化建议（--suggestion）或建议金额（--line）")
        )
    if opinion == "approve" and suggested:
        raise Refused(
            _("审核意见为同意时不能建议调整科目金额（--line）；需要调整请用 --opinion revise")
        )


@use_case("budget_review", write=True, subject=("project", "project_id"))
def review_budget(
    work: Work,
    project_id: int,
    opinion: str,
    suggestions: list[str],
    suggested: dict[str, int],
) -> BudgetReviewView:
    """The contractor's review of an approved project's budget before it starts (事前预算审核):
    its opinion, optimisation suggestions and suggested line amounts."""
    ctx, session = work.ctx, work.session
    suggestions = _texts(suggestions, _("预算优化建议"))
    suggested = {name.strip(): amount for name, amount in suggested.items()}
    _check_opinion(opinion, suggestions, suggested)
    project = _project(session, project_id)
    if project.state not in REVIEW_STATES:
        raise Refused(
            _(
                "项目#{id}当前状态为{state}：事前预算审核在立项后、开始实施前进行，已开始实施或未立项的项目不能审核预算"
            ).format(id=project.id, state=project.state)
        )
    lines = _lines_of(session, project.id)
    if not lines:
        raise Refused(
            _("项目#{id}尚未设定预算科目，没有可审核的预算：请先用 ipflow budget set 设定").format(
                id=project.id
            )
        )
    _check_suggested(project, lines, suggested, _committed(session, project, _("不能审核预算")))
    row = BudgetReview(
        project_id=project.id,
        day=ctx.today(),
        opinion=opinion,
        reviewed_lines=lines,
        suggestions=suggestions,
        suggested_lines=suggested,
        actor=ctx.actor,
        created_at=ctx.clock(),
    )
    session.add(row)
    session.flush()
    return _review_view(row)


def latest_review(session: Session, project_id: int, day: date) -> BudgetReviewView | None:
    """The project's latest budget review on or before `day`, if any."""
    row = session.scalars(
        select(BudgetReview)
        .where(BudgetReview.project_id == project_id, BudgetReview.day <= day)
        .order_by(BudgetReview.day.desc(), BudgetReview.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _review_view(row)


def reviews_in(session: Session, first: date, last: date) -> list[tuple[BudgetReviewView, str]]:
    """The budget reviews recorded between `first` and `last`, with their projects' titles."""
    rows = session.execute(
        select(BudgetReview, Project.title)
        .join(Project, Project.id == BudgetReview.project_id)
        .where(BudgetReview.day.between(first, last))
        .order_by(BudgetReview.day, BudgetReview.id)
    ).tuples()
    return [(_review_view(r), title) for r, title in rows]


def _evaluation_view(e: FundEvaluation) -> FundEvaluationView:
    return FundEvaluationView(
        e.id,
        e.project_id,
        e.day,
        e.basis,
        e.state,
        e.granted,
        e.disbursed,
        e.spent,
        e.accepted,
        e.balance,
        e.carry_over,
        e.recovered,
        rate(e.disbursed, e.granted),
        rate(e.spent, e.granted),
        use_rate(e.accepted, e.disbursed),
        e.conclusion,
        list(e.findings),
        e.actor,
    )


def _stage(session: Session, project: Project) -> ProjectEvent:
    """The event that put the project where it stands: the stage being evaluated."""
    event = session.scalars(
        select(ProjectEvent)
        .where(ProjectEvent.project_id == project.id)
        .order_by(ProjectEvent.seq.desc())
        .limit(1)
    ).first()
    if event is None:
        raise Refused(_("项目#{id}尚无任何办理记录，不能进行资金总结评价").format(id=project.id))
    return event


def _figures(session: Session, project: Project, day: date) -> dict[str, int | str]:
    """The evaluation's basis and figures: the final accounts where recorded, else the stage's."""
    m = money_of(session, day, [project.id])[project.id]
    account = session.get(FinalAccount, project.id)
    if account is not None:
        return {
            "basis": "final",
            "granted": account.committed,
            "disbursed": account.disbursed,
            "spent": m.spent,
            "accepted": account.spent_accepted,
            "balance": account.balance,
            "carry_over": account.carry_over,
            "recovered": account.clawback,
        }
    if project.state not in STAGE_STATES:
        raise Refused(
            _(
                "项目#{id}当前状态为{state}，既不在阶段评价或验收中，也没有结项决算：资金总结评价在年度评审、验收时或决算后进行"
            ).format(id=project.id, state=project.state)
        )
    balance = stage_balance(m.disbursed, m.accepted)
    return {
        "basis": "stage",
        "granted": m.granted,
        "disbursed": m.disbursed,
        "spent": m.spent,
        "accepted": m.accepted,
        "balance": balance,
        "carry_over": max(balance, 0),
        "recovered": m.recovered,
    }


@use_case("budget_evaluate", write=True, subject=("project", "project_id"))
def evaluate_funds(
    work: Work, project_id: int, conclusion: str, findings: list[str]
) -> FundEvaluationView:
    """The contractor's fund summary evaluation (资金总结评价) of a project's stage: the figures
    of its final accounts or stage, computed and stored with the conclusion and findings."""
    ctx, session = work.ctx, work.session
    conclusion = conclusion.strip()
    if not conclusion:
        raise Refused(_("须写明资金总结评价结论（--conclusion）"))
    findings = _texts(findings, _("评价发现"))
    project = _project(session, project_id)
    figures = _figures(session, project, ctx.today())
    stage = _stage(session, project)
    earlier = session.scalar(select(FundEvaluation).where(FundEvaluation.event_id == stage.id))
    if earlier is not None:
        raise Refused(
            _(
                "项目#{id}的本阶段（{state}）已于{day}由{actor}作出资金总结评价，同一阶段只评价一次"
            ).format(id=project.id, state=project.state, day=earlier.day, actor=earlier.actor)
        )
    row = FundEvaluation(
        project_id=project.id,
        event_id=stage.id,
        day=ctx.today(),
        state=project.state,
        conclusion=conclusion,
        findings=findings,
        actor=ctx.actor,
        created_at=ctx.clock(),
        **figures,
    )
    session.add(row)
    session.flush()
    return _evaluation_view(row)


def evaluations_of(session: Session, project_id: int, day: date) -> list[FundEvaluationView]:
    """The project's fund evaluations on or before `day`, oldest first."""
    rows = session.scalars(
        select(FundEvaluation)
        .where(FundEvaluation.project_id == project_id, FundEvaluation.day <= day)
        .order_by(FundEvaluation.day, FundEvaluation.id)
    )
    return [_evaluation_view(e) for e in rows]


def evaluations_in(
    session: Session, first: date, last: date
) -> list[tuple[FundEvaluationView, str]]:
    """The fund evaluations recorded between `first` and `last`, with their projects' titles."""
    rows = session.execute(
        select(FundEvaluation, Project.title)
        .join(Project, Project.id == FundEvaluation.project_id)
        .where(FundEvaluation.day.between(first, last))
        .order_by(FundEvaluation.day, FundEvaluation.id)
    ).tuples()
    return [(_evaluation_view(e), title) for e, title in rows]
