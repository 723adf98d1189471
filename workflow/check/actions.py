"""The nightly check: progress, flags, ledger snapshots, letters and reminders for one logical date.

Why the whole run is one transaction: everything it writes (ledger snapshots, letters and their
numbers, outbox rows of letters and notices, recommendations, the check_run row) is derived from
the database and the logical date alone. A crash (even SIGKILL) mid-run therefore leaves nothing
half-written, the database simply rolls back, and the rerun recomputes everything from scratch
and writes exactly what an uninterrupted run would have: nothing lost, nothing doubled. Unique
keys (one letter per project, kind and episode; one outbox row per key; one ledger row per
project and day; one open recommendation per project and source) make a rerun of a finished day
harmless too. On PostgreSQL a transaction-scoped advisory lock serialises concurrent checks: a
second check waits for the first to commit, then sees its letters and issues none again.
SQLite serialises writers by itself (one scheduler per SQLite database).
"""

from __future__ import annotations

import gc
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select, text
from sqlalchemy.orm import Session

from states.categories import CATEGORIES, MONITORED, report_name
from states.definitions import ACTIVE_STATES
from workflow.check.recommendations import record_many
from workflow.check.reminders import (
    LetterNews,
    NoticeSubject,
    notices_for,
    queue_digests,
    queue_notices,
    report_deadlines,
)
from workflow.check.rules import AMBER, RED, Assessment, Findings, assess
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.bulk import insert_many, upsert
from workflow.db.orm import CheckRun, LedgerSnapshot, Letter, Project
from workflow.letters.actions import WARNING, LetterBook, LetterSubject
from workflow.letters.rules import OPEN_STATUSES
from workflow.money.budget import money_findings
from workflow.outbox.store import count_failed
from workflow.progress.rules import is_behind
from workflow.progress.store import (
    ProjectContact,
    ProjectStatus,
    project_contacts,
    project_statuses,
)

JOB = "nightly_check"
LOCK_KEY = 20270202
log = logging.getLogger("ipflow.check")


@dataclass(frozen=True)
class Skipped(Result):
    """What the check could not compose for one project from its data, and why; the check
    went on for every other project (and writes this project's ledger row all the same)."""

    project_id: int
    what: str
    """"letter" (its warning letter) or "notices" (its reminders and red notices)."""
    reason: str


@dataclass(frozen=True)
class CheckResult(Result):
    """What one run of the check found and did (or, in a dry run, would do)."""

    date_: date
    checked: int
    flags: dict[str, int]
    """Projects per flag: green, amber and red, each present."""
    letters_issued: int
    notices_queued: int
    dry_run: bool
    skipped: list[Skipped] = field(default_factory=list)
    """Projects whose letter or notices could not be composed from their data (none, as a
    rule: derived text is fitted to its columns); they are retried by the next check."""
    deliveries_failed: int = 0
    """Outbox rows given up so far (all days), waiting for `ipflow notify retry`."""


@dataclass(frozen=True)
class _OpenLetter:
    level: str
    overdue_days: int


def _open_letters(session: Session, day: date) -> dict[int, list[_OpenLetter]]:
    rows = session.execute(
        select(Letter.project_id, Letter.level, Letter.rectification_due, Letter.plan_received_on)
        .join(Project, Project.id == Letter.project_id)
        .where(
            Project.state.in_(ACTIVE_STATES),
            Project.category.in_(MONITORED),
            Letter.status.in_(OPEN_STATUSES),
            Letter.issued_on <= day,
        )
    )
    found: dict[int, list[_OpenLetter]] = defaultdict(list)
    for project_id, level, due, received in rows:
        overdue = (day - due).days if received is None and day > due else 0
        found[project_id].append(_OpenLetter(level, overdue))
    return found


def _letter_level(assessment: Assessment) -> str:
    return RED if assessment.flag == RED else AMBER


def _letter_subject(p: ProjectStatus, c: ProjectContact, assessment: Assessment) -> LetterSubject:
    """What a warning letter says of `p`: the figures of its latest report and the reasons
    beside the lag itself (a letter is only issued once a report shows a lag)."""
    return LetterSubject(
        p.project_id,
        c.title,
        c.category,
        c.unit,
        c.start,
        c.end,
        c.email,
        p.standing.planned or 0.0,
        p.standing.actual or 0.0,
        p.standing.lag or 0.0,
        p.standing.report_date,
        [r.text for r in assessment.reasons if r.code not in ("lag", "lag_red")],
    )


