"""Project use cases: create, advance through the lifecycle, show and list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from states.categories import CATEGORIES, MONITORED
from states.definitions import DEFINITION_VERSION, STATE_LABELS
from states.eligibility import resolved_tier, tier_problem
from states.guards import Facts
from states.machines import TransitionRefused, definition_for, fire, would_pass
from states.rules import GI_YEARS
from workflow.access.rules import TRIGGERS
from workflow.access.store import visible_projects
from workflow.core.boundary import Work, use_case
from workflow.core.clock import SHANGHAI
from workflow.core.context import AppContext
from workflow.core.errors import NotFound, Refused, VersionMismatch
from workflow.core.i18n import _
from workflow.core.limits import day_problem
from workflow.core.results import Result
from workflow.core.text import entry_email, entry_text
from workflow.corrections.log import CORRECTION_TRIGGERS, project_corrections
from workflow.db.locks import lock_key
from workflow.db.orm import (
    LedgerSnapshot,
    PlanTask,
    Project,
    ProjectEvent,
    Report,
    ReportDue,
    Unit,
)
from workflow.db.orm_corrections import Correction
from workflow.db.widths import width
from workflow.money.figures import MoneyFigures, money_figures, money_of
from workflow.performance.store import EvaluationView, evaluations, unit_evaluations
from workflow.progress.rules import (
    Standing,
    add_months,
    period_of,
    report_periods,
    term_years,
)
from workflow.progress.store import progress_by_project, progress_of, stored_periods
from workflow.projects.eligibility import (
    add_partners,
    check_application,
    clean_ref,
    eligibility_facts,
    partner_names,
    partners_of,
)
from workflow.projects.plans import PlanRow, default_plan
from workflow.projects.sanctions import (
    acceptance_data,
    approval_blocks,
    check_filing,
    grade_of,
    restrict_unit,
    sanction_facts,
)
from workflow.units.actions import conflict_of_interest, describe, ensure_unit

SECURITIZATION = "data_ip_securitization"
PAGE_LIMIT = 1000
"""The most projects one page of `project_page` holds."""


@dataclass(frozen=True)
class NewProject:
    """What an application states: the create options of the CLI, validated by `create`."""

    category: str
    title: str
    unit: str
    start: date
    end: date
    budget: int
    plan: list[PlanRow] = field(default_factory=list)
    contact_email: str | None = None
    ref: str | None = None
    """The application number (申报编号), unique."""
    tier: str | None = None
    """The tier applied for where the category has tiers (states.eligibility.TIERS)."""
    partners: tuple[str, ...] = ()
    """The co-applicants of a joint application (registered units), in order."""
    data: dict[str, str] = field(default_factory=dict)
    """What the application states beyond the options (`--data KEY=VALUE`): data_ip_securitization's
    product (states.rules.SECURITIZATION_TERMS); no other category takes any."""


@dataclass(frozen=True)
class Created(Result):
    """A project just created: `project create --json`."""

    id: int
    state: str
    unit_evaluations: list[EvaluationView] = field(default_factory=list)
    """The performance evaluations of the unit's other projects, newest first (评价成果应用)."""


@dataclass(frozen=True)
class Transition(Result):
    """A transition just fired: `project advance --json`."""

    id: int
    from_: str | None
    to: str
    trigger: str
    seq: int


@dataclass(frozen=True)
class HistoryEvent(Result):
    """One event of a project's history."""

    from_: str | None
    to: str
    trigger: str
    actor: str
    at: datetime
    note: str
    data: dict[str, Any]
    """The facts the transition carried (amount, rank, …), as stored."""


