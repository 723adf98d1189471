"""The category machines: documented paths, the full state × trigger table, guards, refusals.

Everything the machines must do is written out here by hand, as data, so that a wrong
edit of states/definitions.py (a dropped source state, a transition added to the wrong
category, a lost guard) makes a test fail instead of silently changing the expectation.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from states.categories import CATEGORIES
from states.definitions import DEFINITIONS, EFFECT_LABELS
from states.guards import Facts
from states.machines import TransitionRefused, fire, machine_for

# ---------------------------------------------------------------------------------------
# The vocabulary, by hand
# ---------------------------------------------------------------------------------------

ALL_CATEGORIES = (
    "high_value_patent",
    "strong_enterprise",
    "gi_brand",
    "capability_provincial",
    "capability_city",
    "risk_control",
    "patent_navigation",
    "data_ip_chain",
    "data_ip_scenario",
    "service_cluster",
    "service_brand",
    "data_ip_leader",
    "data_ip_securitization",
)

BASE_CATEGORIES = (
    "high_value_patent",
    "strong_enterprise",
    "capability_provincial",
    "risk_control",
    "patent_navigation",
    "service_cluster",
)
"""Categories that follow the base machine unchanged (their term comes from their dates)."""

ONE_YEAR_CATEGORIES = ("data_ip_chain", "data_ip_scenario", "capability_city", "service_brand")
"""1-year categories: no yearly review, straight from implementation to acceptance."""

DEST: dict[str, str] = {
    "screen": "screened",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "approve": "approved",
    "start": "in_progress",
    "review": "yearly_review",
    "roll": "in_progress",
    "suspend": "suspended",
    "resume": "in_progress",
    "terminate": "terminated",
    "request_acceptance": "acceptance",
    "pass_acceptance": "completed",
    "fail_acceptance": "rectifying",
    "pass_reacceptance": "completed",
    "fail_reacceptance": "clawback",
    "close": "closed",
    "close_unpaid": "closed",
    "enter_library": "in_library",
    "award": "in_library",
    "proceed": "in_library",
    "pay_subsidy": "completed",
    "revoke": "terminated",
    "end_support": "closed",
}
"""Every trigger of every category and where it leads (the same in every category)."""

ALL_TRIGGERS = tuple(DEST)

# ---------------------------------------------------------------------------------------
# The expected tables: state → triggers that may fire from it (guards satisfied)
# ---------------------------------------------------------------------------------------

Table = dict[str, frozenset[str]]
F = frozenset

BASE_TABLE: Table = {
    "applied": F({"screen", "reject", "withdraw"}),
    "screened": F({"approve", "reject", "withdraw"}),
    "approved": F({"start"}),
    "in_progress": F({"review", "suspend", "terminate", "request_acceptance"}),
    "yearly_review": F({"roll", "terminate"}),
    "suspended": F({"resume", "terminate"}),
    "acceptance": F({"pass_acceptance", "fail_acceptance"}),
    "rectifying": F({"pass_reacceptance", "fail_reacceptance"}),
    "clawback": F({"close"}),
    "completed": F(),
    "closed": F(),
    "terminated": F(),
    "rejected": F(),
    "withdrawn": F(),
}

GI_BRAND_TABLE: Table = {
    "applied": F({"screen", "reject", "withdraw"}),
    "screened": F({"approve", "reject", "withdraw"}),
    "approved": F({"start"}),
    "in_progress": F({"review", "suspend", "terminate", "request_acceptance"}),
    "yearly_review": F({"roll", "end_support", "terminate"}),
    "suspended": F({"resume", "terminate"}),
    "acceptance": F({"pass_acceptance", "fail_acceptance"}),
    "rectifying": F({"pass_reacceptance", "fail_reacceptance"}),
    "clawback": F({"close"}),
    "completed": F(),
    "closed": F(),
    "terminated": F(),
    "rejected": F(),
    "withdrawn": F(),
}

ONE_YEAR_TABLE: Table = {
    "applied": F({"screen", "reject", "withdraw"}),
    "screened": F({"approve", "reject", "withdraw"}),
    "approved": F({"start"}),
    "in_progress": F({"suspend", "terminate", "request_acceptance"}),
    "suspended": F({"resume", "terminate"}),
    "acceptance": F({"pass_acceptance", "fail_acceptance"}),
    "rectifying": F({"pass_reacceptance", "fail_reacceptance"}),
    "clawback": F({"close"}),
    "completed": F(),
    "closed": F(),
    "terminated": F(),
    "rejected": F(),
    "withdrawn": F(),
}

SERVICE_BRAND_TABLE: Table = {
    "applied": F({"screen", "reject", "withdraw"}),
    "screened": F({"approve", "reject", "withdraw"}),
    "approved": F({"start"}),
    "in_progress": F({"suspend", "terminate", "request_acceptance", "close_unpaid"}),
    "suspended": F({"resume", "terminate"}),
    "acceptance": F({"pass_acceptance", "fail_acceptance", "close_unpaid"}),
    "rectifying": F({"pass_reacceptance", "fail_reacceptance"}),
    "clawback": F({"close"}),
    "completed": F(),
    "closed": F(),
    "terminated": F(),
    "rejected": F(),
    "withdrawn": F(),
}

DATA_IP_LEADER_TABLE: Table = {
    "applied": F({"screen", "reject", "withdraw"}),
    "screened": F({"approve", "reject", "withdraw"}),
    "approved": F({"start"}),
    "in_progress": F({"review", "suspend", "terminate"}),
    "in_library": F({"review", "request_acceptance", "terminate"}),
    "yearly_review": F({"enter_library", "award", "proceed", "request_acceptance", "terminate"}),
    "suspended": F({"resume", "terminate"}),
    "acceptance": F({"pass_acceptance", "fail_acceptance"}),
    "rectifying": F({"pass_reacceptance", "fail_reacceptance"}),
    "clawback": F({"close"}),
    "completed": F(),
    "closed": F(),
    "terminated": F(),
    "rejected": F(),
    "withdrawn": F(),
}

DATA_IP_SECURITIZATION_TABLE: Table = {
    "applied": F({"screen", "reject", "withdraw"}),
    "screened": F({"approve", "reject", "withdraw"}),
    "approved": F({"start"}),
    "in_progress": F({"pay_subsidy", "revoke", "terminate"}),
    "completed": F(),
    "terminated": F(),
    "rejected": F(),
    "withdrawn": F(),
}

EXPECTED: dict[str, Table] = {
    **dict.fromkeys(BASE_CATEGORIES, BASE_TABLE),
    "gi_brand": GI_BRAND_TABLE,
    "data_ip_chain": ONE_YEAR_TABLE,
    "data_ip_scenario": ONE_YEAR_TABLE,
    "capability_city": ONE_YEAR_TABLE,
    "service_brand": SERVICE_BRAND_TABLE,
    "data_ip_leader": DATA_IP_LEADER_TABLE,
    "data_ip_securitization": DATA_IP_SECURITIZATION_TABLE,
}

REVENUE_OK = {"revenue": "10000000", "registered": "yes"}

PERMISSIVE: dict[str, dict[str, Any]] = {
    "approve": {"via_ranking": True},
    "review": {"term_years": 2, "reviews_done": 0},
    "roll": {"amount": 500_000},
    "request_acceptance": {"term_years": 3, "reviews_done": 3},
    "enter_library": {"reviews_done": 1},
    "award": {"reviews_done": 2, "amount": 100_000},
    "proceed": {"reviews_done": 2},
    "close": {"amount": 0},
    "pass_acceptance": {"data": REVENUE_OK},
    "pass_reacceptance": {"data": REVENUE_OK},
}
"""Facts that satisfy every guard a trigger has in any category."""


def facts(category: str, state: str, **overrides: Any) -> Facts:
    """Facts of project #7 of `category` in `state`, with `overrides`."""
    return Facts(project_id=7, category=category, state=state, **overrides)


