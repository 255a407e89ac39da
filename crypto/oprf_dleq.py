"""Batched DLEQ proofs (RFC 9497 §2.2): one proof that a whole batch used one key.

The responder proves ``log_G(pk) == log_{C_i}(D_i)`` for every pair (blinded ``C_i``,
evaluated ``D_i``) of a batch at once: both sides fold the pairs into composites
``M = Σ d_i·C_i`` and ``Z = Σ d_i·D_i`` with ``d_i`` derived from a seed bound to the
public key and every pair (§2.2.1 ComputeComposites), and the proof is a Chaum–Pedersen
proof that ``log_G(pk) == log_M(Z)``. The prover, who knows ``k``, takes ``Z = k·M``
(ComputeCompositesFast). Transcripts, labels and DSTs follow §2.2 with the context string
of :mod:`crypto.oprf`. A proof is ``c ‖ s`` (64 bytes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Final

from crypto.errors import CryptoError
from crypto.oprf_group import (
    SCALAR_SIZE,
    Rng,
    add,
    base_mult,
    hash_to_scalar,
    i2osp,
    mult,
    random_scalar,
    scalar_mul,
    scalar_sub,
)

__all__ = ["MAX_BATCH", "PROOF_SIZE", "InvalidProof", "generate_proof", "verify_proof"]

PROOF_SIZE: Final = 2 * SCALAR_SIZE
MAX_BATCH: Final = 65535
"""The composite transcript numbers pairs with I2OSP(i, 2), so a batch holds at most this."""


class InvalidProof(CryptoError):
    """A DLEQ proof does not verify: the batch was not evaluated with the committed key."""


def _lp(data: bytes) -> bytes:
    return i2osp(len(data), 2) + data


def _composites(
    context: bytes, pk: bytes, blinded: Sequence[bytes], evaluated: Sequence[bytes],
    *, with_z: bool,
) -> tuple[bytes, bytes | None]:
    """(M, Z) of §2.2.1; Z is None unless ``with_z`` (the prover takes Z = k·M instead)."""
    if not blinded or len(blinded) > MAX_BATCH:
        raise ValueError(f"DLEQ batch of {len(blinded)} elements, want 1..{MAX_BATCH}")
    if len(evaluated) != len(blinded):
        raise ValueError(f"DLEQ batch: {len(blinded)} blinded but {len(evaluated)} evaluated")
    seed = hashlib.sha512(_lp(pk) + _lp(b"Seed-" + context)).digest()
    dst = b"HashToScalar-" + context
    m_sum: bytes | None = None
    z_sum: bytes | None = None
    for i, (c_i, d_i) in enumerate(zip(blinded, evaluated, strict=True)):
        transcript = _lp(seed) + i2osp(i, 2) + _lp(c_i) + _lp(d_i) + b"Composite"
        weight = hash_to_scalar(transcript, dst)
        term = mult(weight, c_i)
        m_sum = term if m_sum is None else add(m_sum, term)
        if with_z:
            z_term = mult(weight, d_i)
            z_sum = z_term if z_sum is None else add(z_sum, z_term)
    assert m_sum is not None
    return m_sum, z_sum


def _challenge(context: bytes, pk: bytes, m: bytes, z: bytes, t2: bytes, t3: bytes) -> bytes:
    transcript = _lp(pk) + _lp(m) + _lp(z) + _lp(t2) + _lp(t3) + b"Challenge"
    return hash_to_scalar(transcript, b"HashToScalar-" + context)


def generate_proof(
    context: bytes,
    sk: bytes,
    pk: bytes,
    blinded: Sequence[bytes],
    evaluated: Sequence[bytes],
    rng: Rng = secrets.token_bytes,
) -> bytes:
    """Prove that ``evaluated[i] == sk·blinded[i]`` for all i and ``pk == sk·G``.

    Preconditions: the lists are the same non-empty length (at most :data:`MAX_BATCH`)
    and hold validated elements; ``evaluated`` really is ``sk·blinded`` (the composite
    Z is computed as ``sk·M``, so a wrong ``evaluated`` list gives a proof that fails).
    """
    m, _ = _composites(context, pk, blinded, evaluated, with_z=False)
    z = mult(sk, m)
    r = random_scalar(rng)
    t2 = base_mult(r)
    t3 = mult(r, m)
    c = _challenge(context, pk, m, z, t2, t3)
    s = scalar_sub(r, scalar_mul(c, sk))
    return c + s


def verify_proof(
    context: bytes,
    pk: bytes,
    blinded: Sequence[bytes],
    evaluated: Sequence[bytes],
    proof: bytes,
) -> None:
    """Check a batched DLEQ proof; raise :class:`InvalidProof` if it does not verify.

    (1) composites M, Z from pk and every (C_i, D_i); (2) ``t2 = s·G + c·pk`` and
    ``t3 = s·M + c·Z``; (3) the challenge recomputed from them must equal ``c``.
    """
    if not isinstance(proof, bytes | bytearray) or len(proof) != PROOF_SIZE:
        size = len(proof) if isinstance(proof, bytes | bytearray) else type(proof).__name__
        raise InvalidProof(f"DLEQ proof: got {size} bytes, want {PROOF_SIZE}")
    c, s = bytes(proof[:SCALAR_SIZE]), bytes(proof[SCALAR_SIZE:])
    # (1): composites over every pair.
    m, z = _composites(context, pk, blinded, evaluated, with_z=True)
    assert z is not None
    # (2): the commitments the prover must have used.
    try:
        t2 = add(base_mult(s), mult(c, pk))
        t3 = add(mult(s, m), mult(c, z))
    except CryptoError as exc:
        raise InvalidProof("DLEQ proof: degenerate scalars") from exc
    # (3): the challenge binds everything.
    if not hmac.compare_digest(_challenge(context, pk, m, z, t2, t3), c):
        raise InvalidProof(
            "DLEQ proof does not verify: the batch was not evaluated with the committed key")