@dataclass(frozen=True)
class ProjectSummary(Result):
    """A project as `project list --json` shows it: state, progress today, last flag."""

    id: int
    category: str
    title: str
    unit: str
    partners: list[str]
    """The co-applicants of a joint application, in the order it lists them."""
    ref: str | None
    """The application number (申报编号)."""
    tier: str | None
    """The tier applied for (states.eligibility.TIERS), where the category has tiers."""
    state: str
    triggers: list[str]
    """`show`: the triggers whose guards pass today (possible_triggers); `list`: the state's."""
    start: date
    end: date
    budget: int
    contact_email: str | None
    as_of: date
    planned: float | None
    """Planned progress on the date of the latest report (None before any), P(d) of SPEC.md §4."""
    actual: float | None
    lag: float | None
    """planned − actual at the latest report: the lag that counts on `as_of`."""
    planned_today: float | None
    """Planned progress on `as_of`, for information (no project plan: None)."""
    last_report: date | None
    flag: str | None
    flag_date: date | None
    flag_reasons: list[dict[str, str]]
    """The last check's reasons as stored: level, code and text of each."""
    money: MoneyFigures
    """Applied (the budget typed at create), granted, disbursed, spent, accepted, recovered,
    and the rates against the grant (SPEC.md §7)."""
    monitored: bool
    """Whether the risk-control contractor monitors its category (states.categories.MONITORED):
    only monitored projects get a flag, letters and reminders from the nightly check."""


@dataclass(frozen=True)
class ProjectView(ProjectSummary):
    """A project as `project show --json` shows it: its summary, its history, its performance
    evaluations and those of its unit's other projects (评价成果应用)."""

    history: list[HistoryEvent]
    acceptance_grade: str | None
    """The grade of the latest acceptance (excellent, pass or fail), None before any."""
    evaluations: list[EvaluationView]
    unit_evaluations: list[EvaluationView]
    version: int
    """The project row's version, raised by each change of it: the API's ETag."""


def validate(p: NewProject) -> NewProject:
    """`p` with its text cleaned (blanks stripped, the e-mail address normalised); refused
    when its category, text, term or budget is wrong."""
    category = CATEGORIES.get(p.category)
    if category is None:
        raise Refused(
            _("未知的项目类别“{category}”；可选：{choices}").format(
                category=p.category, choices=", ".join(CATEGORIES)
            )
        )
    p = replace(
        p,
        title=entry_text(p.title, _("项目名称"), limit=width(Project.title)),
        unit=entry_text(p.unit, _("承担单位名称"), limit=width(Unit.name)),
        contact_email=entry_email(p.contact_email, _("联系邮箱")) if p.contact_email else None,
        ref=entry_text(p.ref, _("申报编号")) if p.ref else p.ref,
    )
    if not p.title:
        raise Refused(_("项目名称不能为空"))
    if not p.unit:
        raise Refused(_("承担单位名称不能为空"))
    problem = day_problem(p.start) or day_problem(p.end)
    if problem:
        raise Refused(_("项目实施期有误：{problem}").format(problem=problem))
    if p.end <= p.start:
        raise Refused(_("项目结束日期{end}须晚于开始日期{start}").format(end=p.end, start=p.start))
    if category.term_years is not None and term_years(p.start, p.end) != category.term_years:
        raise Refused(
            _("{name}的实施期为{term_years}年，而{start}至{end}为{years}年").format(
                name=_(category.name),
                term_years=category.term_years,
                start=p.start,
                end=p.end,
                years=term_years(p.start, p.end),
            )
        )
    first, last = date(GI_YEARS[0], 1, 1), date(GI_YEARS[-1], 12, 31)
    if p.category == "gi_brand" and not first <= p.start <= p.end <= last:
        raise Refused(
            _("{name}的实施周期为{first}年至{last}年，而{start}至{end}超出这两年").format(
                name=_(category.name), first=first.year, last=last.year, start=p.start, end=p.end
            )
        )
    if p.budget < 0:
        raise Refused(_("预算须为不小于0的整数元，得到{budget}").format(budget=p.budget))
    problem = tier_problem(p.category, resolved_tier(p.category, p.tier))
    if problem:
        raise Refused(problem)
    if p.data and p.category != SECURITIZATION:
        raise Refused(
            _("{name}申报时不填写 --data（仅数据知识产权证券化资助项目申报时填写产品条件）").format(
                name=_(category.name)
            )
        )
    return p


