"""The call's numbers (seed 004, SPEC.md §2–§3): grants, tiers, caps, ranges, rates, thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from states.i18n import N_, _

WAN = 10_000
"""One 万元 in yuan; every amount below is integer yuan."""

GRANTS: dict[str, int] = {
    "high_value_patent": 50 * WAN,
    "strong_enterprise": 20 * WAN,
    "gi_brand": 50 * WAN,
    "capability_provincial": 50 * WAN,
    "risk_control": 50 * WAN,
    "data_ip_chain": 30 * WAN,
    "data_ip_scenario": 30 * WAN,
    "service_cluster": 100 * WAN,
    "service_brand": 50 * WAN,
}
"""The fixed grant committed at approval (gi_brand: year 1). The categories missing here are
funded by kind, rank, evaluation or formula, below."""

NAVIGATION_GRANTS: dict[str, int] = {"industry": 20 * WAN, "enterprise": 10 * WAN}
"""patent_navigation: the grant of an industry (产业类) or an enterprise (企业类) project."""

CITY_TIERS: tuple[int, ...] = tuple(n * WAN for n in (200, 100, 100, 50, 50, 50, 20, 20, 20, 20))
"""capability_city: the grant of ranks 1–10 (one 1st, two 2nd–3rd, three 4th–6th, four 7th–10th)."""


@dataclass(frozen=True)
class Range:
    """An inclusive range of amounts in yuan."""

    low: int
    high: int

    def __contains__(self, amount: int) -> bool:
        return self.low <= amount <= self.high


GI_ROLLING = Range(50 * WAN, 100 * WAN)
"""gi_brand: year-2 rolling support after a passed year-1 evaluation, entered by the reviewer."""

GI_YEARS: tuple[int, ...] = (2027, 2028)
"""gi_brand: the programme's calendar years that are the project's year 1 and year 2."""

LEADER_AWARD = 10 * WAN
"""data_ip_leader: the award after an outstanding year-2 or year-3 evaluation."""
LEADER_UNIT_CAP = 20 * WAN
"""data_ip_leader: what one unit may receive in all (单个单位累计)."""

SECURITIZATION_RATE = Decimal("0.04")
"""data_ip_securitization: the subsidy's share of the product's issuance amount."""
SECURITIZATION_YEAR_CAP = 200 * WAN
"""data_ip_securitization: all subsidies of one year together (全年最多)."""
SECURITIZATION_ISSUE_YEAR = 2026
"""data_ip_securitization: the year in which the product must have been issued (2026年期间)."""
SECURITIZATION_TERMS: tuple[str, ...] = (
    "issuance",
    "financing",
    "size",
    "issued",
    "ends",
)
"""data_ip_securitization: what the application states (`--data KEY=VALUE` at filing): the
product's issuance amount, the enterprise's financing, the product's size (default the issuance),
its issue and end dates. That the enterprise is registered in Guizhou is a unit fact
(`guizhou_registered`, states.eligibility)."""

SERVICE_BRAND_REVENUE = 1000 * WAN
"""service_brand: the revenue that must be reached (营业收入达…及以上) to be paid."""
SERVICE_BRAND_REVENUE_YEAR = 2026
"""service_brand: the year whose revenue counts; the condition must be met by its end (截至2026年底),
the default of `[rules] service_brand_deadline`."""

ACCEPTANCE_GRADES: dict[str, str] = {
    "excellent": N_("优秀"),
    "pass": N_("合格"),
    "fail": N_("不合格"),
}
"""The grades an acceptance records (SPEC.md §3), by code."""
PASSING_GRADES: tuple[str, ...] = ("pass", "excellent")
"""The grades a passed acceptance may record (`--data grade=…`); the first when none is given."""
FAILING_GRADES: tuple[str, ...] = ("fail",)
"""The grade a failed acceptance records."""

REAPPLICATION_CATEGORIES = frozenset({"data_ip_chain", "data_ip_scenario"})
"""数据知识产权运用促进项目 (强链增效, 应用场景): a unit whose project of one of them was accepted
without "excellent" may not apply for either the next year (验收优秀…可继续申报下年度项目)."""
REAPPLICATION_GRADE = "excellent"
"""The acceptance grade that lets such a unit apply again the next year."""

RESTRICTING_CATEGORIES = frozenset({"data_ip_leader"})
"""Categories whose double acceptance failure lets the office restrict the unit's later
applications at closing (视情节限制其后续省级知识产权项目申报资格, seed 004 only for the leader)."""


def wan(yuan: int) -> str:
    """An amount as messages show it beside 元: 500000 → "50万"; English "500,000"."""
    count = (Decimal(yuan) / WAN).normalize()
    return _("{wan}万").format(wan=f"{count:f}", yuan=yuan)


def figures() -> dict[str, str]:
    """The figures above by the names that labels (guards', transitions') give them, as shown."""
    return {
        "gi_rolling_low": wan(GI_ROLLING.low),
        "gi_rolling_high": wan(GI_ROLLING.high),
        "leader_award": wan(LEADER_AWARD),
        "leader_unit_cap": wan(LEADER_UNIT_CAP),
        "securitization_year_cap": wan(SECURITIZATION_YEAR_CAP),
        "service_brand_revenue": wan(SERVICE_BRAND_REVENUE),
        "service_brand_revenue_year": str(SERVICE_BRAND_REVENUE_YEAR),
    }