def refusal_of(trigger: str, f: Facts) -> list[str]:
    """The reasons `fire` gives for refusing; fails the test when it does not refuse."""
    with pytest.raises(TransitionRefused) as refused:
        fire(trigger, f)
    return refused.value.reasons


# ---------------------------------------------------------------------------------------
# The definitions hold what the tables say
# ---------------------------------------------------------------------------------------


def test_the_programme_has_exactly_the_thirteen_categories_with_a_machine_each() -> None:
    assert set(DEFINITIONS) == set(ALL_CATEGORIES) == set(CATEGORIES) == set(EXPECTED)
    assert all(machine_for(code).models == [] for code in ALL_CATEGORIES)


def test_the_triggers_used_anywhere_are_exactly_the_documented_ones() -> None:
    used = {t.trigger for d in DEFINITIONS.values() for t in d.transitions}
    assert used == set(ALL_TRIGGERS)


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_every_machine_starts_in_applied(category: str) -> None:
    assert DEFINITIONS[category].initial == "applied"


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_every_category_has_exactly_its_documented_states(category: str) -> None:
    assert set(DEFINITIONS[category].states) == set(EXPECTED[category])


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_the_definition_lists_exactly_the_documented_triggers_from_each_state(
    category: str,
) -> None:
    definition = DEFINITIONS[category]
    listed = {state: F(definition.triggers_from(state)) for state in definition.states}
    assert listed == EXPECTED[category]


BASE_EFFECTS: dict[str, tuple[str, ...]] = {
    "approve": ("commit_grant",),
    "terminate": ("release",),
    "pass_acceptance": ("final_account",),
    "pass_reacceptance": ("final_account",),
    "close": ("release",),
}
"""What the base's transitions do beyond moving the state; the others do nothing more."""

EFFECTS: dict[str, dict[str, tuple[str, ...]]] = {
    **{c: BASE_EFFECTS for c in BASE_CATEGORIES},
    **{c: BASE_EFFECTS for c in ONE_YEAR_CATEGORIES if c != "service_brand"},
    "gi_brand": {**BASE_EFFECTS, "roll": ("commit_amount",), "end_support": ("stop_funding",)},
    "service_brand": {
        **BASE_EFFECTS,
        "pass_acceptance": ("pay_grant", "final_account"),
        "pass_reacceptance": ("pay_grant", "final_account"),
        "close_unpaid": ("release",),
    },
    "data_ip_leader": {
        **BASE_EFFECTS,
        "award": ("commit_amount", "pay_award"),
        "close": ("release", "restrict_unit"),
    },
    "data_ip_securitization": {
        "approve": ("commit_grant",),
        "terminate": ("release",),
        "pay_subsidy": ("pay_subsidy",),
        "revoke": ("release",),
    },
}
"""Each category's transitions that have effects, with their effects in order."""


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_each_transition_declares_exactly_its_documented_effects(category: str) -> None:
    declared = {t.trigger: t.effects for t in DEFINITIONS[category].transitions if t.effects}
    assert declared == EFFECTS[category]


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_a_trigger_is_declared_once_per_definition(category: str) -> None:
    triggers = [t.trigger for t in DEFINITIONS[category].transitions]
    assert len(triggers) == len(set(triggers))


