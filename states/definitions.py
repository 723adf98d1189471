"""The lifecycle as data: one base definition and a small variant per category."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from states import eligibility as e
from states import guards as g
from states.categories import CATEGORIES
from states.i18n import N_

STATE_LABELS: dict[str, str] = {
    "applied": N_("已申报"),
    "screened": N_("已初审"),
    "approved": N_("已立项"),
    "in_progress": N_("实施中"),
    "in_library": N_("已入库实施"),
    "yearly_review": N_("年度评审"),
    "acceptance": N_("验收中"),
    "rectifying": N_("整改中"),
    "clawback": N_("资金收回"),
    "completed": N_("已结项"),
    "closed": N_("已关闭"),
    "terminated": N_("已终止"),
    "rejected": N_("未通过"),
    "withdrawn": N_("已撤回"),
    "suspended": N_("已暂停"),
}

ACTIVE_STATES: frozenset[str] = frozenset(
    {"in_progress", "in_library", "yearly_review", "suspended", "acceptance", "rectifying"}
)
"""States in which a project is being carried out and the nightly check watches it."""


EFFECT_LABELS: dict[str, str] = {
    "commit_grant": N_("按类别规则承诺资助（固定额度、导航类型、排名档次或证券化补贴）"),
    "commit_amount": N_("承诺所填金额（计入年度预算）"),
    "pay_award": N_("当即拨付所填补助"),
    "pay_subsidy": N_("拨付立项时预留的补贴"),
    "pay_grant": N_("拨付已承诺的资助"),
    "final_account": N_("结项决算，结余结转"),
    "release": N_("决算并收回结余，承诺减至已支出并审核通过的金额"),
    "restrict_unit": N_("限制承担单位申报"),
}
"""What an accepted transition does beyond changing the state, by name, in the order declared.

workflow.money.funding carries out the money effects; workflow.projects.actions the restriction.
"""


@dataclass(frozen=True)
class Transition:
    """One trigger from some states to one state, with the guards that must all pass."""

    trigger: str
    sources: tuple[str, ...]
    dest: str
    guards: tuple[g.Guard, ...] = ()
    amount: bool = False
    """Whether the transition carries money (given with --amount)."""
    label: str = ""
    """A msgid; it may name figures of states.rules.figures, such as {leader_award}."""
    effects: tuple[str, ...] = ()
    """Names in EFFECT_LABELS, carried out in this order once the transition is accepted."""


@dataclass(frozen=True)
class Definition:
    """The states and transitions of one category's machine, at one version."""

    category: str
    version: int
    initial: str
    states: tuple[str, ...]
    transitions: tuple[Transition, ...]

    def triggers_from(self, state: str) -> list[str]:
        """Triggers that have a transition out of `state`, in definition order."""
        return [t.trigger for t in self.transitions if state in t.sources]

    def transition(self, trigger: str, state: str) -> Transition | None:
        """The transition `trigger` fires from `state`, if the definition has one."""
        return next(
            (t for t in self.transitions if t.trigger == trigger and state in t.sources), None
        )

    def effects_of(self, trigger: str) -> tuple[str, ...]:
        """The effects of `trigger` (a trigger is declared once per definition), else none."""
        return next((t.effects for t in self.transitions if t.trigger == trigger), ())


T = Transition
BASE: tuple[Transition, ...] = (
    T("screen", ("applied",), "screened", label=N_("形式审查通过")),
    T("reject", ("applied", "screened"), "rejected", label=N_("不予立项")),
    T("withdraw", ("applied", "screened"), "withdrawn", label=N_("申报单位撤回")),
    T(
        "approve",
        ("screened",),
        "approved",
        (g.unit_eligible, e.partners_eligible, g.no_conflict_of_interest, e.applicants_qualified),
        label=N_("批准立项"),
        effects=("commit_grant",),
    ),
    T("start", ("approved",), "in_progress", label=N_("开始实施")),
    T(
        "review",
        ("in_progress",),
        "yearly_review",
        (g.before_final_year, g.review_window_open),
        label=N_("年度评审"),
    ),
    T("roll", ("yearly_review",), "in_progress", label=N_("评审通过，滚动实施下一年度")),
    T("suspend", ("in_progress",), "suspended", label=N_("暂停拨款（红色风险未解除）")),
    T("resume", ("suspended",), "in_progress", label=N_("恢复实施")),
    T(
        "terminate",
        ("in_progress", "yearly_review", "suspended"),
        "terminated",
        label=N_("终止项目并收回资金"),
        effects=("release",),
    ),
    T(
        "request_acceptance",
        ("in_progress",),
        "acceptance",
        (g.term_reviewed, g.acceptance_window_open, g.all_reports_in),
        label=N_("申请验收"),
    ),
    T(
        "pass_acceptance",
        ("acceptance",),
        "completed",
        label=N_("验收通过"),
        effects=("final_account",),
    ),
    T("fail_acceptance", ("acceptance",), "rectifying", label=N_("验收不通过，限期整改")),
    T(
        "pass_reacceptance",
        ("rectifying",),
        "completed",
        label=N_("整改后重新验收通过"),
        effects=("final_account",),
    ),
    T("fail_reacceptance", ("rectifying",), "clawback", label=N_("再次验收不通过，收回资金")),
    T(
        "close",
        ("clawback",),
        "closed",
        (g.clawback_amount_given,),
        True,
        label=N_("资金收回完毕，关闭并限制申报"),
        effects=("release", "restrict_unit"),
    ),
)


