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
from workflow.core.i18n import _

TEMPLATES = Path(__file__).resolve().parent / "templates"
FLAG_TEXT = {"green": "绿", "amber": "黄", "red": "红"}


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
    env.globals["_"] = lambda message: _(message)
    env.globals["flag_text"] = lambda flag: _(FLAG_TEXT[flag]) if flag in FLAG_TEXT else "—"
    env.filters["money"] = _money
    env.filters["when"] = _when
    env.filters["pct"] = _pct
    return env


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """The page `template` with `values`, the visitor and the request's language."""
    lang = getattr(request.state, "lang", "zh")
    html = environment().get_template(template).render(request=request, lang=lang, **values)
    return HTMLResponse(html, status_code=status_code)
