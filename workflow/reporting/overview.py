"""The office's overview of the ledger: flags by category and the red projects with their reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from states.categories import CATEGORIES
from workflow.core.boundary import Work, use_case
from workflow.core.results import Result
from workflow.reporting.ledger import last_check, ledger_rows

FLAGS = ("green", "amber", "red")


@dataclass(frozen=True)
class CategoryFlags(Result):
    """How many of a category's projects in the ledger carry each flag."""

    category: str
    name: str
    projects: int
    green: int
    amber: int
    red: int


@dataclass(frozen=True)
class RedProject(Result):
    """A red project of the ledger and why it is red."""

    project_id: int
    title: str
    unit: str
    category: str
    lag: float | None
    reasons: list[dict[str, str]]
    """The check's reasons, each its code and stored Chinese text (`check.rules.explain`)."""
    open_letters: int


@dataclass(frozen=True)
class Overview(Result):
    """The ledger of today in figures: per category, in total, and its red projects."""

    day: date
    checked_on: date | None
    """The latest completed nightly check on or before today (None: none yet)."""
    categories: list[CategoryFlags]
    totals: dict[str, int]
    red: list[RedProject]


@use_case("ledger_export", write=False)
def overview(work: Work) -> Overview:
    """Today's ledger (the latest check's record) counted by category and flag, red listed."""
    day = work.ctx.today()
    rows = ledger_rows(work.session, day, work.only_unit)
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        per = counts.setdefault(r.values["category"], dict.fromkeys(("projects", *FLAGS), 0))
        per["projects"] += 1
        if r.flag:
            per[r.flag] += 1
    categories = [
        CategoryFlags(code, CATEGORIES[code].name, **counts[code])
        for code in CATEGORIES
        if code in counts
    ]
    totals = {key: sum(c[key] for c in counts.values()) for key in ("projects", *FLAGS)}
    red = [
        RedProject(
            r.values["project_id"],
            r.values["title"],
            r.values["unit"],
            r.values["category"],
            r.values["lag"],
            r.values["reason_list"],
            r.values["open_letters"],
        )
        for r in rows
        if r.flag == "red"
    ]
    return Overview(day, last_check(work.session, day), categories, totals, red)
