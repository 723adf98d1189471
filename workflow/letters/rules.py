"""The review of warning letters as data: statuses, their labels and the moves between them."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.core.i18n import N_


@dataclass(frozen=True)
class ReviewStatus:
    """One status of a warning letter's review (SPEC.md §6)."""

    code: str
    label: str
    """A msgid, translated where it is read."""
    moves: tuple[str, ...]
    """The statuses the contractor may move the letter to from this one."""
    needs_plan: bool = False
    """Whether a letter reaches this status only once its rectification plan is recorded."""
    recommends: bool = False
    """Whether reaching it hands the office a risk-disposal recommendation (风险处置建议)."""

    @property
    def final(self) -> bool:
        """Whether the review is over: the letter is no longer open and takes no plan."""
        return not self.moves


STATUSES: dict[str, ReviewStatus] = {
    s.code: s
    for s in (
        ReviewStatus("pending", N_("待审核"), ("reviewed", "escalated")),
        ReviewStatus("reviewed", N_("已审核"), ("closed", "escalated")),
        ReviewStatus("closed", N_("已办结"), (), needs_plan=True),
        ReviewStatus("escalated", N_("已上报"), (), recommends=True),
    )
}
"""Every status, in the order of the review: pending → reviewed → closed, or escalated."""

ISSUED = "pending"
"""The status of a letter when the nightly check issues it."""

OPEN_STATUSES: tuple[str, ...] = tuple(code for code, s in STATUSES.items() if not s.final)
"""Statuses of a letter still open: it keeps the project amber and no new letter is issued."""
