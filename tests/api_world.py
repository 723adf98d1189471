"""A small programme for the API's tests: two units, every role, a letter, an expenditure, tokens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from tests.factories import make_project, register
from workflow.access.actions import add_user
from workflow.auth.actions import issue_own_token, issue_token, revoke_token
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.letters.actions import list_letters
from workflow.money.budget import record_expenditure
from workflow.projects.actions import advance
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

UNIT_A, UNIT_B = "贵州大学", "贵州理工学院"
ROLES = {
    "admin": ("王处长", "admin", None),
    "manager": ("李科长", "manager", None),
    "unit": ("贵大科技处", "unit", UNIT_A),
    "foreign": ("理工科技处", "unit", UNIT_B),
    "contractor": ("风控所", "contractor", None),
    "scheduler": ("夜间任务", "scheduler", None),
}
"""Who walks the API: each key a role as the tests name it (`foreign`: a unit user of unit B)."""

TEN_DAYS = [PlanRow("开展摸底调研", date(2027, 1, 1), date(2027, 1, 11), 1)]
"""One 10-day task: on 2027-01-07 planned progress is 60%, so a report of 45% lags 15 points."""
CHECKED = date(2027, 1, 7)


@dataclass(frozen=True)
class World:
    """What the programme holds: project, letter and expenditure ids, and a token per role."""

    monitored: int
    """Unit A's high_value_patent project, in progress, behind plan, with a warning letter."""
    unmonitored: int
    """Unit A's patent_navigation project, in progress: not the contractor's to see."""
    foreign: int
    """Unit B's project."""
    letter: int
    """The warning letter on `monitored`."""
    expense: int
    """A flagged expenditure of `monitored`, awaiting review."""
    revoked_token: int
    """A token of the unit's user, revoked already."""
    tokens: dict[str, str]
    """A bearer token per key of ROLES."""

    def bearer(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def build_world(ctx: AppContext) -> World:
    """Users of every role, the projects, the check that issues the letter, the tokens."""
    for unit in (UNIT_A, UNIT_B):
        register(ctx, unit, "university", {"valid_patents": "45"})
    admin = replace(ctx, actor=ROLES["admin"][0])
    for name, role, unit in ROLES.values():  # no passwords: the tests hold tokens
        add_user(ctx if role == "admin" else admin, name, role, unit)
    monitored = make_project(admin, plan=TEN_DAYS, title="磷石膏资源化利用高价值专利培育")
    unmonitored = make_project(
        admin, state="screened", category="patent_navigation", title="新能源电池产业专利导航"
    )
    advance(admin, unmonitored, "approve", data={"kind": "industry"})
    advance(admin, unmonitored, "start")
    foreign = make_project(admin, unit=UNIT_B, plan=TEN_DAYS, title="锰系新材料专利培育")
    submit(admin, monitored, CHECKED, {"开展摸底调研": 45})
    assert run_check(admin, CHECKED).letters_issued == 1
    [letter] = list_letters(admin, None)
    expense = record_expenditure(admin, monitored, "设备费", CHECKED, 38_000, "检测仪器").id
    tokens = {
        role: issue_token(admin, name, "tests").token for role, (name, _r, _u) in ROLES.items()
    }
    unit = replace(ctx, actor=ROLES["unit"][0])
    revoked = revoke_token(unit, issue_own_token(unit, "旧令牌").id).id
    return World(monitored, unmonitored, foreign, letter.id, expense, revoked, tokens)
