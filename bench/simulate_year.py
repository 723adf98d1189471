"""A programme year through the CLI: five groups of projects report, checks run twice a month.

Every command runs in-process (click's CliRunner on the `ipflow` group) against a fresh SQLite
database in a temporary directory, on the day it happens: IPFLOW_TODAY is pinned to that day for
each command, and a report is entered on its own date. 32 one-year high_value_patent projects
(2027-01-01..2027-12-31, plans of 2-3 tasks) fall into five groups:

- on plan (20): at each quarter's end they report the planned completion of every task that
  day, rounded up to a whole percent;
- slightly behind (5): reports whose lag is 13-17 points (12-18);
- far behind (3): reports whose lag is 28-36 points (> 25);
- stop after Q1 (2): on plan on 03-31, then silent;
- twice in Q1 (2): on plan on 03-20 and 03-31, then silent.

A behind project's completions are the plan's scaled down, so its lag is the group's target
(floored to whole percents, it lands within one point above it) and never goes down from one
report to the next. The nightly check runs on the 1st and the 15th of every month and on 12-31.

At the end it prints, per group and in total: warning letters issued (`letters list --json`),
projects with a letter, projects whose latest flag is red and projects red after any check
(`project list --json` after each check). Under correct rules the on-plan group gets no letter.
A command refused with exit 1 prints a warning on stderr and the year goes on; the refusals are
counted.

Run it from the repository root (a few seconds):

    .venv/bin/python -m bench.simulate_year           # the table
    .venv/bin/python -m bench.simulate_year --json    # the same figures as one JSON document
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli import cli

YEAR_START = date(2027, 1, 1)
YEAR_END = date(2027, 12, 31)
APPLIED_ON = date(2026, 12, 1)
"""The day the applications are filed, screened and approved; the projects start on 01-01."""

QUARTER_ENDS = (date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31))
CHECK_DAYS = (
    *(date(2027, month, day) for month in range(1, 13) for day in (1, 15)),
    YEAR_END,
)

LANGUAGE_ENV = ("IPFLOW_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
"""Unset for every command: messages in the default language, Chinese."""


@dataclass(frozen=True)
class Task:
    """One row of a plan CSV."""

    name: str
    start: date
    due: date
    weight: int = 1

    def planned(self, day: date) -> Fraction:
        """Planned completion on `day`, in percent, exactly (SPEC.md §4)."""
        span = (self.due - self.start).days
        if span <= 0:
            return Fraction(100 if day >= self.due else 0)
        elapsed = Fraction((day - self.start).days, span)
        return 100 * min(max(elapsed, Fraction(0)), Fraction(1))


PLANS = (
    (
        Task("专利挖掘", date(2027, 1, 1), date(2027, 6, 30)),
        Task("专利布局", date(2027, 1, 1), date(2027, 12, 31), 2),
    ),
    (
        Task("技术分析", date(2027, 1, 1), date(2027, 4, 30)),
        Task("专利申请", date(2027, 3, 1), date(2027, 9, 30)),
        Task("成果转化", date(2027, 7, 1), date(2027, 12, 31)),
    ),
    (
        Task("导航分析", date(2027, 1, 1), date(2027, 3, 31)),
        Task("专利运营", date(2027, 1, 1), date(2027, 12, 31)),
    ),
)
"""Plans of 2-3 tasks, each giving a planned progress above 25% on 03-31, cycled over projects."""


def planned_progress(plan: tuple[Task, ...], day: date) -> Fraction:
    """P(day): the weighted mean of the tasks' planned completions, in percent."""
    return sum((t.weight * t.planned(day) for t in plan), Fraction(0)) / sum(t.weight for t in plan)


def completions(plan: tuple[Task, ...], day: date, lag: int) -> dict[str, int]:
    """Whole-percent completions of a report on `day` whose lag is `lag` (0: on plan).

    On plan: each task's planned completion rounded up. Behind: each task's planned completion
    scaled by (P − lag) / P and rounded down, so that the report's lag is in [lag, lag + 1)
    (or P itself when the plan is not yet at `lag`).
    """
    if lag == 0:
        return {t.name: math.ceil(t.planned(day)) for t in plan}
    total = planned_progress(plan, day)
    scale = max(total - lag, Fraction(0)) / total if total else Fraction(0)
    return {t.name: math.floor(t.planned(day) * scale) for t in plan}


@dataclass(frozen=True)
class Group:
    """Projects that report alike: their lags (cycled) and the days they report."""

    key: str
    label: str
    size: int
    lags: tuple[int, ...]
    report_days: tuple[date, ...]


