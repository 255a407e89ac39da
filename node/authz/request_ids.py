"""Request ids that cannot carry personal data (issue 11, item 6).

A caller-chosen ``request_id`` is stored verbatim in both ends' access logs, so it must
not be able to hold an ID number, a USCC or a name. Accepted are a UUID (canonical
8-4-4-4-12 form or 32 hex digits), a ULID (26 Crockford base-32 characters) or a short
token of ``[A-Za-z0-9_-]`` (at most 64). None of them may contain a run of
:data:`MAX_DIGIT_RUN` + 1 or more decimal digits (an 18-digit citizen ID, a 15-digit old
one, a phone or bank number) except inside a UUID or ULID, where random digits are
expected; there an 18-character window that is a valid citizen ID is refused.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

__all__ = ["MAX_DIGIT_RUN", "RequestIdError", "check_request_id", "new_request_id"]

MAX_DIGIT_RUN: Final = 11
"""Longest run of decimal digits a short token may hold (a date with a counter fits)."""

_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                          r"[0-9a-fA-F]{12}|[0-9a-f]{32}")
_ULID: Final = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
_DIGIT_RUN: Final = re.compile(r"\d{" + str(MAX_DIGIT_RUN + 1) + ",}")
_CITIZEN_ID: Final = re.compile(r"(?=(\d{17}[\dXx]))")
_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"
RULE: Final = ("request_id must be a UUID, a ULID or 1-64 characters of [A-Za-z0-9_-] "
               f"with no run of more than {MAX_DIGIT_RUN} digits (never an identifier)")


class RequestIdError(ValueError):
    """A request id breaks :data:`RULE`; the message never echoes the value."""


def _is_citizen_id(candidate: str) -> bool:
    total = sum(int(d) * w for d, w in zip(candidate[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == candidate[17].upper()


def check_request_id(value: str) -> str:
    """Return ``value`` when it is an acceptable request id; raise :class:`RequestIdError`."""
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise RequestIdError(RULE)
    if _UUID.fullmatch(value) or _ULID.fullmatch(value):
        if any(_is_citizen_id(m.group(1)) for m in _CITIZEN_ID.finditer(value)):
            raise RequestIdError(f"{RULE}: it holds what looks like a citizen ID number")
        return value
    if _DIGIT_RUN.search(value):
        raise RequestIdError(f"{RULE}: it holds a run of more than {MAX_DIGIT_RUN} digits")
    return value


def new_request_id() -> str:
    """A fresh random request id (32 hex digits) that :func:`check_request_id` accepts.

    About one random UUID in a few thousand holds an 18-digit window that passes the
    citizen-ID check; such a draw is discarded, so ids the node makes itself (and sends to
    its peers) are never refused for it.
    """
    while True:
        candidate = uuid.uuid4().hex
        try:
            return check_request_id(candidate)
        except RequestIdError:
            continue

