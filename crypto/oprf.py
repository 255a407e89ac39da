"""Verifiable OPRF (2HashDH) in the structure of RFC 9497, mode VOPRF, batched.

Private list matching (匿踪查询): a requester learns ``F(k, x) = H(x, k·H1(x))`` for its
subjects x without the responder learning x, and checks with one DLEQ proof per batch
that the responder used the key it committed on-chain. Exact suite, hash-to-group and
domain-separation strings are in ``docs/oprf.md``. Usage::

    from crypto import oprf

    key = oprf.derive_key_pair(seed)                       # responder, once
    listed = oprf.evaluate(key, b"91350100M000100Y43")     # responder's own list

    blinds, blinded = oprf.blind_batch([b"91350100M000100Y43"])      # requester
    reply = oprf.blind_evaluate_batch(key, blinded)                  # responder
    outputs = oprf.finalize_batch(inputs, blinds, blinded, reply, key.public_key)
    assert outputs[0] == listed

The public key itself (32 bytes) is the on-chain ``oprfKeyCommitment``
(:func:`key_commitment`): a requester compares it byte for byte, so there is no second
value to keep in step. Pure functions; randomness is injectable (``rng``) for vectors.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from crypto.errors import CryptoError
from crypto.oprf_dleq import MAX_BATCH, PROOF_SIZE, InvalidProof, generate_proof, verify_proof
from crypto.oprf_group import (
    ELEMENT_SIZE,
    InvalidElement,
    Rng,
    base_mult,
    deserialize_element,
    hash_to_group,
    hash_to_scalar,
    i2osp,
    mult,
    random_scalar,
    scalar_invert,
)

__all__ = [
    "CONTEXT",
    "ELEMENT_SIZE",
    "KEY_INFO",
    "MAX_BATCH",
    "OUTPUT_SIZE",
    "PROOF_SIZE",
    "SUITE_ID",
    "BatchEvaluation",
    "InvalidElement",
    "InvalidProof",
    "OprfKeyPair",
    "blind_batch",
    "blind_evaluate_batch",
    "derive_key_pair",
    "evaluate",
    "finalize_batch",
    "key_commitment",
]

SUITE_ID: Final = b"edwards25519-SHA512-YRDv1"
"""Not an RFC 9497 registered suite (those use ristretto255, absent from PyNaCl)."""
MODE_VOPRF: Final = 0x01
CONTEXT: Final = b"OPRFV1-" + i2osp(MODE_VOPRF, 1) + b"-" + SUITE_ID
KEY_INFO: Final = b"yrd-credit/oprf-key/v1"
OUTPUT_SIZE: Final = 64
_HASH_TO_GROUP_DST: Final = b"HashToGroup-" + CONTEXT
_DERIVE_DST: Final = b"DeriveKeyPair" + CONTEXT
_MAX_INPUT: Final = 65535


@dataclass(frozen=True)
class OprfKeyPair:
    """The responder's key: scalar ``k`` and public key ``k·G`` (both 32 bytes)."""

    private_key: bytes = field(repr=False)
    public_key: bytes


@dataclass(frozen=True)
class BatchEvaluation:
    """The responder's answer to one batch: ``k·C_i`` in order and one DLEQ proof."""

    evaluated: tuple[bytes, ...]
    proof: bytes


def key_commitment(public_key: bytes) -> bytes:
    """The value registered on-chain for ``public_key``: the public key itself."""
    return deserialize_element(public_key, "OPRF public key")


def derive_key_pair(seed: bytes, info: bytes = KEY_INFO) -> OprfKeyPair:
    """RFC 9497 §3.2.1 DeriveKeyPair: a key pair from a 32-byte secret ``seed``."""
    if not isinstance(seed, bytes) or len(seed) != 32:
        raise ValueError("OPRF seed must be 32 bytes")
    if len(info) > _MAX_INPUT:
        raise ValueError(f"OPRF key info of {len(info)} bytes, want <= {_MAX_INPUT}")
    derive_input = seed + i2osp(len(info), 2) + info
    for counter in range(256):
        scalar = hash_to_scalar(derive_input + i2osp(counter, 1), _DERIVE_DST)
        if any(scalar):
            return OprfKeyPair(scalar, base_mult(scalar))
    raise CryptoError("DeriveKeyPair: no non-zero scalar in 256 tries")


