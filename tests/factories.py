"""Builders of test data through the project's own use cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from states.categories import CATEGORIES
from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.context import AppContext
from workflow.projects.actions import NewProject, advance, create
from workflow.projects.plans import PlanRow

TERMS = {
    1: (date(2027, 1, 1), date(2027, 12, 31)),
    2: (date(2027, 1, 1), date(2028, 12, 31)),
    3: (date(2027, 1, 1), date(2029, 12, 31)),
}

SECURITIZATION_TERMS = {
    "issuance": "10000000",
    "financing": "10000000",
    "issued": "2026-06-30",
    "ends": "2027-12-31",
    "registered_in": "贵州",
}
"""A data_ip_securitization application's product: issued in 2026 by a Guizhou enterprise,
1000万 wholly its own financing, so 4% gives a 40万 subsidy."""

PATH_TO = {
    "applied": [],
    "screened": ["screen"],
    "approved": ["screen", "approve"],
    "in_progress": ["screen", "approve", "start"],
}


def new_project(
    category: str = "high_value_patent",
    unit: str = "贵州大学",
    title: str = "测试项目",
    plan: list[PlanRow] | None = None,
    start: date | None = None,
    end: date | None = None,
    budget: int | None = None,
    contact_email: str | None = "unit@example.org",
    data: dict[str, str] | None = None,
) -> NewProject:
    """A valid application of `category` with the category's own term and grant (securitisation:
    with SECURITIZATION_TERMS unless `data` says otherwise)."""
    years = CATEGORIES[category].term_years or 1
    default_start, default_end = TERMS[years]
    return NewProject(
        category=category,
        title=title,
        unit=unit,
        start=start or default_start,
        end=end or default_end,
        budget=budget if budget is not None else (CATEGORIES[category].grant or 200_000),
        plan=plan or [],
        contact_email=contact_email,
        data=data if data is not None else _default_data(category),
    )


def _default_data(category: str) -> dict[str, str]:
    return dict(SECURITIZATION_TERMS) if category == "data_ip_securitization" else {}


def make_project(ctx: AppContext, state: str = "in_progress", **kwargs: object) -> int:
    """Create a project and walk it along the common path to `state` (up to in_progress)."""
    project = new_project(**kwargs)  # type: ignore[arg-type]
    project_id = create(ctx, project).id
    for trigger in PATH_TO[state]:
        if trigger == "approve" and project.category == "capability_city":
            raise ValueError("capability_city is approved by ranking")
        advance(ctx, project_id, trigger)
    return project_id


def on(ctx: AppContext, day: date) -> AppContext:
    """`ctx` with its clock at noon (Shanghai) of `day`: what is done on that day."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI).astimezone(UTC)
    return replace(ctx, clock=fixed_clock(noon))
