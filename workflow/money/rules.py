"""The contractor's budget review before implementation and fund evaluation after it (seed 004).

Seed 004 (③ 预算合规执行监管): 事前建议 — review the budget's compliance and soundness and
suggest optimisations; 事后评价 — evaluate the final accounts of an acceptance or a stage
evaluation: balance (结余), carry-over (结转) and use efficiency (使用效益).

- The budget is reviewed while the project is approved and not yet started (REVIEW_STATES):
  before implementation, once its lines are set. "revise" needs a suggestion or a line;
  "approve" suggests no other amounts. Suggested amounts replace the lines they name (0 drops
  a line, a new name adds one), and the budget they give must still add up to the grant.
- The funds are evaluated at a stage evaluation or acceptance under way (STAGE_STATES: the
  balance so far, which the project carries into its next stage) or once the final accounts
  are recorded (their balance, carry-over and recovery); once per stage.
"""

from __future__ import annotations

from workflow.core.i18n import N_

REVIEW_STATES = frozenset({"approved"})
"""States in which the budget is reviewed: approved, implementation not yet started."""
OPINIONS = {"approve": N_("同意"), "revise": N_("建议调整")}
"""The review's opinion on the budget, by code."""
STAGE_STATES = frozenset({"yearly_review", "acceptance", "rectifying"})
"""States of a stage evaluation or acceptance under way, before any final accounts."""
BASES = {"final": N_("结项决算"), "stage": N_("阶段评价")}
"""What an evaluation rests on: the final accounts, or the figures of a stage evaluation."""


def suggested_budget(lines: dict[str, int], suggested: dict[str, int]) -> dict[str, int]:
    """The budget the suggestions give: each suggested amount replaces its line, 0 drops it."""
    merged = {**lines, **suggested}
    return {name: amount for name, amount in merged.items() if amount > 0}


def stage_balance(disbursed: int, accepted: int) -> int:
    """What is left of the money paid at a stage: disbursed − spent and accepted."""
    return disbursed - accepted


def use_rate(accepted: int, disbursed: int) -> float | None:
    """认可支出率: accepted spending ÷ money disbursed, in percent; None before any payment."""
    return round(100 * accepted / disbursed, 2) if disbursed > 0 else None
