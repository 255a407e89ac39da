"""Parsing of the scalar value forms of a record: dates, amounts, blank values.

Shared by the validators and by :mod:`node.domain.records` so both read a value the
same way. Pure functions.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT_PATTERN = re.compile(r"^(?:0|[1-9]\d{0,11})(?:\.\d{1,6})?$")
AMOUNT_MAX_DECIMALS = 6  # 万元 to the fen: 0.000001 万元 = 0.01 CNY


def is_blank(value: object) -> bool:
    """None, a whitespace-only string or an empty list count as "no value"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    return False


def parse_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` to a date; None when the shape is wrong or the date is not real."""
    if len(text) != 10 or not DATE_PATTERN.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_amount(value: object) -> Decimal | None:
    """An amount in 万元 from a JSON string or number; None when it is not a
    non-negative decimal with at most 6 decimals and 12 integer digits.

    Strings must be plain decimals (``"12.5"``; no sign, exponent or leading zeros).
    Numbers may be ``int``, ``float`` or ``Decimal`` (JSON parsed with
    ``parse_float=Decimal`` keeps the written digits); ``bool`` is refused.
    """
    if isinstance(value, str):
        if not AMOUNT_PATTERN.fullmatch(value):
            return None
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    text = canonical_amount(number)
    return number if AMOUNT_PATTERN.fullmatch(text) else None


def canonical_amount(number: Decimal) -> str:
    """The canonical decimal string: no exponent, no trailing zeros, ``"0"`` for zero."""
    if number == 0:
        return "0"
    text = format(number.normalize(), "f")
    return text
