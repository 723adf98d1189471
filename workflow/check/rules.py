"""The red/amber/green flag of SPEC.md §5: rules over one project's findings, with reasons."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import cache

from workflow.core.config import CheckSettings
from workflow.core.i18n import N_, _

GREEN, AMBER, RED = "green", "amber", "red"
FLAG_LABELS = {GREEN: N_("绿"), AMBER: N_("黄"), RED: N_("红")}
_RANK = {GREEN: 0, AMBER: 1, RED: 2}

REASON_TEXTS = {
    "lag_red": N_("进度滞后{lag}个百分点，超过{limit}（严重滞后）"),
    "lag": N_("进度滞后{lag}个百分点，超过{limit}"),
    "reports_missing": N_("缺交季度报告{count}份"),
    "report_overdue": N_("季度报告逾期{count}份"),
    "annual_reports_missing": N_("缺交年度报告{count}份"),
    "annual_report_overdue": N_("年度报告逾期{count}份"),
    "rectification_overdue": N_("整改方案逾期{days}天未提交"),
    "misuse": N_("存在{count}笔疑似违规挪用的支出"),
    "open_letter": N_("有{count}份预警告知书尚未办结"),
    "large_expense": N_("有{count}笔大额支出尚未审核"),
}
"""The sentence of each reason code. Reasons are stored and sent in Chinese (the ledger,
letters and notices); `explain` renders a stored one in the language in force."""


@dataclass(frozen=True)
class Findings:
    """What the nightly check found about one project on one day."""

    lag: float | None
    reports_overdue: int = 0
    annual_reports: bool = False
    """The project owes annual reports (data_ip_leader), not quarterly ones."""
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


def _reason(level: str, code: str, **values: object) -> Reason:
    return Reason(level, code, REASON_TEXTS[code].format(**values))


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching `template` filled in, one named group per placeholder."""
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts))


def explain(code: str, text: str) -> str:
    """A stored reason in the language in force; its Chinese text when it fits no template."""
    template = REASON_TEXTS.get(code)
    match = _pattern(template).fullmatch(text) if template else None
    if template is None or match is None:
        return text
    return _(template).format(**match.groupdict())


def assess(f: Findings, c: CheckSettings) -> Assessment:
    """Apply the red rules, then the amber rules; the worst level that applies is the flag."""
    reasons: list[Reason] = []
    if f.lag is not None and f.lag > c.lag_red:
        reasons.append(_reason(RED, "lag_red", lag=f"{f.lag:g}", limit=f"{c.lag_red:g}"))
    elif f.lag is not None and f.lag > c.lag_warning:
        reasons.append(_reason(AMBER, "lag", lag=f"{f.lag:g}", limit=f"{c.lag_warning:g}"))
    prefix = "annual_" if f.annual_reports else ""
    if f.reports_overdue >= c.reports_missing_red:
        reasons.append(_reason(RED, f"{prefix}reports_missing", count=f.reports_overdue))
    elif f.reports_overdue > 0:
        reasons.append(_reason(AMBER, f"{prefix}report_overdue", count=f.reports_overdue))
    if f.rectification_overdue_days > c.rectification_overdue_red_days:
        reasons.append(_reason(RED, "rectification_overdue", days=f.rectification_overdue_days))
    if f.misuse_flags:
        reasons.append(_reason(RED, "misuse", count=f.misuse_flags))
    if f.open_letters:
        reasons.append(_reason(AMBER, "open_letter", count=f.open_letters))
    if f.unreviewed_large_expenses:
        reasons.append(_reason(AMBER, "large_expense", count=f.unreviewed_large_expenses))
    flag = max((r.level for r in reasons), key=_RANK.__getitem__, default=GREEN)
    return Assessment(flag, reasons)
