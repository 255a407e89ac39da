"""Pure rules of accountable consent: evidence, grant length, forwarded-query signatures,
request ids and rate buckets (no servers)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from node.authz.evidence import MIN_EVIDENCE_BYTES, EvidenceError, check_evidence
from node.authz.forwarding import ForwardError, sign_forward, verify_forward
from node.authz.grants import GrantError, check_grant, make_grant
from node.authz.rate import TokenBuckets
from node.authz.request_ids import RequestIdError, check_request_id

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + b"x" * MIN_EVIDENCE_BYTES
PNG = b"\x89PNG\r\n\x1a\n" + b"x" * MIN_EVIDENCE_BYTES
JPEG = b"\xff\xd8\xff\xe0" + b"x" * MIN_EVIDENCE_BYTES


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("data", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg")])
def test_scans_and_photos_of_the_form_are_taken(data: bytes, kind: str) -> None:
    assert check_evidence(data, _sha(data)) == kind


@pytest.mark.parametrize(("data", "message"), [
    (b"", "consent evidence is 0 bytes; want at least 1024"),
    (b"%PDF-1.7\n" + b"x" * 100, "is 109 bytes; want at least 1024"),
    (b"GIF89a" + b"x" * 2000, "must be a PDF, PNG or JPEG"),
    (b"x" * 5 * 1024 * 1024, "want at most"),
])
def test_empty_small_or_other_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(EvidenceError, match=message):
        check_evidence(data, _sha(data))


def test_evidence_must_be_what_the_grant_hashed() -> None:
    with pytest.raises(EvidenceError, match="does not hash to the grant's"):
        check_evidence(PDF, _sha(PNG))


class _Nonces:
    def claim(self, agency: str, nonce: str, expires_at: datetime) -> bool:
        return True


def test_a_grant_longer_than_the_purpose_allows_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    kwargs = {"caller_agency": "a", "caller_key": key.public_key(), "purpose": "p",
              "subject": "91320000MA1XXXXX0K", "now": NOW, "nonces": _Nonces()}
    for days, allowed in ((30, True), (31, False), (36500, False)):
        grant = make_grant(subject="91320000MA1XXXXX0K", agency="a", purpose="p",
                           scope=("penalty",), consent_evidence=PDF, private_key=key, now=NOW,
                           valid_for=timedelta(days=days))
        if allowed:
            check_grant(grant, max_validity=timedelta(days=30), **kwargs)  # type: ignore[arg-type]
        else:
            with pytest.raises(GrantError, match=f"lasts {days} days; this purpose allows "
                                                 "at most 30"):
                check_grant(grant, max_validity=timedelta(days=30), **kwargs)  # type: ignore[arg-type]


def test_a_forwarded_statement_binds_every_field_and_the_time() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    fields = {"request_id": "r1", "purpose": "lending_review",
              "subject": "91320000MA1XXXXX0K", "origin": "JS"}
    signed_at = int(NOW.timestamp())
    signature = sign_forward(key, signed_at=signed_at, **fields)
    verify_forward(key.public_key(), signature, signed_at=signed_at, now=NOW, **fields)
    # The subject is signed normalised: lower case and spaces do not matter.
    verify_forward(key.public_key(), signature, signed_at=signed_at, now=NOW,
                   **{**fields, "subject": " 91320000ma1xxxxx0k"})
    for name, other in (("request_id", "r2"), ("purpose", "supervision"),
                        ("subject", "91330000MA1XXXXX0K"), ("origin", "ZJ")):
        with pytest.raises(ForwardError, match="does not verify"):
            verify_forward(key.public_key(), signature, signed_at=signed_at, now=NOW,
                           **{**fields, name: other})
    with pytest.raises(ForwardError, match="does not verify"):
        verify_forward(key.public_key(), signature, signed_at=signed_at + 1, now=NOW, **fields)
    with pytest.raises(ForwardError, match="carries no signature"):
        verify_forward(key.public_key(), b"", signed_at=signed_at, now=NOW, **fields)
    with pytest.raises(ForwardError, match="is 301 s old; want within 300 s"):
        verify_forward(key.public_key(), signature, signed_at=signed_at,
                       now=NOW + timedelta(seconds=301), **fields)


@pytest.mark.parametrize("good", [
    uuid.uuid4().hex, str(uuid.uuid4()), "01JDQ8ZK4W3C5YF2M7N9P0RST6", "q-allowed-1",
    "pull_SH_20261202", "x" * 64, "batch-12345678901",
])
def test_ids_that_cannot_carry_personal_data_are_taken(good: str) -> None:
    assert check_request_id(good) == good


@pytest.mark.parametrize(("bad", "message"), [
    ("11010519491231002X", "run of more than 11 digits"),
    ("q-110105194912310", "run of more than 11 digits"),
    ("13800138000138", "run of more than 11 digits"),
    ("0011010519491231002X0000000000000a", "UUID, a ULID"),  # 34 chars: not a UUID
    ("abcdef32010219900100000712345678", "looks like a citizen ID"),  # 32 hex, an ID inside
    ("张三", "UUID, a ULID"), ("a.b", "UUID, a ULID"), ("", "UUID, a ULID"),
    ("x" * 65, "UUID, a ULID"),
])
def test_ids_that_could_carry_an_identifier_are_refused(bad: str, message: str) -> None:
    with pytest.raises(RequestIdError, match=message) as info:
        check_request_id(bad)
    assert bad not in str(info.value) or not bad


def test_a_bucket_gives_a_burst_then_its_rate() -> None:
    clock = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=3, clock=lambda: clock[0])
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]
    assert buckets.take("b")  # another agency has its own bucket
    clock[0] += 1.0
    assert buckets.take("a") and not buckets.take("a")
    clock[0] += 3600
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]


def test_an_occasion_is_charged_once_across_its_calls() -> None:
    """A forwarded query fetching three categories costs its agency one token there."""
    clock = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=2, clock=lambda: clock[0])
    assert [buckets.take_once("a", "query-1") for _ in range(3)] == [True, True, True]
    assert [buckets.take_once("a", "query-2") for _ in range(3)] == [True, True, True]
    assert not buckets.take_once("a", "query-3")  # the bucket is empty: refused ...
    clock[0] += 1.0
    assert buckets.take_once("a", "query-3")  # ... and charged when it refills
    assert buckets.take_once("b", "query-1")  # another agency, its own bucket
    assert not buckets.take_once("a", "") and not buckets.take("a")  # no occasion: take()
