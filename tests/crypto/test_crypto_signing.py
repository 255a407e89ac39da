"""Generic domain-separated Ed25519 signatures."""

from __future__ import annotations

import hashlib

import nacl.signing
import pytest

from crypto.errors import CryptoError, InvalidSignature
from crypto.signing import (
    NodePublicKey,
    check_domain,
    key_id,
    node_public_key,
    public_key_of,
    sign,
    verify,
)

AUDIT = b"yrd-credit/audit-checkpoint/v1\x00"
GRANT = b"yrd-credit/grant/v1\x00"
KEY = nacl.signing.SigningKey(bytes(range(32)))
PUBLIC = public_key_of(KEY)


def test_sign_verify_round_trip() -> None:
    signature = sign(b"checkpoint", KEY, AUDIT)
    assert len(signature) == 64
    verify(b"checkpoint", signature, PUBLIC, AUDIT)


def test_signature_covers_domain_then_message() -> None:
    signature = sign(b"m", KEY, AUDIT)
    nacl.signing.VerifyKey(PUBLIC).verify(AUDIT + b"m", signature)


def test_other_domain_refused() -> None:
    signature = sign(b"checkpoint", KEY, AUDIT)
    with pytest.raises(InvalidSignature, match="does not verify for domain 'yrd-credit/grant/v1'"):
        verify(b"checkpoint", signature, PUBLIC, GRANT)


def test_other_message_and_other_key_refused() -> None:
    signature = sign(b"checkpoint", KEY, AUDIT)
    with pytest.raises(InvalidSignature):
        verify(b"checkpoinT", signature, PUBLIC, AUDIT)
    other = public_key_of(nacl.signing.SigningKey(bytes(32)))
    with pytest.raises(InvalidSignature, match=f"and key {key_id(other).hex()[:16]}"):
        verify(b"checkpoint", signature, other, AUDIT)


def test_wrong_length_signature_is_invalid_not_crash() -> None:
    with pytest.raises(InvalidSignature, match="signature must be 64 bytes, got 63"):
        verify(b"m", sign(b"m", KEY, AUDIT)[:63], PUBLIC, AUDIT)


def test_invalid_signature_is_crypto_error() -> None:
    assert issubclass(InvalidSignature, CryptoError)
    assert not issubclass(InvalidSignature, ValueError)


@pytest.mark.parametrize(
    ("domain", "error", "match"),
    [
        ("yrd/v1\x00", TypeError, "domain must be bytes, got str"),
        (b"\x00", ValueError, r"domain must be 2\.\.128 bytes, got 1"),
        (b"yrd-credit/x/v1", ValueError, "ending in one NUL byte"),
        (b"yrd\x00credit\x00", ValueError, "ending in one NUL byte"),
        (b"yrd credit\x00", ValueError, "without spaces"),
        (b"a" * 128 + b"\x00", ValueError, r"2\.\.128 bytes, got 129"),
    ],
)
def test_domain_shape_checked(domain: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        check_domain(domain)  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        sign(b"m", KEY, domain)  # type: ignore[arg-type]


def test_public_key_checks() -> None:
    with pytest.raises(ValueError, match="public key must be 32 bytes, got 31"):
        verify(b"m", bytes(64), NodePublicKey(bytes(31)), AUDIT)
    with pytest.raises(TypeError, match="public key must be bytes, got str"):
        node_public_key("ab" * 16)  # type: ignore[arg-type]
    assert node_public_key(bytes(PUBLIC)) == PUBLIC


def test_key_id_is_sha256_of_raw_key() -> None:
    assert key_id(PUBLIC) == hashlib.sha256(bytes(KEY.verify_key)).digest()


def test_type_errors() -> None:
    with pytest.raises(TypeError, match="message must be bytes, got str"):
        sign("m", KEY, AUDIT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="signing_key must be a nacl SigningKey, got bytes"):
        sign(b"m", bytes(32), AUDIT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="signature must be bytes, got str"):
        verify(b"m", "00", PUBLIC, AUDIT)  # type: ignore[arg-type]
