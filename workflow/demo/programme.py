"""A realistic 2027 sample programme built through the use cases, checked once and summarised."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from states.categories import CATEGORIES
from states.definitions import ACTIVE_STATES
from states.rules import LEADER_UNIT_CAP, NAVIGATION_GRANTS
from workflow.check.actions import run_check
from workflow.check.recommendations import handle_recommendation, list_recommendations
from workflow.core.boundary import orchestration
from workflow.core.clock import SHANGHAI, fixed_clock
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import N_, _
from workflow.db.engine import transaction
from workflow.db.orm import LedgerSnapshot, Letter, Project, Unit
from workflow.db.orm_eligibility import ProjectPartner
from workflow.db.orm_money import ProjectFunding
from workflow.money.budget import disburse, record_expenditure, review_expenditure, set_budget_lines
from workflow.money.funding import PAID_BY_TRANSITION, securitization_subsidy
from workflow.money.reviews import review_budget
from workflow.performance.actions import add_indicator, assess_indicator, record_actual
from workflow.progress.rules import (
    TaskProgress,
    add_months,
    progress,
    report_periods,
    task_elapsed,
)
from workflow.projects.actions import NewProject, advance, create
from workflow.projects.eligibility import partners_of
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit
from workflow.risks.actions import add_risk
from workflow.units.actions import add_record, add_unit

# --------------------------------------------------------------------------- units

PREFECTURES = (
    "贵阳市",
    "遵义市",
    "六盘水市",
    "安顺市",
    "毕节市",
    "铜仁市",
    "黔东南州",
    "黔南州",
    "黔西南州",
    "贵安新区",
)
"""The nine prefecture-level IP offices and 贵安新区, the capability_city applicants."""

PREFECTURE_SLUGS = (
    "guiyang",
    "zunyi",
    "liupanshui",
    "anshun",
    "bijie",
    "tongren",
    "qiandongnan",
    "qiannan",
    "qianxinan",
    "guian",
)


def office(prefecture: str) -> str:
    """The name of a prefecture's market-regulation bureau (its IP office)."""
    return f"{prefecture}市场监督管理局（知识产权局）"


UNITS: tuple[tuple[str, str, str], ...] = (
    *(
        (office(p), "city_ip_office", f"ip-{s}@example.org")
        for p, s in zip(PREFECTURES, PREFECTURE_SLUGS, strict=True)
    ),
    ("仁怀市市场监督管理局（知识产权局）", "county_ip_office", "ip-renhuai@example.org"),
    ("贵阳高新区市场监督管理局（知识产权局）", "zone_authority", "ip-gyhtz@example.org"),
    ("贵州省工业和信息化厅", "industry_authority", "office@gz-miit.example.org"),
    ("铜仁市茶叶行业协会", "association", "office@tr-tea.example.org"),
    ("贵州大学", "university", "kjc-gzu@example.org"),
    ("贵州省农业科学院", "institute", "kyc-gzaas@example.org"),
    ("贵州理工学院", "university", "kjc-git@example.org"),
    ("贵州师范大学", "university", "kjc-gznu@example.org"),
    ("毕节某新能源材料有限公司", "enterprise", "ip@bj-newenergy.example.org"),
    ("遵义某酒业股份有限公司", "enterprise", "ip@zy-liquor.example.org"),
    ("六盘水某新材料有限公司", "enterprise", "ip@lps-material.example.org"),
    ("仁怀市酱香白酒协会", "association", "office@rh-jiangxiang.example.org"),
    ("贵州某知识产权研究院有限公司", "service_org", "office@gz-ipri.example.org"),
    ("贵州某会计师事务所（特殊普通合伙）", "accounting_firm", "risk@gz-cpa.example.org"),
    ("黔南某磷化工有限责任公司", "enterprise", "ip@qn-phosphate.example.org"),
    ("贵阳某专利信息咨询有限公司", "service_org", "office@gy-patentinfo.example.org"),
    ("贵阳某大数据科技有限公司", "enterprise", "ip@gy-bigdata.example.org"),
    ("安顺某航空科技有限公司", "enterprise", "ip@as-aero.example.org"),
    ("贵阳某气象数据科技有限公司", "enterprise", "ip@gy-meteo.example.org"),
    ("贵阳某信息技术有限公司", "enterprise", "ip@gy-infotech.example.org"),
    ("黔东南某文化旅游发展有限公司", "enterprise", "ip@qdn-tour.example.org"),
    ("贵阳某知识产权代理有限公司", "service_org", "office@gy-ipagency.example.org"),
    ("遵义某知识产权服务有限公司", "service_org", "office@zy-ipservice.example.org"),
    ("贵阳某数据科技有限公司", "enterprise", "ip@gy-data.example.org"),
    ("遵义某智慧物流有限公司", "enterprise", "ip@zy-logistics.example.org"),
    ("贵阳某云计算服务有限公司", "enterprise", "ip@gy-cloud.example.org"),
    ("黔南某数字科技有限公司", "enterprise", "ip@qn-digital.example.org"),
    ("铜仁某数据技术有限公司", "enterprise", "ip@tr-datatech.example.org"),
)
"""Every unit of the demo: name, kind, contact email. Company names are deliberately generic."""

