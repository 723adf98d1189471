"""The ranges ipflow accepts for dates, years, record numbers and amounts, and their refusals.

Values outside them are typing mistakes (a year 9999, an id of twenty digits): they are refused
with a sentence before any date arithmetic overflows or any database integer column does.
"""

from __future__ import annotations

from datetime import date

from workflow.core.i18n import _

FIRST_YEAR, LAST_YEAR = 1900, 2199
"""The years a date of the programme may fall in; far enough from Python's year 1 and 9999
that adding a term, a grace or a reporting period to a date never leaves the calendar."""
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)

MAX_KEY = 2**31 - 1
"""The largest record number (id) the schema stores: its keys are INTEGER, 32 bits on
PostgreSQL. A larger (or more negative) number names no record, on either database."""

MAX_YUAN = 10**12 - 1
"""The largest amount in yuan ipflow takes (just under 1万亿元): sums of many of them stay far
inside the BIGINT columns that hold money."""


def day_problem(day: date) -> str | None:
    """Why `day` is outside the dates ipflow takes, or None when it is inside."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return _("日期{day}超出可接受的范围（{first}至{last}）").format(
        day=day.isoformat(), first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
    )


def year_problem(year: int) -> str | None:
    """Why `year` is outside the years ipflow takes, or None when it is inside."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return _("年份{year}超出可接受的范围（{first}至{last}）").format(
        year=year, first=FIRST_YEAR, last=LAST_YEAR
    )


def is_key(value: int) -> bool:
    """Whether `value` may be a record number at all (an id beyond MAX_KEY names nothing)."""
    return -MAX_KEY - 1 <= value <= MAX_KEY
