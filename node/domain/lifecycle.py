"""A record's lifecycle dates and the rules that read them: expiry and credit repair.

Everything here is a plain function of the record and *today* (the caller's injected
clock), so expiry needs no operator action: it is computed at answer time, and a test
moves time by passing another day. Dates come from the versioned rule table
(``node.domain.publicity``) for the record's ``rule_version``.

Usage::

    dates = record_dates(record)
    check_repair(dates, today=dt.date(2026, 1, 2), status="active")   # or RepairRefused
    publicly_answerable(dates.publicity_end, is_public=True, today=...)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from node.domain.errors import DomainError
from node.domain.publicity import RuleTable, publicity_end, repair_earliest
from node.domain.records import DishonestyEntry, PenaltyRecord, Record

__all__ = [
    "ACTIVE",
    "ANSWERED",
    "CORRECTED",
    "OBJECTION",
    "OBJECTION_RESULTS",
    "OBJECTION_WORKING_DAYS",
    "REPAIRED",
    "RecordDates",
    "RepairRefused",
    "check_repair",
    "publicly_answerable",
    "record_dates",
]

ACTIVE = "active"
REPAIRED = "repaired"
"""The status of a record whose repair was accepted (no node answers it; key destroyed)."""
CORRECTED = "corrected"
"""The status of a record an objection corrected: a new version replaces it (key destroyed)."""
OBJECTION = "objection"
"""The status of a record under an open objection (异议标注): answered, with the flag."""
ANSWERED = frozenset({ACTIVE, OBJECTION})
"""Statuses in which a record is answered at all (the flag travels with the answer)."""
OBJECTION_RESULTS = ("corrected", "upheld", "unverifiable")
OBJECTION_WORKING_DAYS: dict[str, int] = {"SH": 5, "JS": 5, "ZJ": 5, "AH": 7}
"""Working days a province gives itself to verify an objection (domain.md §4:
configurable per province; these defaults are this project's, to be set by each operator)."""


class RepairRefused(DomainError, ValueError):
    """A repair that the rules do not allow; ``rule`` is the stable code naming the rule."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule


@dataclass(frozen=True)
class RecordDates:
    """When a record was decided, when repair becomes possible, when publicity ends.

    ``repair_from`` and ``publicity_end`` are None for a record that is not published
    (nothing to repair, nothing ends) or of a kind without publicity periods.
    """

    decision_date: dt.date | None
    repair_from: dt.date | None
    publicity_end: dt.date | None


def record_dates(record: Record, *, sector: str | None = None,
                 rules: RuleTable | None = None) -> RecordDates:
    """The dates of ``record`` under its own ``rule_version`` (``UnknownRuleVersion`` if the
    table lacks it). A dishonesty-list entry ends at its validity date; a commitment has
    no publicity period of its own."""
    if isinstance(record, PenaltyRecord):
        args = (record.decision_date, record.severity, record.rule_version, record.penalty_types)
        return RecordDates(
            decision_date=record.decision_date,
            repair_from=repair_earliest(*args, simplified=record.is_simplified, sector=sector,
                                        rules=rules),
            publicity_end=publicity_end(*args, simplified=record.is_simplified, rules=rules),
        )
    if isinstance(record, DishonestyEntry):
        return RecordDates(decision_date=None, repair_from=None, publicity_end=record.valid_until)
    return RecordDates(decision_date=None, repair_from=None, publicity_end=None)


def check_repair(dates: RecordDates, *, today: dt.date, status: str) -> None:
    """Refuse a repair the rules do not allow; return None when it may be accepted.

    Rules, in order: REPAIR_ALREADY_DONE (the record is repaired), REPAIR_NOT_PUBLISHED
    (no publicity period: nothing to repair), REPAIR_TOO_EARLY (before the minimum
    period; the message names the first day repair is possible), REPAIR_AFTER_EXPIRY
    (publicity already ended by itself: nothing left to end).
    """
    if status == REPAIRED:
        raise RepairRefused("REPAIR_ALREADY_DONE", "the record is already repaired")
    if dates.repair_from is None or dates.publicity_end is None:
        raise RepairRefused("REPAIR_NOT_PUBLISHED",
                            "the record has no publicity period under its rule version")
    if today < dates.repair_from:
        raise RepairRefused("REPAIR_TOO_EARLY",
                            f"the minimum publicity period runs until "
                            f"{dates.repair_from.isoformat()}; repair is possible from "
                            f"{dates.repair_from.isoformat()} (today {today.isoformat()})")
    if today > dates.publicity_end:
        raise RepairRefused("REPAIR_AFTER_EXPIRY",
                            f"publicity ended by itself on {dates.publicity_end.isoformat()}")


def publicly_answerable(end: dt.date | None, *, is_public: bool, today: dt.date) -> bool:
    """Whether a record is still answered for public purposes on ``today``: published and
    not past the end of its maximum period (the end day itself still counts)."""
    return is_public and (end is None or today <= end)