def add_project(session: Session, ctx: AppContext, p: NewProject) -> Project:
    """Insert a validated application with its plan, report calendar and first event."""
    p = validate(p)
    unit = ensure_unit(session, ctx, p.unit.strip())
    check_filing(session, ctx, unit, p.category, p.start)
    conflict = conflict_of_interest(session, unit.id, p.category, None)
    if conflict:
        raise Refused(
            _("单位“{name}”不能申报该项目：{conflict}").format(name=unit.name, conflict=conflict)
        )
    ref, tier = clean_ref(p.ref), resolved_tier(p.category, p.tier)
    _refuse_duplicate(session, unit, p.title.strip(), p.start, ref)
    partners = check_application(
        session, ctx, p.category, p.title.strip(), tier, ref, unit, p.partners
    )
    now = ctx.clock()
    project = Project(
        category=p.category,
        title=p.title.strip(),
        unit_id=unit.id,
        state="applied",
        start=p.start,
        end=p.end,
        budget=p.budget,
        contact_email=p.contact_email,
        ref=ref,
        tier=tier,
        definition_version=DEFINITION_VERSION,
        created_at=now,
    )
    session.add(project)
    session.flush()
    add_partners(session, project, partners)
    claim: dict[str, Any] = {}
    if p.category == SECURITIZATION:
        from workflow.money.securitization import file_claim  # money rules load only when needed

        claim = file_claim(session, ctx, project, p.data)
    for seq, row in enumerate(p.plan or default_plan(p.start, p.end), start=1):
        session.add(
            PlanTask(
                project_id=project.id,
                seq=seq,
                name=row.task,
                start=row.start,
                due=row.due,
                weight=row.weight,
            )
        )
    for period in report_periods(p.start, p.end, CATEGORIES[p.category].report_months):
        session.add(
            ReportDue(project_id=project.id, seq=period.seq, opens=period.opens, due=period.closes)
        )
    session.add(
        ProjectEvent(
            project_id=project.id,
            seq=1,
            from_state=None,
            to_state="applied",
            trigger="create",
            actor=ctx.actor,
            at=now,
            note="",
            data={"budget": p.budget, **p.data, **claim},
            definition_version=DEFINITION_VERSION,
        )
    )
    return project


DUPLICATE_STATES = ("rejected", "withdrawn")
"""States of an application that a new one with the same unit, title and start may follow."""


def _refuse_duplicate(
    session: Session, unit: Unit, title: str, start: date, ref: str | None
) -> None:
    """Refuse an application filed twice: the same application number (`--ref`), or, without
    one, the same unit, title and start as a live application (a rejected or withdrawn one may
    be filed again). Two applications with different numbers are two, whatever their titles.

    The unit's applications (and the number) are locked first, so two identical creates at the
    same moment cannot both pass.
    """
    lock_key(session, f"application:{unit.id}")
    if ref is not None:
        lock_key(session, f"application-ref:{ref}")
        return  # the number decides (check_application refuses one already used)
    first = session.scalars(
        select(Project)
        .where(Project.unit_id == unit.id, Project.title == title, Project.start == start)
        .where(Project.state.not_in(DUPLICATE_STATES))
        .order_by(Project.id)
        .limit(1)
    ).first()
    if first is not None:
        raise Refused(
            _(
                "单位“{unit}”已申报同名项目#{id}“{title}”（{category}，开始日期{start}，状态{state}，{day}创建）：同一申报不能重复创建；如确为另一项申报，请用 --ref 注明其申报编号"
            ).format(
                unit=unit.name,
                id=first.id,
                title=first.title,
                category=first.category,
                start=first.start,
                state=first.state,
                day=first.created_at.astimezone(SHANGHAI).date(),
            )
        )


@use_case("project_create", write=True)
def create(work: Work, p: NewProject) -> Created:
    """Create one project in state `applied`; the result lists the unit's earlier evaluations."""
    project = add_project(work.session, work.ctx, p)
    earlier = unit_evaluations(work.session, project.unit_id, project.id)
    return Created(project.id, project.state, earlier)


def get_project(session: Session, project_id: int, *options: Any) -> Project:
    """The project with `project_id` (loaded with `options`), or a refusal."""
    project = session.get(Project, project_id, options=options)
    if project is None:
        raise NotFound(_("没有编号为{project_id}的项目").format(project_id=project_id))
    return project


