"""Domain-separated Ed25519 signatures (PyNaCl / libsodium).

Every signature covers ``domain ‖ message``. A domain is a tag such as
``b"yrd-credit/batch-header/v1\\x00"``: ASCII, ending in its only NUL byte, so the set of
tags is prefix-free and a signature made for one purpose (a batch header) can never verify
as another (an audit checkpoint, a grant). Usage::

    from nacl.signing import SigningKey
    from crypto.signing import public_key_of, sign, verify

    domain = b"yrd-credit/audit-checkpoint/v1\\x00"
    key = SigningKey.generate()
    signature = sign(b"payload", key, domain)
    verify(b"payload", signature, public_key_of(key), domain)   # raises InvalidSignature

Wrong types raise ``TypeError``, a public key or domain of the wrong shape ``ValueError``
(configuration errors); a signature that does not check out — including one of the wrong
length, as it comes from the wire — raises :class:`~crypto.errors.InvalidSignature`.
"""

from __future__ import annotations

import hashlib
from typing import Final, NewType

import nacl.exceptions
import nacl.signing

from crypto.errors import InvalidSignature

__all__ = [
    "PUBLIC_KEY_SIZE",
    "SIGNATURE_SIZE",
    "KeyId",
    "NodePublicKey",
    "check_domain",
    "key_id",
    "node_public_key",
    "public_key_of",
    "sign",
    "verify",
]

PUBLIC_KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64
_MAX_DOMAIN = 128

NodePublicKey = NewType("NodePublicKey", bytes)
"""A raw 32-byte Ed25519 public key (a node's, an agency's, a witness's)."""

KeyId = NewType("KeyId", bytes)
"""SHA-256 of a raw Ed25519 public key: how key rings and logs name a key."""


def check_domain(domain: bytes) -> bytes:
    """Return ``domain`` if it is a valid tag, else raise ``TypeError``/``ValueError``.

    A valid tag is 2..128 bytes of printable ASCII followed by one NUL byte at the end.
    """
    if not isinstance(domain, bytes):
        raise TypeError(f"domain must be bytes, got {type(domain).__name__}")
    if not 2 <= len(domain) <= _MAX_DOMAIN:
        raise ValueError(f"domain must be 2..{_MAX_DOMAIN} bytes, got {len(domain)}")
    body = domain[:-1]
    if domain[-1:] != b"\x00" or not all(0x20 < b < 0x7F for b in body):
        raise ValueError(
            "domain must be printable ASCII without spaces ending in one NUL byte, "
            f"e.g. b'yrd-credit/purpose/v1\\x00'; got {domain!r}"
        )
    return domain


def node_public_key(raw: bytes) -> NodePublicKey:
    """Return ``raw`` typed as a :data:`NodePublicKey` after checking its length."""
    if not isinstance(raw, bytes):
        raise TypeError(f"public key must be bytes, got {type(raw).__name__}")
    if len(raw) != PUBLIC_KEY_SIZE:
        raise ValueError(f"Ed25519 public key must be {PUBLIC_KEY_SIZE} bytes, got {len(raw)}")
    return NodePublicKey(raw)


def public_key_of(signing_key: nacl.signing.SigningKey) -> NodePublicKey:
    """Return the raw public key of ``signing_key``."""
    if not isinstance(signing_key, nacl.signing.SigningKey):
        raise TypeError(f"signing_key must be a nacl SigningKey, got {type(signing_key).__name__}")
    return NodePublicKey(bytes(signing_key.verify_key))


def key_id(public_key: NodePublicKey) -> KeyId:
    """Return the :data:`KeyId` (SHA-256 of the raw key) of ``public_key``."""
    return KeyId(hashlib.sha256(node_public_key(public_key)).digest())


def sign(message: bytes, signing_key: nacl.signing.SigningKey, domain: bytes) -> bytes:
    """Return the 64-byte Ed25519 signature of ``domain ‖ message``.

    Preconditions: ``message`` is bytes; ``domain`` passes :func:`check_domain`.
    """
    if not isinstance(message, bytes):
        raise TypeError(f"message must be bytes, got {type(message).__name__}")
    if not isinstance(signing_key, nacl.signing.SigningKey):
        raise TypeError(f"signing_key must be a nacl SigningKey, got {type(signing_key).__name__}")
    signed = signing_key.sign(check_domain(domain) + message)
    return bytes(signed.signature)


def verify(message: bytes, signature: bytes, public_key: NodePublicKey, domain: bytes) -> None:
    """Check ``signature`` over ``domain ‖ message`` under ``public_key``; ``None`` or raise.

    Steps: (1) types; (2) domain shape; (3) public key length; (4) signature length;
    (5) libsodium strict Ed25519 verification (rejects small-order keys and non-canonical
    signatures).
    """
    # (1): types
    for name, value in (("message", message), ("signature", signature)):
        if not isinstance(value, bytes):
            raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
    # (2): domain
    tagged = check_domain(domain) + message
    # (3): public key
    verify_key = nacl.signing.VerifyKey(node_public_key(public_key))
    # (4): signature length
    if len(signature) != SIGNATURE_SIZE:
        raise InvalidSignature(
            f"signature must be {SIGNATURE_SIZE} bytes, got {len(signature)}"
        )
    # (5): the signature itself
    try:
        verify_key.verify(tagged, signature)
    except nacl.exceptions.BadSignatureError as exc:
        raise InvalidSignature(
            f"Ed25519 signature does not verify for domain {domain[:-1].decode('ascii')!r} "
            f"and key {key_id(public_key).hex()[:16]}"
        ) from exc
