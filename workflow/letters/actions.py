"""Warning letters (预警告知书): content, numbering, delivery rows, listing and showing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES
from workflow.access.store import visible_projects
from workflow.core.boundary import Work, use_case
from workflow.core.config import Settings
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.core.text import one_line
from workflow.db.bulk import insert_many
from workflow.db.orm import Letter, OutboxMessage, Project, Unit
from workflow.db.widths import require_fit
from workflow.documents.render import chinese_date, render
from workflow.letters.rules import ISSUED, STATUSES
from workflow.outbox import fitting

WARNING = "warning"


@dataclass(frozen=True)
class LetterSubject:
    """The project a letter is about, as the check found it on the day."""

    project_id: int
    title: str
    category: str
    unit: str
    start: date
    end: date
    recipient: str | None
    planned: float
    actual: float
    lag: float
    last_report: date | None
    reasons: list[str]


def letter_data(
    s: LetterSubject, level: str, number: str, day: date, settings: Settings
) -> dict[str, Any]:
    """Everything a letter's templates show; stored with the letter so it can be re-rendered."""
    rectification_due = day + timedelta(days=settings.check.rectification_days)
    return {
        "project_id": s.project_id,
        "title": one_line(s.title),
        "category": s.category,
        "category_name": CATEGORIES[s.category].name,
        "unit": one_line(s.unit),
        "start_cn": chinese_date(s.start),
        "end_cn": chinese_date(s.end),
        "day": day.isoformat(),
        "day_cn": chinese_date(day),
        "planned": f"{s.planned:g}",
        "actual": f"{s.actual:g}",
        "lag": f"{s.lag:g}",
        "threshold": f"{settings.check.lag_warning:g}",
        "last_report": s.last_report.isoformat() if s.last_report else None,
        "report_cn": chinese_date(s.last_report) if s.last_report else None,
        "reasons": s.reasons,
        "level": level,
        "number": number,
        "rectification_due": rectification_due.isoformat(),
        "rectification_due_cn": chinese_date(rectification_due),
        "rectification_days": settings.check.rectification_days,
        "sender": settings.letters.sender,
        "contact": settings.letters.contact,
        "contact_phone": settings.letters.contact_phone,
    }


