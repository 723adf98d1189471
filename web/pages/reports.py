"""A progress report from the web: per-task percent, a note and evidence files; evidence served."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from web.pages.forms import done, form_date, refusal_status
from web.security import require_csrf
from web.state import WebState
from web.templating import render
from web.visitors import PageVisitor, State
from workflow.auth.door import Visitor
from workflow.core.errors import Refused

router = APIRouter(include_in_schema=False)


def report_form(
    request: Request,
    visitor: Visitor,
    state: WebState,
    project_id: int,
    *,
    error: str = "",
    status: int = 200,
    form: Mapping[str, object] | None = None,
) -> Response:
    """The report form of a project: one percent field per plan task, in plan order."""
    from workflow.projects.actions import show
    from workflow.projects.evidence import ACCEPT, KINDS, MAX_FILES
    from workflow.projects.tasks import project_plan

    ctx = state.acting(visitor)
    return render(
        request,
        "report_form.html",
        status,
        visitor=visitor,
        p=show(ctx, project_id),
        plan=project_plan(ctx, project_id),
        accept=ACCEPT,
        kinds=sorted({k.label for k in KINDS.values()}),
        max_files=MAX_FILES,
        max_mib=f"{state.settings.web.evidence_max_bytes / 1048576:g}",
        error=error,
        form=form or {},
    )


@router.get("/projects/{project_id}/report")
def report_page(request: Request, project_id: int, visitor: PageVisitor, state: State) -> Response:
    return report_form(request, visitor, state, project_id)


@router.post("/projects/{project_id}/report")
def submit_report(
    request: Request,
    project_id: int,
    visitor: PageVisitor,
    state: State,
    day: Annotated[str, Form(max_length=40)] = "",
    task: Annotated[list[str] | None, Form()] = None,
    progress: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
    evidence: Annotated[list[UploadFile] | None, File()] = None,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Submit a report as `ipflow report submit ID --date --progress TASK=PCT --note --evidence`.

    A task whose field is left empty is not stated (it keeps its latest completion)."""
    from workflow.core.i18n import _
    from workflow.projects.evidence import EvidenceFile
    from workflow.projects.reports import parse_percent, submit

    require_csrf(visitor.csrf, csrf)
    names, values = task or [], progress or []
    ctx = state.acting(visitor)
    limit = state.settings.web.evidence_max_bytes
    form = {"day": day, "note": note, "progress": dict(zip(names, values, strict=False))}
    try:
        if len(names) != len(values):
            raise Refused(_("报告表单不完整：任务与完成度的数目不一致，请刷新页面后重新填写"))
        completions = {}
        for name, value in zip(names, values, strict=True):
            if value.strip():
                try:
                    completions[name] = parse_percent(value.strip(), name)
                except ValueError as exc:
                    raise Refused(str(exc)) from None
        files = [
            EvidenceFile(upload.filename or "", upload.file.read(limit + 1))
            for upload in evidence or []
            if upload.filename
        ]
        submit(
            ctx,
            project_id,
            form_date(day, _("报告日期"), ctx.today()),
            completions,
            note,
            tuple(files),
        )
    except Refused as refused:
        status = refusal_status(refused)
        return report_form(
            request, visitor, state, project_id, error=str(refused), status=status, form=form
        )
    return done(f"/projects/{project_id}", "report")


@router.get("/projects/{project_id}/evidence/{evidence_id}")
def evidence_download(
    project_id: int, evidence_id: int, visitor: PageVisitor, state: State
) -> Response:
    """An evidence file, as an attachment of the allow-list's type (never shown inline)."""
    from workflow.projects.evidence import evidence_file

    found = evidence_file(state.acting(visitor), project_id, evidence_id)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}"},
    )
