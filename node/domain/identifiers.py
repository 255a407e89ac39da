"""Identifier rules: the Unified Social Credit Code (GB 32100-2015) and the citizen
identity number (GB 11643-1999). Pure functions, no I/O.

Messages never echo a full identifier: use :func:`mask` when one must be shown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")

# Precomputed per-position tables (character -> value * weight): the check characters are
# computed on every record, and a C-level ``map`` over these tables is several times
# faster than weighting each character in Python. Characters outside a table take the
# plain path, so every result and message stays the same.
_USCC_TABLES = tuple({ch: v * w for ch, v in _USCC_VALUE.items()} for w in USCC_WEIGHTS)
_ORG_VALUE = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_ORG_TABLES = tuple({ch: v * w for ch, v in _ORG_VALUE.items()} for w in ORG_CODE_WEIGHTS)
_ID_TABLES = tuple({str(d): d * w for d in range(10)} for w in ID_WEIGHTS)
_ORG_CHECK = {c: {10: "X", 11: "0"}.get(c, str(c)) for c in range(1, 12)}
_weighted = dict.__getitem__


def mask(identifier: str) -> str:
    """Show only the first 2 and last 2 characters: ``91****43``-style, safe in messages."""
    if len(identifier) <= 4:
        return "*" * len(identifier)
    return identifier[:2] + "*" * (len(identifier) - 4) + identifier[-2:]


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are ``first17``.

    Precondition: ``first17`` has 17 characters from :data:`USCC_ALPHABET`.
    """
    if len(first17) != 17:
        raise ValueError(f"USCC body has {len(first17)} characters, want 17")
    try:
        total = sum(map(_weighted, _USCC_TABLES, first17))
    except KeyError as exc:
        raise ValueError(f"USCC body has a character outside the USCC alphabet: {exc}") from exc
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The check character (position 9) of a GB 11714 organisation code body of 8 characters."""
    if len(first8) != 8:
        raise ValueError(f"organisation code body has {len(first8)} characters, want 8")
    try:
        return _ORG_CHECK[11 - sum(map(_weighted, _ORG_TABLES, first8)) % 11]
    except KeyError:
        pass  # a character outside the table: the plain path says which
    total = 0
    for ch, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            raise ValueError(f"organisation code has an invalid character {ch!r}")
        total += value * weight
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


@dataclass(frozen=True)
class UsccFinding:
    """Outcome of checking one USCC: ``problem`` is None when it is valid."""

    problem: str | None  # "format" | "check" | None
    org_code_ok: bool


def check_uscc(code: str) -> UsccFinding:
    """Classify ``code``: wrong shape, wrong check character, or valid.

    The embedded organisation-code check (positions 9-17) is reported separately in
    ``org_code_ok``: a failure there is only a warning (many valid codes fail it).
    """
    if not USCC_PATTERN.fullmatch(code):
        return UsccFinding(problem="format", org_code_ok=False)
    org = code[8:17]
    try:
        org_ok = org_code_check_char(org[:8]) == org[8]
    except ValueError:
        org_ok = False
    if uscc_check_char(code[:17]) != code[17]:
        return UsccFinding(problem="check", org_code_ok=org_ok)
    return UsccFinding(problem=None, org_code_ok=org_ok)


def normalize_id_number(number: str) -> str:
    """Accept a lower-case ``x`` check character; store ``X``."""
    return number.strip().upper()


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a citizen ID whose first 17 digits are given."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"ID body must be 17 digits, got {len(first17)} characters")
    try:
        total = sum(map(_weighted, _ID_TABLES, first17))
    except KeyError:  # a non-ASCII decimal digit (str.isdigit accepts them)
        total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


@dataclass(frozen=True)
class IdFinding:
    """Outcome of checking one citizen ID: ``problem`` is None when it is valid."""

    problem: str | None  # "format" | "check" | "birth_date" | "future_birth" | None
    birth_date: dt.date | None = None


def check_id_number(number: str, today: dt.date) -> IdFinding:
    """Check shape, birth date (a real date, not after ``today``) and check character."""
    number = normalize_id_number(number)
    if not ID_PATTERN.fullmatch(number):
        return IdFinding(problem="format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdFinding(problem="birth_date")
    if birth > today:
        return IdFinding(problem="future_birth", birth_date=birth)
    if id_check_char(number[:17]) != number[17]:
        return IdFinding(problem="check", birth_date=birth)
    return IdFinding(problem=None, birth_date=birth)
