"""Who may do what: the role → action table, as data, and the question it answers."""

from __future__ import annotations

from workflow.core.i18n import N_

ROLES: dict[str, str] = {
    "admin": N_("省知识产权局"),
    "manager": N_("项目管理员"),
    "unit": N_("项目承担单位"),
    "contractor": N_("风险防控机构"),
}

EVERYTHING = "*"

CREATE = "create"
"""Create or import applications."""
REPORT = "report_submit"
"""Submit a quarterly report."""
LETTER_REVIEW = "letter_review"
"""Review a warning letter (pending → reviewed → closed or escalated)."""
RECTIFICATION = "rectification"
"""Record a rectification plan (整改方案) or its follow-up."""
USERS = "user_manage"
"""Add or disable users."""

PERMISSIONS: dict[str, frozenset[str]] = {
    # The provincial office decides: approval, rejection, reviews, money, acceptance, closure.
    "admin": frozenset({EVERYTHING}),
    # Programme staff run the procedure but decide nothing on merit or money.
    "manager": frozenset(
        {CREATE, "screen", "withdraw", "start", "review", "request_acceptance", REPORT}
    ),
    # A funded unit reports on, and may withdraw, its own projects only.
    "unit": frozenset({"withdraw", REPORT, RECTIFICATION}),
    # The risk-control contractor watches and follows up; it fires no lifecycle trigger.
    "contractor": frozenset({LETTER_REVIEW, RECTIFICATION}),
}
"""Actions each role may take; lifecycle triggers by name. Anything unlisted is the office's."""

OWN_PROJECTS_ONLY: frozenset[str] = frozenset({"unit"})
"""Roles that may act only on projects of their own unit."""


def allowed(role: str, action: str) -> bool:
    """Whether `role` may take `action` (a lifecycle trigger or one of the actions above)."""
    granted = PERMISSIONS.get(role, frozenset())
    return EVERYTHING in granted or action in granted
