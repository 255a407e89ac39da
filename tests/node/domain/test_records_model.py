"""Typed records: parse after validation, JSON round trip, identifiers, publicity."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from domain_samples import sample, samples, validate

from node.domain.fields import BY_KIND, ENVELOPE
from node.domain.records import (
    RECORD_CLASSES,
    CreditCommitment,
    DishonestyEntry,
    PenaltyRecord,
    RecordParseError,
    is_public,
    parse_record,
    subject_identifier,
    to_json,
)


@pytest.mark.parametrize("kind", ["penalty", "dishonesty", "commitment"])
def test_dataclass_codes_match_field_table(kind: str) -> None:
    codes = [f.metadata["code"] for f in dataclasses.fields(RECORD_CLASSES[kind])]
    assert sorted(codes) == sorted(s.code for s in (*ENVELOPE, *BY_KIND[kind]))


@pytest.mark.parametrize("kind", ["penalty", "dishonesty", "commitment"])
def test_samples_round_trip_exactly(kind: str) -> None:
    for obj in samples(kind):
        assert validate(obj).ok
        record = parse_record(obj)
        assert to_json(record) == obj
        assert list(to_json(record)) == list(obj)  # field order too
        assert parse_record(to_json(record)) == record


def test_parse_normalises_values() -> None:
    obj = sample("penalty", 1)
    obj["CF_XDR_ZJHM"] = "11010519491231002x"
    obj["CF_NR_FK"] = Decimal("0.50")
    obj["CF_NR_ZKDX"] = "   "     # blank optional: absent
    obj["CF_GSJZQ"] = None
    obj["CF_EXTRA"] = "ignored"
    assert validate(obj).ok
    record = parse_record(obj)
    assert isinstance(record, PenaltyRecord)
    assert record.id_number == "11010519491231002X"
    assert record.fine_amount == "0.5"
    assert record.licence is None and record.publicity_end is None
    assert record.decision_date == dt.date(2025, 4, 21)
    assert record.penalty_types == ("罚款",)
    out = to_json(record)
    assert out["CF_XDR_ZJHM"] == "11010519491231002X"
    assert out["CF_NR_FK"] == "0.5"
    assert "CF_NR_ZKDX" not in out and "CF_GSJZQ" not in out and "CF_EXTRA" not in out
    assert parse_record(out) == record


@pytest.mark.parametrize(("given", "want"), [
    (5.4, "5.4"), (12, "12"), (100, "100"), ("100.00", "100"), (Decimal("1E+2"), "100"),
    ("0.000001", "0.000001"), (0.1, "0.1"),
])
def test_amounts_become_canonical_decimal_strings(given: object, want: str) -> None:
    obj = sample("penalty")
    obj["CF_NR_FK"] = given
    assert validate(obj).ok
    record = parse_record(obj)
    assert isinstance(record, PenaltyRecord)
    assert record.fine_amount == want


def test_records_are_frozen_and_typed_by_kind() -> None:
    records = [parse_record(o) for k in ("penalty", "dishonesty", "commitment") for o in samples(k)]
    assert [type(r) for r in records] == [PenaltyRecord] * 3 + [DishonestyEntry] * 2 + [
        CreditCommitment] * 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        records[0].severity = "minor"  # type: ignore[misc]


def test_parse_refuses_what_validation_would() -> None:
    obj = sample("penalty")
    del obj["CF_JDRQ"]
    with pytest.raises(RecordParseError, match="CF_JDRQ: required"):
        parse_record(obj)
    obj = sample("penalty")
    obj["kind"] = "licence"
    with pytest.raises(RecordParseError, match="kind"):
        parse_record(obj)
    obj = sample("penalty")
    obj["CF_YXQ"] = "2026/03/12"
    with pytest.raises(RecordParseError, match="CF_YXQ"):
        parse_record(obj)


def test_subject_identifier() -> None:
    assert subject_identifier(parse_record(sample("penalty", 0))) == "91320505137123458B"
    assert subject_identifier(parse_record(sample("penalty", 1))) == "11010519491231002X"
    assert subject_identifier(parse_record(sample("dishonesty", 1))) == "34052419800101001X"
    assert subject_identifier(parse_record(sample("commitment", 1))) == "9233010630567812XY"


def test_is_public() -> None:
    legal, natural, serious = (parse_record(sample("penalty", i)) for i in range(3))
    assert is_public(legal) and is_public(serious)
    assert not is_public(natural)  # natural persons: not public by default
    assert isinstance(legal, PenaltyRecord)
    assert not is_public(dataclasses.replace(legal, penalty_types=("警告",)))
    assert not is_public(dataclasses.replace(legal, penalty_types=("警告", "通报批评")))
    assert is_public(dataclasses.replace(legal, penalty_types=("警告", "罚款")))
    assert not is_public(dataclasses.replace(legal, simplified="是"))
    assert not is_public(dataclasses.replace(legal, severity="minor"))  # 2023: minor unpublished
    assert is_public(dataclasses.replace(legal, severity="minor", rule_version="2025"))
    listed, person = (parse_record(sample("dishonesty", i)) for i in range(2))
    assert is_public(listed) and not is_public(person)
    open_, limited = (parse_record(sample("commitment", i)) for i in range(2))
    assert is_public(open_) and not is_public(limited)
