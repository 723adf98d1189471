"""The run ledger: claiming a job's logical date with an owner and a lease, so it runs once.

A claim is an INSERT that does nothing when the (job, date) row exists; a row left
`running` by a crashed owner can be taken over, by compare-and-set, once its lease has
expired. This is what makes two scheduler instances on PostgreSQL safe, and lets a
restarted scheduler finish what a crash interrupted.
"""

from __future__ import annotations

import os
import socket
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select, update

from workflow.db.bulk import upsert
from workflow.db.engine import transaction
from workflow.db.orm import CheckRun

LEASE = timedelta(minutes=30)


def owner_name() -> str:
    """This process as a run owner: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(
    engine: Engine, job: str, day: date, owner: str, now: datetime, lease: timedelta = LEASE
) -> bool:
    """Claim `job` for `day`; False when it is done, or running under a lease still valid."""
    row = {
        "job": job,
        "logical_date": day,
        "owner": owner,
        "status": "running",
        "started_at": now,
        "lease_until": now + lease,
        "finished_at": None,
        "summary": {},
    }
    with transaction(engine) as session:
        if upsert(session, CheckRun, [row], ["job", "logical_date"], update=False) == 1:
            return True
    with transaction(engine) as session:
        taken = session.connection().execute(
            update(CheckRun)
            .where(
                CheckRun.job == job,
                CheckRun.logical_date == day,
                CheckRun.status == "running",
                CheckRun.lease_until < now,
            )
            .values(owner=owner, started_at=now, lease_until=now + lease)
        )
        return taken.rowcount == 1


def last_done(engine: Engine, job: str) -> date | None:
    """The latest logical date `job` has completed."""
    with transaction(engine) as session:
        return session.scalar(
            select(func.max(CheckRun.logical_date)).where(
                CheckRun.job == job, CheckRun.status == "done"
            )
        )


def missed_dates(last: date | None, through: date) -> list[date]:
    """The logical dates after `last` up to `through`, oldest first (only `through` if never run)."""
    if last is None:
        return [through]
    return [last + timedelta(days=n) for n in range(1, (through - last).days + 1)]
