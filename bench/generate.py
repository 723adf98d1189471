"""A synthetic programme for the benchmark: N active projects, 8 plan tasks, up to 4 reports each."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from bench.bulk_load import BulkProject, BulkReport
from states.categories import CATEGORIES, CONTRACTOR_CATEGORY
from states.eligibility import DEFAULT_TIERS, TIERS
from states.rules import GI_YEARS
from workflow.progress.rules import TaskProgress, add_months, report_periods, task_elapsed
from workflow.projects.actions import NewProject
from workflow.projects.plans import PlanRow

TODAY = date(2027, 10, 15)
"""The logical date the benchmark checks: three quarters into the 2027 programme."""

TASKS = 8
MAX_REPORTS = 4
PATH = ("screen", "approve", "start")

MIX = {
    "high_value_patent": 18,
    "strong_enterprise": 22,
    "gi_brand": 8,
    "capability_provincial": 4,
    "patent_navigation": 12,
    "data_ip_chain": 10,
    "data_ip_scenario": 8,
    "service_cluster": 3,
    "service_brand": 5,
    "data_ip_leader": 6,
    "data_ip_securitization": 4,
}
"""Relative share of each category among active projects. capability_city is approved only by
ranking (ten a year) and the risk-control contractor is one project, added separately."""

LEAD = ((0.70, 30, 90), (0.17, 0, 30), (0.08, -30, 0), (0.05, -120, -30))
"""(share, fewest, most) days a project's work runs ahead of its plan (negative: behind).

A report states each task's completion as the plan had it `lead` days after the report date
(±3 %). The check compares today's plan with the latest report, which may be up to a quarter
old, so even a unit on schedule drifts behind between reports; with these leads, on TODAY
about 82 % of the projects are within 10 points of their plan, 10 % lag by 10–25 points
(amber, and a warning letter on the first run), 3 % by more than 25 (red), and 4.5 % (the
categories without quarterly reports) have no report. The first-ever check therefore issues
letters to about 13 % of the projects, as a programme that starts using ipflow mid-year would
see; a rerun the same day issues none."""


def _term(rng: random.Random, category: str) -> tuple[date, date]:
    if category == "gi_brand":  # the programme's two years, 2027–2028 (states.rules.GI_YEARS)
        return date(GI_YEARS[0], 1, 1), date(GI_YEARS[-1], 12, 31)
    years = CATEGORIES[category].term_years or rng.choice((1, 2, 2, 3))
    start = add_months(date(2026, 10, 1), rng.randrange(10))
    return start, add_months(start, 12 * years) - timedelta(days=1)


def _plan(rng: random.Random, start: date, end: date) -> list[PlanRow]:
    """Eight overlapping tasks across the term, later ones longer, weights 1 to 3."""
    span = (end - start).days
    rows = []
    for i in range(TASKS):
        first = start + timedelta(days=span * i // (TASKS + 2))
        due = start + timedelta(days=span * (i + 3) // (TASKS + 2))
        rows.append(PlanRow(f"任务{i + 1}", first, min(due, end), float(rng.randint(1, 3))))
    return rows


def _lead(rng: random.Random) -> timedelta:
    draw = rng.random()
    for share, low, high in LEAD:
        if draw < share:
            return timedelta(days=round(rng.uniform(low, high)))
        draw -= share
    return timedelta()


def _reports(
    rng: random.Random, start: date, end: date, plan: list[PlanRow], months: int | None
) -> tuple[BulkReport, ...]:
    """Reports on the last period closes before TODAY (a few missed), completion `_lead` ahead
    of the plan; none where the category owes no periodic report (`months` None)."""
    closes = [p.closes for p in report_periods(start, end, months)]
    dues = [d for d in closes if d < TODAY and rng.random() >= 0.02]
    lead = _lead(rng)
    reports: list[BulkReport] = []
    done = [0.0] * len(plan)
    for due in dues[-MAX_REPORTS:]:
        for i, row in enumerate(plan):
            planned = 100 * task_elapsed(TaskProgress(row.start, row.due, row.weight), due + lead)
            done[i] = max(done[i], min(100.0, round(planned * rng.uniform(0.97, 1.03), 1)))
        reports.append(BulkReport(due, tuple(done)))
    return tuple(reports)


def _tier(category: str, k: int) -> str | None:
    """The tier applied for where the category has tiers and no default one, in turn (drawing
    it would shift every later draw of the seeded programme)."""
    tiers = TIERS.get(category)
    if tiers is None or category in DEFAULT_TIERS:
        return None
    return sorted(tiers)[k % len(tiers)]


def programme(n: int, seed: int = 2027) -> Iterator[BulkProject]:
    """`n` projects in progress: the contractor's project first, then the category mix."""
    rng = random.Random(seed)
    categories = list(MIX)
    weights = list(MIX.values())
    units = max(1, n // 3)
    for k in range(n):
        category = CONTRACTOR_CATEGORY if k == 0 else rng.choices(categories, weights)[0]
        unit = "风险防控机构" if k == 0 else f"合成承担单位{rng.randrange(units):06d}"
        start, end = _term(rng, category)
        plan = _plan(rng, start, end)
        application = NewProject(
            category=category,
            title=f"合成项目{k + 1:06d}",
            unit=unit,
            start=start,
            end=end,
            budget=CATEGORIES[category].grant or 200_000,
            plan=plan,
            contact_email=f"p{k + 1}@example.org" if rng.random() < 0.7 else None,
            tier=_tier(category, k),
        )
        months = CATEGORIES[category].report_months
        yield BulkProject(application, PATH, _reports(rng, start, end, plan, months))