def lock_project(session: Session, project_id: int) -> Project:
    """The project, locked until the transaction ends: a concurrent change waits behind it.

    PostgreSQL locks the row (SELECT … FOR UPDATE); on SQLite the writing use case's
    transaction already holds the database's write lock (BEGIN IMMEDIATE). The waiting
    advance then sees the state this one leaves, and the rules refuse it plainly.
    """
    project = session.get(Project, project_id, with_for_update=True)
    if project is None:
        raise NotFound(_("没有编号为{project_id}的项目").format(project_id=project_id))
    return project


def check_version(project: Project, expected: int | None) -> None:
    """Refuse when the caller acts on a version of the project other than its current one
    (an API client's If-Match); None: the caller names none."""
    if expected is not None and project.version != expected:
        raise VersionMismatch(
            _(
                "项目#{id}已被修改（当前版本{current}，请求依据的是版本{expected}），本次操作未生效：请重新读取项目后重试"
            ).format(id=project.id, current=project.version, expected=expected)
        )


def project_for_change(session: Session, project_id: int, expected: int | None) -> Project:
    """The project a change reads: locked and checked against `expected` when the caller names
    the version it acts on, else as it is."""
    if expected is None:
        return get_project(session, project_id)
    project = lock_project(session, project_id)
    check_version(project, expected)
    return project


def year_end(project: Project, year: int) -> date:
    """The last day of the project's `year`-th year: the day before its start plus 12·year months.

    gi_brand's years are the programme's calendar years (GI_YEARS), whatever its start.
    """
    if project.category == "gi_brand":
        return date(GI_YEARS[min(year, len(GI_YEARS)) - 1], 12, 31)
    return add_months(project.start, 12 * year) - timedelta(days=1)


def term_end(project: Project) -> date:
    """The last day of the project's term: its end, or gi_brand's last programme year's."""
    if project.category == "gi_brand":
        return year_end(project, len(GI_YEARS))
    return project.end


def _periods_reported(session: Session, project: Project) -> tuple[int, int]:
    """The term's reporting periods and how many of them have a report (SPEC.md §4)."""
    periods = stored_periods(session, project.id)
    dates = session.scalars(select(Report.report_date).where(Report.project_id == project.id))
    reported = {p.seq for d in dates if (p := period_of(periods, d))}
    return len(periods), len(reported)


def _project_facts(session: Session, ctx: AppContext, project: Project) -> Facts:
    """The facts of a project that no trigger changes: its history, reports and term."""
    events = session.execute(
        select(ProjectEvent.trigger, ProjectEvent.data).where(ProjectEvent.project_id == project.id)
    ).all()
    reviews_done = sum(t == "review" for t, _ in events)
    periods, reported = _periods_reported(session, project)
    return Facts(
        project_id=project.id,
        category=project.category,
        state=project.state,
        reports_due_in_term=periods,
        reports_submitted=reported,
        reviews_done=reviews_done,
        term_years=term_years(project.start, project.end),
        awards_total=sum(int(d.get("amount", 0)) for t, d in events if t == "award"),
        today=ctx.today(),
        year_end=year_end(project, reviews_done + 1),
        term_end=term_end(project),
        review_window_days=ctx.settings.rules.review_window_days,
    )


def _facts(
    session: Session,
    ctx: AppContext,
    project: Project,
    trigger: str,
    amount: int | None,
    data: dict[str, str],
    via_ranking: bool = False,
    known: Facts | None = None,
) -> Facts:
    """The facts the guards of `trigger` look at; `known`: the project's `_project_facts`."""
    records = approval_blocks(session, project, ctx.today()) if trigger == "approve" else []
    facts = replace(
        known or _project_facts(session, ctx, project),
        amount=amount,
        data=data,
        credit_block=_("；").join(describe(r) for r in records) or None,
        via_ranking=via_ranking,
    )
    from workflow.money.funding import money_facts  # money rules load only when a project moves

    return replace(
        facts,
        **money_facts(session, ctx, project, trigger),
        **eligibility_facts(session, ctx, project, trigger),
        **sanction_facts(ctx, project),
    )


def possible_triggers(session: Session, ctx: AppContext, project: Project) -> list[str]:
    """The triggers of the project's state whose guards pass today (the amount and data aside)."""
    definition = definition_for(project.category, project.definition_version)
    known = _project_facts(session, ctx, project)
    return [
        trigger
        for trigger in definition.triggers_from(project.state)
        if would_pass(
            trigger,
            _facts(session, ctx, project, trigger, None, {}, known=known),
            project.definition_version,
        )
    ]