UNIT_FACTS: dict[str, dict[str, str]] = {
    "贵州大学": {"valid_patents": "1850"},
    "贵州省农业科学院": {"valid_patents": "420"},
    "贵州理工学院": {"valid_patents": "310"},
    "遵义某酒业股份有限公司": {"national_demo_candidate": "yes"},
    "贵阳某云计算服务有限公司": {"guizhou_registered": "yes"},
    "黔南某数字科技有限公司": {"guizhou_registered": "yes"},
}
"""The unit facts the demo's applications need (states.eligibility): sample figures."""

REFUSED_CITY_APPLICANT = "贵阳某大数据科技有限公司"
"""An enterprise that tries to enter the capability_city ranking and is refused."""

BLOCKED_UNIT = "贵阳某信息技术有限公司"
BLOCK_NOTE = "信用中国公示：通过登记的住所或者经营场所无法联系"
RESTRICTED_UNIT = "铜仁某数据技术有限公司"
"""Its 2024–2026 leader project failed acceptance twice and was closed with a three-year
restriction (2027-03-31 to 2030-03-30); its application filed in September 2027 is refused."""

# --------------------------------------------------------------------------- plans

Task = tuple[str, int, int, float]
"""A plan task template: name, first month and end month (from the project start), weight."""

TEMPLATES: dict[str, tuple[int, tuple[Task, ...]]] = {
    "high_value_patent": (
        24,
        (
            ("存量专利盘点与分级分类管理", 0, 6, 2),
            ("重点产业专利导航分析", 1, 9, 2),
            ("高价值专利挖掘与组合布局", 3, 18, 3),
            ("专利开放许可与转化对接", 6, 22, 2),
            ("专利密集型产品备案认定", 14, 24, 1),
        ),
    ),
    "strong_enterprise": (
        12,
        (
            ("贯彻GB/T 29490-2023合规管理体系", 0, 6, 2),
            ("研发活动类专利导航报告", 1, 8, 2),
            ("高价值专利申请与组合布局", 3, 11, 3),
            ("竞争对手知识产权分析报告", 6, 12, 1),
        ),
    ),
    "gi_brand": (
        24,
        (
            ("地理标志产业与品牌规划修订", 0, 4, 1),
            ("用标主体培育扩容与品质管控", 1, 12, 3),
            ("线上线下渠道拓展与品牌推广", 3, 18, 3),
            ("“地理标志+文旅”融合示范", 9, 22, 2),
            ("第二年度目标评价与总结", 18, 24, 1),
        ),
    ),
    "capability_provincial": (
        12,
        (
            ("转化运用成效评估指标体系构建", 0, 4, 2),
            ("全省及市州转化运用成效评估", 3, 9, 3),
            ("政策与资源分配优化建议", 7, 10, 1),
            ("分主体分环节“工具包”编制", 4, 11, 2),
            ("多层次服务体系框架建议", 8, 12, 1),
        ),
    ),
    "capability_city": (
        12,
        (
            ("制定年度转化运用工作计划", 0, 2, 1),
            ("专利转化与商标、地理标志培育", 1, 11, 3),
            ("知识产权质押融资推进", 2, 11, 2),
            ("指导支持县（区）基层工作", 3, 12, 2),
            ("年度工作总结与绩效自评", 10, 12, 1),
        ),
    ),
    "risk_control": (
        12,
        (
            ("进度台账与红黄绿预警机制搭建", 0, 2, 2),
            ("季度任务执行跟踪与报告", 1, 12, 3),
            ("半年度资金使用监管报告", 3, 12, 2),
            ("项目风险评估报告", 5, 12, 2),
            ("绩效评价指标体系与总报告", 6, 12, 2),
        ),
    ),
    "patent_navigation": (
        12,
        (
            ("需求对接与技术规格书确认", 0, 2, 1),
            ("全球专利信息检索与多维分析", 1, 7, 3),
            ("导航主报告与决策参考专报", 6, 10, 2),
            ("成果推送与应用情况跟踪", 9, 12, 1),
        ),
    ),
    "data_ip_chain": (
        12,
        (
            ("产业数据知识产权摸底与发展报告", 0, 3, 2),
            ("数据知识产权赋能产业发展方案", 2, 5, 2),
            ("“一企一档”惠企服务", 3, 11, 3),
            ("供需对接与质押融资推动", 5, 12, 2),
            ("典型案例总结与推广", 9, 12, 1),
        ),
    ),
    "data_ip_scenario": (
        12,
        (
            ("应用场景筛选与需求论证", 0, 2, 1),
            ("场景建设方案编制", 1, 4, 2),
            ("数据治理与场景建设", 3, 11, 4),
            ("经验总结与复制推广", 9, 12, 1),
        ),
    ),
    "service_cluster": (
        24,
        (
            ("集聚区实施方案与考核机制", 0, 3, 1),
            ("引进知名品牌服务机构", 2, 14, 3),
            ("服务贸易规模与区域服务品牌", 4, 20, 2),
            ("人工智能辅助服务创新试点", 8, 22, 2),
            ("服务业监管体系建设", 12, 24, 1),
        ),
    ),
    "service_brand": (
        12,
        (
            ("重点产业“一站式”服务与典型案例", 0, 10, 3),
            ("业务管理系统数智化建设", 1, 9, 2),
            ("GB/T 34833服务规范贯标", 3, 10, 1),
            ("上规入统材料准备", 8, 12, 1),
        ),
    ),
    "data_ip_leader": (
        36,
        (
            ("数据资源梳理与分类分级目录", 0, 6, 2),
            ("数据知识产权登记与保护制度", 3, 12, 2),
            ("交易、质押融资等多元化运用", 6, 24, 3),
            ("高价值应用场景建设", 9, 30, 3),
            ("复合型人才培养与标准制定", 12, 36, 1),
        ),
    ),
    "data_ip_securitization": (
        12,
        (
            ("证券化产品发行与融资到位", 0, 1, 1),
            ("存续期按期还本付息", 1, 12, 3),
            ("补贴申报材料提交", 11, 12, 1),
        ),
    ),
}


