"""A warning letter's delivery carries the letter as an A4 PDF, read back with pdftotext."""

from __future__ import annotations

import email
import subprocess
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from notifiers.filechannel import FileNotifier
from tests.factories import make_project
from tests.test_notifiers import MailSink
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.outbox.delivery import flush
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

# One 10-day task: on 2027-01-07 planned progress is 60%; a report of 45% lags 15 points.
TEN_DAYS = [PlanRow("开展摸底调研", date(2027, 1, 1), date(2027, 1, 11), 1)]
DAY = date(2027, 1, 7)
TITLE = "磷石膏资源化利用高价值专利培育"
NUMBER = "黔知运预〔2027〕1号"


@pytest.fixture
def mail_server() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


def issue_letter(ctx: AppContext, contact_email: str | None) -> None:
    """A project 15 points behind, checked once: one warning letter queued for delivery."""
    project_id = make_project(ctx, plan=TEN_DAYS, title=TITLE, contact_email=contact_email)
    submit(ctx, project_id, DAY, {"开展摸底调研": 45})
    assert run_check(ctx, DAY).letters_issued == 1


def pdf_parts(mail: EmailMessage) -> list[EmailMessage]:
    return [
        part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"
    ]


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it, without the line breaks of the layout."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return "".join(text.split())


def test_a_mailed_letter_carries_its_pdf_with_number_and_title_in_chinese(
    ctx: AppContext, mail_server: MailSink, tmp_path: Path
) -> None:
    issue_letter(ctx, "kjc@example.org")

    assert flush(ctx, {"email": mail_server.notifier()}).sent == 1

    [mail] = mail_server.mails
    [pdf] = pdf_parts(mail)
    assert pdf.get_filename() == f"预警告知书{NUMBER}.pdf"
    text = pdf_text(pdf.get_content(), tmp_path)
    assert NUMBER in text
    assert TITLE in text
    assert "按计划应完成60%，实际完成45%，进度滞后15个百分点" in text
    body = mail.get_body(("plain",))
    assert body is not None and NUMBER in body.get_content()
    html = mail.get_body(("html",))  # the letter's own HTML: its outbox row holds no copy
    assert html is not None and f'<p class="number">{NUMBER}</p>' in html.get_content()


def test_a_letter_for_a_unit_without_mail_lands_in_the_folder_with_its_pdf(
    ctx: AppContext, tmp_path: Path
) -> None:
    issue_letter(ctx, None)
    folder = tmp_path / "outbox"

    assert flush(ctx, {"file": FileNotifier(folder)}).sent == 1

    [written] = list(folder.iterdir())
    mail = email.message_from_bytes(written.read_bytes(), policy=default)
    assert isinstance(mail, EmailMessage)
    [pdf] = pdf_parts(mail)
    text = pdf_text(pdf.get_content(), tmp_path)
    assert NUMBER in text and TITLE in text


def test_a_reminder_that_is_no_letter_goes_without_attachment(
    ctx: AppContext, mail_server: MailSink
) -> None:
    project_id = make_project(ctx, title=TITLE, contact_email="kjc@example.org")
    # A report falls due on 2027-03-31; a green project is reminded 7 days before.
    assert project_id and run_check(ctx, date(2027, 4, 3)).notices_queued == 1

    assert flush(ctx, {"email": mail_server.notifier()}).sent == 1

    [mail] = mail_server.mails
    assert list(mail.iter_attachments()) == []
