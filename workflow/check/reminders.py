"""Reminder policy of SPEC.md §5: the notices each project's flag calls for on a day, as outbox rows.

A report is due at its period's close plus the configured grace (SPEC.md §4).
green — one reminder 7 days before a report is due; amber — reminders 14, 7 and 3 days before,
and weekly while a report is overdue (on its first day overdue, then every 7 days), copied to
the contractor; red — at once, when a project turns red, a notice to the unit, the contractor
and the provincial office, plus a risk-disposal recommendation for the office. Each notice
carries the contingency plan (风险预案) of the project's level.

Each notice is identified by (project, kind, due date, offset); its outbox rows are keyed by
that and the recipient, so a repeat or a re-run of the check queues nothing twice.

The chat bots ([[webhooks]]) get, after each check, one digest of its warning letters and red
notices, as each bot's routing keys choose (`BotRoute`, default: all of them). The check
queues one outbox row per bot and item, in its transaction, keyed by the check's date, the
bot and the item (`digest/<date>/<bot>/letter/<project>/<episode>`, `…/red/<project>`); the
dispatcher packs a bot's rows of one check into as few messages as the service accepts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Table, and_, cast, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow.check.rules import AMBER, FLAG_LABELS, GREEN, RED
from workflow.core.config import BotRoute, Settings
from workflow.core.text import one_line
from workflow.db.orm import Letter, OutboxMessage, Project, ReportDue
from workflow.db.widths import require_fit
from workflow.documents.render import chinese_date, render
from workflow.letters.actions import WARNING
from workflow.outbox import fitting
from workflow.outbox.delivery import digest_key
from workflow.progress.store import ProjectContact, days_between, period_reported

REMINDER, OVERDUE, RED_NOTICE = "reminder", "overdue", "red"
DAYS_BEFORE = {GREEN: (7,), AMBER: (14, 7, 3)}
OVERDUE_EVERY_DAYS = 7
SUBJECTS = {
    REMINDER: "【{report}提醒】",
    OVERDUE: "【{report}逾期催报】",
    RED_NOTICE: "【红色预警通知】",
}


@dataclass(frozen=True)
class Notice:
    """One notice: its kind, the due date it is about and its offset in days before it.

    A weekly overdue reminder has a negative offset (−1, −8, −15, …); a red notice is about the
    day the project turned red, with offset 0.
    """

    kind: str
    due: date
    offset: int


@dataclass(frozen=True)
class NoticeSubject:
    """A project the check found due for notices on the day: its flag, reasons and notices."""

    project_id: int
    flag: str
    reasons: list[str]
    notices: list[Notice]
    report_name: str = "季度报告"
    """季度报告 or 年度报告: what the project's periodic report is called."""


def notices_for(flag: str, day: date, deadlines: Iterable[date], was_red: bool) -> list[Notice]:
    """The notices a project with `flag` gets on `day` (pure policy, no database).

    `deadlines` are the days its unreported periods' reports are due (closing day + grace).
    `was_red`: the project's previous ledger flag was red, so a red flag today is no news.
    """
    if flag == RED:
        return [] if was_red else [Notice(RED_NOTICE, day, 0)]
    found: list[Notice] = []
    for due in deadlines:
        before = (due - day).days
        if before in DAYS_BEFORE[flag]:
            found.append(Notice(REMINDER, due, before))
        elif flag == AMBER and before < 0 and -before % OVERDUE_EVERY_DAYS == 1:
            found.append(Notice(OVERDUE, due, before))
    return found


