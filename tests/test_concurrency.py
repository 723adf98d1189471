"""Fifty `ipflow project advance` processes racing on one project: one wins per state."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select

from tests.factories import make_project
from tests.racing import Racer, race, racing
from workflow.access.actions import add_user
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import Project, ProjectEvent

RACERS = 50
TRIGGERS = ("screen", "approve")

pytestmark = racing


def outcome(result: Racer) -> str:
    """How one racer ended: won, lost to a concurrent change, or found the state moved on."""
    if result.code == 0:
        return "won"
    if "已被他人修改" in result.stderr:
        return "changed under it"
    if "不能执行" in result.stderr:
        return "not possible from the new state"
    return f"exit {result.code}: {result.stderr}"


def test_fifty_concurrent_advances_give_one_winner_per_state(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    project_id = make_project(ctx, state="applied")
    add_user(ctx, "racer", "admin", None)

    rounds = race(
        db_url,
        tmp_path,
        [[["project", "advance", str(project_id), trigger]] * RACERS for trigger in TRIGGERS],
    )

    for trigger, results in zip(TRIGGERS, rounds, strict=True):
        counts = Counter(outcome(result) for result in results)
        print(f"{db_url.split(':')[0]} {trigger}: {dict(counts)}")
        assert counts["won"] == 1, counts
        assert counts["changed under it"] + counts["not possible from the new state"] == 49
        assert all(res.clean_refusal for res in results if res.code != 0)
    with transaction(ctx.engine) as session:
        events = session.scalars(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == project_id)
            .order_by(ProjectEvent.seq)
        ).all()
        project = session.get(Project, project_id)
        assert project is not None
        assert [(e.seq, e.trigger) for e in events] == [
            (1, "create"),
            (2, "screen"),
            (3, "approve"),
        ]
        assert [e.to_state for e in events[:-1]] == [e.from_state for e in events[1:]]
        assert (project.state, project.version) == ("approved", 3)