def test_every_declared_effect_is_carried_out_by_a_use_case() -> None:
    from workflow.money.funding import EFFECTS as MONEY_EFFECTS

    declared = {e for d in DEFINITIONS.values() for t in d.transitions for e in t.effects}
    assert declared == set(EFFECT_LABELS) == set(MONEY_EFFECTS) | {"restrict_unit"}


# ---------------------------------------------------------------------------------------
# Exhaustive: every state × every trigger
# ---------------------------------------------------------------------------------------

STATE_CASES = [
    pytest.param(category, state, id=f"{category}-{state}")
    for category in ALL_CATEGORIES
    for state in EXPECTED[category]
]


@pytest.mark.parametrize(("category", "state"), STATE_CASES)
def test_fire_succeeds_exactly_for_the_documented_triggers_of_each_state(
    category: str, state: str
) -> None:
    allowed = EXPECTED[category][state]
    wrong: list[str] = []
    for trigger in ALL_TRIGGERS:
        f = facts(category, state, **PERMISSIVE.get(trigger, {}))
        try:
            new_state = fire(trigger, f)
        except TransitionRefused as refused:
            if trigger in allowed:
                wrong.append(f"{trigger}: refused ({refused.reasons}) but documented")
            elif refused.reasons != [
                f"状态“{state}”下不能执行“{trigger}”；当前可执行："
                f"{'、'.join(DEFINITIONS[category].triggers_from(state)) or '无'}"
            ]:
                wrong.append(f"{trigger}: refused by a guard, not as absent: {refused.reasons}")
        else:
            if trigger not in allowed:
                wrong.append(f"{trigger}: fired to {new_state} but not documented")
            elif new_state != DEST[trigger]:
                wrong.append(f"{trigger}: went to {new_state}, expected {DEST[trigger]}")
    assert wrong == []


# ---------------------------------------------------------------------------------------
# The documented paths, step by step
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """An expected refusal whose reason contains `because`; the state stays."""

    because: str


Step = tuple[str, dict[str, Any], str | Refused]

SCREEN: Step = ("screen", {}, "screened")
APPROVE: Step = ("approve", {}, "approved")
START: Step = ("start", {}, "in_progress")
REVIEW: Step = ("review", {}, "yearly_review")
REQUEST: Step = ("request_acceptance", {}, "acceptance")
PASS: Step = ("pass_acceptance", {}, "completed")
FAIL: Step = ("fail_acceptance", {}, "rectifying")
PASS_AGAIN: Step = ("pass_reacceptance", {}, "completed")
FAIL_AGAIN: Step = ("fail_reacceptance", {}, "clawback")
CLOSE: Step = ("close", {"amount": 120_000}, "closed")
SUSPEND: Step = ("suspend", {}, "suspended")
RESUME: Step = ("resume", {}, "in_progress")
TERMINATE: Step = ("terminate", {}, "terminated")
ENTER: Step = ("enter_library", {}, "in_library")
AWARD: Step = ("award", {"amount": 100_000}, "in_library")
PROCEED: Step = ("proceed", {}, "in_library")
UNDER_WAY = [SCREEN, APPROVE, START]

STANDING: dict[str, dict[str, Any]] = {
    "gi_brand": {"term_years": 2},
    "data_ip_leader": {"term_years": 3},
    "capability_city": {"via_ranking": True},
    "service_brand": {"data": REVENUE_OK},
}
"""Facts a category's project carries on every step of its paths (term, ranking, revenue)."""

SHARED_PATHS: dict[str, list[Step]] = {
    "rejected after application": [("reject", {}, "rejected")],
    "rejected after screening": [SCREEN, ("reject", {}, "rejected")],
    "withdrawn after application": [("withdraw", {}, "withdrawn")],
    "withdrawn after screening": [SCREEN, ("withdraw", {}, "withdrawn")],
    "terminated while in progress": [*UNDER_WAY, TERMINATE],
}
"""Paths every category has."""

SUSPENSION_PATHS: dict[str, list[Step]] = {
    "suspended, resumed and suspended again": [*UNDER_WAY, SUSPEND, RESUME, SUSPEND],
    "suspended then terminated": [*UNDER_WAY, SUSPEND, TERMINATE],
}

ONE_TERM_PATHS: dict[str, list[Step]] = {
    "accepted at the first acceptance": [*UNDER_WAY, REQUEST, PASS],
    "accepted after rectification": [*UNDER_WAY, REQUEST, FAIL, PASS_AGAIN],
    "clawed back and closed after failing twice": [*UNDER_WAY, REQUEST, FAIL, FAIL_AGAIN, CLOSE],
    "accepted after a suspension is lifted": [*UNDER_WAY, SUSPEND, RESUME, REQUEST, PASS],
    "no acceptance while suspended": [
        *UNDER_WAY,
        SUSPEND,
        ("request_acceptance", {}, Refused("不能执行")),
    ],
}
"""Paths of categories whose term has no yearly review (1-year terms)."""

