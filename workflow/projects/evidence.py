"""Evidence files of progress reports (佐证材料): the types accepted, their checks, storage, reading.

A file is accepted when its name's suffix is on the allow-list (`KINDS`) and its first bytes
are those of that type (a renamed executable is not a PDF), it is not empty and not larger
than `[web] evidence_max_bytes`; a report takes at most `MAX_FILES`. The type served back is
the allow-list's, never what the uploading browser claimed.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core.boundary import Work, use_case
from workflow.core.context import AppContext
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import N_, _
from workflow.core.results import Result
from workflow.core.text import entry_text
from workflow.db.orm import Report
from workflow.db.orm_evidence import ReportEvidence
from workflow.db.widths import width

MAX_FILES = 10
"""The most evidence files one report takes."""


def _zip_holding(folder: str) -> Callable[[bytes], bool]:
    """A check that the content is a zip archive with an entry under `folder` (OOXML: xl/, word/)."""

    def check(content: bytes) -> bool:
        if not content.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()  # the central directory only: nothing is inflated
        except (zipfile.BadZipFile, ValueError):
            return False
        return not folder or any(n.startswith(folder) for n in names)

    return check


@dataclass(frozen=True)
class EvidenceKind:
    """One type of evidence file accepted: its media type and how its first bytes look."""

    media_type: str
    label: str
    looks_right: Callable[[bytes], bool]


_PDF = EvidenceKind("application/pdf", "PDF", lambda c: c.startswith(b"%PDF-"))
_JPEG = EvidenceKind("image/jpeg", "JPG", lambda c: c.startswith(b"\xff\xd8\xff"))
KINDS: dict[str, EvidenceKind] = {
    ".pdf": _PDF,
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".png": EvidenceKind("image/png", "PNG", lambda c: c.startswith(b"\x89PNG\r\n\x1a\n")),
    ".xlsx": EvidenceKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX",
        _zip_holding("xl/"),
    ),
    ".docx": EvidenceKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "DOCX",
        _zip_holding("word/"),
    ),
    ".zip": EvidenceKind("application/zip", "ZIP", _zip_holding("")),
}
"""The allow-list by suffix (lower case)."""
ACCEPT = ",".join(KINDS)
"""The suffixes accepted, as a file input's `accept` attribute lists them."""
NAME_LABEL = N_("佐证材料文件名")


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file as uploaded: the name the browser sent and the bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class EvidenceView(Result):
    """An evidence file as a project's page lists it (never its content)."""

    id: int
    report_id: int
    name: str
    media_type: str
    size: int
    sha256: str
    actor: str
    uploaded_at: datetime


@dataclass(frozen=True)
class EvidenceContent:
    """An evidence file to send back: its name, the allow-list's media type and the bytes."""

    name: str
    media_type: str
    content: bytes


def _labels() -> str:
    return _("、").join(dict.fromkeys(k.label for k in KINDS.values()))


def accepted(upload: EvidenceFile, max_bytes: int) -> tuple[str, EvidenceKind]:
    """The file's name (its folder left out) and kind, or a refusal naming the file."""
    base = upload.name.replace("\\", "/").rsplit("/", 1)[-1]
    name = entry_text(base, _(NAME_LABEL), limit=width(ReportEvidence.name))
    if not name:
        raise Refused(_("佐证材料的文件名为空：请选择要上传的文件"))
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = KINDS.get(suffix)
    if kind is None:
        raise Refused(
            _("佐证材料“{name}”的类型不在允许之列：可上传{labels}文件").format(
                name=name, labels=_labels()
            )
        )
    if not upload.content:
        raise Refused(_("佐证材料“{name}”是空文件").format(name=name))
    if len(upload.content) > max_bytes:
        raise Refused(
            _("佐证材料“{name}”有{size}字节，超过了每个文件{limit}字节的上限").format(
                name=name, size=f"{len(upload.content):,}", limit=f"{max_bytes:,}"
            )
        )
    if not kind.looks_right(upload.content):
        raise Refused(
            _(
                "佐证材料“{name}”的内容不是{label}文件：文件可能已损坏或被改了扩展名，请上传原始文件"
            ).format(name=name, label=kind.label)
        )
    return name, kind


def attach(
    session: Session, ctx: AppContext, report: Report, uploads: Sequence[EvidenceFile]
) -> None:
    """Check every file, then store them all with `report` (in the caller's transaction)."""
    if len(uploads) > MAX_FILES:
        raise Refused(
            _("每份报告最多附{limit}个佐证材料文件，收到{count}个").format(
                limit=MAX_FILES, count=len(uploads)
            )
        )
    checked = [(accepted(u, ctx.settings.web.evidence_max_bytes), u.content) for u in uploads]
    for (name, kind), content in checked:
        session.add(
            ReportEvidence(
                report_id=report.id,
                project_id=report.project_id,
                name=name,
                media_type=kind.media_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                actor=ctx.actor,
                uploaded_at=ctx.clock(),
            )
        )


def evidence_by_report(session: Session, project_id: int) -> dict[int, list[EvidenceView]]:
    """A project's evidence files by report, in upload order (their content is not read)."""
    rows = session.execute(
        select(
            ReportEvidence.id,
            ReportEvidence.report_id,
            ReportEvidence.name,
            ReportEvidence.media_type,
            ReportEvidence.size,
            ReportEvidence.sha256,
            ReportEvidence.actor,
            ReportEvidence.uploaded_at,
        )
        .where(ReportEvidence.project_id == project_id)
        .order_by(ReportEvidence.id)
    ).tuples()
    found: dict[int, list[EvidenceView]] = defaultdict(list)
    for row in rows:
        found[row[1]].append(EvidenceView(*row))
    return dict(found)


@use_case("project_show", write=False, subject=("project", "project_id"))
def evidence_file(work: Work, project_id: int, evidence_id: int) -> EvidenceContent:
    """One evidence file of a project, for whoever may see the project."""
    row = work.session.scalar(
        select(ReportEvidence).where(
            ReportEvidence.id == evidence_id, ReportEvidence.project_id == project_id
        )
    )
    if row is None:
        raise NotFound(
            _("项目#{project_id}没有编号为{id}的佐证材料").format(
                project_id=project_id, id=evidence_id
            )
        )
    return EvidenceContent(row.name, row.media_type, row.content)
