"""Who may do what: every role × action decided in one table, as data, and the question it answers.

A right is one of four: `ALLOW` (on any subject), `OWN` (only on subjects of the actor's own
unit; lists are narrowed to that unit), `IN_SCOPE` (only on projects of the categories the
contractor monitors, `states.categories.MONITORED`; lists are narrowed to them) or `DENY`. The table decides every pair: a use case
whose action has no row, or a row that leaves a role out, fails the tests.

Office roles (admin 省知识产权局, manager 项目管理员) keep the records: units, credit records,
budget lines, disbursements and the programme budget, and see every project. Decisions on
merit (approval, reviews, acceptance, sanctions, the handling of risk-disposal
recommendations) are the admin's. The contractor (风险防控机构) reads the projects it monitors
(not patent navigation, not securitisation, not its own risk-control project), reviews their
letters, rectification, expenditures and qualitative indicators, reviews their budgets before
implementation and evaluates their funds after it, records their performance evaluations,
keeps the risk-point register and writes the periodic reports; it fires no lifecycle trigger.
Programme staff read the register; a unit reads the points of its own projects, never the
programme-wide ones. A unit (项目承担单位) acts and
reads on its own unit's projects only. The scheduler is the process that runs the nightly check
and delivers the outbox. Programme staff may look at the whole outbox (what waits, what failed
and why), the contractor at the messages about the projects it monitors; putting failed
messages back in the queue is the admin's and the scheduler's.
"""

from __future__ import annotations

from typing import Final, Literal

from states.definitions import DEFINITIONS
from workflow.core.i18n import N_

ROLES: dict[str, str] = {
    "admin": N_("省知识产权局"),
    "manager": N_("项目管理员"),
    "unit": N_("项目承担单位"),
    "contractor": N_("风险防控机构"),
    "scheduler": N_("定时任务"),
}

Right = Literal["allow", "own", "monitored", "deny"]
ALLOW: Final = "allow"
OWN: Final = "own"
IN_SCOPE: Final = "monitored"
DENY: Final = "deny"

ORDER = tuple(ROLES)
"""Column order of the rows below: admin, manager, unit, contractor, scheduler."""


def _row(*rights: Right) -> dict[str, Right]:
    assert len(rights) == len(ORDER)
    return dict(zip(ORDER, rights, strict=True))


A: Final = ALLOW
U: Final = OWN  # on its own unit's subjects only
M: Final = IN_SCOPE  # on the monitored categories' projects only
D: Final = DENY

USE_CASES: dict[str, dict[str, Right]] = {
    # action: admin, manager, unit, contractor, scheduler
    "demo_build": _row(A, D, D, D, D),
    "user_add": _row(A, D, D, D, D),
    "user_disable": _row(A, D, D, D, D),
    "user_list": _row(A, A, D, D, D),
    "user_password": _row(A, D, D, D, D),
    "password_own": _row(A, A, A, A, D),
    "token_issue": _row(A, D, D, D, D),
    "token_own": _row(A, A, A, A, A),
    "token_list": _row(A, A, A, A, A),
    "token_revoke": _row(A, A, A, A, A),
    "sign_in_list": _row(A, D, D, D, D),
    "refusal_list": _row(A, D, D, D, D),
    "unit_add": _row(A, A, D, D, D),
    "unit_list": _row(A, A, U, A, D),
    "unit_show": _row(A, A, U, A, D),
    "unit_set": _row(A, A, D, D, D),
    "credit_record_add": _row(A, A, D, D, D),
    "credit_record_list": _row(A, A, U, A, D),
    "credit_record_revoke": _row(A, A, D, D, D),
    "project_create": _row(A, A, D, D, D),
    "project_import": _row(A, A, D, D, D),
    "project_list": _row(A, A, U, M, D),
    "project_show": _row(A, A, U, M, D),
    "project_amend": _row(A, A, D, D, D),
    "report_submit": _row(A, A, U, M, D),
    "report_correct": _row(A, A, U, M, D),
    "check_run": _row(A, A, D, D, A),
    "scheduler_run": _row(A, D, D, D, A),
    "notify_flush": _row(A, A, D, D, A),
    "notify_list": _row(A, A, D, M, D),
    "notify_retry": _row(A, D, D, D, A),
    "letter_list": _row(A, A, U, M, D),
    "letter_show": _row(A, A, U, M, D),
    "letter_review": _row(A, D, D, M, D),
    "letter_file": _row(A, A, U, M, D),
    "rectification": _row(A, D, U, M, D),
    "recommendation_list": _row(A, A, D, M, D),
    "recommendation_handle": _row(A, D, D, D, D),
    "city_rank": _row(A, A, D, A, D),
    "ledger_export": _row(A, A, U, M, D),
    "report_periodic": _row(A, A, D, A, D),
    "chart_project": _row(A, A, U, M, D),
    "chart_programme": _row(A, A, D, A, D),
    "programme_budget": _row(A, A, D, D, D),
    "programme_status": _row(A, A, D, A, D),
    "budget_set": _row(A, A, D, D, D),
    "budget_show": _row(A, A, U, M, D),
    "disburse": _row(A, A, D, D, D),
    "disburse_reverse": _row(A, A, D, D, D),
    "disburse_list": _row(A, A, U, M, D),
    "expense_add": _row(A, A, U, D, D),
    "expense_review": _row(A, D, D, M, D),
    "budget_review": _row(A, D, D, M, D),
    "budget_evaluate": _row(A, D, D, M, D),
    "risk_add": _row(A, D, D, A, D),
    "risk_update": _row(A, D, D, A, D),
    "risk_list": _row(A, A, U, A, D),
    "indicator_add": _row(A, A, D, D, D),
    "indicator_record": _row(A, A, U, D, D),
    "indicator_assess": _row(A, D, D, M, D),
    "indicator_list": _row(A, A, U, M, D),
    "evaluation_record": _row(A, D, D, M, D),
}
"""The rights of each role on each use case that is not a lifecycle trigger."""

MANAGER_TRIGGERS = frozenset({"screen", "withdraw", "start", "review", "request_acceptance"})
"""Triggers that run the procedure without deciding on merit or money: programme staff's."""
UNIT_TRIGGERS = frozenset({"withdraw"})
"""A unit may withdraw its own application; every other trigger is the office's."""


def _trigger_row(trigger: str) -> dict[str, Right]:
    return _row(
        ALLOW,
        ALLOW if trigger in MANAGER_TRIGGERS else DENY,
        OWN if trigger in UNIT_TRIGGERS else DENY,
        DENY,
        DENY,
    )


TRIGGERS: dict[str, dict[str, Right]] = {
    t.trigger: _trigger_row(t.trigger) for d in DEFINITIONS.values() for t in d.transitions
}
"""The rights on each lifecycle trigger (`project advance ID TRIGGER`) of any category."""

PERMISSIONS: dict[str, dict[str, Right]] = {**USE_CASES, **TRIGGERS}
"""Every action the boundary knows: use cases and lifecycle triggers."""


def right(role: str, action: str) -> Right:
    """What `role` may do with `action`; an action or role the table does not know is denied."""
    return PERMISSIONS.get(action, {}).get(role, DENY)


def allowed(role: str, action: str) -> bool:
    """Whether `role` may take `action` at all (on any subject, or on its own unit's)."""
    return right(role, action) != DENY


def granted(role: str) -> list[str]:
    """The actions `role` may take (on any subject or on its own unit's), sorted."""
    return sorted(a for a, row in PERMISSIONS.items() if row.get(role, DENY) != DENY)
