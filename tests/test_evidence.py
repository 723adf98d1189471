"""Evidence files of reports: the allow-list by name and first bytes, and `report submit --evidence`."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import enrol_university
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm_evidence import ReportEvidence
from workflow.projects.evidence import EvidenceFile, accepted


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("纪要.PDF", b"%PDF-1.7\n", "application/pdf"),
        ("现场.jpeg", b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        ("现场.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
        (
            "台账.xlsx",
            _zip("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "方案.docx",
            _zip("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("材料.zip", _zip("a.txt"), "application/zip"),
        (r"C:\fakepath\纪要.pdf", b"%PDF-1.4", "application/pdf"),
    ],
)
def test_an_allowed_file_is_accepted_with_the_allow_lists_type(
    name: str, content: bytes, media_type: str
) -> None:
    kept, kind = accepted(EvidenceFile(name, content), 1000)
    assert kind.media_type == media_type
    assert "\\" not in kept and "/" not in kept


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.sh", b"#!/bin/sh", "类型不在允许之列"),
        ("无扩展名", b"%PDF-1.4", "类型不在允许之列"),
        ("方案.docx", _zip("xl/workbook.xml"), "内容不是DOCX文件"),
        ("台账.xlsx", b"PK\x03\x04broken", "内容不是XLSX文件"),
        ("page.html.png", b"<html>", "内容不是PNG文件"),
        ("大.pdf", b"%PDF-" + b"0" * 1000, "超过了每个文件1,000字节的上限"),
        ("", b"%PDF-", "文件名为空"),
        ("a\tb.pdf", b"%PDF-", "控制字符"),
    ],
)
def test_a_file_not_allowed_is_refused_naming_why(name: str, content: bytes, message: str) -> None:
    with pytest.raises(Refused, match=message):
        accepted(EvidenceFile(name, content), 1000)


def _project(ipflow: Cli, tmp_path: Path) -> None:
    enrol_university(ipflow)
    plan = tmp_path / "plan.csv"
    plan.write_text("task,start,due,weight\n调研,2027-01-01,2027-06-30,1\n", encoding="utf-8")
    created = ipflow(
        "project", "create", "--category", "high_value_patent", "--title", "磷化工专利",
        "--unit", "贵州大学", "--start", "2027-01-01", "--end", "2028-12-31",
        "--budget", "500000", "--plan", str(plan),
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    for trigger in ("screen", "approve", "start"):
        assert ipflow("project", "advance", "1", trigger).exit_code == 0


def test_report_submit_keeps_its_evidence_files_with_the_report(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    _project(ipflow, tmp_path)
    minutes = tmp_path / "调研纪要.pdf"
    minutes.write_bytes(b"%PDF-1.4 minutes")
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n photo")
    result = ipflow(
        "report", "submit", "1", "--date", "2027-03-31", "--progress", "调研=50",
        "--evidence", str(minutes), "--evidence", str(photo),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with transaction(engine) as session:
        kept = session.execute(
            select(ReportEvidence.name, ReportEvidence.media_type, ReportEvidence.content)
        ).all()
    assert sorted(kept) == [
        ("现场.png", "image/png", b"\x89PNG\r\n\x1a\n photo"),
        ("调研纪要.pdf", "application/pdf", b"%PDF-1.4 minutes"),
    ]


def test_report_submit_with_a_bad_evidence_file_records_no_report(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    _project(ipflow, tmp_path)
    good = tmp_path / "纪要.pdf"
    good.write_bytes(b"%PDF-1.4")
    bad = tmp_path / "纪要2.pdf"
    bad.write_bytes(b"MZ not a pdf")
    before = database_dump(engine)
    result = ipflow(
        "report", "submit", "1", "--date", "2027-03-31", "--progress", "调研=50",
        "--evidence", str(good), "--evidence", str(bad),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "纪要2.pdf”的内容不是PDF文件" in without_clock_notice(result.stderr)
    assert database_dump(engine) == before
