"""The injected clock: today's date in Asia/Shanghai and aware UTC timestamps."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always reads `moment` (tests and replays)."""
    return lambda: moment


def today(clock: Clock, tz: ZoneInfo = SHANGHAI) -> date:
    """The calendar date `clock` reads in the programme's time zone."""
    return clock().astimezone(tz).date()


def clock_from_env() -> Clock:
    """The system clock, or a fixed noon of $IPFLOW_TODAY (YYYY-MM-DD) for replays and demos."""
    pinned = os.environ.get("IPFLOW_TODAY")
    if not pinned:
        return system_clock
    day = date.fromisoformat(pinned)
    return fixed_clock(datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI).astimezone(UTC))
