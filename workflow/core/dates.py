"""Calendar dates as users type them and office spreadsheets hold them: one parser."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from workflow.core.i18n import _

_DATE = re.compile(
    r"(?P<year>[0-9]{4})(?:(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})"
    r"|年(?P<cn_month>[0-9]{1,2})月(?P<cn_day>[0-9]{1,2})日?)"
)
"""`2027-03-01`, `2027-3-1`, `2027/3/1`, `2027.3.1`, `2027年3月1日` (full-width folded first)."""

_MIDNIGHT = re.compile(r"(?:T|\s+)0?0:00(?::00(?:\.0+)?)?$")
"""The time a date cell exported as text may carry (`2027/3/1 0:00`): only midnight is a date."""

_SERIAL = re.compile(r"[0-9]{5}(?:\.0+)?")

EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's (and WPS's) 1900 date system, past its false 1900-02-29."""
EXCEL_1904_EPOCH = date(1904, 1, 1)
"""Day 0 of the 1904 date system (workbooks from old Mac Excel)."""
SERIAL_YEARS = (1990, 2099)
"""The years a bare day number is taken as a date in: outside them it is surely no date."""

FORMS = "2027-03-01、2027/3/1、2027.3.1、2027年3月1日"
"""The written forms `parse_date` reads, as users are told."""


def excel_date(serial: float, epoch: date = EXCEL_EPOCH) -> date | None:
    """The day an Excel day number stands for (no time of day), if it falls in SERIAL_YEARS."""
    if serial != int(serial):
        return None
    try:
        day = epoch + timedelta(days=int(serial))
    except OverflowError:
        return None
    return day if SERIAL_YEARS[0] <= day.year <= SERIAL_YEARS[1] else None


def parse_date(text: str, *, what: str = "", serials: bool = False) -> date:
    """The date `text` writes in one of FORMS; ValueError naming `what` when it writes none.

    `serials`: also read an Excel day number (`46447` = 2027-03-01), as a spreadsheet column
    formatted as a number, or a CSV saved from one, holds a date; the command line does not.
    """
    folded = _MIDNIGHT.sub("", unicodedata.normalize("NFKC", text).strip())
    folded = re.sub(r"\s+", "", folded)
    match = _DATE.fullmatch(folded)
    if match is not None:
        month = match["month"] or match["cn_month"]
        day = match["day"] or match["cn_day"]
        try:
            return date(int(match["year"]), int(month), int(day))
        except ValueError:
            pass
    elif serials and _SERIAL.fullmatch(folded):
        found = excel_date(float(folded))
        if found is not None:
            return found
    raise ValueError(
        _("{what}“{text}”不是日期（可写作{forms}）")
        .format(what=what, text=text, forms=FORMS)
        .strip()
    )
