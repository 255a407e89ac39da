"""Strict readers for the fields of a parsed JSON document, shared by the catalog and
mapping parsers. Each takes ``where`` (the message prefix naming the document and the
path, e.g. ``"malformed catalog: measures[2]"``) and the exception class to raise, and
refuses what it does not expect with a message naming the field and what was wanted.

Values in these documents are public reference data (no personal data), so a bad value
may be quoted, shortened to :data:`SHOWN`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

SHOWN = 40


def shown(value: object) -> str:
    """``value`` for a message: its repr, shortened."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def type_name(value: object) -> str:
    """JSON name of ``value``'s type (``object``, ``list``, ``string``, …)."""
    if value is None:
        return "null"
    names = {bool: "boolean", int: "integer", float: "number", str: "string",
             list: "list", dict: "object"}
    return names.get(type(value), type(value).__name__)


def exact_fields(value: object, wanted: Sequence[str], where: str,
                 error: type[Exception]) -> dict[str, Any]:
    """``value`` as a dict that has exactly the keys ``wanted``: a missing field and an
    unknown field are both refused (an unknown field would silently change the hash)."""
    if not isinstance(value, dict):
        raise error(f"{where}: want a JSON object, got {type_name(value)}")
    for key in wanted:
        if key not in value:
            raise error(f"{where}: missing field {key!r}")
    extra = sorted(str(k) for k in value if k not in wanted)
    if extra:
        raise error(f"{where}: unknown field {shown(extra[0])}; want only "
                    f"{', '.join(sorted(wanted))}")
    return value


def text(obj: dict[str, Any], key: str, where: str, error: type[Exception],
         max_len: int = 1000) -> str:
    """Field ``key`` as a non-blank string of at most ``max_len`` characters."""
    value = obj[key]
    if not isinstance(value, str):
        raise error(f"{where}: {key!r} must be a string, got {type_name(value)}")
    if not value.strip():
        raise error(f"{where}: {key!r} must not be blank")
    if value != value.strip():
        raise error(f"{where}: {key!r} has leading or trailing whitespace")
    if len(value) > max_len:
        raise error(f"{where}: {key!r} is {len(value)} characters long, at most {max_len}")
    return value


def integer(obj: dict[str, Any], key: str, where: str, error: type[Exception],
            low: int, high: int) -> int:
    """Field ``key`` as an integer in ``low..high`` (booleans and ``1.0`` refused)."""
    value = obj[key]
    if type(value) is not int:
        raise error(f"{where}: {key!r} must be an integer in {low}..{high}, "
                    f"got {type_name(value)}")
    if not low <= value <= high:
        raise error(f"{where}: {key!r} must be an integer in {low}..{high}, got {value}")
    return value


def choice(obj: dict[str, Any], key: str, choices: Sequence[str], where: str,
           error: type[Exception]) -> str:
    """Field ``key`` as one of ``choices``."""
    value = obj[key]
    if not isinstance(value, str) or value not in choices:
        raise error(f"{where}: {key!r} must be one of {', '.join(choices)}, got {shown(value)}")
    return value


def pattern(obj: dict[str, Any], key: str, regex: re.Pattern[str], example: str, where: str,
            error: type[Exception]) -> str:
    """Field ``key`` as a string matching ``regex`` (``example`` shows the wanted shape)."""
    value = obj[key]
    if not isinstance(value, str) or not regex.fullmatch(value):
        raise error(f"{where}: {key!r} must look like {example}, got {shown(value)}")
    return value


def date(obj: dict[str, Any], key: str, where: str, error: type[Exception]) -> dt.date:
    """Field ``key`` as a real date written ``YYYY-MM-DD``."""
    value = obj[key]
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise error(f"{where}: {key!r} is not a real date, got {shown(value)}") from exc
    raise error(f"{where}: {key!r} must be a date YYYY-MM-DD, got {shown(value)}")
