"""Guards: plain functions of the facts about one transition, returning a refusal or None."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from states.i18n import N_, _
from states.rules import (
    GI_ROLLING,
    LEADER_AWARD,
    LEADER_UNIT_CAP,
    SECURITIZATION_YEAR_CAP,
    SERVICE_BRAND_REVENUE,
    SERVICE_BRAND_REVENUE_YEAR,
    wan,
)


@dataclass
class Facts:
    """What the guards of one transition may look at, gathered before it fires."""

    project_id: int
    category: str
    state: str
    amount: int | None = None
    data: dict[str, str] = field(default_factory=dict)
    credit_block: str | None = None
    """Description of the unit's active adverse credit record or restriction, if any."""
    conflict: str | None = None
    """Why the unit may not hold this project (the contractor's conflict of interest), if so."""
    reports_due_in_term: int = 0
    reports_submitted: int = 0
    reviews_done: int = 0
    term_years: int = 1
    awards_total: int = 0
    via_ranking: bool = False
    cap_remaining: int | None = None
    """data_ip_securitization: what is left of the year's subsidy cap (None: not gathered)."""
    product_ended: bool | None = None
    """data_ip_securitization: whether the product has ended (None: not gathered)."""
    clawback_due: int | None = None
    """Disbursed minus spent-and-accepted money, due back on closing (None: not gathered)."""
    today: date | None = None
    """The day the transition would happen (the clock's today; None: dates not gathered)."""
    year_end: date | None = None
    """The last day of the project year the next review covers (year reviews_done + 1)."""
    term_end: date | None = None
    """The last day of the term, which acceptance follows."""
    review_window_days: int = 30
    """How many days before a year's (or the term's) end its review (or acceptance) may begin."""
    applicant_problem: str | None = None
    """Why the lead and partners do not meet the category's applicant rule, if so
    (states.eligibility.application_problems)."""
    partner_block: str | None = None
    """The partners' active adverse credit records or restrictions, each naming its partner."""
    approved_in_year: tuple[int, ...] = ()
    """Other projects of the category approved in the project's programme year."""
    programme_year: int | None = None
    """The programme year a project belongs to (the year of its start)."""
    refusals: list[str] = field(default_factory=list)


Guard = Callable[[Facts], str | None]

GUARD_LABELS: dict[Guard, str] = {}
"""Each guard's condition (a msgid naming figures of states.rules.figures), for `workflow show`."""


def labelled(label: str) -> Callable[[Guard], Guard]:
    """Register `label` as the readable condition of the decorated guard."""

    def register(guard: Guard) -> Guard:
        GUARD_LABELS[guard] = label
        return guard

    return register


@labelled(N_("承担单位无有效的不良信用记录或限制申报"))
def unit_eligible(f: Facts) -> str | None:
    """Approval needs a unit with no active adverse credit record or restriction."""
    return (
        _("承担单位存在有效的不良信用记录：{credit_block}").format(credit_block=f.credit_block)
        if f.credit_block
        else None
    )


@labelled(N_("风险防控机构不得承担其他类别项目"))
def no_conflict_of_interest(f: Facts) -> str | None:
    """The risk-control contractor may not hold projects of other categories."""
    return f.conflict


@labelled(N_("按综合得分排序统一立项"))
def approved_by_ranking(f: Facts) -> str | None:
    """capability_city projects are approved together, by rank, never one by one."""
    if f.via_ranking:
        return None
    return _(
        "市州级能力提升项目按综合得分排序后统一立项（ipflow city rank --approve），不能单独批准"
    )


@labelled(N_("项目期内尚有下一年度"))
def before_final_year(f: Facts) -> str | None:
    """A yearly review is only held while the term has another year to run."""
    if f.reviews_done + 1 < f.term_years:
        return None
    return _(
        "项目期限为{term_years}年，已完成{reviews_done}次年度评审，应进入验收而非年度评审"
    ).format(term_years=f.term_years, reviews_done=f.reviews_done)


