"""Money as integer yuan: parsing what users type."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from workflow.core.i18n import _
from workflow.core.limits import MAX_YUAN


def parse_yuan(text: str) -> int:
    """An amount in whole yuan from text such as "500000"; ValueError when it is not one."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("金额“{text}”不是整数元").format(text=text)) from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(_("金额“{text}”不是整数元").format(text=text))
    if abs(value) > MAX_YUAN:
        raise ValueError(
            _("金额“{text}”超出可接受的范围（绝对值不超过{limit}元）").format(
                text=text, limit=MAX_YUAN
            )
        )
    return int(value)
