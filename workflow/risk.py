"""The red/amber/green flag of SPEC.md §5: rules over one project's findings, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.config import CheckSettings

GREEN, AMBER, RED = "green", "amber", "red"
FLAG_LABELS = {GREEN: "绿", AMBER: "黄", RED: "红"}
_RANK = {GREEN: 0, AMBER: 1, RED: 2}


@dataclass(frozen=True)
class Findings:
    """What the nightly check found about one project on one day."""

    lag: float | None
    reports_overdue: int = 0
    open_letters: int = 0
    rectification_overdue_days: int = 0
    misuse_flags: int = 0
    unreviewed_large_expenses: int = 0


@dataclass(frozen=True)
class Reason:
    """One rule that raised the flag: its level, a stable code and a sentence for readers."""

    level: str
    code: str
    text: str


@dataclass(frozen=True)
class Assessment:
    """A project's flag and every reason behind it (green has none)."""

    flag: str
    reasons: list[Reason] = field(default_factory=list)


def assess(f: Findings, c: CheckSettings) -> Assessment:
    """Apply the red rules, then the amber rules; the worst level that applies is the flag."""
    reasons: list[Reason] = []
    if f.lag is not None and f.lag > c.lag_red:
        reasons.append(
            Reason(RED, "lag_red", f"进度滞后{f.lag:g}个百分点，超过{c.lag_red:g}（严重滞后）")
        )
    elif f.lag is not None and f.lag > c.lag_warning:
        reasons.append(Reason(AMBER, "lag", f"进度滞后{f.lag:g}个百分点，超过{c.lag_warning:g}"))
    if f.reports_overdue >= c.reports_missing_red:
        reasons.append(Reason(RED, "reports_missing", f"缺交季度报告{f.reports_overdue}份"))
    elif f.reports_overdue > 0:
        reasons.append(Reason(AMBER, "report_overdue", f"季度报告逾期{f.reports_overdue}份"))
    if f.rectification_overdue_days > c.rectification_overdue_red_days:
        reasons.append(
            Reason(
                RED, "rectification_overdue", f"整改方案逾期{f.rectification_overdue_days}天未提交"
            )
        )
    if f.misuse_flags:
        reasons.append(Reason(RED, "misuse", f"存在{f.misuse_flags}笔疑似违规挪用的支出"))
    if f.open_letters:
        reasons.append(Reason(AMBER, "open_letter", f"有{f.open_letters}份预警告知书尚未办结"))
    if f.unreviewed_large_expenses:
        reasons.append(
            Reason(AMBER, "large_expense", f"有{f.unreviewed_large_expenses}笔大额支出尚未审核")
        )
    flag = max((r.level for r in reasons), key=_RANK.__getitem__, default=GREEN)
    return Assessment(flag, reasons)


def worse(a: str, b: str) -> bool:
    """Whether flag `a` is worse than flag `b`."""
    return _RANK[a] > _RANK[b]
