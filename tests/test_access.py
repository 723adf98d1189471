"""The use-case boundary: one table decides every role × action, and the CLI obeys it.

With an admin and a unit user of 贵州大学 registered, a unit user, a disabled user and a
name that is no registered user try the office's commands: each is refused with exit 1, a
clear sentence and one refusal-log row, and nothing else in the database changes. A unit
user's lists hold its own unit only.
"""

from __future__ import annotations

import ast
import csv
import importlib
import json
import pkgutil
import types
import typing
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

import workflow
from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import make_project
from workflow.access.actions import UserView, add_user, disable_user
from workflow.access.rules import (
    ALLOW,
    DENY,
    IN_SCOPE,
    OWN,
    PERMISSIONS,
    ROLES,
    TRIGGERS,
    right,
)
from workflow.check.actions import run_check
from workflow.core.boundary import REGISTRY
from workflow.core.context import AppContext
from workflow.money.budget import record_expenditure, set_budget_lines
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit
from workflow.units.actions import add_unit

ROOT = Path(__file__).resolve().parents[1]


def _import_every_workflow_module() -> None:
    for module in pkgutil.walk_packages(workflow.__path__, "workflow."):
        importlib.import_module(module.name)


_import_every_workflow_module()


def test_the_registry_holds_the_use_cases_of_every_feature() -> None:
    features = {name.split(".")[1] for name in REGISTRY}
    assert {"access", "units", "projects", "check", "letters", "money", "reporting"} <= features
    assert len(REGISTRY) >= 35


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_use_case_action_has_a_row_that_decides_every_role(name: str) -> None:
    for action in REGISTRY[name].actions:
        assert action in PERMISSIONS, f"{name}: no permission entry for {action!r}"
        assert set(PERMISSIONS[action]) == set(ROLES), f"{action}: undecided roles"
        assert set(PERMISSIONS[action].values()) <= {ALLOW, OWN, IN_SCOPE, DENY}


def test_only_the_contractor_is_confined_to_the_monitored_projects() -> None:
    confined = {role for row in PERMISSIONS.values() for role, r in row.items() if r == IN_SCOPE}
    assert confined == {"contractor"}
    assert right("contractor", "project_show") == IN_SCOPE
    assert right("manager", "project_show") == ALLOW


def test_the_lifecycle_triggers_are_all_decided_and_only_the_admin_decides_on_merit() -> None:
    advance = REGISTRY["workflow.projects.actions.advance"]
    assert set(advance.actions) == set(TRIGGERS)
    for trigger in ("approve", "reject", "roll", "terminate", "pass_acceptance", "close"):
        assert [r for r in ROLES if right(r, trigger) != DENY] == ["admin"], trigger
    assert right("unit", "withdraw") == OWN
    assert right("manager", "screen") == ALLOW


def test_the_project_page_shows_only_what_project_show_already_lets_each_role_read() -> None:
    from workflow.projects.dossier import SHOWN_WITH

    for action in SHOWN_WITH:
        assert PERMISSIONS[action] == PERMISSIONS["project_show"], action


def test_an_action_the_table_does_not_know_is_denied_to_every_role() -> None:
    assert {right(role, "no_such_action") for role in ROLES} == {DENY}


@pytest.mark.parametrize(
    ("action", "roles"),
    [
        ("disburse", ["admin", "manager"]),
        ("programme_budget", ["admin", "manager"]),
        ("budget_set", ["admin", "manager"]),
        ("credit_record_add", ["admin", "manager"]),
        ("unit_add", ["admin", "manager"]),
        ("expense_review", ["admin", "contractor"]),
        ("check_run", ["admin", "manager", "scheduler"]),
        ("notify_flush", ["admin", "manager", "scheduler"]),
        ("user_add", ["admin"]),
    ],
)
def test_money_credit_records_and_runs_belong_to_the_roles_the_office_decided(
    action: str, roles: list[str]
) -> None:
    assert [r for r in ROLES if right(r, action) != DENY] == roles


def _cli_imports() -> set[tuple[str, str]]:
    sources = [ROOT / "cli.py", *sorted((ROOT / "commands").glob("*.py"))]
    found: set[tuple[str, str]] = set()
    for path in sources:
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workflow."):
                found.update((node.module or "", alias.name) for alias in node.names)
    return found


def test_every_workflow_function_the_cli_hands_a_context_is_a_registered_use_case() -> None:
    import inspect

    unregistered = []
    for module, name in sorted(_cli_imports()):
        target = getattr(importlib.import_module(module), name)
        if not inspect.isfunction(target):
            continue
        if f"{target.__module__}.{target.__qualname__}" in REGISTRY:
            continue
        parameters = list(inspect.signature(target).parameters.values())
        if parameters and parameters[0].annotation in ("AppContext", AppContext):
            unregistered.append(f"{module}.{name}")
    assert unregistered == []