ON_PLAN = Group("on_plan", "on plan", 20, (0,), QUARTER_ENDS)
GROUPS = (
    ON_PLAN,
    Group("slightly_behind", "slightly behind", 5, (13, 14, 15, 16, 17), QUARTER_ENDS),
    Group("far_behind", "far behind", 3, (28, 32, 36), QUARTER_ENDS),
    Group("stop_after_q1", "stop after Q1", 2, (0,), QUARTER_ENDS[:1]),
    Group("twice_in_q1", "twice in Q1", 2, (0,), (date(2027, 3, 20), QUARTER_ENDS[0])),
)


@dataclass
class Project:
    """One simulated project: its group, plan, designed lag and what it reported so far."""

    group: Group
    plan: tuple[Task, ...]
    lag: int
    id: int | None = None
    reported: dict[str, int] = field(default_factory=dict)

    def report(self, day: date) -> dict[str, int]:
        """The completions to report on `day`: never lower than those already reported."""
        wanted = completions(self.plan, day, self.lag)
        self.reported = {k: max(v, self.reported.get(k, 0)) for k, v in wanted.items()}
        return self.reported


@dataclass
class Figures:
    """What one group (or all of them) came to at the end of the year."""

    group: str
    projects: int
    letters: int
    projects_with_letters: int
    red_at_end: int
    ever_red: int


@dataclass
class Outcome:
    """The year's figures, with what the script itself counted along the way."""

    groups: list[Figures]
    total: Figures
    letters_to_on_plan: int
    letters_from_checks: int
    checks: int
    refusals: int
    seconds: float


class Ipflow:
    """Runs `ipflow` in-process against one database, each command on a given day."""

    def __init__(self, db_url: str, config: Path) -> None:
        self.base = ["--db", db_url, "--as", "office", "--config", str(config)]
        self.runner = CliRunner()
        self.refusals = 0

    def __call__(self, day: date, *args: str) -> str | None:
        """stdout of `ipflow ARGS` run on `day`, or None when the rules refused it (exit 1)."""
        env: dict[str, str | None] = dict.fromkeys(LANGUAGE_ENV)
        env["IPFLOW_TODAY"] = day.isoformat()
        result = self.runner.invoke(cli, [*self.base, *args], env=env)
        if result.exit_code == 1 and isinstance(result.exception, SystemExit):
            self.refusals += 1
            reason = " ".join(result.stderr.split())
            print(f"warning: {day} ipflow {' '.join(args)}: refused: {reason}", file=sys.stderr)
            return None
        if result.exit_code != 0:
            raise RuntimeError(
                f"{day} ipflow {' '.join(args)} ended with {result.exit_code}:\n{result.output}"
            ) from result.exception
        return result.stdout

    def json(self, day: date, *args: str) -> Any:
        """The JSON document `ipflow ARGS --json` prints on `day`, or None when refused."""
        out = self(day, *args, "--json")
        return None if out is None else json.loads(out)


def roster(sizes: dict[str, int]) -> list[Project]:
    """The projects of each group, `sizes[group.key]` of them, plans and lags cycled."""
    projects: list[Project] = []
    for group in GROUPS:
        for i in range(sizes.get(group.key, 0)):
            plan = PLANS[len(projects) % len(PLANS)]
            projects.append(Project(group, plan, group.lags[i % len(group.lags)]))
    return projects


def set_up(ipflow: Ipflow, projects: list[Project], workdir: Path) -> None:
    """Migrate, register a unit per project, create, screen and approve it, start it on 01-01."""
    ipflow(APPLIED_ON, "db", "upgrade")
    for n, project in enumerate(projects, 1):
        unit = f"模拟高校{n:02d}"
        email = f"unit{n:02d}@example.org"
        ipflow(
            APPLIED_ON,
            *("unit", "add", unit, "--kind", "university", "--contact-email", email),
            *("--fact", "valid_patents=60"),  # a high_value_patent lead holds 30 at least
        )
        plan = workdir / f"plan{n:02d}.csv"
        rows = [f"{t.name},{t.start},{t.due},{t.weight}" for t in project.plan]
        plan.write_text("\n".join(["task,start,due,weight", *rows]) + "\n", encoding="utf-8")
        created = ipflow.json(
            APPLIED_ON,
            *("project", "create", "--category", "high_value_patent"),
            *("--title", f"高价值专利培育（{project.group.label} {n:02d}）", "--unit", unit),
            *("--start", str(YEAR_START), "--end", str(YEAR_END), "--budget", "500000"),
            *("--plan", str(plan)),
        )
        if created is None:
            continue
        project.id = int(created["id"])
        for trigger in ("screen", "approve"):
            ipflow(APPLIED_ON, "project", "advance", str(project.id), trigger)
        ipflow(YEAR_START, "project", "advance", str(project.id), "start")


