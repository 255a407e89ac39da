"""The prime-order group under the OPRF: Ed25519's subgroup through libsodium (PyNaCl).

RFC 9497 needs a prime-order group with hash-to-group and hash-to-scalar. PyNaCl binds
libsodium's Ed25519 group operations but not ristretto255, so the group here is the
order-ℓ subgroup of edwards25519 (ℓ = 2^252 + 27742317777372353535851937790883648493).
Elements are 32-byte compressed Edwards points; scalars 32-byte little-endian integers < ℓ.

* ``expand_message_xmd`` is RFC 9380 §5.3.1 with SHA-512.
* ``hash_to_group(msg, dst)``: ``u = expand_message_xmd(msg, dst, 64)``, then
  ``from_uniform(u[0:32]) + from_uniform(u[32:64])`` — libsodium's Elligator 2 map with
  cofactor clearing, applied twice and added, the random-oracle shape of RFC 9380 §3.
* ``hash_to_scalar(msg, dst)``: ``expand_message_xmd(msg, dst, 64)`` reduced mod ℓ.

Deserialization refuses anything that is not a canonical encoding of a non-identity
point of the prime-order subgroup (``crypto_core_ed25519_is_valid_point``), which is the
input validation RFC 9497 §4.7.1 (DeserializeElement) asks for.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Final

import nacl.bindings as sodium
import nacl.exceptions

from crypto.errors import CryptoError

__all__ = [
    "ELEMENT_SIZE",
    "SCALAR_SIZE",
    "InvalidElement",
    "Rng",
    "add",
    "base_mult",
    "deserialize_element",
    "expand_message_xmd",
    "hash_to_group",
    "hash_to_scalar",
    "i2osp",
    "mult",
    "random_scalar",
    "scalar_add",
    "scalar_invert",
    "scalar_mul",
    "scalar_sub",
]

ELEMENT_SIZE: Final = 32
SCALAR_SIZE: Final = 32
_HASH_SIZE: Final = 64  # SHA-512 output (b_in_bytes)
_BLOCK_SIZE: Final = 128  # SHA-512 input block (s_in_bytes)

Rng = Callable[[int], bytes]
"""A source of random bytes (``secrets.token_bytes``); tests inject a fixed one."""


class InvalidElement(CryptoError, ValueError):
    """Bytes that are not a valid element of the prime-order group (or a zero scalar)."""


def i2osp(value: int, length: int) -> bytes:
    """RFC 8017 I2OSP: ``value`` as ``length`` big-endian bytes (ValueError if too large)."""
    if value < 0 or value >= 1 << (8 * length):
        raise ValueError(f"i2osp: {value} does not fit in {length} bytes")
    return value.to_bytes(length, "big")


def expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 §5.3.1 expand_message_xmd with SHA-512: ``length`` uniform bytes."""
    ell = -(-length // _HASH_SIZE)
    if ell > 255 or length > 65535:
        raise ValueError(f"expand_message_xmd: length {length} too large, want <= 16320")
    if len(dst) > 255:
        raise ValueError(f"expand_message_xmd: DST of {len(dst)} bytes, want <= 255")
    dst_prime = dst + i2osp(len(dst), 1)
    msg_prime = bytes(_BLOCK_SIZE) + msg + i2osp(length, 2) + b"\x00" + dst_prime
    b0 = hashlib.sha512(msg_prime).digest()
    block = hashlib.sha512(b0 + b"\x01" + dst_prime).digest()
    out = [block]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, block, strict=True))
        block = hashlib.sha512(mixed + i2osp(i, 1) + dst_prime).digest()
        out.append(block)
    return b"".join(out)[:length]


def hash_to_group(msg: bytes, dst: bytes) -> bytes:
    """Hash ``msg`` to a non-identity element of the prime-order subgroup (see module doc)."""
    uniform = expand_message_xmd(msg, dst, 64)
    first = sodium.crypto_core_ed25519_from_uniform(uniform[:32])
    second = sodium.crypto_core_ed25519_from_uniform(uniform[32:])
    return add(first, second)


def hash_to_scalar(msg: bytes, dst: bytes) -> bytes:
    """Hash ``msg`` to a scalar mod ℓ (64 uniform bytes reduced: bias below 2^-250)."""
    return bytes(sodium.crypto_core_ed25519_scalar_reduce(expand_message_xmd(msg, dst, 64)))


def random_scalar(rng: Rng = secrets.token_bytes) -> bytes:
    """A uniformly random non-zero scalar (64 random bytes reduced mod ℓ)."""
    for _ in range(8):
        scalar = bytes(sodium.crypto_core_ed25519_scalar_reduce(rng(64)))
        if any(scalar):
            return scalar
    raise CryptoError("random_scalar: the random source keeps giving zero")


def deserialize_element(data: bytes, what: str) -> bytes:
    """``data`` if it is a canonical, non-identity element of the subgroup, else raise."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"{what} must be bytes, got {type(data).__name__}")
    if len(data) != ELEMENT_SIZE:
        raise InvalidElement(f"{what}: got {len(data)} bytes, want {ELEMENT_SIZE}")
    if not sodium.crypto_core_ed25519_is_valid_point(bytes(data)):
        raise InvalidElement(f"{what}: not a point of the prime-order group (or the identity)")
    return bytes(data)


def mult(scalar: bytes, element: bytes) -> bytes:
    """``scalar · element``; InvalidElement if the result would be the identity."""
    try:
        return bytes(sodium.crypto_scalarmult_ed25519_noclamp(scalar, element))
    except nacl.exceptions.RuntimeError as exc:
        raise InvalidElement("scalar multiplication gave the identity (zero scalar?)") from exc


def base_mult(scalar: bytes) -> bytes:
    """``scalar · G`` for the Ed25519 base point G."""
    try:
        return bytes(sodium.crypto_scalarmult_ed25519_base_noclamp(scalar))
    except nacl.exceptions.RuntimeError as exc:
        raise InvalidElement("base multiplication gave the identity (zero scalar?)") from exc


def add(left: bytes, right: bytes) -> bytes:
    """Group addition of two elements."""
    return bytes(sodium.crypto_core_ed25519_add(left, right))


def scalar_add(left: bytes, right: bytes) -> bytes:
    """``left + right`` mod ℓ."""
    return bytes(sodium.crypto_core_ed25519_scalar_add(left, right))


def scalar_sub(left: bytes, right: bytes) -> bytes:
    """``left - right`` mod ℓ."""
    return bytes(sodium.crypto_core_ed25519_scalar_sub(left, right))


def scalar_mul(left: bytes, right: bytes) -> bytes:
    """``left · right`` mod ℓ."""
    return bytes(sodium.crypto_core_ed25519_scalar_mul(left, right))


def scalar_invert(scalar: bytes) -> bytes:
    """``scalar^-1`` mod ℓ (InvalidElement for zero)."""
    if not any(scalar):
        raise InvalidElement("cannot invert the zero scalar")
    return bytes(sodium.crypto_core_ed25519_scalar_invert(scalar))
