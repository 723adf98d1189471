"""The performance evaluation's arithmetic (SPEC.md §8): targets met, fund use, the qualitative
side, the composite score and its grade.

- 绩效目标达成率 (target achievement) = quantitative targets met ÷ quantitative targets, in
  percent; a target is met when its latest actual is at least the target, and a target with
  no actual yet is not met;
- fund use (资金使用效益) = spent ÷ granted (支出率, `workflow.money.figures`), in percent; the
  score counts it up to 100 (spending beyond the grant earns nothing more);
- the qualitative side (定性评价, social impact and the like) = the mean of the assessments
  (met 1, partly 0.5, not met 0; one not yet assessed counts 0), in percent;
- the composite score = the weighted mean of the three (`[performance] weights`, default
  50/30/20), over those that have figures (no quantitative target, no grant or no qualitative
  indicator: that dimension does not weigh); graded 优秀 ≥ 90, 良好 ≥ 75, 合格 ≥ 60, else 不合格.
  A project with no indicator at all has no score: its performance targets were never set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from workflow.core.i18n import N_
from workflow.core.results import Result

QUANTITATIVE = "quantitative"
QUALITATIVE = "qualitative"
KINDS = {QUANTITATIVE: N_("定量"), QUALITATIVE: N_("定性")}
"""The kinds of indicator (量化与质化评价标准) and their labels."""
ASSESSMENTS: dict[str, tuple[str, float]] = {
    "met": (N_("达到"), 1.0),
    "partly": (N_("部分达到"), 0.5),
    "not_met": (N_("未达到"), 0.0),
}
"""A qualitative indicator's assessment: its label and what it counts for."""
GRADES = ((90.0, "excellent"), (75.0, "good"), (60.0, "pass"), (0.0, "fail"))
"""Grade by composite score (综合得分), highest first."""
GRADE_LABELS = {
    "excellent": N_("优秀"),
    "good": N_("良好"),
    "pass": N_("合格"),
    "fail": N_("不合格"),
}


@dataclass(frozen=True)
class Reading:
    """An indicator as it stood on a day: its target or criterion and its latest value."""

    kind: str
    target: float | None
    actual: float | None
    assessment: str | None

    @property
    def met(self) -> bool | None:
        """Whether a quantitative target is met (no actual yet: not met); None if qualitative."""
        if self.kind != QUANTITATIVE:
            return None
        return self.actual is not None and self.target is not None and self.actual >= self.target


def percent(part: float, whole: float) -> float | None:
    """`part` of `whole` in percent, to two decimals; None when `whole` is 0."""
    return round(100 * part / whole, 2) if whole else None


@dataclass(frozen=True)
class Figures(Result):
    """The evaluation's figures for one project, or pooled over several."""

    targets: int
    """Quantitative indicators (each has a target)."""
    targets_met: int
    qualitative: int
    """Qualitative indicators."""
    assessed: dict[str, int] = field(default_factory=dict)
    """How many qualitative indicators carry each assessment (met, partly, not_met)."""
    granted: int = 0
    spent: int = 0

    @property
    def achievement(self) -> float | None:
        """绩效目标达成率: targets met ÷ targets, in percent; None without a target."""
        return percent(self.targets_met, self.targets)

    @property
    def fund_use(self) -> float | None:
        """Spent ÷ granted, in percent; None without a grant."""
        return percent(self.spent, self.granted)

    @property
    def qualitative_rate(self) -> float | None:
        """The qualitative assessments' mean, in percent; None without a qualitative indicator."""
        points = sum(ASSESSMENTS[code][1] * n for code, n in self.assessed.items())
        return percent(points, self.qualitative)

    @property
    def unassessed(self) -> int:
        """Qualitative indicators without an assessment yet."""
        return self.qualitative - sum(self.assessed.values())

    def score(self, weights: Mapping[str, float]) -> float | None:
        """The composite score (0–100, one decimal) over the dimensions that have figures;
        None without any indicator."""
        if not self.targets and not self.qualitative:
            return None
        fund_use = None if self.fund_use is None else min(self.fund_use, 100.0)
        parts = [
            (value, weights.get(key, 0.0))
            for key, value in (
                ("targets", self.achievement),
                ("funds", fund_use),
                ("qualitative", self.qualitative_rate),
            )
            if value is not None
        ]
        weight = sum(w for _v, w in parts)
        return round(sum(v * w for v, w in parts) / weight, 1) if weight else None

    def as_record(self, weights: Mapping[str, float]) -> dict[str, object]:
        """What an evaluation stores of its figures: counts, rates and the computed score."""
        return {
            **self.as_json(),
            "achievement": self.achievement,
            "fund_use": self.fund_use,
            "qualitative_rate": self.qualitative_rate,
            "computed_score": self.score(weights),
        }


def figures(readings: Iterable[Reading], granted: int, spent: int) -> Figures:
    """A project's figures from its indicators' readings and its money."""
    readings = list(readings)
    qualitative = [r for r in readings if r.kind == QUALITATIVE]
    assessed: dict[str, int] = {}
    for r in qualitative:
        if r.assessment is not None:
            assessed[r.assessment] = assessed.get(r.assessment, 0) + 1
    quantitative = [r for r in readings if r.kind == QUANTITATIVE]
    return Figures(
        targets=len(quantitative),
        targets_met=sum(bool(r.met) for r in quantitative),
        qualitative=len(qualitative),
        assessed=assessed,
        granted=granted,
        spent=spent,
    )


def pooled(many: Iterable[Figures]) -> Figures:
    """Several projects' figures added up: a class's or the whole programme's."""
    total = Figures(0, 0, 0)
    for f in many:
        assessed = dict(total.assessed)
        for code, n in f.assessed.items():
            assessed[code] = assessed.get(code, 0) + n
        total = Figures(
            total.targets + f.targets,
            total.targets_met + f.targets_met,
            total.qualitative + f.qualitative,
            assessed,
            total.granted + f.granted,
            total.spent + f.spent,
        )
    return total


def grade(score: float) -> str:
    """The grade (a code of GRADE_LABELS) of a composite score."""
    return next(g for floor, g in GRADES if score >= floor)