def _snapshot(
    p: ProjectStatus, day: date, findings: Findings, assessment: Assessment
) -> dict[str, Any]:
    """The progress-ledger row of `p` on `day`."""
    return {
        "project_id": p.project_id,
        "day": day,
        "state": p.state,
        "planned": p.standing.planned,
        "planned_today": p.standing.planned_today,
        "actual": p.standing.actual,
        "lag": p.standing.lag,
        "flag": assessment.flag,
        "reasons": [{"level": r.level, "code": r.code, "text": r.text} for r in assessment.reasons],
        "reports_overdue": findings.reports_overdue,
        "open_letters": findings.open_letters,
        "last_report": p.standing.report_date,
    }


def _write_ledger(session: Session, day: date, snapshots: list[dict[str, Any]]) -> None:
    """The day's ledger rows: inserted on the day's first run, overwritten on a repeat."""
    if session.scalar(select(exists().where(LedgerSnapshot.day == day))):
        upsert(session, LedgerSnapshot, snapshots, ["project_id", "day"])
    else:
        insert_many(session, LedgerSnapshot, snapshots)


def _tune_postgresql(session: Session) -> None:
    """Settings for this transaction only: no JIT compilation, which costs more than it saves
    on a query of a second or two; letters compressed with lz4 where the server has it."""
    session.execute(text("SET LOCAL jit = off"))
    lz4 = session.scalar(
        text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    )
    if lz4:
        session.execute(text("SET LOCAL default_toast_compression = lz4"))


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration.

    A check holds a few hundred thousand small acyclic objects (rows, snapshots, notices);
    the collector would traverse all of them again each time a generation fills up, a third
    of the run at 100,000 projects. Reference counting frees them as usual meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _refuse_out_of_order(session: Session, day: date, today: date, dry_run: bool) -> None:
    """Checks move forward (SPEC.md §10): none for a date after today, and none for a date
    before the latest completed check, whose letters and notices stand (a dry run, which
    writes nothing, may look at any past date). A repeat of the latest date is idempotent."""
    if day > today:
        raise Refused(
            _("检查日期{day}晚于今天{today}：只能检查今天及以前的日期").format(day=day, today=today)
        )
    latest = session.scalar(
        select(func.max(CheckRun.logical_date)).where(
            CheckRun.job == JOB, CheckRun.status == "done"
        )
    )
    if not dry_run and latest is not None and day < latest:
        raise Refused(
            _(
                "检查日期{day}早于最近一次已完成的检查{latest}：检查只能向前进行，"
                "已发出的告知书和通知不会重算（回看请加 --dry-run）"
            ).format(day=day, latest=latest)
        )


