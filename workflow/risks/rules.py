"""Risk points (seed 004 ② 风险识别与评估: 梳理项目各环节风险点，每半年排查风险): levels, statuses,
and what a point looked like on a day.

A point is identified on a day with a level, an owner (who acts) and an action (what is done),
and stays open until it is closed; it may be reopened, and its level may be reassessed. Each
change is recorded on its day, so a report of a past half-year shows the points as they stood
then: those identified by its end and not closed before it began, with their status and level
at its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from workflow.core.i18n import N_

LEVELS = {"high": N_("高"), "medium": N_("中"), "low": N_("低")}
"""The levels of a risk point, highest first."""
OPEN, CLOSED = "open", "closed"
STATUSES = {OPEN: N_("未关闭"), CLOSED: N_("已关闭")}


@dataclass(frozen=True)
class Change:
    """One recorded change of a point: on `day`, to `status` and `level`."""

    day: date
    status: str
    level: str


def standing(first_level: str, changes: Sequence[Change], day: date) -> tuple[str, str]:
    """(status, level) of a point on `day`: as identified, then after each change up to `day`.

    `changes` are in the order they were recorded.
    """
    status, level = OPEN, first_level
    for change in changes:
        if change.day <= day:
            status, level = change.status, change.level
    return status, level


def in_period(
    identified_on: date, first_level: str, changes: Sequence[Change], first: date, last: date
) -> bool:
    """Whether a point belongs to the period first..last: identified by its end and still open
    when it began (or identified within it)."""
    if identified_on > last:
        return False
    if identified_on >= first:
        return True
    before = date.fromordinal(first.toordinal() - 1)
    return standing(first_level, changes, before)[0] == OPEN
