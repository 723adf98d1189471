"""The programme's thirteen project categories as data: codes, names, terms, reporting periods."""

from __future__ import annotations

from dataclasses import dataclass

from states.i18n import N_
from states.rules import GRANTS


@dataclass(frozen=True)
class Category:
    """One project category of the call for applications."""

    code: str
    name: str
    term_years: int | None
    """Fixed term length in years, or None where the dates of the project decide."""
    report_months: int | None = 3
    """Length in months of a reporting period (3: quarterly reports, 12: annual reports), or
    None where the category owes no periodic report."""
    monitored: bool = True
    """Whether the risk-control contractor monitors it (see MONITORED)."""

    @property
    def grant(self) -> int | None:
        """The fixed grant in yuan (states.rules.GRANTS), or None where the rules decide it."""
        return GRANTS.get(self.code)


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("high_value_patent", N_("高价值专利培育项目"), None),
        Category("strong_enterprise", N_("知识产权强企培育项目"), None),
        Category("gi_brand", N_("知识产权品牌培育项目"), 2),
        Category("capability_provincial", N_("知识产权转化运用能力提升项目（省级）"), None),
        Category("capability_city", N_("知识产权转化运用能力提升项目（市州级）"), 1),
        Category(
            "risk_control",
            N_("知识产权转化运用能力提升项目（风险防控项目）"),
            None,
            monitored=False,
        ),
        Category(
            "patent_navigation", N_("专利导航项目"), None, report_months=None, monitored=False
        ),
        Category("data_ip_chain", N_("数据知识产权强链增效项目"), 1),
        Category("data_ip_scenario", N_("数据知识产权高价值应用场景打造项目"), 1),
        Category("service_cluster", N_("国家知识产权服务业高质量集聚发展示范区项目"), None),
        Category("service_brand", N_("知识产权服务机构品牌培育项目"), 1),
        Category("data_ip_leader", N_("数据知识产权领军企业项目"), 3, report_months=12),
        Category(
            "data_ip_securitization",
            N_("数据知识产权证券化资助项目"),
            None,
            report_months=None,
            monitored=False,
        ),
    )
}

CONTRACTOR_CATEGORY = "risk_control"
"""The risk-control contractor's category: its unit may apply for nothing else."""

MONITORED: frozenset[str] = frozenset(code for code, c in CATEGORIES.items() if c.monitored)
"""The contractor's scope (监测范围), as the call lists it (seed 004, line 101): 高价值专利培育,
数据知识产权领军企业, 知识产权强企培育, 数据知识产权运用促进 (强链增效 and 应用场景), 知识产权品牌
培育, 转化运用能力（省级）和（市州级）, 服务机构品牌培育 and 服务业集聚发展示范区 — not patent
navigation, not securitisation, not the risk-control project itself. Only these enter the
nightly check, the progress ledger, letters, notices and the contractor's reports."""

PERFORMANCE_CLASSES: dict[str, tuple[str, ...]] = {
    "高价值专利培育项目": ("high_value_patent",),
    "数据知识产权领军企业": ("data_ip_leader",),
    "知识产权强企培育项目": ("strong_enterprise",),
    "数据知识产权运用促进项目": ("data_ip_chain", "data_ip_scenario"),
    "知识产权品牌培育项目": ("gi_brand",),
    "知识产权转化运用能力项目（省级）和（市州级）": ("capability_provincial", "capability_city"),
    "知识产权服务机构品牌培育": ("service_brand",),
    "国家知识产权服务业高质量集聚发展示范区": ("service_cluster",),
}
"""The classes of the performance evaluation (分类评价报告), by default the eight names the call
lists on seed line 101 in its order (line 109 says 七类 but the list has eight); `[performance]
classes` in the configuration replaces them."""


def report_name(months: int | None) -> str:
    """What a category's periodic report is called in letters and notices (always Chinese)."""
    return "年度报告" if months == 12 else "季度报告"
