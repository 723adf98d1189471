"""The Jinja2 environment of the pages: translations, dates, money and flags as users read them."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from workflow.core.clock import SHANGHAI
from workflow.core.i18n import N_, _

TEMPLATES = Path(__file__).resolve().parent / "templates"
FLAG_TEXT = {"green": N_("绿"), "amber": N_("黄"), "red": N_("红")}

OFFICE_NAV = (
    ("/dashboard", N_("总览")),
    ("/approvals", N_("审批与评审")),
    ("/projects", N_("项目")),
    ("/letters", N_("预警告知书")),
    ("/ledger", N_("进度台账")),
    ("/programme", N_("年度预算")),
)
NAV: dict[str, tuple[tuple[str, str], ...]] = {
    "unit": (("/projects", N_("我的项目")), ("/letters", N_("预警告知书"))),
    "contractor": (
        ("/letters", N_("告知书队列")),
        ("/ledger", N_("进度台账")),
        ("/trend", N_("预警趋势")),
        ("/periodic", N_("定期报告")),
        ("/projects", N_("项目")),
    ),
    "admin": OFFICE_NAV,
    "manager": OFFICE_NAV,
}
"""The pages each role starts from, in the order the navigation shows them."""


def _money(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _when(value: datetime | date | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are part of the release: no stat() of each file on every page.
        auto_reload=False,
    )
    from states.categories import CATEGORIES
    from states.definitions import STATE_LABELS
    from workflow.access.rules import ROLES, allowed
    from workflow.check.rules import explain
    from workflow.letters.rules import STATUSES

    env.globals["_"] = lambda message: _(message)
    env.globals["flag_text"] = lambda flag: _(FLAG_TEXT[flag]) if flag in FLAG_TEXT else "—"
    env.globals["state_text"] = lambda state: (
        _(STATE_LABELS[state]) if state in STATE_LABELS else state
    )
    env.globals["category_text"] = lambda code: (
        _(CATEGORIES[code].name) if code in CATEGORIES else code
    )
    env.globals["letter_status_text"] = lambda code: (
        _(STATUSES[code].label) if code in STATUSES else code
    )
    env.globals["reason_text"] = lambda reason: explain(reason["code"], reason["text"])
    env.globals["role_names"] = ROLES
    env.globals["nav"] = lambda role: [(href, _(label)) for href, label in NAV.get(role, ())]
    env.globals["can"] = allowed
    env.filters["money"] = _money
    env.filters["when"] = _when
    env.filters["pct"] = _pct
    return env


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """The page `template` with `values` (the visitor among them) in the request's language."""
    lang = getattr(request.state, "lang", "zh")
    html = environment().get_template(template).render(request=request, lang=lang, **values)
    return HTMLResponse(html, status_code=status_code)
