"""Jinja2 rendering of letters in text and HTML, from the data stored with them."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("workflow", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def chinese_date(day: date) -> str:
    """2027-06-30 → 2027年6月30日, as official letters write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


@cache
def _template(name: str) -> Template:
    return _environment().get_template(name)


def render(template: str, data: dict[str, Any]) -> str:
    """Render `template` (a file under workflow/templates) with `data`."""
    return _template(template).render(data)
