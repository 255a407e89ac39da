"""Lifecycle dates with an injected clock, for every rule version: expiry and repair."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from node.domain.lifecycle import (
    REPAIRED,
    RepairRefused,
    check_repair,
    publicly_answerable,
    record_dates,
)
from node.domain.records import parse_record
from tests.node.domain.domain_samples import sample

D = dt.date
DECIDED = D(2025, 1, 31)


def _penalty(version: str, severity: str, **changes: Any) -> Any:
    obj = sample("penalty")
    obj.update({"rule_version": version, "severity": severity, "CF_JDRQ": DECIDED.isoformat(),
                "CF_CFLB": ["罚款"]}, **changes)
    return parse_record(obj)


# (version, severity, first day repair is possible, last day of publicity)
CASES = [
    ("2019", "general", D(2025, 4, 30), D(2026, 1, 31)),
    ("2019", "serious", D(2025, 7, 31), D(2028, 1, 31)),
    ("2023", "general", D(2025, 4, 30), D(2026, 1, 31)),
    ("2023", "serious", D(2026, 1, 31), D(2028, 1, 31)),
    ("2025", "minor", D(2025, 4, 30), D(2025, 4, 30)),
    ("2025", "general", D(2026, 1, 31), D(2028, 1, 31)),
    ("2025", "serious", D(2028, 1, 31), D(2028, 1, 31)),
]


@pytest.mark.parametrize(("version", "severity", "repair_from", "end"), CASES)
def test_expiry_is_computed_at_answer_time(version: str, severity: str, repair_from: dt.date,
                                           end: dt.date) -> None:
    dates = record_dates(_penalty(version, severity))
    assert (dates.decision_date, dates.repair_from, dates.publicity_end) == (
        DECIDED, repair_from, end)
    # The clock alone moves a record out of public answers: no job, no operator.
    assert publicly_answerable(dates.publicity_end, is_public=True, today=end)
    assert not publicly_answerable(dates.publicity_end, is_public=True,
                                   today=end + dt.timedelta(days=1))
    assert not publicly_answerable(dates.publicity_end, is_public=False, today=DECIDED)


@pytest.mark.parametrize(("version", "severity", "repair_from", "end"), CASES)
def test_repair_refused_too_early_naming_the_date(version: str, severity: str,
                                                  repair_from: dt.date, end: dt.date) -> None:
    dates = record_dates(_penalty(version, severity))
    day_before = repair_from - dt.timedelta(days=1)
    with pytest.raises(RepairRefused, match=rf"REPAIR_TOO_EARLY: .*possible from "
                                            rf"{repair_from.isoformat()}") as refused:
        check_repair(dates, today=day_before, status="active")
    assert refused.value.rule == "REPAIR_TOO_EARLY"
    check_repair(dates, today=repair_from, status="active")  # the day itself is allowed
    with pytest.raises(RepairRefused, match="REPAIR_ALREADY_DONE"):
        check_repair(dates, today=repair_from, status=REPAIRED)
    with pytest.raises(RepairRefused, match=f"REPAIR_AFTER_EXPIRY: .*{end.isoformat()}"):
        check_repair(dates, today=end + dt.timedelta(days=1), status="active")


def test_unpublished_decision_has_nothing_to_repair() -> None:
    for version in ("2019", "2023", "2025"):
        dates = record_dates(_penalty(version, "general", CF_CFLB=["警告"]))
        assert (dates.repair_from, dates.publicity_end) == (None, None)
        with pytest.raises(RepairRefused, match="REPAIR_NOT_PUBLISHED"):
            check_repair(dates, today=D(2030, 1, 1), status="active")
