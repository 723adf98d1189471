"""The injected clock: today's date in Asia/Shanghai and aware UTC timestamps."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from workflow.core.errors import Refused
from workflow.core.i18n import _

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


def pinned_day() -> date | None:
    """The day $IPFLOW_TODAY (YYYY-MM-DD) fixes the clock at, or None when it is unset."""
    pinned = os.environ.get("IPFLOW_TODAY", "").strip()
    if not pinned:
        return None
    from workflow.core.limits import day_problem

    try:
        day = date.fromisoformat(pinned)
    except ValueError:
        raise Refused(
            _("环境变量IPFLOW_TODAY的值“{value}”不是日期（应为YYYY-MM-DD）").format(value=pinned)
        ) from None
    problem = day_problem(day)
    if problem:
        raise Refused(_("环境变量IPFLOW_TODAY：{problem}").format(problem=problem))
    return day


def clock_from_env() -> Clock:
    """The system clock, or a fixed noon of $IPFLOW_TODAY for replays and demos."""
    day = pinned_day()
    if day is None:
        return system_clock
    return fixed_clock(datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI).astimezone(UTC))
