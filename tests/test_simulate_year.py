"""bench.simulate_year on a reduced year: its counters agree with what the CLI lists afterwards."""

from __future__ import annotations

import json
from datetime import date

from bench.simulate_year import GROUPS, simulate
from tests.conftest import Cli

SIZES = {"on_plan": 1, "slightly_behind": 1, "far_behind": 1}
CHECKS = (date(2027, 4, 1), date(2027, 5, 15), date(2027, 7, 1), date(2027, 10, 1))


def test_a_reduced_year_counts_what_the_letters_and_flags_say(db_url: str) -> None:
    outcome = simulate(db_url, SIZES, CHECKS)
    ipflow = Cli(db_url, CHECKS[-1])
    letters = json.loads(ipflow("letters", "list", "--json").stdout)
    projects = json.loads(ipflow("project", "list", "--json").stdout)
    labels = {g.key: g.label for g in GROUPS}
    group_of = {
        p["id"]: next(k for k, label in labels.items() if f"（{label} " in p["title"])
        for p in projects
    }
    assert sorted(group_of.values()) == sorted(SIZES)
    assert (outcome.checks, outcome.refusals) == (len(CHECKS), 0)
    assert outcome.total.letters == outcome.letters_from_checks == len(letters)
    for row in outcome.groups:
        key = next(k for k, label in labels.items() if label == row.group)
        ids = {pid for pid, k in group_of.items() if k == key}
        mine = [x for x in letters if x["project_id"] in ids]
        reds = [p for p in projects if p["id"] in ids and p["flag"] == "red"]
        assert (row.projects, row.letters) == (len(ids), len(mine))
        assert row.projects_with_letters == len({x["project_id"] for x in mine})
        assert row.red_at_end == len(reds) <= row.ever_red
    on_plan = {pid for pid, k in group_of.items() if k == "on_plan"}
    assert outcome.letters_to_on_plan == sum(1 for x in letters if x["project_id"] in on_plan)
    # Reports 28 points or more behind plan: a letter and a red flag under any reading of §4-§6.
    far = next(row for row in outcome.groups if row.group == labels["far_behind"])
    assert (far.projects_with_letters, far.red_at_end) == (1, 1)