def report_deadlines(
    session: Session, day: date, grace_days: int, where: Sequence[ColumnElement[bool]]
) -> dict[int, list[date]]:
    """Per project, the deadlines of unreported periods on which a notice can fall on `day`:
    some days ahead, or whole weeks past. A period's report is due at its close plus
    `grace_days`; one whose period already has a report (`period_reported`) needs no notice.

    `notices_for` gives nothing for any other deadline, so the database leaves them out.
    """
    dialect = session.get_bind().dialect.name
    grace = timedelta(days=grace_days)
    ahead = sorted({day + timedelta(days=n) - grace for days in DAYS_BEFORE.values() for n in days})
    weeks_past = and_(
        ReportDue.due < day - grace,
        cast(days_between(literal(day - grace), ReportDue.due, dialect), Integer)
        % OVERDUE_EVERY_DAYS
        == 1,
    )
    rows = session.execute(
        select(ReportDue.project_id, ReportDue.due)
        .join(Project, Project.id == ReportDue.project_id)
        .where(or_(ReportDue.due.in_(ahead), weeks_past), ~period_reported(day), *where)
        .order_by(ReportDue.project_id, ReportDue.seq)
    )
    deadlines: dict[int, list[date]] = defaultdict(list)
    for project_id, closes in rows:
        deadlines[project_id].append(closes + grace)
    return deadlines


def _recipients(
    s: NoticeSubject, c: ProjectContact, notice: Notice, settings: Settings
) -> list[tuple[str, str, bool]]:
    """(channel, recipient, is_copy) for each addressee: the unit, then the copies."""
    unit = (
        ("email", c.email, False) if c.email else ("file", fitting.folder_recipient(c.unit), False)
    )
    copies = list(settings.recipients.contractor) if s.flag in (AMBER, RED) else []
    if notice.kind == RED_NOTICE:
        copies += list(settings.recipients.office)
    return [unit, *(("email", address, True) for address in dict.fromkeys(copies))]


def _message(
    s: NoticeSubject, c: ProjectContact, notice: Notice, day: date, settings: Settings
) -> tuple[str, str, str]:
    """The subject's head (the title follows it), text and HTML of a notice."""
    data = {
        "kind": notice.kind,
        "project_id": s.project_id,
        "title": one_line(c.title),
        "unit": one_line(c.unit),
        "flag": FLAG_LABELS[s.flag],
        "reasons": s.reasons,
        "contingency": settings.contingency.plan(s.flag),
        "due_cn": chinese_date(notice.due),
        "days_before": notice.offset,
        "days_overdue": -notice.offset,
        "day_cn": chinese_date(day),
        "report_name": s.report_name,
        "sender": settings.letters.sender,
        "contact": settings.letters.contact,
        "contact_phone": settings.letters.contact_phone,
    }
    head = SUBJECTS[notice.kind].format(report=s.report_name)
    return head, render("notice.txt", data), render("notice.html", data)


