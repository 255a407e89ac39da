"""Validation findings and the catalogue of their stable codes.

Every code a validator can emit is listed in :data:`CATALOGUE` with its level (an
``error`` makes the record invalid; a ``warning`` does not) and what it means. Codes are
stable UPPER_SNAKE strings: callers and operators may match on them. Messages say what
was wrong, where and what was expected, and never echo an identifier in full (they use
:func:`node.domain.identifiers.mask`) nor any name or free text of the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class CodeDoc:
    level: Level
    doc: str


def _e(doc: str) -> CodeDoc:
    return CodeDoc("error", doc)


def _w(doc: str) -> CodeDoc:
    return CodeDoc("warning", doc)


CATALOGUE: dict[str, CodeDoc] = {
    # input shape (the CLI's line reader and the record as a whole)
    "NOT_JSON": _e("The line is not valid JSON."),
    "NOT_OBJECT": _e("The line is JSON but not a JSON object."),
    # per field (see fields_check.py)
    "REQUIRED": _e("A required field is missing, null or blank."),
    "TYPE": _e("A field has the wrong JSON type (e.g. a number where text is expected)."),
    "TOO_LONG": _e("A text field is longer than its maximum number of characters."),
    "NOT_IN_LIST": _e("An enum or list value is not one of the allowed values."),
    "UNKNOWN_FIELD": _w("A field that is not part of the record's kind; it is ignored."),
    "DATE_FORMAT": _e("A date is not a real date written YYYY-MM-DD."),
    "AMOUNT_FORMAT": _e("An amount is not a non-negative decimal (万元, at most 6 decimals)."),
    # identifiers (see subject.py)
    "USCC_FORMAT": _e("Not the shape of a Unified Social Credit Code (18 characters, "
                      "alphabet 0-9 A-Y without I O S V Z, positions 3-8 digits)."),
    "USCC_CHECK": _e("The USCC's check character (position 18) is wrong."),
    "USCC_CHECK_ALLOWED": _w("The USCC's check character is wrong but the code is on the "
                             "operator's allow-list of known pilot codes; accepted."),
    "USCC_ORG_CODE": _w("The organisation code embedded in a USCC (positions 9-17) fails "
                        "its own check; many valid codes do, so this is only a warning."),
    "ID_FORMAT": _e("Not the shape of a citizen identity number (17 digits + digit or X)."),
    "ID_BIRTH_DATE": _e("The birth date inside an identity number is not a real date."),
    "ID_FUTURE_BIRTH": _e("The birth date inside an identity number is after today."),
    "ID_CHECK": _e("The identity number's check character is wrong (ISO 7064 MOD 11-2)."),
    # subject (see subject.py)
    "USCC_REQUIRED": _e("A legal person, other organisation or 个体工商户 needs its USCC."),
    "LEGAL_REP_REQUIRED": _e("A 法人及非法人组织 subject needs its legal representative."),
    "ID_TYPE_REQUIRED": _e("A natural person (自然人) needs the identity document type."),
    "ID_REQUIRED": _e("A natural person (自然人) needs the identity document number."),
    # penalties (see penalty.py)
    "FINE_AMOUNT_REQUIRED": _e("处罚类别 includes 罚款 but CF_NR_FK is missing or zero."),
    "CONFISCATION_AMOUNT_REQUIRED": _e("处罚类别 includes 没收违法所得 or 没收非法财物 but "
                                       "CF_NR_WFFF is missing."),
    "LICENCE_REQUIRED": _e("处罚类别 includes 暂扣许可证件 or 吊销许可证件 but CF_NR_ZKDX "
                           "(the licence's name and number) is missing."),
    "SEVERITY_MISMATCH": _w("The record's severity differs from the band its penalty types "
                            "or procedure imply under its rule version; the implied band "
                            "is used for publicity."),
    "PUBLICITY_END_BAND": _e("CF_GSJZQ differs from decision date + the maximum publicity "
                             "period of the record's band and rule version (or the decision "
                             "is not published and CF_GSJZQ must be empty)."),
    "RULE_VERSION_UNKNOWN": _e("rule_version is not a version of the publicity rule table."),
    # dates (see dates.py)
    "DATE_ORDER": _e("Two dates are in the wrong order (e.g. decision date after the "
                     "publicity end or validity, listing date after validity, "
                     "publish_date before the decision)."),
    "DATE_IN_FUTURE": _e("A decision, listing, commitment or publication date is after today."),
    "PUBLICATION_LATE": _w("双公示: publish_date is later than 7 working days after the "
                           "decision date. A warning, not an error: the record is true and "
                           "must not be lost; the delay is the publisher's fault to report."),
    "CALENDAR_NOT_COVERED": _w("A working-day count reached a year the holiday calendar does "
                               "not cover; weekends only were counted as days off."),
    # commitments and provinces (see commitment.py)
    "COMMITMENT_CODE_FORMAT": _e("CN_BM is not 6-digit division + 8-digit real date "
                                 "(YYYYMMDD) + 6-digit serial."),
    "PROVINCE_MISMATCH": _e("The division code of CN_BM lies in another province than the "
                            "record's province."),
    # at ingest, by the node (node/service/ingest.py, catalog_state.py, domain/catalog)
    "PROVINCE_NOT_YOURS": _e("The record's province is not the submitting platform's."),
    "CATALOG_NOT_ADOPTED": _e("No shared catalog version is in force on the ledger (or its "
                              "document is not held), so no category can be recognized."),
    "CATEGORY_NOT_RECOGNIZED": _e("The local category is not mapped onto the shared catalog "
                                  "version in force."),
    "CATEGORY_KIND_MISMATCH": _e("The local category maps onto a shared category of another "
                                 "record kind."),
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: a catalogue ``code``, the ``field`` it concerns (None for the whole
    record) and a human-readable ``message``."""

    code: str
    field: str | None
    message: str

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}


class Collector:
    """Accumulates issues, sorting them into errors and warnings by catalogue level."""

    __slots__ = ("errors", "warnings")

    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []

    def add(self, code: str, field: str | None, message: str) -> None:
        """Record a finding. Precondition: ``code`` is in :data:`CATALOGUE` (KeyError if not)."""
        if CATALOGUE[code].level == "error":
            self.errors.append(Issue(code, field, message))
        else:
            self.warnings.append(Issue(code, field, message))