def term_end(category: str, start: date) -> date:
    """The last day of a `category` project starting on `start`."""
    return add_months(start, TEMPLATES[category][0]) - timedelta(days=1)


def plan_for(category: str, start: date) -> list[PlanRow]:
    """The category's task template laid out from `start`."""
    end = term_end(category, start)
    return [
        PlanRow(name, add_months(start, a), min(add_months(start, b) - timedelta(days=1), end), w)
        for name, a, b, w in TEMPLATES[category][1]
    ]


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class Step:
    """A transition the script fires on a date, with its note and facts."""

    day: date
    trigger: str
    note: str = ""
    amount: int | None = None
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Target:
    """A performance indicator of a sample project: a quantitative target with the actual its
    latest report states, or a qualitative criterion with the contractor's assessment."""

    name: str
    target: float | None = None
    unit: str | None = None
    actual: float | None = None
    criterion: str | None = None
    assessment: str | None = None


@dataclass(frozen=True)
class Demo:
    """One sample project: the application, how far it is walked, and how it reports."""

    category: str
    title: str
    unit: str
    start: date = date(2027, 1, 1)
    reach: str = "in_progress"
    """applied, screened, approved or in_progress: how far the common path goes."""
    lag: float = 0.0
    """Lag (points) each report is made to show on its date."""
    missing: int = 0
    """How many of the latest due reports the unit leaves unsubmitted."""
    later: tuple[Step, ...] = ()
    blocked: bool = False
    """The unit gets an abnormal-operation record before approval, which is then refused."""
    screen_note: str = "形式审查通过"
    partners: tuple[str, ...] = ()
    """The co-applicants of a joint application."""
    tier: str | None = None
    """The tier applied for, where the category has tiers (strong_enterprise, gi_brand)."""
    approve_data: tuple[tuple[str, str], ...] = ()
    """Facts the approval's funding rule needs (navigation kind)."""
    apply_data: tuple[tuple[str, str], ...] = ()
    """What the application states (securitisation: its product, which reserves the subsidy)."""
    restricted: bool = False
    """The unit files while it is restricted: the application is refused and recorded as such."""
    targets: tuple[Target, ...] = ()
    """Performance indicators, set at the start (绩效目标), for the performance report."""

    @property
    def budget(self) -> int:
        """What the application asks for: what the call's rules (states.rules) grant it."""
        if self.category == "patent_navigation":
            return NAVIGATION_GRANTS[dict(self.approve_data)["kind"]]
        if self.category == "data_ip_leader":
            return LEADER_UNIT_CAP
        if self.category == "data_ip_securitization":
            data = dict(self.apply_data)
            issuance = int(data["issuance"])
            size = int(data.get("size", issuance))
            return securitization_subsidy(issuance, int(data["financing"]), size)
        return CATEGORIES[self.category].grant or 0


PATENTS_2024: dict[str, tuple[int, int]] = {
    "贵阳市": (10435, 16618),
    "遵义市": (3229, 3686),
    "六盘水市": (937, 499),
    "安顺市": (985, 1159),
    "毕节市": (981, 426),
    "铜仁市": (822, 698),
    "黔东南州": (1183, 571),
    "黔南州": (1384, 907),
    "黔西南州": (694, 539),
}
"""Patents granted in 2024 and valid invention patents at the end of 2024, per prefecture
(appendix tables 1 and 2 of the province's 2024 IP report); 贵安新区 has no row there."""


def _city(prefecture: str) -> Demo:
    figures = PATENTS_2024.get(prefecture)
    note = "形式审查通过，申报材料齐全"
    if figures:
        note += f"（2024年专利授权{figures[0]}件，年末有效发明专利{figures[1]}件）"
    return Demo(
        "capability_city",
        f"{prefecture}2027年度知识产权转化运用能力提升",
        office(prefecture),
        reach="screened",
        screen_note=note,
    )