MULTI_YEAR_PATHS: dict[str, list[Step]] = {
    "a 2-year term is reviewed, rolled and accepted": [
        *UNDER_WAY,
        ("request_acceptance", {}, Refused("已完成0次年度评审，尚不能申请验收")),
        REVIEW,
        ("roll", {}, "in_progress"),
        ("review", {}, Refused("应进入验收而非年度评审")),
        REQUEST,
        PASS,
    ],
    "a 2-year term is terminated at its yearly review": [*UNDER_WAY, REVIEW, TERMINATE],
}
"""Paths of base-category projects whose dates span two years."""

GI_BRAND_PATHS: dict[str, list[Step]] = {
    "year 1 passes, rolled with 50万, accepted": [
        *UNDER_WAY,
        ("request_acceptance", {}, Refused("尚不能申请验收")),
        REVIEW,
        ("roll", {"amount": 499_999}, Refused("滚动支持金额499999元超出50万至100万元（含）的范围")),
        ("roll", {"amount": 1_000_001}, Refused("超出50万至100万元（含）的范围")),
        ("roll", {}, Refused("滚动支持须填写金额")),
        ("roll", {"amount": 500_000}, "in_progress"),
        ("review", {}, Refused("应进入验收而非年度评审")),
        REQUEST,
        PASS,
    ],
    "year 1 passes, rolled with 100万, rectified": [
        *UNDER_WAY,
        REVIEW,
        ("roll", {"amount": 1_000_000}, "in_progress"),
        REQUEST,
        FAIL,
        PASS_AGAIN,
    ],
    "year 1 passes, rolled, clawed back after failing twice": [
        *UNDER_WAY,
        REVIEW,
        ("roll", {"amount": 800_000}, "in_progress"),
        REQUEST,
        FAIL,
        FAIL_AGAIN,
        CLOSE,
    ],
    "year 1 fails and the project is terminated": [*UNDER_WAY, REVIEW, TERMINATE],
}

DATA_IP_LEADER_PATHS: dict[str, list[Step]] = {
    "enters the library, awarded twice, accepted": [
        *UNDER_WAY,
        ("request_acceptance", {}, Refused("不能执行")),
        REVIEW,
        ("award", {"amount": 100_000}, Refused("第二、三年度评价后")),
        ("proceed", {}, Refused("第二、三年度评价后")),
        ("request_acceptance", {}, Refused("目前已评价1次")),
        ENTER,
        ("request_acceptance", {}, Refused("目前已评价1次")),
        REVIEW,
        ("enter_library", {}, Refused("只有第一年度评价")),
        ("award", {"amount": 50_000}, Refused("每次100000元")),
        ("award", {"amount": 100_001}, Refused("每次100000元")),
        AWARD,
        ("request_acceptance", {}, Refused("目前已评价2次")),
        REVIEW,
        AWARD,
        ("review", {}, Refused("已完成三次年度评价")),
        REQUEST,
        PASS,
    ],
    "not funded in year 2, competes again and is awarded in year 3": [
        *UNDER_WAY,
        REVIEW,
        ENTER,
        REVIEW,
        PROCEED,
        REVIEW,
        AWARD,
        REQUEST,
        PASS,
    ],
    "accepted straight from the third evaluation, rectified": [
        *UNDER_WAY,
        REVIEW,
        ENTER,
        REVIEW,
        PROCEED,
        REVIEW,
        ("request_acceptance", {}, "acceptance"),
        FAIL,
        PASS_AGAIN,
    ],
    "fails acceptance twice, clawed back and closed": [
        *UNDER_WAY,
        REVIEW,
        ENTER,
        REVIEW,
        AWARD,
        REVIEW,
        PROCEED,
        REQUEST,
        FAIL,
        FAIL_AGAIN,
        CLOSE,
    ],
    "leaves after a year-1 evaluation that is not excellent": [*UNDER_WAY, REVIEW, TERMINATE],
    "leaves the library": [*UNDER_WAY, REVIEW, ENTER, TERMINATE],
    "a third award beyond the 20万 cap is refused": [
        *UNDER_WAY,
        REVIEW,
        ENTER,
        REVIEW,
        ("award", {"amount": 100_000, "awards_total": 200_000}, Refused("超过20万元上限")),
        PROCEED,
    ],
}

DATA_IP_SECURITIZATION_PATHS: dict[str, list[Step]] = {
    "the subsidy is paid when the product ends": [*UNDER_WAY, ("pay_subsidy", {}, "completed")],
    "the subsidy is revoked after a default": [*UNDER_WAY, ("revoke", {}, "terminated")],
    "has no acceptance": [*UNDER_WAY, ("request_acceptance", {}, Refused("不能执行"))],
    "cannot be suspended": [*UNDER_WAY, ("suspend", {}, Refused("不能执行"))],
}

