"""Sealed payloads: round trip, and refusal of every tampering, wrong key or wrong row."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import CryptoError, SealingError
from crypto.sealing import (
    KEY_ID_SIZE,
    NONCE_SIZE,
    SEAL_VERSION,
    TAG_SIZE,
    WRAPPED_KEY_SIZE,
    MasterKey,
    Sealed,
    master_key,
    master_key_id,
    new_master_key,
    open_sealed,
    record_aad,
    seal,
    seal_many,
)

KEY = master_key(bytes(range(32)))
OTHER_KEY = master_key(bytes(range(1, 33)))
AAD = record_aad("JS", "JS-2025-001042")
PAYLOAD = "苏州某某公司 行政处罚决定书 苏市监罚〔2024〕12号".encode()
HEADER = 1 + KEY_ID_SIZE + WRAPPED_KEY_SIZE + NONCE_SIZE


@settings(max_examples=50)
@given(st.binary(max_size=2048), st.binary(max_size=64))
def test_round_trip(plaintext: bytes, aad: bytes) -> None:
    sealed = seal(plaintext, KEY, aad)
    assert open_sealed(sealed, KEY, aad) == plaintext
    blob = sealed.to_bytes()
    assert len(blob) == HEADER + len(plaintext) + TAG_SIZE
    assert Sealed.from_bytes(blob) == sealed
    assert open_sealed(blob, KEY, aad) == plaintext


def test_layout_and_fresh_data_keys() -> None:
    first, second = seal(PAYLOAD, KEY, AAD), seal(PAYLOAD, KEY, AAD)
    blob = first.to_bytes()
    assert blob[0] == SEAL_VERSION
    assert blob[1 : 1 + KEY_ID_SIZE] == master_key_id(KEY)
    assert PAYLOAD not in blob
    assert first.wrapped_key != second.wrapped_key
    assert first.ciphertext != second.ciphertext


def test_seal_many_gives_seal_layout_with_a_fresh_key_and_nonce_each() -> None:
    items = [(PAYLOAD, AAD), (PAYLOAD, AAD), (b"", record_aad("SH", "SH-1"))]
    blobs = seal_many(items, KEY)
    assert [open_sealed(b, KEY, aad) for b, (_, aad) in zip(blobs, items, strict=True)] == [
        PAYLOAD, PAYLOAD, b""]
    parsed = [Sealed.from_bytes(b) for b in blobs]
    assert [len(b) for b in blobs] == [HEADER + len(p) + TAG_SIZE for p, _ in items]
    assert all(b[0] == SEAL_VERSION and p.master_key_id == master_key_id(KEY)
               for b, p in zip(blobs, parsed, strict=True))
    assert len({p.wrapped_key for p in parsed}) == len({p.nonce for p in parsed}) == 3
    assert parsed[0].ciphertext != parsed[1].ciphertext
    with pytest.raises(SealingError, match="does not authenticate"):
        open_sealed(blobs[0], KEY, items[2][1])  # each blob is bound to its own aad
    assert seal_many([], KEY) == []


@pytest.mark.parametrize(
    ("offset", "match"),
    [
        (0, "unsupported sealed payload version 0; want 1"),
        (1, "sealed under master key id .* wrong master key"),
        (1 + KEY_ID_SIZE, "wrapped data key fails its integrity check"),
        (1 + KEY_ID_SIZE + WRAPPED_KEY_SIZE - 1, "wrapped data key fails its integrity check"),
        (HEADER - NONCE_SIZE, "does not authenticate"),
        (HEADER, "does not authenticate"),
        (-1, "does not authenticate"),
    ],
    ids=["version", "key-id", "wrapped-key-first", "wrapped-key-last", "nonce", "ciphertext",
         "tag"],
)
def test_tampered_byte_refused(offset: int, match: str) -> None:
    blob = bytearray(seal(PAYLOAD, KEY, AAD).to_bytes())
    blob[offset] ^= 0x01
    with pytest.raises(SealingError, match=match):
        open_sealed(bytes(blob), KEY, AAD)


def test_wrong_aad_refused_row_swap() -> None:
    blob = seal(PAYLOAD, KEY, record_aad("JS", "JS-2025-001042")).to_bytes()
    for aad in (record_aad("JS", "JS-2025-001043"), record_aad("SH", "JS-2025-001042"), b""):
        with pytest.raises(SealingError, match="aad names a different record"):
            open_sealed(blob, KEY, aad)


def test_wrong_master_key_refused() -> None:
    sealed = seal(PAYLOAD, KEY, AAD)
    with pytest.raises(SealingError, match=f"has id {master_key_id(OTHER_KEY).hex()}"):
        open_sealed(sealed, OTHER_KEY, AAD)


def test_wrong_master_key_with_forged_key_id_still_refused() -> None:
    sealed = dataclasses.replace(seal(PAYLOAD, KEY, AAD), master_key_id=master_key_id(OTHER_KEY))
    with pytest.raises(SealingError, match="integrity check"):
        open_sealed(sealed, OTHER_KEY, AAD)


def test_wrapped_key_swapped_between_records_refused() -> None:
    first, second = seal(PAYLOAD, KEY, AAD), seal(PAYLOAD, KEY, AAD)
    mixed = dataclasses.replace(first, wrapped_key=second.wrapped_key)
    with pytest.raises(SealingError, match="does not authenticate"):
        open_sealed(mixed, KEY, AAD)


def test_shredded_wrapped_key_cannot_be_opened() -> None:
    shredded = dataclasses.replace(seal(PAYLOAD, KEY, AAD), wrapped_key=bytes(WRAPPED_KEY_SIZE))
    with pytest.raises(SealingError) as info:
        open_sealed(shredded, KEY, AAD)
    assert isinstance(info.value, CryptoError)


@pytest.mark.parametrize("cut", [0, 1, HEADER, HEADER + TAG_SIZE - 1])
def test_truncated_blob_refused(cut: int) -> None:
    blob = seal(b"", KEY, AAD).to_bytes()[:cut]
    with pytest.raises(SealingError, match=f"malformed sealed payload: {cut} bytes, want at least"):
        Sealed.from_bytes(blob)


def test_constructor_checks() -> None:
    good = seal(PAYLOAD, KEY, AAD)
    with pytest.raises(SealingError, match="nonce is 11 bytes, want 12"):
        dataclasses.replace(good, nonce=bytes(11))
    with pytest.raises(SealingError, match="ciphertext is 15 bytes"):
        dataclasses.replace(good, ciphertext=bytes(15))
    with pytest.raises(TypeError, match="wrapped_key must be bytes, got str"):
        dataclasses.replace(good, wrapped_key="00")  # type: ignore[arg-type]


def test_record_aad() -> None:
    assert record_aad("SH", "SH-1") == b"yrd-credit/record-aad/v1\x00SH\x00\x04SH-1"
    # The length prefix keeps ("SH", "1") + suffix from colliding with another split.
    assert record_aad("SH", "12") != record_aad("SH", "1") + b"2"
    with pytest.raises(ValueError, match="province must be two upper-case ASCII letters"):
        record_aad("js", "1")
    with pytest.raises(ValueError, match=r"record_no must be 1..1024 UTF-8 bytes, got 0"):
        record_aad("JS", "")
    with pytest.raises(TypeError):
        record_aad("JS", 1)  # type: ignore[arg-type]


def test_master_key_checks() -> None:
    assert len(new_master_key()) == 32 and new_master_key() != new_master_key()
    with pytest.raises(ValueError, match="master key must be 32 bytes, got 16"):
        seal(PAYLOAD, MasterKey(bytes(16)), AAD)
    with pytest.raises(TypeError, match="plaintext and aad must be bytes"):
        seal("text", KEY, AAD)  # type: ignore[arg-type]