DEMOS: tuple[Demo, ...] = (
    Demo(
        "high_value_patent",
        "磷石膏资源化利用高价值专利培育",
        "贵州大学",
        lag=2,
        targets=(
            Target("发明专利申请", 20, "件", actual=14),
            Target("PCT国际专利申请", 2, "件", actual=2),
            Target("专利转让许可", 3, "件", actual=1),
            Target(
                "产业带动",
                criterion="专利技术在省内2家以上磷化工企业实施",
                assessment="partly",
            ),
        ),
        partners=("黔南某磷化工有限责任公司",),
    ),
    Demo(
        "high_value_patent",
        "辣椒种质创新与精深加工高价值专利培育",
        "贵州省农业科学院",
        lag=16,
        targets=(
            Target("发明专利申请", 15, "件", actual=6),
            Target("植物新品种权申请", 2, "件", actual=2),
        ),
    ),
    Demo(
        "high_value_patent",
        "锂离子电池正极材料高价值专利组合培育",
        "贵州理工学院",
        lag=33,
    ),
    Demo(
        "strong_enterprise",
        "知识产权强企培育（基础培育）：磷酸铁锂前驱体",
        "毕节某新能源材料有限公司",
        lag=-2,
    ),
    Demo(
        "strong_enterprise",
        "知识产权强企培育（专项培育）：酱香型白酒酿造",
        "遵义某酒业股份有限公司",
        lag=6,
        tier="special",
    ),
    Demo(
        "strong_enterprise",
        "知识产权强企培育（基础培育）：煤矸石综合利用",
        "六盘水某新材料有限公司",
        lag=8,
        later=(
            Step(
                date(2027, 8, 16), "terminate", "企业主营业务调整，申请终止项目，已拨资金按规定收回"
            ),
        ),
    ),
    Demo(
        "gi_brand",
        "仁怀酱香白酒地理标志品牌培育",
        office("遵义市"),
        lag=4,
        tier="county",
        partners=("仁怀市市场监督管理局（知识产权局）", "仁怀市酱香白酒协会"),
        targets=(
            Target("地理标志专用标志使用企业", 30, "家", actual=33),
            Target("品牌宣传推广活动", 4, "场", actual=2),
        ),
    ),
    Demo(
        "gi_brand",
        "“普安红茶”地理标志品牌培育",
        office("黔西南州"),
        lag=3,
        tier="prefecture",
        partners=("贵州某知识产权研究院有限公司",),
        later=(
            Step(
                date(2027, 12, 6),
                "review",
                "申请滚动支持，省知识产权局组织第一年度目标完成情况评价",
            ),
        ),
    ),
    Demo(
        "gi_brand",
        "“石阡苔茶”地理标志品牌培育",
        office("铜仁市"),
        lag=15,
        tier="prefecture",
        partners=("铜仁市茶叶行业协会",),
    ),
    Demo(
        "capability_provincial",
        "全省知识产权转化运用成效评估与“工具包”编制",
        "贵州某知识产权研究院有限公司",
        start=date(2027, 10, 8),
        reach="approved",
    ),
    *(_city(p) for p in PREFECTURES),
    Demo(
        "risk_control",
        "2027年度知识产权运用促进项目风险防控",
        "贵州某会计师事务所（特殊普通合伙）",
        lag=0,
    ),
    Demo(
        "patent_navigation",
        "新能源电池及材料产业专利导航（产业类）",
        "贵州师范大学",
        lag=5,
        partners=("贵州省工业和信息化厅",),
        approve_data=(("kind", "industry"),),
    ),
    Demo(
        "patent_navigation",
        "湿法磷酸净化技术专利导航（企业类）",
        "黔南某磷化工有限责任公司",
        missing=2,
        partners=(office("黔南州"),),
        approve_data=(("kind", "enterprise"),),
    ),
    Demo(
        "patent_navigation",
        "酱香白酒产业专利导航（产业类）",
        "贵阳某专利信息咨询有限公司",
        start=date(2027, 11, 1),
        reach="applied",
        partners=(office("遵义市"),),
        approve_data=(("kind", "industry"),),
    ),
    Demo(
        "data_ip_chain",
        "磷化工产业链数据知识产权强链增效",
        "贵阳某大数据科技有限公司",
        lag=1,
        targets=(
            Target("数据知识产权登记", 10, "项", actual=12),
            Target(
                "链上企业协同",
                criterion="形成链主企业与上下游企业的数据共享和收益分配机制",
                assessment="met",
            ),
        ),
    ),
    Demo(
        "data_ip_chain",
        "航空装备产业链数据知识产权强链增效",
        "安顺某航空科技有限公司",
        lag=14,
    ),
    Demo(
        "data_ip_scenario",
        "气象服务数据知识产权高价值应用场景打造",
        "贵阳某气象数据科技有限公司",
        lag=3,
    ),
    Demo(
        "data_ip_scenario",
        "电力负荷预测数据知识产权高价值应用场景打造",
        BLOCKED_UNIT,
        reach="approved",
        blocked=True,
    ),
    Demo(
        "data_ip_scenario",
        "民族村寨文旅数据知识产权高价值应用场景打造",
        "黔东南某文化旅游发展有限公司",
        lag=40,
    ),
    Demo(
        "service_cluster",
        "国家知识产权服务业高质量集聚发展示范区（贵阳）建设",
        "贵阳高新区市场监督管理局（知识产权局）",
        lag=3,
        missing=1,
    ),
    Demo(
        "service_brand",
        "知识产权服务机构品牌培育：大数据产业专利运营",
        "贵阳某知识产权代理有限公司",
        lag=2,
    ),
    Demo(
        "service_brand",
        "知识产权服务机构品牌培育：白酒产业商标品牌服务",
        "遵义某知识产权服务有限公司",
        start=date(2027, 10, 15),
        reach="screened",
    ),
    Demo(
        "data_ip_leader",
        "工业制造数据知识产权领军企业培育",
        "贵阳某数据科技有限公司",
        start=date(2026, 9, 1),
        lag=2,
        later=(
            Step(date(2027, 9, 10), "review", "实施满一年，提交年度实施报告，专家第一次绩效评价"),
            Step(
                date(2027, 9, 24),
                "enter_library",
                "第一次绩效评价为优秀，纳入省级数据知识产权领军企业项目库并签订任务书",
            ),
        ),
    ),
    Demo(
        "data_ip_leader",
        "交通物流数据知识产权领军企业培育",
        "遵义某智慧物流有限公司",
        lag=15,
    ),
    Demo(
        "data_ip_leader",
        "能源电力数据知识产权领军企业培育",
        RESTRICTED_UNIT,
        start=date(2024, 1, 1),
        lag=5,
        later=(
            Step(date(2025, 1, 8), "review", "实施满一年，提交年度实施报告，专家第一次绩效评价"),
            Step(date(2025, 1, 15), "enter_library", "第一次绩效评价为优秀，入库并签订任务书"),
            Step(date(2026, 1, 8), "review", "实施满两年，专家第二阶段绩效评价"),
            Step(date(2026, 1, 15), "award", "绩效突出，给予经费支持10万元", 100_000),
            Step(date(2027, 1, 8), "review", "实施满三年，提交三年项目实施综合报告"),
            Step(date(2027, 1, 12), "proceed", "第三次评审不予补助"),
            Step(date(2027, 1, 15), "request_acceptance", "期满申请验收"),
            Step(date(2027, 1, 25), "fail_acceptance", "场景建设未达任务书目标，限期整改"),
            Step(date(2027, 3, 25), "fail_reacceptance", "整改后重新验收仍不通过"),
            Step(
                date(2027, 3, 31),
                "close",
                "收回已拨付未使用的10万元；省知识产权局视情节决定限制申报3年",
                100_000,
                (("restrict_years", "3"),),
            ),
        ),
    ),
    Demo(
        "data_ip_securitization",
        "数据知识产权证券化融资补贴（发行规模1亿元，融资3000万元）",
        "贵阳某云计算服务有限公司",
        start=date(2026, 7, 1),
        apply_data=(
            ("issuance", "100000000"),
            ("financing", "30000000"),
            ("issued", "2026-03-30"),
            ("ends", "2027-06-30"),
        ),
        later=(
            Step(
                date(2027, 7, 20),
                "pay_subsidy",
                "产品于2027-06-30到期兑付，存续期无逾期、欠息；补贴按发行金额×补贴比例×融资占比发放",
            ),
        ),
    ),
    Demo(
        "data_ip_securitization",
        "数据知识产权证券化融资补贴（发行规模5000万元，融资2000万元）",
        "黔南某数字科技有限公司",
        start=date(2026, 12, 1),
        apply_data=(
            ("issuance", "50000000"),
            ("financing", "20000000"),
            ("issued", "2026-09-28"),
            ("ends", "2028-11-30"),
        ),
    ),
    Demo(
        "data_ip_scenario",
        "智慧电网数据知识产权高价值应用场景打造",
        RESTRICTED_UNIT,
        start=date(2027, 11, 1),
        reach="applied",
        restricted=True,
    ),
)
"""The sample programme: 37 projects over all thirteen categories, and one refused filing."""