def events(
    projects: list[Project], check_days: tuple[date, ...]
) -> Iterator[tuple[date, Project | None]]:
    """The year's reports (a project) and checks (None) in date order, a day's check last."""
    dated: list[tuple[date, int, Project | None]] = [(d, 1, None) for d in check_days]
    dated += [(d, 0, p) for p in projects if p.id is not None for d in p.group.report_days]
    for day, _, project in sorted(dated, key=lambda e: (e[0], e[1])):
        yield day, project


@dataclass
class Tally:
    """What the checks showed so far: the latest flags, the projects ever red, letters, runs."""

    flags: dict[int, str | None] = field(default_factory=dict)
    ever_red: set[int] = field(default_factory=set)
    letters: int = 0
    checks: int = 0

    def check(self, ipflow: Ipflow, day: date) -> None:
        """Run the check of `day`, then note every project's flag as `project list` shows it."""
        checked = ipflow.json(day, "check", "run", "--today", str(day))
        if checked is None:
            return
        self.checks += 1
        self.letters += checked["letters_issued"]
        self.flags = {p["id"]: p["flag"] for p in ipflow.json(day, "project", "list") or []}
        self.ever_red |= {pid for pid, flag in self.flags.items() if flag == "red"}


def submit(ipflow: Ipflow, project: Project, day: date) -> None:
    """Enter `project`'s report of `day`, on that day."""
    progress = [arg for k, v in project.report(day).items() for arg in ("--progress", f"{k}={v}")]
    ipflow(day, "report", "submit", str(project.id), "--date", str(day), *progress)


def simulate(db_url: str, sizes: dict[str, int], check_days: tuple[date, ...]) -> Outcome:
    """Run the year on `db_url` (empty or migrated) and count its letters and red flags."""
    begin = time.perf_counter()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="ipflow-year-") as tmp:
        config = Path(tmp) / "ipflow.toml"
        config.write_text(
            "", encoding="utf-8"
        )  # the default thresholds, whatever ./ipflow.toml says
        ipflow = Ipflow(db_url, config)
        projects = roster(sizes)
        set_up(ipflow, projects, Path(tmp))
        for day, project in events(projects, check_days):
            if project is None:
                tally.check(ipflow, day)
            else:
                submit(ipflow, project, day)
        letters = ipflow.json(check_days[-1], "letters", "list") or []
    by_project = Counter(letter["project_id"] for letter in letters)
    members = {
        g: [p.id for p in projects if p.group is g and p.id] for g in GROUPS if sizes.get(g.key)
    }
    return Outcome(
        groups=[figures(g.label, ids, by_project, tally) for g, ids in members.items()],
        total=figures("total", [p.id for p in projects if p.id], by_project, tally),
        letters_to_on_plan=sum(by_project[pid] for pid in members.get(ON_PLAN, [])),
        letters_from_checks=tally.letters,
        checks=tally.checks,
        refusals=ipflow.refusals,
        seconds=round(time.perf_counter() - begin, 1),
    )


def figures(label: str, ids: list[int], letters: Counter[int], tally: Tally) -> Figures:
    """The counts of `ids`: letters, projects with one, red after the last check, ever red."""
    return Figures(
        group=label,
        projects=len(ids),
        letters=sum(letters[pid] for pid in ids),
        projects_with_letters=sum(1 for pid in ids if letters[pid]),
        red_at_end=sum(1 for pid in ids if tally.flags.get(pid) == "red"),
        ever_red=len(tally.ever_red.intersection(ids)),
    )


def table(outcome: Outcome) -> str:
    """The figures as a compact text table with the script's own tallies below it."""
    head = f"{'group':<16} {'projects':>8} {'letters':>8} {'with letter':>12} "
    head += f"{'red at end':>11} {'ever red':>9}"
    lines = [head]
    for row in [*outcome.groups, outcome.total]:
        lines.append(
            f"{row.group:<16} {row.projects:>8} {row.letters:>8} {row.projects_with_letters:>12} "
            f"{row.red_at_end:>11} {row.ever_red:>9}"
        )
    lines.append(
        f"letters to on-plan projects: {outcome.letters_to_on_plan} (0 under correct rules)"
    )
    lines.append(
        f"checks run: {outcome.checks}; letters counted by the checks: "
        f"{outcome.letters_from_checks}; refused commands: {outcome.refusals}; "
        f"{outcome.seconds:.1f} s"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    sizes = {g.key: g.size for g in GROUPS}
    with tempfile.TemporaryDirectory(prefix="ipflow-year-db-") as tmp:
        outcome = simulate(f"sqlite:///{Path(tmp) / 'year.db'}", sizes, CHECK_DAYS)
    if args.json:
        print(json.dumps(asdict(outcome), ensure_ascii=False, indent=2))
        return
    print(
        f"simulated year {YEAR_START.year}: {outcome.total.projects} high_value_patent projects, "
        f"checks on the 1st and 15th of every month and on {YEAR_END}, SQLite"
    )
    print(table(outcome))


if __name__ == "__main__":
    main()