PATHS: list[tuple[str, str, dict[str, Any], list[Step]]] = [
    *((c, n, {}, s) for c in ALL_CATEGORIES for n, s in SHARED_PATHS.items()),
    *(
        (c, n, {}, s)
        for c in ALL_CATEGORIES
        if c != "data_ip_securitization"
        for n, s in SUSPENSION_PATHS.items()
    ),
    *(
        (c, n, {}, s)
        for c in BASE_CATEGORIES + ONE_YEAR_CATEGORIES
        for n, s in ONE_TERM_PATHS.items()
    ),
    *((c, n, {"term_years": 2}, s) for c in BASE_CATEGORIES for n, s in MULTI_YEAR_PATHS.items()),
    *(("gi_brand", n, {}, s) for n, s in GI_BRAND_PATHS.items()),
    *(("data_ip_leader", n, {}, s) for n, s in DATA_IP_LEADER_PATHS.items()),
    *(("data_ip_securitization", n, {}, s) for n, s in DATA_IP_SECURITIZATION_PATHS.items()),
]


@dataclass
class Walk:
    """A project walked along a path, counting reviews and awards the way the history does."""

    category: str
    standing: dict[str, Any]
    state: str = "applied"
    reviews_done: int = 0
    awards_total: int = 0
    visited: list[str] = field(default_factory=list)

    def step(self, trigger: str, overrides: dict[str, Any], expected: str | Refused) -> None:
        given_facts = {
            "term_years": 1,
            "reviews_done": self.reviews_done,
            "awards_total": self.awards_total,
            **STANDING.get(self.category, {}),
            **self.standing,
            **overrides,
        }
        f = facts(self.category, self.state, **given_facts)
        where = f"{self.category} after {self.visited}: {trigger}"
        if isinstance(expected, Refused):
            reasons = refusal_of(trigger, f)
            assert any(expected.because in r for r in reasons), (where, reasons)
            return
        assert fire(trigger, f) == expected, where
        self.state = expected
        self.visited.append(trigger)
        if trigger == "review":
            self.reviews_done += 1
        if trigger == "award":
            self.awards_total += f.amount or 0


@pytest.mark.parametrize(
    ("category", "standing", "steps"),
    [pytest.param(c, facts_, s, id=f"{c}: {n}") for c, n, facts_, s in PATHS],
)
def test_a_documented_path_leads_through_the_documented_states(
    category: str, standing: dict[str, Any], steps: list[Step]
) -> None:
    walk = Walk(category, standing)
    for trigger, overrides, expected in steps:
        walk.step(trigger, overrides, expected)
    final = next(e for _t, _o, e in reversed(steps) if isinstance(e, str))
    assert walk.state == final


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_every_category_has_documented_paths_to_an_end_state(category: str) -> None:
    ends = {
        next(e for _t, _o, e in reversed(s) if isinstance(e, str))
        for c, _n, _f, s in PATHS
        if c == category
    }
    assert {"completed", "terminated", "rejected", "withdrawn"} <= ends


# ---------------------------------------------------------------------------------------
# Category rules, one at a time
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ONE_YEAR_CATEGORIES)
def test_a_one_year_category_has_no_yearly_review(category: str) -> None:
    reasons = refusal_of("review", facts(category, "in_progress", term_years=2))
    assert reasons == [
        f"状态“in_progress”下不能执行“review”；当前可执行："
        f"{'、'.join(DEFINITIONS[category].triggers_from('in_progress'))}"
    ]


@pytest.mark.parametrize("category", ONE_YEAR_CATEGORIES)
def test_a_one_year_category_goes_from_implementation_straight_to_acceptance(
    category: str,
) -> None:
    f = facts(category, "in_progress", reviews_done=0, data=REVENUE_OK)
    assert fire("request_acceptance", f) == "acceptance"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (499_999, Refused("滚动支持金额499999元超出50万至100万元（含）的范围")),
        (500_000, "in_progress"),
        (750_000, "in_progress"),
        (1_000_000, "in_progress"),
        (1_000_001, Refused("滚动支持金额1000001元超出50万至100万元（含）的范围")),
        (0, Refused("滚动支持金额0元超出50万至100万元（含）的范围")),
        (None, Refused("滚动支持须填写金额（--amount，50万至100万元）")),
    ],
)
def test_gi_brand_rolls_only_with_an_amount_from_50_to_100_wan_inclusive(
    amount: int | None, expected: str | Refused
) -> None:
    f = facts("gi_brand", "yearly_review", term_years=2, reviews_done=1, amount=amount)
    if isinstance(expected, Refused):
        assert refusal_of("roll", f) == [expected.because]
    else:
        assert fire("roll", f) == expected


@pytest.mark.parametrize("category", BASE_CATEGORIES)
def test_other_categories_roll_without_an_amount(category: str) -> None:
    f = facts(category, "yearly_review", term_years=2, reviews_done=1)
    assert fire("roll", f) == "in_progress"


def test_gi_brand_can_be_terminated_at_its_year_one_review() -> None:
    f = facts("gi_brand", "yearly_review", term_years=2, reviews_done=1)
    assert fire("terminate", f) == "terminated"


@pytest.mark.parametrize(
    ("term_years", "reviews_done", "allowed"),
    [(1, 0, False), (2, 0, True), (2, 1, False), (3, 0, True), (3, 1, True), (3, 2, False)],
)
def test_a_yearly_review_is_held_only_while_the_term_has_another_year(
    term_years: int, reviews_done: int, allowed: bool
) -> None:
    f = facts("high_value_patent", "in_progress", term_years=term_years, reviews_done=reviews_done)
    if allowed:
        assert fire("review", f) == "yearly_review"
    else:
        assert refusal_of("review", f) == [
            f"项目期限为{term_years}年，已完成{reviews_done}次年度评审，应进入验收而非年度评审"
        ]