def _insert_outbox(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows, skipping keys already there; return how many were new."""
    if not rows:
        return 0
    table: Table = OutboxMessage.__table__  # type: ignore[assignment]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    return len(session.execute(stmt, rows).all())


def _subject_rows(
    s: NoticeSubject, c: ProjectContact, day: date, now: datetime, settings: Settings
) -> list[dict[str, Any]]:
    """The outbox rows of `s`'s notices, one per addressee; Unfit when one would not fit."""
    rows: list[dict[str, Any]] = []
    for notice in s.notices:
        head, body_text, body_html = _message(s, c, notice, day, settings)
        for channel, recipient, is_copy in _recipients(s, c, notice, settings):
            rows.append(
                {
                    "key": fitting.key(
                        f"notice/{s.project_id}/{notice.kind}/{notice.due.isoformat()}/"
                        f"{notice.offset}/{channel}/{recipient}"
                    ),
                    "channel": channel,
                    "recipient": recipient,
                    "subject": fitting.subject(head, c.title, "（抄送）" if is_copy else ""),
                    "body_text": body_text,
                    "body_html": body_html,
                    "project_id": s.project_id,
                    "letter_id": None,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": None,
                    "created_at": now,
                    "sent_at": None,
                }
            )
            require_fit(OutboxMessage, rows[-1])
    return rows


def queue_notices(
    session: Session,
    settings: Settings,
    day: date,
    now: datetime,
    subjects: Sequence[NoticeSubject],
    contacts: Mapping[int, ProjectContact],
    problems: Callable[[int, str, Exception], None] | None = None,
) -> int:
    """Queue the notices of `subjects` on `day` as outbox rows, one per addressee.

    One statement whatever the number of projects; a row whose key is already there (a
    repeat of the day) is skipped. Returns the number of outbox rows newly queued. A project
    whose notices cannot be composed from its data is told to `problems` (project id, what,
    the error) and left out, so the others are queued all the same; without `problems` the
    error is raised.
    """
    rows: list[dict[str, Any]] = []
    for s in subjects:
        try:
            rows += _subject_rows(s, contacts[s.project_id], day, now, settings)
        except Exception as exc:  # one project's data must not stop the others' notices
            if problems is None:
                raise
            problems(s.project_id, "notices", exc)
    return _insert_outbox(session, rows)


@dataclass(frozen=True)
class LetterNews:
    """A warning letter the check issues, as a bot's digest tells it."""

    project_id: int
    episode: int
    level: str
    lag: float


@dataclass(frozen=True)
class DigestItem:
    """One line of news for the bots: what it is about and what it says."""

    kind: str
    level: str
    project_id: int
    item: str
    """The item's part of the outbox key: letter/<project>/<episode> or red/<project>."""
    subject: str
    text: str
    letter_id: int | None = None


def _letter_items(
    session: Session,
    settings: Settings,
    day: date,
    letters: Sequence[LetterNews],
    contacts: Mapping[int, ProjectContact],
) -> list[DigestItem]:
    issued = {
        (project_id, episode): (letter_id, number)
        for letter_id, project_id, episode, number in session.execute(
            select(Letter.id, Letter.project_id, Letter.episode, Letter.number).where(
                Letter.kind == WARNING, Letter.issued_on == day
            )
        ).tuples()
    }
    due = chinese_date(day + timedelta(days=settings.check.rectification_days))
    items = []
    for news in letters:
        c = contacts[news.project_id]
        letter_id, number = issued.get((news.project_id, news.episode), (None, ""))
        items.append(
            DigestItem(
                "letter",
                news.level,
                news.project_id,
                f"letter/{news.project_id}/{news.episode}",
                f"{FLAG_LABELS[news.level]}色预警告知书 {number}".strip(),
                f"项目#{news.project_id}“{c.title}”（{c.unit}）进度滞后{news.lag:g}个百分点，"
                f"已发出预警告知书，请于{due}前报送整改方案。",
                letter_id,
            )
        )
    return items


def _red_items(
    subjects: Sequence[NoticeSubject], contacts: Mapping[int, ProjectContact]
) -> list[DigestItem]:
    return [
        DigestItem(
            "red",
            RED,
            s.project_id,
            f"red/{s.project_id}",
            f"红色预警 项目#{s.project_id}",
            f"“{contacts[s.project_id].title}”（{contacts[s.project_id].unit}）："
            f"{'；'.join(s.reasons)}。已提出风险处置建议。",
        )
        for s in subjects
        if any(n.kind == RED_NOTICE for n in s.notices)
    ]


def _digest_row(route: BotRoute, day: date, now: datetime, item: DigestItem) -> dict[str, Any]:
    return {
        "key": digest_key(day, route.channel, item.item),
        "channel": route.channel,
        "recipient": route.channel,
        "subject": item.subject,
        "body_text": item.text,
        "body_html": None,
        "project_id": item.project_id,
        "letter_id": item.letter_id,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
    }


def queue_digests(
    session: Session,
    settings: Settings,
    day: date,
    now: datetime,
    letters: Sequence[LetterNews],
    subjects: Sequence[NoticeSubject],
    contacts: Mapping[int, ProjectContact],
) -> int:
    """Queue, for each configured bot, a row per warning letter and red notice of the day's
    check that its routing takes; return the number of rows newly queued.

    Letters come first, then red notices, each in project order; a repeat of the day queues
    nothing twice (the rows are keyed).
    """
    routes = settings.bot_routes()
    if not routes or not (letters or subjects):
        return 0
    items = _letter_items(session, settings, day, letters, contacts) + _red_items(
        subjects, contacts
    )
    rows = [
        _digest_row(route, day, now, item)
        for route in routes
        for item in items
        if route.takes(item.kind, item.level, contacts[item.project_id].category)
    ]
    return _insert_outbox(session, rows)
