"""Builders of test data through the project's own use cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

from click.testing import Result
from sqlalchemy import select

from states.categories import CATEGORIES
from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import Unit
from workflow.projects.actions import NewProject, advance, create
from workflow.projects.plans import PlanRow
from workflow.units.actions import add_unit

TERMS = {
    1: (date(2027, 1, 1), date(2027, 12, 31)),
    2: (date(2027, 1, 1), date(2028, 12, 31)),
    3: (date(2027, 1, 1), date(2029, 12, 31)),
}

PATH_TO = {
    "applied": [],
    "screened": ["screen"],
    "approved": ["screen", "approve"],
    "in_progress": ["screen", "approve", "start"],
}


APPLICANTS: dict[str, tuple[str, dict[str, str]]] = {
    "high_value_patent": ("university", {"valid_patents": "45"}),
    "strong_enterprise": ("enterprise", {}),
    "gi_brand": ("association", {"provincial_gi_holder": "yes"}),
    "capability_provincial": ("enterprise", {}),
    "capability_city": ("city_ip_office", {}),
    "risk_control": ("accounting_firm", {}),
    "patent_navigation": ("enterprise", {}),
    "data_ip_chain": ("enterprise", {}),
    "data_ip_scenario": ("enterprise", {}),
    "service_cluster": ("zone_authority", {}),
    "service_brand": ("service_org", {}),
    "data_ip_leader": ("enterprise", {}),
    "data_ip_securitization": ("enterprise", {"guizhou_registered": "yes"}),
}
"""For each category, a kind and facts with which a new unit may lead it (states.eligibility)."""

TIERS = {"gi_brand": "provincial"}
"""The tier of the factories' applications, where the category needs one."""

NAVIGATION_PARTNER = ("贵州省工业和信息化厅", "industry_authority")
"""The authority patent_navigation applications are filed jointly with."""


def new_project(
    category: str = "high_value_patent",
    unit: str = "贵州大学",
    title: str = "测试项目",
    plan: list[PlanRow] | None = None,
    start: date | None = None,
    end: date | None = None,
    budget: int | None = None,
    contact_email: str | None = "unit@example.org",
) -> NewProject:
    """A valid application of `category` with the category's own term and grant."""
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
        tier=TIERS.get(category),
        partners=(NAVIGATION_PARTNER[0],) if category == "patent_navigation" else (),
    )


def register(ctx: AppContext, name: str, kind: str, facts: dict[str, str] | None = None) -> None:
    """Register the unit `name` with `kind` and `facts`, unless it is registered already."""
    with transaction(ctx.engine) as session:
        if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
            return
    add_unit(ctx, name, kind, None, facts or {})


def qualify(ctx: AppContext, project: NewProject) -> NewProject:
    """Register the application's unit (and partners) with what lets them apply, when new."""
    kind, facts = APPLICANTS[project.category]
    register(ctx, project.unit, kind, facts)
    if project.category == "patent_navigation":
        register(ctx, *NAVIGATION_PARTNER)
    return project


def enrol(cli: Callable[..., Result], name: str, kind: str, *facts: str) -> None:
    """Register a unit through the CLI with `kind` and `facts` (KEY=VALUE), unless it is known."""
    if cli("unit", "show", name).exit_code == 0:
        return
    options = [part for fact in facts for part in ("--fact", fact)]
    result = cli("unit", "add", name, "--kind", kind, *options)
    assert result.exit_code == 0, result.output


def enrol_university(cli: Callable[..., Result], name: str = "贵州大学") -> None:
    """Register `name` as a university that may lead high_value_patent (45 valid patents)."""
    enrol(cli, name, "university", "valid_patents=45")


def file(ctx: AppContext, project: NewProject) -> int:
    """File `project` (state applied) for a unit registered as qualified; its id."""
    return create(ctx, qualify(ctx, project)).id


def make_project(ctx: AppContext, state: str = "in_progress", **kwargs: object) -> int:
    """Create a project and walk it along the common path to `state` (up to in_progress)."""
    project = new_project(**kwargs)  # type: ignore[arg-type]
    project_id = file(ctx, project)
    for trigger in PATH_TO[state]:
        if trigger == "approve" and project.category == "capability_city":
            raise ValueError("capability_city is approved by ranking")
        advance(ctx, project_id, trigger)
    return project_id


def on(ctx: AppContext, day: date) -> AppContext:
    """`ctx` with its clock at noon (Shanghai) of `day`: what is done on that day."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI).astimezone(UTC)
    return replace(ctx, clock=fixed_clock(noon))