@dataclass(frozen=True)
class Variant:
    """How one category's machine differs from the base."""

    drop: frozenset[str] = frozenset()
    """Triggers the category does not have."""
    extra_guards: dict[str, tuple[g.Guard, ...]] = field(default_factory=dict)
    add: tuple[Transition, ...] = ()
    effects: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Triggers whose effects differ from the base's, with their effects."""


ONE_YEAR = frozenset({"review", "roll"})

VARIANTS: dict[str, Variant] = {
    "high_value_patent": Variant(),
    "strong_enterprise": Variant(),
    "capability_provincial": Variant(extra_guards={"approve": (e.within_annual_limit,)}),
    "risk_control": Variant(),
    "patent_navigation": Variant(),
    "service_cluster": Variant(),
    "data_ip_chain": Variant(drop=ONE_YEAR),
    "data_ip_scenario": Variant(drop=ONE_YEAR),
    "capability_city": Variant(drop=ONE_YEAR, extra_guards={"approve": (g.approved_by_ranking,)}),
    "gi_brand": Variant(
        drop=frozenset({"roll"}),
        add=(
            T(
                "roll",
                ("yearly_review",),
                "in_progress",
                (g.rolling_amount_in_range,),
                True,
                N_("第一年度评价达标，滚动支持第二年度"),
                ("commit_amount",),
            ),
        ),
    ),
    "service_brand": Variant(
        drop=ONE_YEAR,
        extra_guards={
            "pass_acceptance": (g.revenue_condition_met,),
            "pass_reacceptance": (g.revenue_condition_met,),
        },
        effects={
            "pass_acceptance": ("pay_grant", "final_account"),
            "pass_reacceptance": ("pay_grant", "final_account"),
        },
        add=(
            T(
                "close_unpaid",
                ("in_progress", "acceptance"),
                "closed",
                label=N_("未达到上规入统条件，不予资助并关闭"),
                effects=("release",),
            ),
        ),
    ),
    "data_ip_leader": Variant(
        drop=frozenset({"review", "roll", "request_acceptance", "terminate"}),
        add=(
            T(
                "review",
                ("in_progress", "in_library"),
                "yearly_review",
                (g.evaluations_left, g.implementation_year_completed),
                label=N_("年度绩效评价"),
            ),
            T(
                "enter_library",
                ("yearly_review",),
                "in_library",
                (g.first_evaluation,),
                label=N_("第一年度评价优秀，入库并签订任务书"),
            ),
            T(
                "award",
                ("yearly_review",),
                "in_library",
                (g.later_evaluation, g.leader_award_allowed),
                True,
                N_("绩效突出，给予{leader_award}元补助"),
                ("commit_amount", "pay_award"),
            ),
            T(
                "proceed",
                ("yearly_review",),
                "in_library",
                (g.later_evaluation,),
                label=N_("本年度不予补助，继续实施"),
            ),
            T(
                "request_acceptance",
                ("in_library", "yearly_review"),
                "acceptance",
                (g.all_evaluations_done, g.acceptance_window_open, g.all_reports_in),
                label=N_("申请期满验收"),
            ),
            T(
                "terminate",
                ("in_progress", "yearly_review", "suspended", "in_library"),
                "terminated",
                label=N_("终止（第一年度评价未达优秀则出库）"),
                effects=("release",),
            ),
        ),
    ),
    "data_ip_securitization": Variant(
        drop=frozenset(
            {
                "review",
                "roll",
                "request_acceptance",
                "pass_acceptance",
                "fail_acceptance",
                "pass_reacceptance",
                "fail_reacceptance",
                "close",
                "suspend",
                "resume",
            }
        ),
        add=(
            T(
                "pay_subsidy",
                ("in_progress",),
                "completed",
                (g.product_has_ended,),
                label=N_("产品到期无违约，发放补贴"),
                effects=("pay_subsidy",),
            ),
            T(
                "revoke",
                ("in_progress",),
                "terminated",
                label=N_("发生逾期或欠息等违约，取消补贴"),
                effects=("release",),
            ),
        ),
        extra_guards={"approve": (g.securitization_cap_left,)},
    ),
}

DEFINITION_VERSION = 1


def _build(category: str, variant: Variant) -> Definition:
    transitions = [t for t in BASE if t.trigger not in variant.drop]
    transitions = [
        replace(
            t,
            guards=t.guards + variant.extra_guards.get(t.trigger, ()),
            effects=variant.effects.get(t.trigger, t.effects),
        )
        for t in transitions
    ]
    transitions.extend(variant.add)
    unknown = {e for t in transitions for e in t.effects} - set(EFFECT_LABELS)
    if unknown:
        raise ValueError(f"{category}: unknown effects {sorted(unknown)}")
    reachable = _reachable("applied", transitions)
    pruned = [
        replace(t, sources=tuple(s for s in t.sources if s in reachable))
        for t in transitions
        if any(s in reachable for s in t.sources)
    ]
    states = tuple(s for s in STATE_LABELS if s in reachable)
    return Definition(category, DEFINITION_VERSION, "applied", states, tuple(pruned))


def _reachable(initial: str, transitions: list[Transition]) -> set[str]:
    seen, frontier = {initial}, [initial]
    while frontier:
        state = frontier.pop()
        for t in transitions:
            if state in t.sources and t.dest not in seen:
                seen.add(t.dest)
                frontier.append(t.dest)
    return seen


DEFINITIONS: dict[str, Definition] = {code: _build(code, VARIANTS[code]) for code in CATEGORIES}
