"""The nightly timer: APScheduler fires the check, the run ledger makes each date run once.

APScheduler 3.11 is only the alarm clock: its job store is in memory and never shared.
Which logical dates have run lives in the `check_run` table (see workflow.check.runs), so a
restarted scheduler catches up every date it missed, in order, and two instances on one
PostgreSQL database never run a date twice. SQLite deployments run one instance.
"""

from __future__ import annotations

import json
import logging
import signal
import time as time_module
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from workflow.check.actions import JOB, run_check
from workflow.check.runs import claim, last_done, missed_dates, owner_name
from workflow.core.boundary import orchestration
from workflow.core.context import AppContext
from workflow.core.i18n import _
from workflow.outbox.delivery import Delivery

log = logging.getLogger("ipflow.scheduler")
Deliver = Callable[[], Delivery]


class JsonFormatter(logging.Formatter):
    """One JSON object per log line: time, level, event and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "fields", {})
        return json.dumps(
            {
                "at": datetime.fromtimestamp(record.created).astimezone().isoformat(),
                "level": record.levelname.lower(),
                "event": record.getMessage(),
                **fields,
            },
            ensure_ascii=False,
            default=str,
        )


def emit(event: str, **fields: Any) -> None:
    """Log `event` with structured `fields`."""
    log.info(event, extra={"fields": fields})


def parse_time(text: str) -> time:
    """An HH:MM time of day from the [schedule] table."""
    try:
        return time.fromisoformat(text)
    except ValueError:
        from workflow.core.config import ConfigError

        raise ConfigError(
            _("配置项[schedule].time“{text}”不是HH:MM格式的时间").format(text=text)
        ) from None


def due_through(now: datetime, at: time, tz: ZoneInfo) -> date:
    """The newest logical date whose run time has come: today after `at`, else yesterday."""
    local = now.astimezone(tz)
    return local.date() if local.time() >= at else local.date() - timedelta(days=1)


def catch_up(ctx: AppContext, owner: str, deliver: Deliver | None = None) -> list[date]:
    """Run the check for every logical date not yet done, oldest first; return those run here."""
    schedule = ctx.settings.schedule
    tz = ZoneInfo(schedule.timezone)
    through = due_through(ctx.clock(), parse_time(schedule.time), tz)
    ran: list[date] = []
    for day in missed_dates(last_done(ctx.engine, JOB), through):
        if not claim(ctx.engine, JOB, day, owner, ctx.clock()):
            emit("run_skipped", date=day, reason="claimed elsewhere or done")
            continue
        result = run_check(ctx, day)
        emit("check_done", **result.as_json())
        ran.append(day)
    if deliver is not None:
        emit("outbox_flushed", **deliver().as_json())
    return ran


@orchestration("scheduler_run", write=True)
def serve(ctx: AppContext, deliver: Deliver | None = None, poll: float = 0.5) -> None:
    """Catch up, then run the check at the configured time every day until SIGTERM or SIGINT.

    The signal handler only raises a flag: shutting APScheduler down from inside a handler
    can deadlock on the executor's lock when the signal lands while a job is submitted.
    The main thread sees the flag and shuts down, waiting for a running check to commit.
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    schedule = ctx.settings.schedule
    tz = ZoneInfo(schedule.timezone)
    at = parse_time(schedule.time)
    owner = owner_name()
    scheduler = BackgroundScheduler(timezone=tz)
    scheduler.add_job(
        catch_up,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
        args=(ctx, owner, deliver),
        id=JOB,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(timedelta(hours=12).total_seconds()),
    )
    scheduler.add_job(catch_up, args=(ctx, owner, deliver), id="catch_up")  # once, at start
    received: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: received.append(number))
    scheduler.start()
    emit("scheduler_started", owner=owner, time=schedule.time, timezone=schedule.timezone)
    while not received:
        time_module.sleep(poll)
    emit("scheduler_stopping", signal=signal.Signals(received[0]).name)
    scheduler.shutdown(wait=True)
    emit("scheduler_stopped", owner=owner)