@labelled(N_("自本项目年度结束前的评审期（默认30天）起"))
def review_window_open(f: Facts) -> str | None:
    """A yearly review opens review_window_days before the end of the year it reviews."""
    if f.today is None or f.year_end is None:
        return None
    opens = f.year_end - timedelta(days=f.review_window_days)
    if f.today >= opens:
        return None
    return _("第{year}年度于{year_end}结束，年度评审最早可于{opens}进行").format(
        year=f.reviews_done + 1, year_end=f.year_end, opens=opens
    )


@labelled(N_("自项目期满前的验收期（默认30天）起"))
def acceptance_window_open(f: Facts) -> str | None:
    """Acceptance opens review_window_days before the end of the term."""
    if f.today is None or f.term_end is None:
        return None
    opens = f.term_end - timedelta(days=f.review_window_days)
    if f.today >= opens:
        return None
    return _("项目期于{term_end}届满，验收最早可于{opens}申请").format(
        term_end=f.term_end, opens=opens
    )


@labelled(N_("实施满一个完整年度之后"))
def implementation_year_completed(f: Facts) -> str | None:
    """data_ip_leader's evaluation k is held once its k-th implementation year is complete."""
    if f.today is None or f.year_end is None:
        return None
    opens = f.year_end + timedelta(days=1)
    if f.today >= opens:
        return None
    return _("第{year}次年度绩效评价须在实施满{year}年后进行，最早可于{opens}进行").format(
        year=f.reviews_done + 1, opens=opens
    )


@labelled(N_("滚动支持金额为{gi_rolling_low}至{gi_rolling_high}元（含）"))
def rolling_amount_in_range(f: Facts) -> str | None:
    """gi_brand rolling funding lies in GI_ROLLING (inclusive), entered by the reviewer."""
    low, high = wan(GI_ROLLING.low), wan(GI_ROLLING.high)
    if f.amount is None:
        return _("滚动支持须填写金额（--amount，{low}至{high}元）").format(low=low, high=high)
    if f.amount not in GI_ROLLING:
        return _("滚动支持金额{amount}元超出{low}至{high}元（含）的范围").format(
            amount=f.amount, low=low, high=high
        )
    return None


@labelled(N_("项目期内季度报告全部提交"))
def all_reports_in(f: Facts) -> str | None:
    """Acceptance needs every quarterly report of the term."""
    if f.reports_submitted >= f.reports_due_in_term:
        return None
    return _(
        "验收前须提交项目期内全部季度报告：应交{reports_due_in_term}份，已交{reports_submitted}份"
    ).format(reports_due_in_term=f.reports_due_in_term, reports_submitted=f.reports_submitted)


@labelled(N_("多年度项目已完成各年度评审"))
def term_reviewed(f: Facts) -> str | None:
    """Acceptance comes after every yearly review of a multi-year term."""
    if f.reviews_done + 1 >= f.term_years:
        return None
    return _("项目期限为{term_years}年，已完成{reviews_done}次年度评审，尚不能申请验收").format(
        term_years=f.term_years, reviews_done=f.reviews_done
    )


@labelled(N_("第一年度评价后入库"))
def first_evaluation(f: Facts) -> str | None:
    """data_ip_leader enters the library only after its year-1 evaluation."""
    return None if f.reviews_done == 1 else _("只有第一年度评价为“优秀”的单位才能入库")


@labelled(N_("第二、三年度评价之后"))
def later_evaluation(f: Facts) -> str | None:
    """Awards and carrying on follow the year-2 and year-3 evaluations only."""
    return None if f.reviews_done in (2, 3) else _("第二、三年度评价后才能决定是否给予补助")


@labelled(N_("年度评价不超过三次"))
def evaluations_left(f: Facts) -> str | None:
    """data_ip_leader is evaluated once a year, three times in all."""
    return None if f.reviews_done < 3 else _("领军企业项目已完成三次年度评价")