def _refusal(
    session: Session, ctx: AppContext, project: Project, trigger: str, reasons: list[str]
) -> Refused:
    possible = _("、").join(possible_triggers(session, ctx, project)) or _("无")
    return Refused(
        _(
            "项目#{id}“{title}”当前状态为{label}（{state}），不能执行“{trigger}”：{reasons}。当前可执行的操作：{possible}"
        ).format(
            id=project.id,
            title=project.title,
            label=_(STATE_LABELS[project.state]),
            state=project.state,
            trigger=trigger,
            reasons=_("；").join(reasons),
            possible=possible,
        )
    )


@use_case(
    "project_advance",
    write=True,
    subject=("project", "project_id"),
    action_of=lambda arguments: str(arguments["trigger"]),
    actions=tuple(TRIGGERS),
)
def advance(
    work: Work,
    project_id: int,
    trigger: str,
    note: str = "",
    amount: int | None = None,
    data: dict[str, str] | None = None,
    expected_version: int | None = None,
) -> Transition:
    """Fire one transition, append its event and apply its effects, all in one transaction;
    refused when `expected_version` is given and the project is at another version."""
    project = lock_project(work.session, project_id)
    check_version(project, expected_version)
    return advance_in(work.session, work.ctx, project, trigger, note, amount, data or {})


def advance_in(
    session: Session,
    ctx: AppContext,
    project: Project,
    trigger: str,
    note: str = "",
    amount: int | None = None,
    data: dict[str, str] | None = None,
    via_ranking: bool = False,
) -> Transition:
    """Fire one transition inside the caller's transaction (city ranking approves ten in one)."""
    definition = definition_for(project.category, project.definition_version)
    transition = definition.transition(trigger, project.state)
    data = acceptance_data(transition, data or {})
    if transition is not None and amount is not None and not transition.amount:
        raise _refusal(session, ctx, project, trigger, [_("该操作不涉及金额，不应提供 --amount")])
    if amount is not None and amount < 0:
        raise _refusal(
            session,
            ctx,
            project,
            trigger,
            [_("金额须为不小于0的整数元，得到{amount}").format(amount=amount)],
        )
    from workflow.money.funding import lock_caps

    lock_caps(session, project, trigger)
    facts = _facts(session, ctx, project, trigger, amount, data, via_ranking)
    try:
        new_state = fire(trigger, facts, project.definition_version)
    except TransitionRefused as refused:
        reasons = [_("当前状态下没有这一操作")] if refused.absent else refused.reasons
        raise _refusal(session, ctx, project, trigger, reasons) from None
    from workflow.money.funding import apply_effects

    try:
        effects = apply_effects(session, ctx, project, trigger, amount, data, via_ranking)
    except Refused as refused:
        raise _refusal(session, ctx, project, trigger, [str(refused)]) from None
    event = record_transition(session, ctx, project, trigger, new_state, note, amount, data)
    if "restrict_unit" in definition.effects_of(trigger):
        effects.update(restrict_unit(session, ctx, project, data))
    event.data = {**event.data, **effects}
    session.flush()
    return Transition(project.id, event.from_state, event.to_state, trigger, event.seq)


def record_transition(
    session: Session,
    ctx: AppContext,
    project: Project,
    trigger: str,
    new_state: str,
    note: str,
    amount: int | None,
    data: dict[str, str],
) -> ProjectEvent:
    """Set the project's new state and append the matching history event."""
    seq = (
        session.scalar(
            select(func.max(ProjectEvent.seq)).where(ProjectEvent.project_id == project.id)
        )
        or 0
    ) + 1
    payload: dict[str, Any] = dict(data)
    if amount is not None:
        payload["amount"] = amount
    event = ProjectEvent(
        project_id=project.id,
        seq=seq,
        from_state=project.state,
        to_state=new_state,
        trigger=trigger,
        actor=ctx.actor,
        at=ctx.clock(),
        note=note,
        data=payload,
        definition_version=project.definition_version,
    )
    project.state = new_state
    session.add(event)
    return event