def _check_input(value: bytes, position: int) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"OPRF input {position} must be bytes, got {type(value).__name__}")
    if len(value) > _MAX_INPUT:
        raise ValueError(f"OPRF input {position}: {len(value)} bytes, want <= {_MAX_INPUT}")
    return value


def _hash_input(value: bytes) -> bytes:
    return hash_to_group(value, _HASH_TO_GROUP_DST)


def _output(value: bytes, element: bytes) -> bytes:
    """RFC 9497 Finalize's hash: ``SHA-512(len‖input‖len‖element‖"Finalize")``."""
    transcript = i2osp(len(value), 2) + value + i2osp(len(element), 2) + element + b"Finalize"
    return hashlib.sha512(transcript).digest()


def evaluate(key: OprfKeyPair, value: bytes) -> bytes:
    """The responder's own ``F(k, value)`` (RFC 9497 Evaluate), for its token set."""
    return _output(_check_input(value, 0), mult(key.private_key, _hash_input(value)))


def blind_batch(
    values: Sequence[bytes], rng: Rng = secrets.token_bytes
) -> tuple[list[bytes], list[bytes]]:
    """Blind: a fresh random scalar ``r_i`` per input; returns (blinds, ``r_i·H1(x_i)``).

    The blinds stay with the requester; only the blinded elements are sent.
    """
    blinds: list[bytes] = []
    blinded: list[bytes] = []
    for position, value in enumerate(values):
        point = _hash_input(_check_input(value, position))
        r = random_scalar(rng)
        blinds.append(r)
        blinded.append(mult(r, point))
    return blinds, blinded


def blind_evaluate_batch(
    key: OprfKeyPair, blinded: Sequence[bytes], rng: Rng = secrets.token_bytes
) -> BatchEvaluation:
    """BlindEvaluateBatch: ``k·C_i`` for every element and one proof for the batch.

    Every element is checked first (InvalidElement names its position), so a requester
    cannot make the responder multiply a small-order or off-group point.
    """
    if not blinded or len(blinded) > MAX_BATCH:
        raise ValueError(f"OPRF batch of {len(blinded)} elements, want 1..{MAX_BATCH}")
    checked = [deserialize_element(c, f"blinded element {i}") for i, c in enumerate(blinded)]
    evaluated = [mult(key.private_key, c) for c in checked]
    proof = generate_proof(CONTEXT, key.private_key, key.public_key, checked, evaluated, rng)
    return BatchEvaluation(tuple(evaluated), proof)


def finalize_batch(
    values: Sequence[bytes],
    blinds: Sequence[bytes],
    blinded: Sequence[bytes],
    reply: BatchEvaluation,
    public_key: bytes,
) -> list[bytes]:
    """FinalizeBatch: verify the proof against ``public_key``, then unblind and hash.

    ``public_key`` must be the one committed on-chain, never the one the responder sent.
    Raises InvalidProof when the batch was not evaluated with that key, InvalidElement
    for a malformed evaluated element, ValueError when the lengths differ.
    """
    n = len(values)
    if not (len(blinds) == len(blinded) == len(reply.evaluated) == n):
        raise ValueError(
            f"OPRF finalize: {n} inputs, {len(blinds)} blinds, {len(blinded)} blinded, "
            f"{len(reply.evaluated)} evaluated; want all equal")
    pk = deserialize_element(public_key, "OPRF public key")
    evaluated = [deserialize_element(d, f"evaluated element {i}")
                 for i, d in enumerate(reply.evaluated)]
    verify_proof(CONTEXT, pk, blinded, evaluated, reply.proof)
    return [
        _output(value, mult(scalar_invert(r), d))
        for value, r, d in zip(values, blinds, evaluated, strict=True)
    ]