@labelled(N_("三次年度评价均已完成"))
def all_evaluations_done(f: Facts) -> str | None:
    """data_ip_leader is accepted after its third evaluation."""
    return (
        None
        if f.reviews_done >= 3
        else _("验收须在三次年度评价之后，目前已评价{reviews_done}次").format(
            reviews_done=f.reviews_done
        )
    )


@labelled(N_("每次补助{leader_award}元且累计不超过{leader_unit_cap}元"))
def leader_award_allowed(f: Facts) -> str | None:
    """An award is exactly LEADER_AWARD, and a unit never receives more than LEADER_UNIT_CAP.

    `awards_total` counts the awards of all the unit's data_ip_leader projects (单个单位累计).
    """
    if f.amount != LEADER_AWARD:
        return _("领军企业年度补助为每次{award}元（--amount {award}）").format(award=LEADER_AWARD)
    if f.awards_total + f.amount > LEADER_UNIT_CAP:
        return _("累计补助将达{total}元，超过{cap}元上限").format(
            total=f.awards_total + f.amount, cap=wan(LEADER_UNIT_CAP)
        )
    return None


@labelled(N_("填写收回金额（不小于0），且等于已拨付未使用资金（已拨付−已支出并审核通过）"))
def clawback_amount_given(f: Facts) -> str | None:
    """Closing after a claw-back records the amount recovered: disbursed − spent-and-accepted."""
    if f.amount is None or f.amount < 0:
        return _("收回资金须填写金额（--amount，元，不小于0）")
    if f.clawback_due is not None and f.amount != f.clawback_due:
        return _(
            "收回金额须等于已拨付未使用资金（已拨付−已支出并审核通过）{clawback_due}元，而填写的是{amount}元"
        ).format(clawback_due=f.clawback_due, amount=f.amount)
    return None


@labelled(N_("本年度证券化补贴额度（{securitization_year_cap}元）尚有余额"))
def securitization_cap_left(f: Facts) -> str | None:
    """Subsidies are reserved first come, first served until SECURITIZATION_YEAR_CAP is used."""
    if f.cap_remaining is not None and f.cap_remaining <= 0:
        return _("本年度数据知识产权证券化补贴额度{cap}元已用完（先申请先资助）").format(
            cap=SECURITIZATION_YEAR_CAP
        )
    return None


@labelled(N_("证券化产品已到期结束"))
def product_has_ended(f: Facts) -> str | None:
    """The securitisation subsidy is paid only after the product ends."""
    if f.product_ended is False:
        return _("补贴于证券化产品结束后发放：产品尚未到期")
    return None


@labelled(N_("{service_brand_revenue_year}年度营业收入不低于{service_brand_revenue}元且已入库纳统"))
def revenue_condition_met(f: Facts) -> str | None:
    """service_brand is paid only with the year's revenue at the threshold and registration."""
    revenue = f.data.get("revenue", "")
    registered = f.data.get("registered", "").lower() in ("yes", "true", "1", "是")
    year = SERVICE_BRAND_REVENUE_YEAR
    if not revenue.isdecimal():
        return _("须提供{year}年度营业收入（--data revenue=元）").format(year=year)
    if int(revenue) < SERVICE_BRAND_REVENUE:
        return _("{year}年度营业收入{revenue}元，未达到{threshold}元").format(
            year=year, revenue=int(revenue), threshold=wan(SERVICE_BRAND_REVENUE)
        )
    if not registered:
        return _("机构尚未“入库纳统”（--data registered=yes）")
    return None


INPUT_GUARDS: frozenset[Guard] = frozenset(
    {rolling_amount_in_range, leader_award_allowed, clawback_amount_given, revenue_condition_met}
)
"""Guards on what the user gives with the trigger (--amount, --data), which cannot be judged
before it is given: a trigger is possible now when every other guard of it passes."""