def _summary(
    project: Project,
    partners: list[str],
    day: date,
    standing: Standing | None,
    snapshot: LedgerSnapshot | None,
    money: MoneyFigures,
) -> ProjectSummary:
    definition = definition_for(project.category, project.definition_version)
    return ProjectSummary(
        id=project.id,
        category=project.category,
        title=project.title,
        unit=project.unit.name,
        partners=partners,
        ref=project.ref,
        tier=project.tier,
        state=project.state,
        triggers=definition.triggers_from(project.state),
        start=project.start,
        end=project.end,
        budget=project.budget,
        contact_email=project.contact_email or project.unit.contact_email,
        as_of=day,
        planned=standing.planned if standing else None,
        actual=standing.actual if standing else None,
        lag=standing.lag if standing else None,
        planned_today=standing.planned_today if standing else None,
        last_report=standing.report_date if standing else None,
        flag=snapshot.flag if snapshot else None,
        flag_date=snapshot.day if snapshot else None,
        flag_reasons=snapshot.reasons if snapshot else [],
        money=money,
        monitored=project.category in MONITORED,
    )


def latest_snapshots(
    session: Session, where: list[ColumnElement[bool]] | None, day: date
) -> dict[int, LedgerSnapshot]:
    """Each project's latest ledger snapshot on or before `day` (the flag a check gave it then),
    of the projects `where` (conditions on Project) selects, or of all."""
    latest = select(LedgerSnapshot.project_id, func.max(LedgerSnapshot.day).label("day")).where(
        LedgerSnapshot.day <= day
    )
    if where is not None:
        latest = latest.join(Project, Project.id == LedgerSnapshot.project_id).where(*where)
    sub = latest.group_by(LedgerSnapshot.project_id).subquery()
    rows = session.scalars(
        select(LedgerSnapshot).join(
            sub, (sub.c.project_id == LedgerSnapshot.project_id) & (sub.c.day == LedgerSnapshot.day)
        )
    )
    return {s.project_id: s for s in rows}


def _corrected(c: Correction) -> HistoryEvent:
    """A correction of the project as its history lists it: its state kept, the change as data."""
    data = {"correction": c.id, "subject": c.subject_id, "before": c.before, "after": c.after}
    return HistoryEvent(
        c.state, c.state or "", CORRECTION_TRIGGERS[c.kind], c.actor, c.at, c.note, data
    )


@use_case("project_show", write=False, subject=("project", "project_id"))
def show(work: Work, project_id: int) -> ProjectView:
    """One project: its state, possible triggers, progress today, the flag of the latest check
    on or before today (never one dated after it) and its history."""
    return project_view(work, project_id)


def project_view(work: Work, project_id: int) -> ProjectView:
    """What `show` reads, in the transaction of a use case that shows more (the project page)."""
    day, session = work.ctx.today(), work.session
    project = get_project(session, project_id, joinedload(Project.unit))
    standing = progress_of(session, day, [project_id]).get(project_id)
    snapshot = session.scalars(
        select(LedgerSnapshot)
        .where(LedgerSnapshot.project_id == project_id, LedgerSnapshot.day <= day)
        .order_by(LedgerSnapshot.day.desc())
        .limit(1)
    ).first()
    events = session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project_id).order_by(ProjectEvent.seq)
    )
    history = [
        HistoryEvent(e.from_state, e.to_state, e.trigger, e.actor, e.at, e.note, e.data)
        for e in events
    ] + [_corrected(c) for c in project_corrections(session, project_id)]
    history.sort(key=lambda e: e.at)  # stable: a transition before a correction of its instant
    money = money_of(session, day, [project_id])[project_id]
    partners = [u.name for u in partners_of(session, project_id)]
    summary = replace(
        _summary(project, partners, day, standing, snapshot, money),
        triggers=possible_triggers(session, work.ctx, project),
    )
    grades = [g for e in history if (g := grade_of(e.trigger, e.data)) is not None]
    return ProjectView(
        **vars(summary),
        history=history,
        acceptance_grade=grades[-1] if grades else None,
        evaluations=evaluations(session, [Project.id == project_id]),
        unit_evaluations=unit_evaluations(session, project.unit_id, project_id),
        version=project.version,
    )