@pytest.mark.parametrize(
    ("term_years", "reviews_done", "allowed"),
    [(1, 0, True), (2, 0, False), (2, 1, True), (3, 1, False), (3, 2, True)],
)
def test_acceptance_comes_only_after_every_yearly_review_of_the_term(
    term_years: int, reviews_done: int, allowed: bool
) -> None:
    f = facts("high_value_patent", "in_progress", term_years=term_years, reviews_done=reviews_done)
    if allowed:
        assert fire("request_acceptance", f) == "acceptance"
    else:
        assert refusal_of("request_acceptance", f) == [
            f"项目期限为{term_years}年，已完成{reviews_done}次年度评审，尚不能申请验收"
        ]


ACCEPTANCE_FROM = [
    (c, "in_library" if c == "data_ip_leader" else "in_progress")
    for c in ALL_CATEGORIES
    if c != "data_ip_securitization"
]


@pytest.mark.parametrize(("category", "state"), ACCEPTANCE_FROM)
def test_acceptance_is_refused_while_a_quarterly_report_of_the_term_is_missing(
    category: str, state: str
) -> None:
    f = facts(
        category, state, term_years=3, reviews_done=3, reports_due_in_term=4, reports_submitted=3
    )
    assert refusal_of("request_acceptance", f) == [
        "验收前须提交项目期内全部季度报告：应交4份，已交3份"
    ]


@pytest.mark.parametrize(("category", "state"), ACCEPTANCE_FROM)
def test_acceptance_is_allowed_once_every_quarterly_report_is_in(category: str, state: str) -> None:
    f = facts(
        category, state, term_years=3, reviews_done=3, reports_due_in_term=4, reports_submitted=4
    )
    assert fire("request_acceptance", f) == "acceptance"


@pytest.mark.parametrize(("reviews_done", "allowed"), [(1, True), (2, False), (3, False)])
def test_data_ip_leader_enters_the_library_only_after_its_first_review(
    reviews_done: int, allowed: bool
) -> None:
    f = facts("data_ip_leader", "yearly_review", term_years=3, reviews_done=reviews_done)
    if allowed:
        assert fire("enter_library", f) == "in_library"
    else:
        assert refusal_of("enter_library", f) == ["只有第一年度评价为“优秀”的单位才能入库"]


@pytest.mark.parametrize(("reviews_done", "allowed"), [(1, False), (2, True), (3, True)])
def test_data_ip_leader_is_awarded_only_after_its_second_and_third_reviews(
    reviews_done: int, allowed: bool
) -> None:
    f = facts("data_ip_leader", "yearly_review", reviews_done=reviews_done, amount=100_000)
    if allowed:
        assert fire("award", f) == "in_library"
    else:
        assert refusal_of("award", f) == ["第二、三年度评价后才能决定是否给予补助"]


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [(99_999, False), (100_000, True), (100_001, False), (200_000, False), (None, False)],
)
def test_a_data_ip_leader_award_is_exactly_10_wan(amount: int | None, allowed: bool) -> None:
    f = facts("data_ip_leader", "yearly_review", reviews_done=2, amount=amount)
    if allowed:
        assert fire("award", f) == "in_library"
    else:
        assert refusal_of("award", f) == ["领军企业年度补助为每次100000元（--amount 100000）"]


@pytest.mark.parametrize(
    ("awards_total", "allowed"), [(0, True), (100_000, True), (100_001, False), (200_000, False)]
)
def test_data_ip_leader_never_receives_more_than_20_wan_in_total(
    awards_total: int, allowed: bool
) -> None:
    f = facts(
        "data_ip_leader", "yearly_review", reviews_done=3, amount=100_000, awards_total=awards_total
    )
    if allowed:
        assert fire("award", f) == "in_library"
    else:
        assert refusal_of("award", f) == [f"累计补助将达{awards_total + 100_000}元，超过20万元上限"]


@pytest.mark.parametrize(("reviews_done", "allowed"), [(0, True), (1, True), (2, True), (3, False)])
def test_data_ip_leader_is_reviewed_three_times_at_most(reviews_done: int, allowed: bool) -> None:
    state = "in_progress" if reviews_done == 0 else "in_library"
    f = facts("data_ip_leader", state, reviews_done=reviews_done)
    if allowed:
        assert fire("review", f) == "yearly_review"
    else:
        assert refusal_of("review", f) == ["领军企业项目已完成三次年度评价"]


@pytest.mark.parametrize("state", ["in_library", "yearly_review"])
@pytest.mark.parametrize(("reviews_done", "allowed"), [(1, False), (2, False), (3, True)])
def test_data_ip_leader_requests_acceptance_only_after_three_reviews(
    state: str, reviews_done: int, allowed: bool
) -> None:
    f = facts("data_ip_leader", state, term_years=3, reviews_done=reviews_done)
    if allowed:
        assert fire("request_acceptance", f) == "acceptance"
    else:
        assert refusal_of("request_acceptance", f) == [
            f"验收须在三次年度评价之后，目前已评价{reviews_done}次"
        ]