class LetterBook:
    """Collects the letters of one check and writes them, numbered 〔year〕N in order, at once.

    `add` renders a letter and gives it the next number; `write` inserts the letters added and
    their outbox messages with two multi-row statements, in the caller's transaction, and
    `write_batch` does so every BATCH letters, so memory stays bounded on a night with many.
    """

    BATCH = 1000

    def __init__(self, session: Session, settings: Settings, day: date, now: datetime) -> None:
        self.session = session
        self.settings = settings
        self.day = day
        self.now = now
        self.next_seq = (
            session.scalar(select(func.max(Letter.seq)).where(Letter.year == day.year)) or 0
        ) + 1
        self.letters: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []

    def add(self, s: LetterSubject, level: str, episode: int) -> None:
        """Number and render a letter for `s` and its outbox message, to be written by `write`.

        Raises when the letter cannot be composed from `s` (Unfit: a derived value would not
        fit its column); nothing is then added and no number is used.
        """
        letter, message = self._compose(s, level, episode)
        self.next_seq += 1
        self.letters.append(letter)
        self.messages.append(message)

    def write_batch(self) -> None:
        """Write the letters added so far once BATCH of them wait, so memory stays bounded."""
        if len(self.letters) >= self.BATCH:
            self.write()

    def _compose(
        self, s: LetterSubject, level: str, episode: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        seq, year = self.next_seq, self.day.year
        number = f"{self.settings.letters.number_prefix}〔{year}〕{seq}号"
        data = letter_data(s, level, number, self.day, self.settings)
        letter = {
            "project_id": s.project_id,
            "kind": WARNING,
            "episode": episode,
            "level": level,
            "year": year,
            "seq": seq,
            "number": number,
            "status": ISSUED,
            "issued_on": self.day,
            "rectification_due": date.fromisoformat(data["rectification_due"]),
            "plan_received_on": None,
            "lag": s.lag,
            "data": data,
            "body_text": render("warning_letter.txt", data),
            "body_html": render("warning_letter.html", data),
            "created_at": self.now,
        }
        channel, recipient = (
            ("email", s.recipient) if s.recipient else ("file", fitting.folder_recipient(s.unit))
        )
        message = {
            "key": fitting.key(f"letter/{year}/{seq}/{channel}/{recipient}"),
            "channel": channel,
            "recipient": recipient,
            "subject": fitting.subject(f"【预警告知书】{number} ", s.title),
            "body_text": None,  # sent as the letter stores it, not copied
            "body_html": None,
            "project_id": s.project_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": self.now,
            "last_error": None,
            "created_at": self.now,
            "sent_at": None,
        }
        require_fit(Letter, letter)
        require_fit(OutboxMessage, message)
        return letter, message

    def write(self) -> int:
        """Insert the letters added so far and their outbox messages; the number written."""
        if not self.letters:
            return 0
        connection = self.session.connection()
        insert_many(self.session, Letter, self.letters)
        first, last = self.letters[0]["seq"], self.letters[-1]["seq"]
        ids = dict(
            connection.execute(
                select(Letter.seq, Letter.id).where(
                    Letter.year == self.day.year, Letter.seq.between(first, last)
                )
            )
            .tuples()
            .all()
        )
        for letter, message in zip(self.letters, self.messages, strict=True):
            message["letter_id"] = ids[letter["seq"]]
        insert_many(self.session, OutboxMessage, self.messages)
        written = len(self.letters)
        self.letters, self.messages = [], []
        return written


@dataclass(frozen=True)
class LetterRow(Result):
    """A warning letter as `letters list --json` shows it."""

    id: int
    project_id: int
    kind: str
    level: str
    number: str
    status: str
    issued_on: date
    rectification_due: date
    lag: float
    title: str
    """The project's title."""
    unit: str
    """The name of the project's unit."""


def _row(letter: Letter, title: str, unit: str) -> LetterRow:
    return LetterRow(
        id=letter.id,
        project_id=letter.project_id,
        kind=letter.kind,
        level=letter.level,
        number=letter.number,
        status=letter.status,
        issued_on=letter.issued_on,
        rectification_due=letter.rectification_due,
        lag=letter.lag,
        title=title,
        unit=unit,
    )


@use_case("letter_list", write=False)
def list_letters(
    work: Work, status: str | None, level: str | None = None, project_id: int | None = None
) -> list[LetterRow]:
    """Letters, newest first, optionally only those with `status` (one of STATUSES), of
    `level` (amber or red) and of project `project_id`."""
    return letters_of(work, status, level, project_id)


def letters_of(
    work: Work, status: str | None, level: str | None, project_id: int | None
) -> list[LetterRow]:
    """What `list_letters` reads, in the transaction of a use case that shows more."""
    session = work.session
    if status is not None and status not in STATUSES:
        raise Refused(
            _("未知的告知书状态“{status}”；可选：{choices}").format(
                status=status, choices=", ".join(STATUSES)
            )
        )
    if level is not None and level not in ("amber", "red"):
        raise Refused(_("未知的告知书级别“{level}”；可选：amber、red").format(level=level))
    query = (
        select(Letter, Project.title, Unit.name)
        .join(Project, Project.id == Letter.project_id)
        .join(Unit, Unit.id == Project.unit_id)
        .order_by(Letter.issued_on.desc(), Letter.id.desc())
    )
    if status:
        query = query.where(Letter.status == status)
    if level:
        query = query.where(Letter.level == level)
    if project_id is not None:
        query = query.where(Letter.project_id == project_id)
    query = query.where(*visible_projects(work))
    return [_row(*found) for found in session.execute(query).tuples()]


@use_case("letter_show", write=False, subject=("letter", "letter_id"))
def show_letter(work: Work, letter_id: int, fmt: str) -> str | bytes:
    """A letter's stored text or HTML, or its HTML laid out as an A4 PDF."""
    session = work.session
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(_("没有编号为{letter_id}的预警告知书").format(letter_id=letter_id))
    if fmt == "html":
        return letter.body_html
    if fmt == "text":
        return letter.body_text
    if fmt == "pdf":
        from workflow.documents.pdf import html_to_pdf

        return html_to_pdf(letter.body_html)
    raise Refused(_("不支持的格式“{fmt}”：可用 text、html 或 pdf").format(fmt=fmt))
