"""Demo sign-in accounts: one per role of the web console, all with the one demo password."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import case, select

from workflow.access.actions import add_user
from workflow.core.boundary import orchestration
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.db.engine import transaction
from workflow.db.orm import Letter, Project, Unit

DEMO_PASSWORD = "ipflow-demo-2027"
"""The password of every demo account: a demo database is for looking around, never for use."""


@dataclass(frozen=True)
class DemoAccount:
    """A demo account: its name, role and unit (the unit role's)."""

    name: str
    role: str
    unit: str | None


def _unit_with_a_letter(ctx: AppContext) -> str:
    """The unit of the demo's first red warning letter (else its first letter): the one whose
    user has a letter to answer and a report to send."""
    with transaction(ctx.engine) as session:
        found = session.scalar(
            select(Unit.name)
            .join(Project, Project.unit_id == Unit.id)
            .join(Letter, Letter.project_id == Project.id)
            .order_by(case((Letter.level == "red", 0), else_=1), Letter.id)
            .limit(1)
        )
    if found is None:
        raise Refused(_("演示数据中没有预警告知书：请在新建的演示数据库上登记演示账户"))
    return found


@orchestration("demo_build", write=True)
def register_accounts(ctx: AppContext) -> list[DemoAccount]:
    """Register the demo's accounts with DEMO_PASSWORD: the office's admin first (who then
    registers the others), programme staff, the contractor and a unit's user."""
    accounts = [
        DemoAccount("office", "admin", None),
        DemoAccount("manager", "manager", None),
        DemoAccount("contractor", "contractor", None),
        DemoAccount("unit", "unit", _unit_with_a_letter(ctx)),
    ]
    admin = replace(ctx, actor=accounts[0].name)
    for n, account in enumerate(accounts):
        add_user(admin if n else ctx, account.name, account.role, account.unit, DEMO_PASSWORD)
    return accounts
