"""Audit events: canonical encoding, field checks, and no way to log a raw identifier."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from audit_helpers import AGENCY, NOW, exchange, make_event, token

from crypto.merkle import hash_leaf
from crypto.tokens import subject_token
from node.audit import (
    Action,
    AuditEvent,
    AuditEventError,
    Decision,
    decode_entry,
    encode_entry,
    entry_leaf,
    refusal_event,
)


def test_entry_bytes_are_pinned() -> None:
    event = make_event(1)
    assert encode_entry(event) == (
        '{"action":"query","actor":"' + AGENCY + '","decision":"allow","peer":"",'
        '"purpose":"credit_report","reason":"","records":["JS:JS-XZCF-2026-000001-0"],'
        '"records_returned":1,"request_id":"req-000001","role":"agency",'
        '"subject":"' + token(1).hex() + '","time":"2026-11-28T08:30:16.123Z","v":1}'
    ).encode()
    assert entry_leaf(encode_entry(event)) == hash_leaf(encode_entry(event))


@pytest.mark.parametrize("i", range(14))
def test_round_trip(i: int) -> None:
    event = make_event(i)
    assert decode_entry(encode_entry(event)) == event


def test_time_is_utc_with_milliseconds() -> None:
    local = datetime(2026, 11, 28, 16, 30, 15, 987654, tzinfo=timezone(timedelta(hours=8)))
    event = make_event(0, time=local)
    assert event.time == datetime(2026, 11, 28, 8, 30, 15, 987000, tzinfo=UTC)
    assert b'"time":"2026-11-28T08:30:15.987Z"' in encode_entry(event)
    with pytest.raises(AuditEventError, match="time must be a timezone-aware datetime"):
        make_event(0, time=datetime(2026, 11, 28, 8, 30))


def test_identifier_cannot_be_logged_as_subject() -> None:
    id_number = "11010519491231002X"
    with pytest.raises(AuditEventError, match="never an identifier; got str") as str_error:
        make_event(0, subject_token=id_number)
    with pytest.raises(AuditEventError, match="got 18 bytes") as bytes_error:
        make_event(0, subject_token=id_number.encode())
    for error in (str_error, bytes_error):
        assert id_number not in str(error.value)
    # The keyed hash is what goes in; the entry never holds the identifier.
    keyed = subject_token(id_number, b"k" * 32)
    entry = encode_entry(make_event(0, subject_token=keyed))
    assert keyed.hex().encode() in entry and id_number.encode() not in entry


def test_refusal_event_is_a_denied_refusal() -> None:
    event = refusal_event(time=NOW, actor=AGENCY, role="unknown", reason="UNKNOWN_ROLE",
                          request_id="req-9")
    decoded = decode_entry(encode_entry(event))
    assert (decoded.action, decoded.decision, decoded.reason) == (
        Action.REFUSAL, Decision.DENY, "UNKNOWN_ROLE")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"actor": "Zhang San"}, "actor must be a certificate fingerprint"),
        ({"actor": AGENCY.upper()}, "actor must be a certificate fingerprint"),
        ({"role": "president"}, "role must be one of"),
        ({"action": "delete"}, "action must be one of ingest"),
        ({"decision": "maybe"}, "decision must be one of allow, deny"),
        ({"request_id": ""}, "request_id must be 1-128 characters"),
        ({"request_id": "a b"}, "request_id must be 1-128 characters"),
        ({"purpose": "Credit Report"}, "purpose must be empty or a purpose id"),
        ({"records_returned": -1}, "records_returned must be an int"),
        ({"records_returned": True}, "records_returned must be an int"),
        ({"record_refs": ("XX:1",)}, r"record_refs\[0\] must be '<province>:<record_no>'"),
        ({"record_refs": ("JS:a b",)}, r"record_refs\[0\]"),
        ({"decision": Decision.DENY, "reason": ""}, "reason is required when the decision"),
        ({"decision": Decision.DENY, "reason": "no grant"}, "reason must be an upper-case code"),
        ({"peer": "XX"}, "peer must be empty or a province code"),
        ({"action": Action.EXCHANGE_OUT}, "peer is required for exchange_out"),
    ],
)
def test_bad_fields_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(AuditEventError, match=message):
        make_event(0, **changes)


def test_exchange_event() -> None:
    event = exchange(0, Action.EXCHANGE_IN, "SH", "x-1")
    assert (event.actor, event.role, event.peer) == ("SH", "peer", "SH")
    assert isinstance(event, AuditEvent)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw.update(v=2), "want version 1"),
        (lambda raw: raw.update(extra=1), "want version 1 with keys"),
        (lambda raw: raw.update(subject="zz"), "wrong type or form"),
        (lambda raw: raw.update(records_returned="1"), "records_returned must be an int"),
        (lambda raw: raw.update(records="JS:1"), "wrong type or form"),
    ],
    ids=["version", "extra-key", "bad-hex", "count-as-text", "records-not-list"],
)
def test_decode_refuses_malformed_entries(mutate: object, message: str) -> None:
    raw = json.loads(encode_entry(make_event(1)))
    mutate(raw)  # type: ignore[operator]
    data = json.dumps(raw, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(AuditEventError, match=message):
        decode_entry(data)


def test_decode_refuses_non_canonical_bytes() -> None:
    data = encode_entry(make_event(1)).replace(b'{"action"', b'{ "action"')
    with pytest.raises(AuditEventError, match="not canonical JSON v1"):
        decode_entry(data)


def test_a_grant_agency_and_evidence_are_named_only_when_set() -> None:
    plain = make_event(1)
    granted = dataclasses.replace(plain, grant="ab" * 16, evidence="cd" * 32, agency=AGENCY)
    doc = json.loads(encode_entry(granted))
    assert (doc["grant"], doc["evidence"], doc["agency"]) == ("ab" * 16, "cd" * 32, AGENCY)
    assert decode_entry(encode_entry(granted)) == granted
    assert not {"grant", "evidence", "agency"} & set(json.loads(encode_entry(plain)))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("grant", "110105194912310", "grant must be empty or a grant nonce"),
    ("evidence", "scan", "evidence must be empty or a SHA-256"),
    ("agency", "example-agency", "agency must be empty or a certificate fingerprint"),
])
def test_grant_fields_refuse_anything_but_ids_and_hashes(field: str, value: str,
                                                        message: str) -> None:
    with pytest.raises(AuditEventError, match=message):
        dataclasses.replace(make_event(1), **{field: value})