PATH = {
    "applied": (),
    "screened": ("screen",),
    "approved": ("screen", "approve"),
    "in_progress": ("screen", "approve", "start"),
}
OFFSETS = {"create": -46, "screen": -28, "approve": -14, "start": 0}
"""When, relative to the start, the application, screening, approval and start happen."""
NOTES = {
    "approve": "专家评审通过，批准立项",
    "start": "签订项目任务书，开始实施",
}


def at(ctx: AppContext, day: date) -> AppContext:
    """`ctx` with its clock fixed at 10:00 (Shanghai) on `day`, so history reads like real use."""
    moment = datetime.combine(day, time(10), SHANGHAI).astimezone(UTC)
    return replace(ctx, clock=fixed_clock(moment))


# --------------------------------------------------------------------------- reports


def completions(plan: list[PlanRow], report_day: date, lag: float) -> dict[str, float]:
    """Completion per task for a report on `report_day` that shows a lag of `lag` points.

    Each task stands at its share of the planned progress of `report_day`, scaled so that
    planned − actual = `lag` (SPEC.md §4: the lag is judged at the report's date); with a
    constant lag the scale grows with the plan, so completions only ever grow.
    """
    tasks = {t.task: TaskProgress(t.start, t.due, t.weight) for t in plan}
    planned = progress(tasks.values(), report_day, reported=False).planned
    scale = max(planned - lag, 0.0) / planned if planned > 0 else 1.0
    return {
        name: float(min(100, round(100 * task_elapsed(task, report_day) * scale)))
        for name, task in tasks.items()
    }


