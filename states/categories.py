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
        Category("risk_control", N_("知识产权转化运用能力提升项目（风险防控项目）"), None),
        Category("patent_navigation", N_("专利导航项目"), None, report_months=None),
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
        ),
    )
}

CONTRACTOR_CATEGORY = "risk_control"
"""The risk-control contractor's category: its unit may apply for nothing else."""


def report_name(months: int | None) -> str:
    """What a category's periodic report is called in letters and notices (always Chinese)."""
    return "年度报告" if months == 12 else "季度报告"