SCALARS = (int, float, bool, str, bytes, date, type(None))
"""What a use case may return bare: a plain value, never a dict."""


def _is_frozen_dataclass(annotation: object) -> bool:
    params = getattr(annotation, "__dataclass_params__", None)
    return isinstance(annotation, type) and params is not None and params.frozen


def _typed_result(annotation: object, inside: bool = False) -> bool:
    """A frozen dataclass, a list/tuple of them (or of plain values), a plain value, a union."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return all(_typed_result(a, inside) for a in typing.get_args(annotation))
    if origin in (list, tuple) and not inside:
        items = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return all(_typed_result(a, inside=True) for a in items)
    return _is_frozen_dataclass(annotation) or annotation in SCALARS


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_use_case_returns_a_frozen_dataclass_or_a_plain_value(name: str) -> None:
    module, function = name.rsplit(".", 1)
    returned = typing.get_type_hints(getattr(importlib.import_module(module), function))["return"]
    assert _typed_result(returned), f"{name} returns {returned}, not a frozen dataclass"


def test_the_return_check_refuses_a_dict_and_any() -> None:
    @dataclass
    class Mutable:
        id: int

    for wrong in (dict[str, int], list[dict[str, object]], typing.Any, Mutable, list[list[int]]):
        assert not _typed_result(wrong), wrong
    for allowed in (UserView, list[UserView], str | bytes, list[int], type(None)):
        assert _typed_result(allowed), allowed


# ---------------------------------------------------------------- the CLI, as users type it


def _as(ctx: AppContext, name: str) -> AppContext:
    return replace(ctx, actor=name)


@pytest.fixture
def office(ctx: AppContext) -> dict[str, int]:
    """Two universities with a project each (budget lines, a large expense, a letter), then
    an admin, a unit user of 贵州大学 and a disabled manager."""
    add_unit(ctx, "贵州大学", "university", "gzu@example.org", {"valid_patents": "1260"})
    add_unit(ctx, "贵州理工学院", "university", "git@example.org", {"valid_patents": "310"})
    plan = [PlanRow("任务", date(2027, 1, 1), date(2027, 3, 1), 1)]
    ids: dict[str, int] = {}
    for key, unit in (("own", "贵州大学"), ("other", "贵州理工学院")):
        project_id = make_project(ctx, unit=unit, title=f"{unit}高价值专利培育", plan=plan)
        set_budget_lines(ctx, project_id, {"设备费": 500_000})
        expense = record_expenditure(ctx, project_id, "设备费", date(2027, 4, 1), 150_000, "设备")
        submit(ctx, project_id, date(2027, 3, 1), {"任务": 20})
        ids[key], ids[f"expense_{key}"] = project_id, expense.id
    run_check(ctx, date(2027, 4, 14))
    add_user(ctx, "office", "admin", None)
    admin = _as(ctx, "office")
    add_user(admin, "gzu", "unit", "贵州大学")
    add_user(admin, "former", "manager", None)
    disable_user(admin, "former")
    return ids


OFFICE_COMMANDS = {
    "disburse": ["disburse", "{own}", "--date", "2027-04-15", "--amount", "500000", "--stage", "首期"],
    "expense review (own)": ["expense", "review", "{expense_own}", "--decision", "accept"],
    "expense review (other)": ["expense", "review", "{expense_other}", "--decision", "accept"],
    "unit record add": [
        "unit", "record", "add", "贵州理工学院", "--kind", "blacklist", "--start", "2027-04-01"
    ],
    "programme budget": [
        "programme", "budget", "--year", "2027", "--category", "high_value_patent",
        "--amount", "99999999",
    ],
    "budget set": ["budget", "set", "{own}", "--line", "设备费=500000"],
    "unit add": ["unit", "add", "竞争者公司", "--kind", "enterprise"],
    "unit set": ["unit", "set", "贵州理工学院", "--fact", "valid_patents=29"],
    "check run": ["check", "run", "--today", "2027-04-15"],
    "notify flush": ["notify", "flush"],
}  # fmt: skip

ACTORS = {"gzu": "无权", "former": "已停用", "stranger": "未登记"}
"""Who tries, and the word of the refusal that says why."""
ROLE_OF = {"gzu": "unit", "former": "manager", "stranger": None}


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_the_office_commands_are_refused_to_a_unit_a_disabled_user_and_a_stranger(
    office: dict[str, int], ipflow: Cli, engine: Engine, actor: str
) -> None:
    for command, template in OFFICE_COMMANDS.items():
        before = database_dump(engine)
        result = ipflow("--as", actor, *[a.format(**office) for a in template])
        after = database_dump(engine)
        assert result.exit_code == 1, (command, result.output)
        message = without_clock_notice(result.stderr)
        assert message.startswith("ipflow: ") and "\n" not in message, command
        assert f"用户“{actor}”" in message and ACTORS[actor] in message, (command, message)
        logged = after.pop("refusal_log")
        assert len(logged) == len(before.pop("refusal_log")) + 1, command
        who, role = logged[-1][2:4]
        assert (who, role) == (actor, ROLE_OF[actor]), command
        assert after == before, command


def test_the_admin_may_take_the_same_steps(office: dict[str, int], ipflow: Cli) -> None:
    for command in ("disburse", "budget set", "check run", "notify flush"):
        args = [a.format(**office) for a in OFFICE_COMMANDS[command]]
        result = ipflow("--as", "office", *args)
        assert result.exit_code == 0, (command, result.output)


def test_a_unit_user_lists_its_own_projects_letters_and_ledger_rows(
    office: dict[str, int], ipflow: Cli, tmp_path: Path
) -> None:
    everything = json.loads(ipflow("--as", "office", "project", "list", "--json").stdout)
    assert {p["unit"] for p in everything} == {"贵州大学", "贵州理工学院"}

    projects = json.loads(ipflow("--as", "gzu", "project", "list", "--json").stdout)
    assert [p["id"] for p in projects] == [office["own"]]
    letters = json.loads(ipflow("--as", "gzu", "letters", "list", "--json").stdout)
    assert letters and {x["project_id"] for x in letters} == {office["own"]}
    ledger = tmp_path / "ledger.csv"
    result = ipflow("--as", "gzu", "ledger", "export", "--format", "csv", "--output", str(ledger))
    assert result.exit_code == 0, result.output
    with ledger.open(encoding="utf-8-sig") as f:
        assert [row["承担单位"] for row in csv.DictReader(f)] == ["贵州大学"]


def test_a_unit_user_may_not_read_another_units_project_or_letter(
    office: dict[str, int], ipflow: Cli
) -> None:
    shown = ipflow("--as", "gzu", "project", "show", str(office["other"]))
    assert shown.exit_code == 1
    assert (
        f"只能操作本单位的项目和数据，不能对项目#{office['other']}执行“project_show”"
        in shown.stderr
    )
    assert ipflow("--as", "gzu", "project", "show", str(office["own"])).exit_code == 0
    letters = json.loads(ipflow("--as", "office", "letters", "list", "--json").stdout)
    foreign = next(x["id"] for x in letters if x["project_id"] == office["other"])
    assert ipflow("--as", "gzu", "letters", "show", str(foreign)).exit_code == 1


@pytest.mark.parametrize("actor", ["former", "stranger"])
def test_a_disabled_or_unregistered_name_sees_nothing(
    office: dict[str, int], ipflow: Cli, actor: str
) -> None:
    for args in (["project", "list"], ["letters", "list"], ["unit", "list"]):
        result = ipflow("--as", actor, *args, "--json")
        assert result.exit_code == 1 and result.stdout == "", args


def test_the_cli_offers_exactly_the_roles_of_the_table() -> None:
    from commands.user import ROLE_CODES

    assert tuple(ROLES) == ROLE_CODES


def test_user_rights_prints_the_table_the_boundary_applies(ipflow: Cli) -> None:
    document = json.loads(ipflow("user", "rights", "--json").stdout)
    assert document == PERMISSIONS
    unit = json.loads(ipflow("user", "rights", "--role", "unit", "--json").stdout)
    assert unit["report_submit"] == {"unit": OWN} and unit["disburse"] == {"unit": DENY}
    table = ipflow("user", "rights").stdout
    assert "生命周期操作（project advance）" in table and "本单位" in table


def test_the_scheduler_role_runs_the_night_but_moves_no_money(
    office: dict[str, int], ipflow: Cli
) -> None:
    assert ipflow("--as", "office", "user", "add", "nightly", "--role", "scheduler").exit_code == 0
    assert ipflow("--as", "nightly", "check", "run", "--today", "2027-04-15").exit_code == 0
    assert ipflow("--as", "nightly", "notify", "flush").exit_code == 0
    paid = ipflow("--as", "nightly", *[a.format(**office) for a in OFFICE_COMMANDS["disburse"]])
    assert paid.exit_code == 1 and "定时任务（scheduler），无权执行“disburse”" in paid.stderr