def report_days(demo: Demo, end: date, today: date) -> list[date]:
    """The period closes before `today` on which the unit reports (the latest `missing` are
    skipped); none for a category that owes no periodic report."""
    if demo.reach != "in_progress":
        return []
    periods = report_periods(demo.start, end, CATEGORIES[demo.category].report_months)
    due = [p.closes for p in periods if p.closes < today]
    return due[: len(due) - demo.missing]


# --------------------------------------------------------------------------- building


def _refuse_if_not_empty(ctx: AppContext) -> None:
    with transaction(ctx.engine) as session:
        projects = session.scalar(select(func.count()).select_from(Project)) or 0
        units = session.scalar(select(func.count()).select_from(Unit)) or 0
    if projects or units:
        raise Refused(
            _(
                "数据库中已有{projects}个项目、{units}个单位：演示数据只能装入空数据库，请换一个新的数据库（例如 ipflow --db sqlite:///demo.db demo）"
            ).format(projects=projects, units=units)
        )


def _register_units(ctx: AppContext) -> None:
    for name, kind, email in UNITS:
        add_unit(ctx, name, kind, email, UNIT_FACTS.get(name, {}), "演示数据")


def _build(ctx: AppContext, demo: Demo, today: date) -> list[str]:
    """Create one sample project and walk it to where the script says; return what was refused."""
    end = term_end(demo.category, demo.start)
    plan = plan_for(demo.category, demo.start)
    created = demo.start + timedelta(days=OFFSETS["create"])
    if created > today:
        return []
    new = NewProject(
        demo.category,
        demo.title,
        demo.unit,
        demo.start,
        end,
        demo.budget,
        plan,
        tier=demo.tier,
        partners=demo.partners,
        data=dict(demo.apply_data),
    )
    try:
        project_id = create(at(ctx, created), new).id
    except Refused as exc:
        if not demo.restricted:
            raise
        return [_("演示限制申报，申报被拒：{refusal}").format(refusal=exc)]
    notes = {**NOTES, "screen": demo.screen_note}
    steps = [
        Step(
            demo.start + timedelta(days=OFFSETS[t]),
            t,
            notes[t],
            data=demo.approve_data if t == "approve" else (),
        )
        for t in PATH[demo.reach]
    ]
    steps.extend(demo.later)
    reports = report_days(demo, end, today)
    refused: list[str] = []
    if demo.blocked:
        blocked_on = demo.start + timedelta(days=OFFSETS["approve"] - 8)
        add_record(
            at(ctx, blocked_on), demo.unit, "abnormal_operation", blocked_on, None, BLOCK_NOTE
        )
    state = "applied"
    for day, _order, payload in _timeline(steps, reports):
        if day > today:
            break
        if isinstance(payload, Step):
            try:
                state = advance(
                    at(ctx, day),
                    project_id,
                    payload.trigger,
                    payload.note,
                    payload.amount,
                    dict(payload.data),
                ).to
            except Refused as exc:
                if not (demo.blocked and payload.trigger == "approve"):
                    raise
                refused.append(_("演示信用审查，批准被拒：{refusal}").format(refusal=exc))
                break
        elif state in ACTIVE_STATES:  # a project that has ended reports no more
            submit(at(ctx, day), project_id, day, completions(plan, day, demo.lag))
    if demo.start <= today:
        _targets(ctx, project_id, demo, reports, today)
    return refused


def _targets(
    ctx: AppContext, project_id: int, demo: Demo, reports: list[date], today: date
) -> None:
    """The sample project's indicators, set by the office at the start; the actuals its latest
    report states, and the contractor's assessments of the day."""
    for t in demo.targets:
        add_indicator(at(ctx, demo.start), project_id, t.name, t.target, t.unit, t.criterion)
        if t.actual is not None and reports:
            day = reports[-1]
            record_actual(at(ctx, day), project_id, t.name, t.actual, day, "季度报告附表")
        if t.assessment is not None:
            note = "风险防控机构实地走访、资料核查"
            assess_indicator(at(ctx, today), project_id, t.name, t.assessment, today, note)