@use_case("check_run", write=True)
def run_check(work: Work, day: date, dry_run: bool = False) -> CheckResult:
    """Check every active monitored project on `day`; idempotent, so a repeat for the same day
    issues nothing.

    Only the categories the contractor monitors (`states.categories.MONITORED`, SPEC.md §5)
    get a ledger snapshot, a flag, letters, reminders and recommendations: patent navigation,
    securitisation and the risk-control project itself get none. Everything is computed
    against `day`, in one transaction (see the module docstring), with a few set-based
    queries; a dry run does all the work and then rolls everything back.
    """
    ctx, session = work.ctx, work.session
    flags: Counter[str] = Counter()
    settings = ctx.settings.check
    active = [Project.state.in_(ACTIVE_STATES), Project.category.in_(MONITORED)]
    with _without_cyclic_gc():
        if session.get_bind().dialect.name == "postgresql":
            # One check at a time across hosts: a second waits, then finds the letters issued.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            _tune_postgresql(session)
        _refuse_out_of_order(session, day, ctx.today(), dry_run)
        statuses = project_statuses(session, day, settings.report_grace_days, active)
        open_letters = _open_letters(session, day)
        money = money_findings(session, day)
        episodes = dict(
            session.execute(
                select(Letter.project_id, func.max(Letter.episode))
                .where(Letter.kind == WARNING)
                .group_by(Letter.project_id)
            )
            .tuples()
            .all()
        )
        deadlines = report_deadlines(session, day, settings.report_grace_days, active)
        snapshots: list[dict[str, Any]] = []
        letters_due: list[tuple[ProjectStatus, Assessment, int]] = []
        subjects: list[NoticeSubject] = []
        recommendations: list[dict[str, Any]] = []
        for p in statuses:
            letters = open_letters.get(p.project_id, [])
            misuse, unreviewed = money.get(p.project_id, (0, 0))
            findings = Findings(
                lag=p.standing.lag,
                reports_overdue=p.reports_overdue,
                annual_reports=CATEGORIES[p.category].report_months == 12,
                open_letters=len(letters),
                rectification_overdue_days=max((x.overdue_days for x in letters), default=0),
                misuse_flags=misuse,
                unreviewed_large_expenses=unreviewed,
            )
            assessment = assess(findings, settings)
            if is_behind(p.standing.lag, settings.lag_warning) and (
                not letters or (assessment.flag == RED and all(x.level != RED for x in letters))
            ):
                episode = episodes.get(p.project_id, 0) + 1
                letters_due.append((p, assessment, episode))
                episodes[p.project_id] = episode
                findings = replace(findings, open_letters=len(letters) + 1)
                assessment = assess(findings, settings)
            flags[assessment.flag] += 1
            reasons = [r.text for r in assessment.reasons]
            notices = notices_for(
                assessment.flag,
                day,
                deadlines.get(p.project_id, ()),
                was_red=p.previous_flag == RED,
            )
            if notices:
                subjects.append(
                    NoticeSubject(
                        p.project_id,
                        assessment.flag,
                        reasons,
                        notices,
                        report_name(CATEGORIES[p.category].report_months),
                    )
                )
            if assessment.flag == RED:
                recommendations.append(
                    {
                        "project_id": p.project_id,
                        "day": day,
                        "reason": "；".join(reasons),
                        "source": "red_flag",
                        "contingency": ctx.settings.contingency.red,
                        "new_episode": p.previous_flag != RED,
                    }
                )
            snapshots.append(_snapshot(p, day, findings, assessment))
        contacts = project_contacts(
            session,
            [p.project_id for p, _, _ in letters_due] + [s.project_id for s in subjects],
        )
        skipped: list[Skipped] = []

        def skip(project_id: int, what: str, exc: Exception) -> None:
            log.warning("check %s: %s of project %s skipped: %r", day, what, project_id, exc)
            skipped.append(Skipped(project_id, what, f"{type(exc).__name__}: {exc}"))

        book = LetterBook(session, ctx.settings, day, ctx.clock())
        for p, assessment, episode in [] if dry_run else letters_due:
            subject = _letter_subject(p, contacts[p.project_id], assessment)
            try:
                book.add(subject, _letter_level(assessment), episode)
            except Exception as exc:  # one project's data must not stop the others' letters
                skip(p.project_id, "letter", exc)
            book.write_batch()
        book.write()
        record_many(session, recommendations)
        queued = queue_notices(session, ctx.settings, day, ctx.clock(), subjects, contacts, skip)
        unwritten = {s.project_id for s in skipped if s.what == "letter"}
        issued = len(letters_due) - len(unwritten)
        news = [
            LetterNews(p.project_id, episode, _letter_level(assessment), p.standing.lag or 0.0)
            for p, assessment, episode in letters_due
            if p.project_id not in unwritten
        ]
        queued += queue_digests(session, ctx.settings, day, ctx.clock(), news, subjects, contacts)
        result = CheckResult(
            date_=day,
            checked=len(statuses),
            flags={f: flags[f] for f in ("green", "amber", "red")},
            letters_issued=issued,
            notices_queued=issued + queued,
            dry_run=dry_run,
            skipped=skipped,
            deliveries_failed=count_failed(session),
        )
        if dry_run:
            session.rollback()
            return result
        _write_ledger(session, day, snapshots)
        now = ctx.clock()
        upsert(
            session,
            CheckRun,
            [
                {
                    "job": JOB,
                    "logical_date": day,
                    "owner": ctx.actor,
                    "status": "done",
                    "started_at": now,
                    "lease_until": now,
                    "finished_at": now,
                    "summary": result.as_json(),
                }
            ],
            ["job", "logical_date"],
        )
    return result