@pytest.mark.parametrize(
    ("trigger", "dest"), [("pay_subsidy", "completed"), ("revoke", "terminated")]
)
def test_data_ip_securitization_pays_or_revokes_when_the_product_ends(
    trigger: str, dest: str
) -> None:
    assert fire(trigger, facts("data_ip_securitization", "in_progress")) == dest


@pytest.mark.parametrize("category", [c for c in ALL_CATEGORIES if c != "data_ip_securitization"])
@pytest.mark.parametrize("trigger", ["pay_subsidy", "revoke"])
def test_only_data_ip_securitization_pays_or_revokes_a_subsidy(category: str, trigger: str) -> None:
    assert "不能执行" in refusal_of(trigger, facts(category, "in_progress"))[0]


def test_capability_city_is_refused_approval_one_by_one() -> None:
    assert refusal_of("approve", facts("capability_city", "screened")) == [
        "市州级能力提升项目按综合得分排序后统一立项（ipflow city rank --approve），不能单独批准"
    ]


def test_capability_city_is_approved_through_the_ranking() -> None:
    assert fire("approve", facts("capability_city", "screened", via_ranking=True)) == "approved"


@pytest.mark.parametrize("category", [c for c in ALL_CATEGORIES if c != "capability_city"])
def test_other_categories_are_approved_without_a_ranking(category: str) -> None:
    assert fire("approve", facts(category, "screened")) == "approved"


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_approval_is_refused_while_the_unit_has_an_adverse_credit_record(category: str) -> None:
    f = facts(category, "screened", via_ranking=True, credit_block="经营异常（2026-03-01起）")
    assert refusal_of("approve", f) == ["承担单位存在有效的不良信用记录：经营异常（2026-03-01起）"]


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_approval_is_refused_to_the_risk_control_contractor_for_another_project(
    category: str,
) -> None:
    conflict = "该单位承担风险防控项目，不得申报其他类别项目"
    f = facts(category, "screened", via_ranking=True, conflict=conflict)
    assert refusal_of("approve", f) == [conflict]


SERVICE_BRAND_CASES = [
    pytest.param(
        {"revenue": "10000000", "registered": "yes"}, None, id="exactly 1000万, registered"
    ),
    pytest.param({"revenue": "25000000", "registered": "是"}, None, id="registered in Chinese"),
    pytest.param({"revenue": "10000000", "registered": "TRUE"}, None, id="registered in capitals"),
    pytest.param(
        {"revenue": "9999999", "registered": "yes"},
        "2026年度营业收入9999999元，未达到1000万元",
        id="one yuan short",
    ),
    pytest.param(
        {"revenue": "12000000"},
        "机构尚未“入库纳统”（--data registered=yes 或 --data registered_on=YYYY-MM-DD）",
        id="registration missing",
    ),
    pytest.param(
        {"revenue": "12000000", "registered": "no"},
        "机构尚未“入库纳统”（--data registered=yes 或 --data registered_on=YYYY-MM-DD）",
        id="not registered",
    ),
    pytest.param(
        {"registered": "yes"}, "须提供2026年度营业收入（--data revenue=元）", id="revenue missing"
    ),
    pytest.param(
        {"revenue": "1e7", "registered": "yes"},
        "须提供2026年度营业收入（--data revenue=元）",
        id="revenue not an integer",
    ),
    pytest.param(
        {"revenue": "-10000000", "registered": "yes"},
        "须提供2026年度营业收入（--data revenue=元）",
        id="revenue negative",
    ),
    pytest.param(
        {"revenue": "²", "registered": "yes"},
        "须提供2026年度营业收入（--data revenue=元）",
        id="revenue a superscript digit",
    ),
]


@pytest.mark.parametrize(("data", "refusal"), SERVICE_BRAND_CASES)
@pytest.mark.parametrize(
    ("state", "trigger"),
    [("acceptance", "pass_acceptance"), ("rectifying", "pass_reacceptance")],
    ids=["acceptance", "re-acceptance"],
)
def test_service_brand_is_completed_only_with_its_revenue_and_statistics_registration(
    state: str, trigger: str, data: dict[str, str], refusal: str | None
) -> None:
    f = facts("service_brand", state, data=data)
    if refusal is None:
        assert fire(trigger, f) == "completed"
    else:
        assert refusal_of(trigger, f) == [refusal]


@pytest.mark.parametrize(
    "category", [c for c in ALL_CATEGORIES if c not in ("service_brand", "data_ip_securitization")]
)
def test_other_categories_pass_acceptance_without_revenue_figures(category: str) -> None:
    assert fire("pass_acceptance", facts(category, "acceptance")) == "completed"


@pytest.mark.parametrize("state", ["in_progress", "acceptance"])
def test_service_brand_can_close_unpaid_when_its_condition_is_not_met(state: str) -> None:
    assert fire("close_unpaid", facts("service_brand", state)) == "closed"


@pytest.mark.parametrize(
    ("amount", "allowed"), [(None, False), (-1, False), (0, True), (120_000, True)]
)
def test_closing_after_a_clawback_records_the_amount_recovered(
    amount: int | None, allowed: bool
) -> None:
    f = facts("high_value_patent", "clawback", amount=amount)
    if allowed:
        assert fire("close", f) == "closed"
    else:
        assert refusal_of("close", f) == ["收回资金须填写金额（--amount，元，不小于0）"]