@dataclass(frozen=True)
class ProjectPage(Result):
    """A page of `project list`: the projects matching the filters, `limit` from `offset`."""

    total: int
    """How many projects match the filters in all."""
    projects: list[ProjectSummary]


def _refuse_filters(category: str | None, state: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise Refused(
            _("未知的项目类别“{category}”；可选：{choices}").format(
                category=category, choices=", ".join(CATEGORIES)
            )
        )
    if state is not None and state not in STATE_LABELS:
        raise Refused(
            _("未知的状态“{state}”；可选：{choices}").format(
                state=state, choices=", ".join(STATE_LABELS)
            )
        )


def _flag_is(flag: str, day: date) -> ColumnElement[bool]:
    """SQL, correlated to Project: the latest snapshot on or before `day` has `flag` (one
    primary-key lookup per project, ledger_snapshot being keyed by project and day)."""
    latest = (
        select(LedgerSnapshot.flag)
        .where(LedgerSnapshot.project_id == Project.id, LedgerSnapshot.day <= day)
        .order_by(LedgerSnapshot.day.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )
    return latest == flag


def _selection(
    work: Work, category: str | None, state: str | None, flag: str | None
) -> list[ColumnElement[bool]]:
    """Conditions on Project: the filters and what the actor may see."""
    _refuse_filters(category, state)
    where = [
        c
        for c in (
            Project.category == category if category else None,
            Project.state == state if state else None,
            _flag_is(flag, work.ctx.today()) if flag else None,
        )
        if c is not None
    ]
    return where + visible_projects(work)


def _summaries(
    work: Work, where: list[ColumnElement[bool]], projects: Sequence[Project], few: bool
) -> list[ProjectSummary]:
    """`projects` (all those `where` selects) summarised, each figure computed for them only;
    `few`: their snapshots are read for them only rather than for every project."""
    day, session = work.ctx.today(), work.session
    if few:
        ids = [p.id for p in projects]
        progress, money = progress_of(session, day, ids), money_of(session, day, ids)
    else:
        progress, money = (
            progress_by_project(session, day, where),
            money_figures(session, day, where),
        )
    snapshots = latest_snapshots(session, where if few else None, day)
    partners = partner_names(session, where)
    return [
        _summary(
            p, partners.get(p.id, []), day, progress.get(p.id), snapshots.get(p.id), money[p.id]
        )
        for p in projects
    ]


@use_case("project_list", write=False)
def list_projects(
    work: Work, category: str | None, state: str | None, flag: str | None
) -> list[ProjectSummary]:
    """Projects matching the filters, each summarised as `show` does, without history."""
    where = _selection(work, category, state, flag)
    projects = work.session.scalars(
        select(Project).options(joinedload(Project.unit)).where(*where).order_by(Project.id)
    ).all()
    return _summaries(work, where, projects, few=bool(visible_projects(work)))


@use_case("project_list", write=False)
def project_page(
    work: Work,
    category: str | None,
    state: str | None,
    flag: str | None,
    limit: int,
    offset: int = 0,
    after: int | None = None,
) -> ProjectPage:
    """One page of `list_projects`, in id order: `limit` projects from `offset`, or those after
    the id `after` (keyset). Progress, flags and money are computed for that page only."""
    if not 1 <= limit <= PAGE_LIMIT:
        raise Refused(
            _("每页项目数须在1到{most}之间，得到{limit}").format(most=PAGE_LIMIT, limit=limit)
        )
    if offset < 0:
        raise Refused(_("起始位置须不小于0，得到{offset}").format(offset=offset))
    where = _selection(work, category, state, flag)
    session = work.session
    total = session.scalar(select(func.count()).select_from(Project).where(*where)) or 0
    query = select(Project).options(joinedload(Project.unit)).where(*where)
    if after is not None:
        query = query.where(Project.id > after)
    projects = session.scalars(query.order_by(Project.id).offset(offset).limit(limit)).all()
    if not projects:
        return ProjectPage(total, [])
    # The page is the selection's run of ids from the first to the last: a range, which the
    # database plans and the driver caches as one statement whatever the page's size.
    page = [*where, Project.id.between(projects[0].id, projects[-1].id)]
    return ProjectPage(total, _summaries(work, page, projects, few=True))