def _money(ctx: AppContext, today: date) -> None:
    """Budget lines, a first disbursement and ordinary spending for every funded running project;
    the first one also misspends (found in review: red), the second books an unreviewed large item.
    """
    with transaction(ctx.engine) as session:
        funded = session.execute(
            select(Project.id, Project.category, Project.start, ProjectFunding.committed)
            .join(ProjectFunding, ProjectFunding.project_id == Project.id)
            .where(Project.state.in_(ACTIVE_STATES - {"suspended"}), ProjectFunding.committed > 0)
            .order_by(Project.id)
        ).all()
    funded = [f for f in funded if f.category not in PAID_BY_TRANSITION]
    for n, (project_id, _category, start, committed) in enumerate(funded):
        paid_on, spent_on = start + timedelta(days=20), start + timedelta(days=45)
        if spent_on > today:
            continue
        equipment, labour = committed * 4 // 10, committed * 3 // 10
        lines = {
            "设备费": equipment,
            "劳务费": labour,
            "专利与服务费": committed - equipment - labour,
        }
        set_budget_lines(at(ctx, start), project_id, lines)
        disburse(at(ctx, paid_on), project_id, paid_on, committed // 2, "首期拨付（50%）")
        record_expenditure(
            at(ctx, spent_on), project_id, "劳务费", spent_on, labour // 5, "研发人员劳务"
        )
        if n == 0:
            item = record_expenditure(
                at(ctx, spent_on), project_id, "接待费", spent_on, 18_000, "非项目活动接待"
            )
            review_expenditure(
                at(ctx, today), item.id, "misuse", "预算科目外接待支出，认定违规挪用"
            )
        elif n == 1:
            record_expenditure(
                at(ctx, spent_on), project_id, "设备费", spent_on, equipment, "一次性采购全部设备"
            )


REVIEWED = "全省知识产权转化运用成效评估与“工具包”编制"
"""The approved, not yet started project whose budget the contractor reviews (事前建议)."""
REVIEWED_LINES = {
    "评估研究费": 200_000,
    "调研差旅费": 100_000,
    "专家咨询费": 100_000,
    "工具包编制印刷费": 100_000,
}
REVIEW = (
    date(2027, 9, 27),
    [
        "调研差旅费偏高，建议按9个市州和贵安新区各一次集中调研压减2万元",
        "专家咨询费宜按评估指标体系论证、成效评估评审两轮咨询据实列支，增加2万元",
    ],
    {"调研差旅费": 80_000, "专家咨询费": 120_000},
)
RISKS = (
    (
        date(2027, 8, 20),
        "民族村寨文旅数据知识产权高价值应用场景打造",
        "进度严重滞后（约40个百分点），年度场景建设任务存在无法完成的风险",
        "high",
        "黔东南某文化旅游发展有限公司",
        "督促报送整改方案，风险防控机构每月现场核查场景建设进度",
    ),
    (
        date(2027, 9, 15),
        None,
        "部分项目一次性集中采购设备，存在预算执行不均衡和大额支出风险",
        "medium",
        "风险防控机构项目组",
        "逐笔核查大额支出的合同与发票，必要时提请省知识产权局暂停拨付",
    ),
)
"""The register's sample risk points: day found, project title (None: the programme), point,
level, owner, action."""


def _oversight(ctx: AppContext, today: date) -> None:
    """The contractor's budget review of the approved provincial capability project, and two
    risk points of the register, each once its day has come."""
    with transaction(ctx.engine) as session:
        ids = dict(session.execute(select(Project.title, Project.id)).tuples().all())
    day, suggestions, lines = REVIEW
    if day <= today and REVIEWED in ids:
        start = next(d.start for d in DEMOS if d.title == REVIEWED)
        approved_on = start + timedelta(days=OFFSETS["approve"])
        set_budget_lines(at(ctx, approved_on), ids[REVIEWED], REVIEWED_LINES)
        review_budget(at(ctx, day), ids[REVIEWED], "revise", suggestions, lines)
    for found, title, point, level, owner, action in RISKS:
        if found <= today and (title is None or title in ids):
            project_id = None if title is None else ids[title]
            add_risk(at(ctx, found), project_id, point, level, owner, action)


def _timeline(steps: list[Step], reports: list[date]) -> list[tuple[date, int, Step | date]]:
    """Transitions and reports in date order; on the same day a report comes before a transition."""
    events: list[tuple[date, int, Step | date]] = [(s.day, 1, s) for s in steps]
    events.extend((d, 0, d) for d in reports)
    return sorted(events, key=lambda e: (e[0], e[1]))


@orchestration("demo_build", write=True)
def build_demo(ctx: AppContext, today: date) -> str:
    """Fill an empty database with the 2027 sample programme, run the check on `today`, summarise."""
    _refuse_if_not_empty(ctx)
    _register_units(at(ctx, date(2026, 10, 15)))
    refused = [_refused_city_applicant(ctx)]
    for demo in DEMOS:
        refused.extend(_build(ctx, demo, today))
    _money(ctx, today)
    _oversight(ctx, today)
    run_check(at(ctx, today), today)
    handled = _handled_recommendation(at(ctx, today))
    return summary(ctx, today, [_joint_applications(ctx), *handled, *refused])


def _handled_recommendation(ctx: AppContext) -> list[str]:
    """The office handles the oldest open risk-disposal recommendation of the check, as it
    would the morning after (`recommendations handle`)."""
    waiting = list_recommendations(ctx, "open")
    if not waiting:
        return []
    done = handle_recommendation(
        ctx,
        waiting[-1].id,
        "约谈项目承担单位，限期30日内整改，整改到位前暂停后续拨付",
        "省局已电话通知",
    )
    return [
        _("演示风险处置：省局已处理项目#{project}的风险处置建议：{decision}").format(
            project=done.project_id, decision=done.decision
        )
    ]


def _refused_city_applicant(ctx: AppContext) -> str:
    """An enterprise applies for the capability_city ranking, open to the prefecture IP offices
    and 贵安新区 only: refused, it never enters the ranking (nor its 200万 first tier)."""
    start = date(2027, 1, 1)
    application = NewProject(
        "capability_city",
        "2027年度知识产权转化运用能力提升",
        REFUSED_CITY_APPLICANT,
        start,
        term_end("capability_city", start),
        CATEGORIES["capability_city"].grant or 1_000_000,
    )
    try:
        create(at(ctx, start + timedelta(days=OFFSETS["create"])), application)
    except Refused as exc:
        return _("演示申报主体审查，市州级能力提升项目（排序）申报被拒：{refusal}").format(
            refusal=exc
        )
    raise AssertionError("the demo's enterprise was admitted to the capability_city ranking")


def _joint_applications(ctx: AppContext) -> str:
    """How many applications are joint, and the first of them with its partners."""
    with transaction(ctx.engine) as session:
        joint = session.scalars(
            select(ProjectPartner.project_id).distinct().order_by(ProjectPartner.project_id)
        ).all()
        first = session.get_one(Project, joint[0])
        partners = [u.name for u in partners_of(session, first.id)]
        lead = first.unit.name
    return _(
        "演示联合申报：{count}个项目有合作单位，立项时逐一核查其信用记录；如项目#{id}“{title}”由{lead}牵头，合作单位：{partners}"
    ).format(
        count=len(joint), id=first.id, title=first.title, lead=lead, partners=_("、").join(partners)
    )


# --------------------------------------------------------------------------- summary


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str, width: int, right: bool = False) -> str:
    pad = " " * max(width - _width(text), 0)
    return pad + text if right else text + pad