# ---------------------------------------------------------------------------------------
# Refusals: what they say and what they leave alone
# ---------------------------------------------------------------------------------------


def test_a_trigger_absent_from_the_state_is_refused_naming_the_possible_triggers() -> None:
    assert refusal_of("start", facts("high_value_patent", "applied")) == [
        "状态“applied”下不能执行“start”；当前可执行：screen、reject、withdraw"
    ]


def test_a_trigger_from_an_end_state_is_refused_saying_nothing_is_possible() -> None:
    assert refusal_of("resume", facts("gi_brand", "completed")) == [
        "状态“completed”下不能执行“resume”；当前可执行：无"
    ]


def test_an_unknown_trigger_is_refused_like_an_absent_one() -> None:
    assert refusal_of("teleport", facts("data_ip_chain", "in_progress")) == [
        "状态“in_progress”下不能执行“teleport”；当前可执行：suspend、terminate、request_acceptance"
    ]


def test_only_the_first_failing_guard_is_reported() -> None:
    f = facts("capability_city", "screened", credit_block="严重失信", conflict="利益冲突")
    assert refusal_of("approve", f) == ["承担单位存在有效的不良信用记录：严重失信"]


REFUSED_CASES = [
    pytest.param("roll", facts("gi_brand", "yearly_review", amount=499_999), id="guard"),
    pytest.param("start", facts("high_value_patent", "applied"), id="absent trigger"),
    pytest.param("approve", facts("capability_city", "screened"), id="ranking guard"),
    pytest.param(
        "award",
        facts(
            "data_ip_leader", "yearly_review", reviews_done=2, amount=100_000, awards_total=200_000
        ),
        id="award cap",
    ),
]


@pytest.mark.parametrize(("trigger", "given_facts"), REFUSED_CASES)
def test_a_refused_transition_changes_nothing_in_the_facts(
    trigger: str, given_facts: Facts
) -> None:
    before = copy.deepcopy(given_facts)
    refusal_of(trigger, given_facts)
    assert given_facts == before


@pytest.mark.parametrize(("trigger", "given_facts"), REFUSED_CASES)
def test_a_refused_transition_leaves_no_model_in_the_machine(
    trigger: str, given_facts: Facts
) -> None:
    refusal_of(trigger, given_facts)
    assert all(machine_for(code).models == [] for code in ALL_CATEGORIES)


def test_an_accepted_transition_returns_the_new_state_without_changing_the_facts() -> None:
    f = facts("gi_brand", "yearly_review", term_years=2, reviews_done=1, amount=600_000)
    before = copy.deepcopy(f)
    assert fire("roll", f) == "in_progress"
    assert f == before
    assert all(machine_for(code).models == [] for code in ALL_CATEGORIES)


def test_refusing_the_same_facts_twice_gives_the_reason_once() -> None:
    f = facts("gi_brand", "yearly_review", term_years=2, reviews_done=1, amount=2_000_000)
    first = refusal_of("roll", f)
    assert refusal_of("roll", f) == first == ["滚动支持金额2000000元超出50万至100万元（含）的范围"]


def test_a_refusal_for_one_trigger_does_not_leak_into_another() -> None:
    f = facts("data_ip_leader", "yearly_review", reviews_done=2, amount=None)
    refusal_of("award", f)
    assert refusal_of("enter_library", f) == ["只有第一年度评价为“优秀”的单位才能入库"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    category=st.sampled_from(ALL_CATEGORIES),
    trigger=st.sampled_from(ALL_TRIGGERS),
    amount=st.none() | st.integers(-1, 2_000_000),
    reviews_done=st.integers(0, 4),
    term_years=st.integers(1, 3),
    awards_total=st.sampled_from([0, 100_000, 200_000]),
    via_ranking=st.booleans(),
    credit_block=st.none() | st.just("行政处罚"),
    conflict=st.none() | st.just("利益冲突"),
    revenue=st.sampled_from([{}, REVENUE_OK, {"revenue": "9999999", "registered": "yes"}]),
    reports=st.tuples(st.integers(0, 4), st.integers(0, 4)),
)
def test_fire_either_moves_to_a_documented_state_or_refuses_with_reasons_changing_nothing(
    data: st.DataObject,
    category: str,
    trigger: str,
    amount: int | None,
    reviews_done: int,
    term_years: int,
    awards_total: int,
    via_ranking: bool,
    credit_block: str | None,
    conflict: str | None,
    revenue: dict[str, str],
    reports: tuple[int, int],
) -> None:
    state = data.draw(st.sampled_from(sorted(EXPECTED[category])))
    f = facts(
        category,
        state,
        amount=amount,
        reviews_done=reviews_done,
        term_years=term_years,
        awards_total=awards_total,
        via_ranking=via_ranking,
        credit_block=credit_block,
        conflict=conflict,
        data=dict(revenue),
        reports_due_in_term=reports[0],
        reports_submitted=reports[1],
    )
    before = copy.deepcopy(f)
    try:
        new_state = fire(trigger, f)
    except TransitionRefused as refused:
        assert refused.reasons
        assert all(isinstance(r, str) and r for r in refused.reasons)
    else:
        assert trigger in EXPECTED[category][state]
        assert new_state == DEST[trigger]
    assert f == before
    assert machine_for(category, 1).models == []
