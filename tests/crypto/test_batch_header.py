"""Batch headers: signing payload layout, signatures bound to every field, strict JSON."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import struct
from typing import Any

import nacl.signing
import pytest

from crypto.batch_header import (
    BATCH_HEADER_DOMAIN,
    EMPTY_ROOT,
    BatchHeader,
    sign_header,
    verify_header,
)
from crypto.errors import CryptoError, InvalidSignature, MalformedHeader
from crypto.signing import public_key_of

KEY = nacl.signing.SigningKey(hashlib.sha256(b"JS node key").digest())
PUBLIC = public_key_of(KEY)
ROOT = hashlib.sha256(b"root").digest()
PREV = hashlib.sha256(b"prev").digest()
HEADER = BatchHeader(
    province="JS", seq=7, tree_size=1200, root=ROOT, prev_size=1000, prev_root=PREV,
    catalog_version=3, issued_at=1_735_689_600,
)
SIGNATURE = sign_header(HEADER, KEY)


def _json(**changes: Any) -> str:
    document = json.loads(HEADER.to_json())
    for key, value in changes.items():
        if value is _DELETE:
            del document[key]
        else:
            document[key] = value
    return json.dumps(document)


_DELETE = object()


def test_signing_bytes_layout() -> None:
    data = HEADER.signing_bytes()
    assert len(data) == 133
    assert data.startswith(BATCH_HEADER_DOMAIN) and BATCH_HEADER_DOMAIN.count(b"\x00") == 1
    fields = struct.unpack(">2sQQ32sQ32sQQ", data[len(BATCH_HEADER_DOMAIN):])
    assert fields == (b"JS", 7, 1200, ROOT, 1000, PREV, 3, 1_735_689_600)


def test_signature_is_ed25519_over_signing_bytes() -> None:
    assert len(SIGNATURE) == 64
    nacl.signing.VerifyKey(PUBLIC).verify(HEADER.signing_bytes(), SIGNATURE)
    verify_header(HEADER, SIGNATURE, PUBLIC)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("province", "SH"),
        ("seq", 8),
        ("tree_size", 1201),
        ("root", PREV),
        ("prev_size", 999),
        ("prev_root", ROOT),
        ("catalog_version", 4),
        ("issued_at", 1_735_689_601),
    ],
)
def test_any_field_change_refused(field: str, value: Any) -> None:
    changed = dataclasses.replace(HEADER, **{field: value})
    with pytest.raises(InvalidSignature, match=f"batch header {changed.province} seq"):
        verify_header(changed, SIGNATURE, PUBLIC)


def test_wrong_key_refused() -> None:
    other = public_key_of(nacl.signing.SigningKey(hashlib.sha256(b"SH node key").digest()))
    with pytest.raises(InvalidSignature, match="batch header JS seq 7: Ed25519 signature"):
        verify_header(HEADER, SIGNATURE, other)


@pytest.mark.parametrize("bit", range(0, 512, 7))
def test_flipped_signature_bit_refused(bit: int) -> None:
    flipped = bytearray(SIGNATURE)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(InvalidSignature):
        verify_header(HEADER, bytes(flipped), PUBLIC)


def test_signature_of_other_domain_refused() -> None:
    forged = KEY.sign(b"yrd-credit/audit-checkpoint/v1\x00" + HEADER.signed_body()).signature
    with pytest.raises(InvalidSignature):
        verify_header(HEADER, forged, PUBLIC)


def test_truncated_signature_refused() -> None:
    with pytest.raises(InvalidSignature, match="signature must be 64 bytes, got 0"):
        verify_header(HEADER, b"", PUBLIC)


def test_json_round_trip_and_form() -> None:
    text = HEADER.to_json()
    assert BatchHeader.from_json(text) == HEADER
    assert BatchHeader.from_json(text.encode()) == HEADER
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    assert json.loads(text)["version"] == 1
    assert json.loads(text)["root"] == ROOT.hex()
    verify_header(BatchHeader.from_json(_json()), SIGNATURE, PUBLIC)


def test_first_batch_uses_empty_root() -> None:
    first = BatchHeader("AH", 0, 5, ROOT, 0, EMPTY_ROOT, 1, 0)
    assert BatchHeader.from_json(first.to_json()) == first


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"malformed batch header: empty input"),
        ("{", r"malformed batch header: not valid JSON: Expecting property name"),
        ("[1]", r"malformed batch header: expected a JSON object, got array"),
        (_json(version=_DELETE), r"malformed batch header: missing field 'version'"),
        (_json(version=2), r"malformed batch header: unsupported version 2; want 1"),
        (_json(version="1"), r"malformed batch header: unsupported version '1'; want 1"),
        (_json(root=_DELETE), r"malformed batch header: missing field 'root'"),
        (_json(extra="x"), r"malformed batch header: unknown field 'extra'"),
        (_json(province="XX"), r"province 'XX' is not one of AH, JS, SH, ZJ"),
        (_json(province="js"), r"province 'js' is not one of"),
        (_json(province=32), r"field 'province' must be a string, got integer"),
        (_json(seq=-1), r"seq out of range: got -1, want 0 <= seq < 2\^53"),
        (_json(seq=2**53), r"seq out of range: got 9007199254740992"),
        (_json(seq=7.0), r"field 'seq' must be an integer, got number with a fraction"),
        (_json(seq="7"), r"field 'seq' must be an integer, got string"),
        (_json(tree_size=True), r"field 'tree_size' must be an integer, got boolean"),
        (_json(issued_at=None), r"field 'issued_at' must be an integer, got null"),
        (_json(root=ROOT.hex()[:-2]), r"field 'root' must be 64 hex digits, got 62 characters"),
        (_json(root=ROOT.hex().upper()), r"field 'root' must be lowercase hex digits"),
        (_json(prev_root="zz" * 32), r"field 'prev_root' must be lowercase hex digits"),
        (_json(prev_root=list(PREV)), r"field 'prev_root' must be a hex string, got array"),
        (_json(prev_size=1200), r"prev_size 1200 must be less than tree_size 1200"),
        (_json(prev_size=0), r"prev_root of a batch starting at size 0 must be the empty-tree"),
        ('{"version":1,"version":1}', r"malformed batch header: duplicate field 'version'"),
        ('{"seq":NaN}', r"malformed batch header: NaN is not JSON"),
        (b"\xfe{}", r"malformed batch header: invalid UTF-8 at byte 0"),
    ],
)
def test_malformed_json_refused(text: str | bytes, match: str) -> None:
    with pytest.raises(MalformedHeader, match=match) as info:
        BatchHeader.from_json(text)
    assert isinstance(info.value, ValueError) and isinstance(info.value, CryptoError)


def test_from_json_type_error() -> None:
    with pytest.raises(TypeError, match="header JSON must be str or bytes, got dict"):
        BatchHeader.from_json({})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"seq": True}, TypeError, "seq must be int, got bool"),
        ({"root": ROOT.hex()}, TypeError, "root must be bytes, got str"),
        ({"province": None}, TypeError, "province must be str, got NoneType"),
        ({"root": ROOT[:31]}, MalformedHeader, "root must be 32 bytes, got 31"),
        ({"tree_size": 1000}, MalformedHeader, "prev_size 1000 must be less than tree_size"),
    ],
)
def test_constructor_invariants(
    changes: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        dataclasses.replace(HEADER, **changes)


def test_header_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        HEADER.seq = 8  # type: ignore[misc]