def _counts(
    ctx: AppContext, today: date
) -> tuple[Counter[str], Counter[str], Counter[tuple[str, str]], Counter[str]]:
    with transaction(ctx.engine) as session:
        projects = Counter(
            dict(
                session.execute(select(Project.category, func.count()).group_by(Project.category))
                .tuples()
                .all()
            )
        )
        flags = Counter(
            {
                (c, f): n
                for c, f, n in session.execute(
                    select(Project.category, LedgerSnapshot.flag, func.count())
                    .join(LedgerSnapshot, LedgerSnapshot.project_id == Project.id)
                    .where(LedgerSnapshot.day == today)
                    .group_by(Project.category, LedgerSnapshot.flag)
                ).tuples()
            }
        )
        letters = Counter(
            dict(
                session.execute(
                    select(Project.category, func.count())
                    .join(Letter, Letter.project_id == Project.id)
                    .group_by(Project.category)
                )
                .tuples()
                .all()
            )
        )
    checked = Counter[str]()
    for (category, _flag), n in flags.items():
        checked[category] += n
    return projects, checked, flags, letters


COLUMNS = (
    (N_("类别"), 46),
    (N_("代码"), 23),
    (N_("项目"), 5),
    (N_("在监测"), 7),
    (N_("绿"), 4),
    (N_("黄"), 4),
    (N_("红"), 4),
    (N_("告知书"), 7),
)
"""The summary's columns: a msgid, which also keys the counts of a row, and a least width."""


def summary(ctx: AppContext, today: date, refused: list[str]) -> str:
    """The demo's result: per category count, flags and letters, a total line, and what next."""
    projects, checked, flags, letters = _counts(ctx, today)
    table = [[_(name) for name, _width in COLUMNS]]
    total = Counter[str]()
    for code, category in CATEGORIES.items():
        row = {
            "项目": projects[code],
            "在监测": checked[code],
            "绿": flags[(code, "green")],
            "黄": flags[(code, "amber")],
            "红": flags[(code, "red")],
            "告知书": letters[code],
        }
        total.update(row)
        table.append(_row(_(category.name), code, row))
    table.append(_row(_("合计"), "", dict(total)))
    widths = [
        max(width, *(_width(cells[i]) + 1 for cells in table))
        for i, (_name, width) in enumerate(COLUMNS)
    ]
    lines = [
        _("演示数据已生成：2027年度贵州省知识产权运用促进项目，检查日 {day}").format(
            day=today.isoformat()
        ),
        *(
            "".join(_cell(c, widths[i], right=i >= 2) for i, c in enumerate(cells))
            for cells in table
        ),
        _(
            "说明：市州级能力提升项目须按综合得分排序统一立项（ipflow city rank --approve），演示中停在“已初审”待评分；“在监测”为夜间检查覆盖的实施中项目，只含风险防控机构的监测范围（专利导航、数据知识产权证券化和风险防控项目本身不在其中）。"
        ),
        *refused,
        _(
            "下一步：ipflow project list --flag red 查看红色预警项目；ipflow letters list 查看预警告知书"
        ),
    ]
    return "\n".join(lines)


def _row(name: str, code: str, counts: dict[str, int]) -> list[str]:
    return [name, code, *(str(counts.get(label, 0)) for label, _width in COLUMNS[2:])]
