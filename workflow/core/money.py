"""Money as integer yuan: parsing what users type and what office spreadsheets hold."""

from __future__ import annotations

import re
import unicodedata

from workflow.core.i18n import _
from workflow.core.limits import MAX_YUAN

_AMOUNT = re.compile(
    r"(?P<sign>-?)(?:¥|rmb)?(?P<number>[0-9]+(?:\.[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?)"
    r"(?P<unit>亿元|万元|元|亿|万)?"
)
"""An amount as offices write it: `500000`, `500,000`, `¥500,000.00`, `50万`, `3.8万元`."""

UNITS: dict[str | None, int] = {
    None: 1,
    "元": 1,
    "万": 10_000,
    "万元": 10_000,
    "亿": 100_000_000,
    "亿元": 100_000_000,
}


def parse_yuan(text: str) -> int:
    """An amount in whole yuan; ValueError when `text` is not one.

    Read: digits with or without thousands separators (`500000`, `500,000`), a leading ¥ (or
    RMB), a trailing 元, 万 or 亿 (`50万` = 500000, `3.8万元` = 38000), full-width forms, and
    decimals that come to whole yuan (`¥500,000.00`). Refused: a fraction of a yuan
    (`3.00001万`), anything else. The one parser of money: the command line's YUAN, the
    `--data` amounts and the import files all use it.
    """
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()
    match = _AMOUNT.fullmatch(folded)
    if match is None:
        raise ValueError(_("金额“{text}”不是整数元").format(text=text))
    whole, _point, fraction = match["number"].replace(",", "").partition(".")
    fraction = fraction.rstrip("0")
    if len(whole) > len(str(MAX_YUAN)):
        raise ValueError(
            _("金额“{text}”超出可接受的范围（绝对值不超过{limit}元）").format(
                text=text, limit=MAX_YUAN
            )
        )
    if len(fraction) > len(str(UNITS["亿"])):
        raise ValueError(_("金额“{text}”不是整数元：不能有不足一元的零头").format(text=text))
    scaled: int = int(whole + fraction) * UNITS[match["unit"]]
    divisor: int = 10 ** len(fraction)
    yuan, remainder = divmod(scaled, divisor)
    if remainder:
        raise ValueError(_("金额“{text}”不是整数元：不能有不足一元的零头").format(text=text))
    if yuan > MAX_YUAN:
        raise ValueError(
            _("金额“{text}”超出可接受的范围（绝对值不超过{limit}元）").format(
                text=text, limit=MAX_YUAN
            )
        )
    return -yuan if match["sign"] else yuan
