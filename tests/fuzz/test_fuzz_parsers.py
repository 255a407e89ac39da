"""Hypothesis over the parsers hostile input reaches first: record JSON and validation,
canonical decoding, Merkle proof verification, batch headers, grants and answered records.
Each must answer every input with its own documented error (naming the defect), never an
unexpected exception. Examples are bounded (``max_examples``) to stay in the test budget;
every input tried is counted for the suite's reliability summary."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import nacl.signing
import pytest
import reliability_counts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto.batch_header import BatchHeader
from crypto.canonical import canonical_bytes, decode_canonical
from crypto.errors import CanonicalEncodingError, MalformedHeader
from crypto.merkle.errors import MerkleError
from crypto.merkle.verify import verify_consistency, verify_inclusion
from ledger.errors import ContractRevert
from ledger.types import Member
from node.authz.grants import GrantError, parse_grant
from node.domain.fields import BY_KIND, ENVELOPE
from node.domain.validation import ValidationContext, validate_record
from node.exchange.answers import AnswerVerifier, check_record
from node.exchange.errors import ChainUnavailable

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.text(max_size=40) | st.sampled_from(["", "0" * 64, "JS", "1970-01-01"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                           max_leaves=12)
field_codes = sorted({s.code for s in ENVELOPE} | {s.code for specs in BY_KIND.values()
                                                     for s in specs})


def _count() -> None:
    reliability_counts.add(reliability_counts.BAD_INPUTS)


@FUZZ
@given(raw=st.binary(max_size=300) | json_values.map(
    lambda v: json.dumps(v, ensure_ascii=False).encode()))
def test_record_json_of_any_bytes_is_validated_without_raising(raw: bytes) -> None:
    _count()
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return  # the ingest path refuses undecodable lines itself (NOT_JSON)
    result = validate_record(obj, ValidationContext(today=date(2026, 12, 2)))
    assert isinstance(result.ok, bool)
    assert all(issue.code for issue in result.errors)


@FUZZ
@given(record=st.dictionaries(st.sampled_from(field_codes) | st.text(max_size=8), scalars,
                              max_size=20))
def test_records_with_known_fields_of_any_value_are_validated(record: dict[str, Any]) -> None:
    _count()
    result = validate_record(record, ValidationContext(today=date(2026, 12, 2)))
    assert result.ok or all(issue.code and issue.message for issue in result.errors)


@FUZZ
@given(data=st.binary(max_size=200) | json_values.map(
    lambda v: json.dumps(v, ensure_ascii=False).encode()))
def test_canonical_decoding_refuses_or_round_trips(data: bytes) -> None:
    _count()
    try:
        decoded = decode_canonical(data)
    except CanonicalEncodingError as exc:
        assert str(exc)
        return
    assert canonical_bytes(decoded) == data


hashes = st.binary(min_size=0, max_size=40)


@FUZZ
@given(index=st.integers(-2, 70), size=st.integers(-2, 70), leaf=hashes,
       proof=st.lists(hashes, max_size=8), root=hashes)
def test_inclusion_proofs_of_any_shape_are_refused_cleanly(
        index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    _count()
    with pytest.raises(MerkleError):
        verify_inclusion(index, size, leaf, proof, root)


@FUZZ
@given(size1=st.integers(-2, 70), size2=st.integers(-2, 70), proof=st.lists(hashes, max_size=8),
       root1=hashes, root2=hashes)
def test_consistency_proofs_of_any_shape_are_refused_cleanly(
        size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes) -> None:
    _count()
    try:
        verify_consistency(size1, size2, proof, root1, root2)
    except MerkleError:
        return
    assert (size1 == size2 and root1 == root2) or size1 == 0  # only trivial proofs pass


@FUZZ
@given(text=st.binary(max_size=300) | json_values.map(json.dumps)
       | st.dictionaries(st.sampled_from(["version", "province", "seq", "tree_size",
                                           "first_leaf", "root", "prev_root", "created_at"]),
                         scalars, max_size=8).map(json.dumps))
def test_batch_headers_of_any_text_are_refused_as_malformed(text: bytes | str) -> None:
    _count()
    try:
        header = BatchHeader.from_json(text)
    except MalformedHeader as exc:
        assert str(exc)
        return
    assert BatchHeader.from_json(header.to_json()) == header


@FUZZ
@given(raw=st.binary(max_size=300) | json_values.map(json.dumps)
       | st.dictionaries(st.sampled_from(["version", "subject", "agency", "purpose", "scope",
                                           "issued_at", "expires_at", "nonce", "signature",
                                           "consent_evidence_sha256"]),
                         json_values, max_size=10).map(json.dumps))
def test_grants_of_any_bytes_are_refused_naming_the_field(raw: bytes | str) -> None:
    _count()
    try:
        parse_grant(raw)
    except GrantError as exc:
        assert str(exc).startswith("malformed grant") or str(exc)


class _Chain:
    """A ledger that knows JS as an active member and has anchored nothing."""

    key = nacl.signing.SigningKey(b"\x01" * 32)

    def member(self, province: str) -> Member:
        if province != "JS":
            raise ContractRevert("Governance", "NotAMember")
        return Member("JS", "0x" + "11" * 20, bytes(self.key.verify_key), b"\x00" * 32,
                      b"\x00" * 32, True)

    def is_anchored(self, province: str, seq: int, root: bytes) -> bool:
        return False

    def batch(self, province: str, seq: int) -> tuple[bytes, int, int]:
        return b"\x00" * 32, 0, 0

    def anchor_sender(self, province: str, seq: int) -> str | None:
        return None

    def __getattr__(self, name: str) -> Any:
        raise ChainUnavailable(f"{name} is not used by answer verification")


def _answered() -> dict[str, Any]:
    return {
        "province": "JS", "record_no": "R1", "kind": "penalty", "local_category": "x",
        "scheme": 2, "commitment": "00" * 32, "payload": {"CF_XDR_MC": "某公司"},
        "proof": {"leaf_index": 0, "tree_size": 1, "inclusion_proof": [],
                  "batch_header": "{}", "header_signature": "00" * 64,
                  "anchor": {"chain_id": 31337, "contract": "0x" + "22" * 20,
                             "tx_hash": "0x" + "33" * 32, "block_number": 1, "seq": 0}},
        "disclosure": {"envelope": {"province": "JS", "record_no": "R1", "kind": "penalty",
                                    "local_category": "x"},
                       "fields": {"CF_XDR_MC": {"salt": "44" * 16, "value": "某公司"}},
                       "withheld": []},
    }


_PATHS = [("province",), ("record_no",), ("scheme",), ("commitment",), ("payload",),
          ("proof",), ("proof", "leaf_index"), ("proof", "tree_size"),
          ("proof", "inclusion_proof"), ("proof", "batch_header"),
          ("proof", "header_signature"), ("proof", "anchor"), ("proof", "anchor", "seq"),
          ("proof", "anchor", "contract"), ("disclosure",), ("disclosure", "envelope"),
          ("disclosure", "fields"), ("disclosure", "withheld"), ("kind",)]


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(_PATHS), json_values), max_size=3),
       subject=st.none() | st.text(max_size=20))
def test_answered_records_of_any_shape_get_a_verdict(
        edits: list[tuple[tuple[str, ...], Any]], subject: str | None) -> None:
    _count()
    record = _answered()
    for path, value in edits:
        target = record
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[path[-1]] = value
    verifier = AnswerVerifier(_Chain(), chain_id=31337,
                              contracts={"RecordAnchors": "0x" + "22" * 20})
    try:
        report = check_record(record, verifier, subject)
    except ChainUnavailable:
        return
    assert report["problems"], "a record no ledger anchored cannot verify"
    assert all(isinstance(p, str) and p for p in report["problems"])
