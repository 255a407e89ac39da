"""Identifier fields (USCC, citizen ID) and the subject's conditional fields.

Subject rules (domain.md §2): a 法人及非法人组织 needs its USCC and legal representative
(penalties and dishonesty entries carry that field; commitments do not); a 个体工商户
needs its USCC; a 自然人 needs the ID type and number. Messages show identifiers only
masked.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from node.domain.fields import NATURAL_PERSON, SUBJECT_FIELDS
from node.domain.identifiers import USCC_PATTERN, check_id_number, check_uscc, mask
from node.domain.validation.issues import Collector

LEGAL_PERSON = "法人及非法人组织"
SOLE_TRADER = "个体工商户"
# The legal-representative field of each kind that has one.
LEGAL_REP_FIELD: dict[str, str] = {"penalty": "CF_FRDB", "dishonesty": "SX_FDDBR"}


# The codes of deciding bodies and data sources recur on almost every record.
_check_uscc = lru_cache(maxsize=16384)(check_uscc)


def check_uscc_field(code: str, value: str, allow_list: frozenset[str], out: Collector) -> bool:
    """Report shape, check-character and organisation-code findings of the USCC ``value``
    held in field ``code``. True when the code is usable (valid, or allow-listed)."""
    finding = _check_uscc(value)
    if finding.problem == "format":
        hint = ""
        if USCC_PATTERN.fullmatch(value.upper()):
            hint = "; it has lower-case letters, USCCs are upper-case"
        elif value != value.strip():
            hint = "; it has leading or trailing spaces"
        out.add("USCC_FORMAT", code,
                f"{code}: not a USCC shape (18 characters from 0-9 A-Y without I O S V Z, "
                f"positions 3-8 digits); got {len(value)} characters{hint}")
        return False
    usable = True
    if finding.problem == "check":
        if value in allow_list:
            out.add("USCC_CHECK_ALLOWED", code,
                    f"{code}: check character of {mask(value)} is wrong, accepted because "
                    "the code is on the operator allow-list")
        else:
            out.add("USCC_CHECK", code,
                    f"{code}: check character (position 18) of {mask(value)} does not match "
                    "the one computed from positions 1-17 (GB 32100-2015); if this is a known "
                    "pilot code, an operator may add it to the allow-list")
            usable = False
    if not finding.org_code_ok:
        out.add("USCC_ORG_CODE", code,
                f"{code}: embedded organisation code (positions 9-17) of {mask(value)} fails "
                "its GB 11714 check")
    return usable


_ID_MESSAGES = {
    "format": ("ID_FORMAT", "not an identity number shape (17 digits then a digit or X)"),
    "birth_date": ("ID_BIRTH_DATE", "the birth date (positions 7-14) is not a real date"),
    "future_birth": ("ID_FUTURE_BIRTH", "the birth date (positions 7-14) is after today"),
    "check": ("ID_CHECK", "the check character does not match the one computed from the "
                          "first 17 digits (ISO 7064 MOD 11-2)"),
}


def check_id_field(code: str, value: str, today: dt.date, out: Collector) -> str | None:
    """Report the findings of the identity number ``value`` in field ``code``; return the
    normalised number (``x`` → ``X``) when valid, else None."""
    finding = check_id_number(value, today)
    if finding.problem is None:
        return value.strip().upper()
    issue_code, text = _ID_MESSAGES[finding.problem]
    shown = mask(value.strip().upper()) if finding.problem != "format" else (
        f"a value of {len(value)} characters")
    out.add(issue_code, code, f"{code}: {text}; got {shown}")
    return None


def check_subject(kind: str, present: set[str], text: dict[str, str], out: Collector) -> None:
    """Conditional subject fields of a record of ``kind``.

    Precondition: the fields were checked by ``fields_check``: ``present`` holds the
    non-blank codes and ``text`` the valid values. Nothing is reported when the subject
    kind itself is missing or invalid (that is already reported).
    """
    kind_field, uscc_field, id_type_field, id_field, _ = SUBJECT_FIELDS[kind]
    subject_kind = text.get(kind_field)
    if subject_kind is None:
        return
    if subject_kind == NATURAL_PERSON:
        if id_type_field not in present:
            out.add("ID_TYPE_REQUIRED", id_type_field,
                    f"{id_type_field}: required when {kind_field} is {NATURAL_PERSON}; "
                    "got no value")
        if id_field not in present:
            out.add("ID_REQUIRED", id_field,
                    f"{id_field}: required when {kind_field} is {NATURAL_PERSON}; got no value")
        return
    if uscc_field not in present:
        out.add("USCC_REQUIRED", uscc_field,
                f"{uscc_field}: required when {kind_field} is {subject_kind}; got no value")
    rep_field = LEGAL_REP_FIELD.get(kind)
    if subject_kind == LEGAL_PERSON and rep_field is not None and rep_field not in present:
        out.add("LEGAL_REP_REQUIRED", rep_field,
                f"{rep_field}: legal representative required when {kind_field} is "
                f"{LEGAL_PERSON}; got no value")
