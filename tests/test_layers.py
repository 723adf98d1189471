"""The import rules of the architecture: who may import whom (on the source), what help loads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = [
    *sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("workflow/**/rules.py")),
    "workflow/core/money.py",
    "workflow/core/dates.py",
    "workflow/core/codes.py",
    "workflow/projects/plans.py",
    "workflow/core/clock.py",
    "workflow/core/errors.py",
]
"""Every feature's rules.py, found by glob, and the other pure modules."""
FRAMEWORKS = ("sqlalchemy", "click", "jinja2", "apscheduler", "alembic")


def imported(path: Path) -> set[str]:
    """Top-level module names a file imports, wherever the import statement stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def imported_at_the_top(path: Path) -> set[str]:
    """Module names a file imports at module level, not inside a function or `if TYPE_CHECKING`."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize("path", [ROOT / p for p in DOMAIN], ids=str)
def test_domain_modules_import_no_framework(path: Path) -> None:
    assert not {m for m in imported(path) if m.split(".")[0] in FRAMEWORKS}


@pytest.mark.parametrize("path", files("states"), ids=lambda p: p.name)
def test_states_import_only_the_standard_library_and_transitions(path: Path) -> None:
    third_party = {m.split(".")[0] for m in imported(path)} - {
        "states",
        "transitions",
        "__future__",
    }
    assert all(m in __import__("sys").stdlib_module_names for m in third_party), third_party


@pytest.mark.parametrize("path", files("notifiers"), ids=lambda p: p.name)
def test_notifiers_know_nothing_of_projects(path: Path) -> None:
    assert not {m for m in imported(path) if m.split(".")[0] in ("workflow", "states", "cli")}


@pytest.mark.parametrize(
    "path",
    files("states", "workflow", "notifiers", "alembic", "commands"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_nothing_imports_the_cli(path: Path) -> None:
    assert "cli" not in imported(path)


@pytest.mark.parametrize(
    "path",
    files("states", "workflow", "notifiers", "alembic"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_nothing_below_the_cli_imports_its_commands(path: Path) -> None:
    assert not {m for m in imported(path) if m.split(".")[0] == "commands"}


@pytest.mark.parametrize(
    "path", [ROOT / "cli.py", *files("commands")], ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_cli_imports_no_heavy_module_at_the_top(path: Path) -> None:
    top = {m.split(".")[0] for m in imported_at_the_top(path)}
    assert not top & {"sqlalchemy", "apscheduler", "jinja2", "workflow", "notifiers", "states"}


def test_help_loads_no_command_module_nor_the_domain() -> None:
    code = (
        "import sys\nfrom cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(*sorted(sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )

    loaded = {m.split(".")[0] for m in done.stderr.split()}
    assert not loaded & {"commands", "sqlalchemy", "workflow", "states", "notifiers"}
    assert "  project  " in done.stdout
