"""Expiry at answer time: the query's own visibility rule, with the day injected, for every
rule version — no job ends publicity, the day alone does; a flagged record is still
answered, a repaired or corrected one never is."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from node.domain.lifecycle import record_dates
from node.domain.records import parse_record
from node.service.query import visible
from node.store.rows import StoredRecord
from tests.node.domain.domain_samples import sample

DECIDED = dt.date(2025, 1, 31)


def _stored(version: str, severity: str) -> StoredRecord:
    obj = sample("penalty")
    obj.update(rule_version=version, severity=severity, CF_JDRQ=DECIDED.isoformat(),
               CF_CFLB=["罚款"])
    end = record_dates(parse_record(obj)).publicity_end
    return StoredRecord(
        id=1, province="JS", record_no="JS-1", kind="penalty", local_category="X",
        shared_category=None, catalog_version=None, severity=severity, rule_version=version,
        commitment=bytes(32), salt=bytes(32), leaf_index=0, subject_token=bytes(32),
        sealed_payload=b"", is_public=True, publicity_end=end, status="active",
        origin="local", batch_seq=None, created_at=datetime.now(UTC))


@pytest.mark.parametrize(("version", "severity", "last_day"), [
    ("2019", "general", dt.date(2026, 1, 31)), ("2019", "serious", dt.date(2028, 1, 31)),
    ("2023", "general", dt.date(2026, 1, 31)), ("2023", "serious", dt.date(2028, 1, 31)),
    ("2025", "minor", dt.date(2025, 4, 30)), ("2025", "general", dt.date(2028, 1, 31)),
])
def test_public_answers_end_with_the_maximum_period(version: str, severity: str,
                                                    last_day: dt.date) -> None:
    record = _stored(version, severity)
    public = frozenset[str]()
    assert visible(record, public, last_day)
    assert not visible(record, public, last_day + dt.timedelta(days=1))
    # A purpose whose grant covers the kind (an authority's) still sees it afterwards.
    assert visible(record, frozenset({"penalty"}), last_day + dt.timedelta(days=1))
    assert visible(replace(record, status="objection"), public, last_day)
    for ended in ("repaired", "corrected", "shredded"):
        assert not visible(replace(record, status=ended), frozenset({"penalty"}), last_day)
