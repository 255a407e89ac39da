"""Salted record commitments: formula, hiding salt, binding to every bit of salt and record."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.canonical import canonical_bytes
from crypto.commitment import (
    RECORD_COMMITMENT_TAG,
    SALT_SIZE,
    commit,
    commit_canonical,
    commit_new,
    new_salt,
    new_salts,
    verify_commitment,
)
from crypto.errors import CommitmentMismatch, CryptoError

RECORD = {"CF_WSH": "沪市监罚〔2024〕12号", "CF_CFLB": ["罚款"], "CF_NR_FK": 2.5}
SALT = bytes(range(32))

records = st.dictionaries(
    st.text(alphabet="abcdefgh中文", min_size=1, max_size=4),
    st.one_of(st.text(max_size=16), st.lists(st.text(max_size=8), max_size=3)),
    max_size=5,
)


def test_formula() -> None:
    expected = hashlib.sha256(
        b"yrd-credit/record-commitment/v1\x00" + SALT + canonical_bytes(RECORD)
    ).digest()
    assert commit(RECORD, SALT) == expected
    assert commit_canonical(canonical_bytes(RECORD), SALT) == expected


def test_tag_is_prefix_free() -> None:
    assert RECORD_COMMITMENT_TAG.endswith(b"\x00")
    assert RECORD_COMMITMENT_TAG.count(b"\x00") == 1


def test_commit_new_uses_fresh_salts() -> None:
    first, salt1 = commit_new(RECORD)
    second, salt2 = commit_new(RECORD)
    assert len(salt1) == len(salt2) == SALT_SIZE
    assert salt1 != salt2 and first != second
    verify_commitment(RECORD, salt1, first)
    verify_commitment(RECORD, salt2, second)
    assert len({new_salt() for _ in range(16)}) == 16
    drawn = new_salts(16)
    assert [len(s) for s in drawn] == [SALT_SIZE] * 16 and len(set(drawn)) == 16
    assert new_salts(0) == []


def test_verify_accepts_reordered_equivalent_record() -> None:
    commitment = commit(RECORD, SALT)
    verify_commitment(dict(reversed(list(RECORD.items()))), SALT, commitment)


@given(records, st.binary(min_size=32, max_size=32), st.integers(0, 255))
def test_any_salt_bit_changes_commitment(
    record: dict[str, Any], salt: bytes, bit: int
) -> None:
    flipped = bytearray(salt)
    flipped[bit // 8] ^= 1 << (bit % 8)
    commitment = commit(record, salt)
    assert commit(record, bytes(flipped)) != commitment
    with pytest.raises(CommitmentMismatch):
        verify_commitment(record, bytes(flipped), commitment)


@given(records, records)
def test_any_record_change_changes_commitment(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    same = canonical_bytes(first) == canonical_bytes(second)
    assert (commit(first, SALT) == commit(second, SALT)) == same
    if not same:
        with pytest.raises(CommitmentMismatch, match="record commitment mismatch"):
            verify_commitment(second, SALT, commit(first, SALT))


def test_single_field_change_refused_with_hex_message() -> None:
    commitment = commit(RECORD, SALT)
    changed = {**RECORD, "CF_NR_FK": 2.6}
    with pytest.raises(CommitmentMismatch) as info:
        verify_commitment(changed, SALT, commitment)
    assert f"want {commitment.hex()}" in str(info.value)
    assert f"calculated {commit(changed, SALT).hex()}" in str(info.value)
    assert isinstance(info.value, CryptoError)


@pytest.mark.parametrize("size", [0, 16, 31, 33])
def test_salt_length_checked(size: int) -> None:
    with pytest.raises(ValueError, match=f"salt must be 32 bytes, got {size}"):
        commit(RECORD, b"\x01" * size)


def test_commitment_length_checked() -> None:
    with pytest.raises(ValueError, match="commitment must be 32 bytes, got 31"):
        verify_commitment(RECORD, SALT, b"\x00" * 31)


def test_types_checked() -> None:
    with pytest.raises(TypeError, match="salt must be bytes, got str"):
        commit(RECORD, "00" * 32)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="canonical must be bytes, got dict"):
        commit_canonical(RECORD, SALT)  # type: ignore[arg-type]
