"""Salted, domain-separated commitments to records.

``c = SHA-256(RECORD_COMMITMENT_TAG ‖ salt ‖ canonical_bytes(record))``

* Hiding: the 32-byte random salt stays off-chain, so a commitment on the ledger reveals
  nothing about the record, not even to someone who can guess its subject and fields.
* Binding: SHA-256 collision resistance, over one canonical encoding per record.
* Domain separation: the tag ``b"yrd-credit/record-commitment/v1\\x00"`` names purpose and
  canonical-form version. Every tag of ours ends in its only NUL byte, so no tag is a
  prefix of another and a hash made for one purpose can never be replayed as another;
  the salt has a fixed length, so where it ends and the record begins is unambiguous.

Callers outside ``crypto`` never pick salts: they use :func:`commit_new`. Usage::

    from crypto.commitment import commit_new, verify_commitment

    commitment, salt = commit_new(record)
    verify_commitment(record, salt, commitment)   # raises CommitmentMismatch on a change
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Final

from crypto.canonical import CANONICAL_VERSION, canonical_bytes
from crypto.errors import CommitmentMismatch

__all__ = [
    "COMMITMENT_SIZE",
    "RECORD_COMMITMENT_TAG",
    "SALT_SIZE",
    "commit",
    "commit_canonical",
    "commit_new",
    "new_salt",
    "new_salts",
    "verify_commitment",
]

SALT_SIZE: Final = 32
COMMITMENT_SIZE: Final = 32
RECORD_COMMITMENT_TAG: Final = b"yrd-credit/record-commitment/v%d\x00" % CANONICAL_VERSION


def _check_bytes(name: str, value: object, size: int) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
    if len(value) != size:
        raise ValueError(f"{name} must be {size} bytes, got {len(value)}")
    return value


def new_salt() -> bytes:
    """Return :data:`SALT_SIZE` fresh bytes from the OS CSPRNG (``secrets``)."""
    return secrets.token_bytes(SALT_SIZE)


def new_salts(count: int) -> list[bytes]:
    """Return ``count`` salts of :data:`SALT_SIZE` fresh bytes, drawn from the OS CSPRNG in
    one call (a batch of records at ingest); each is as random as :func:`new_salt`'s."""
    drawn = secrets.token_bytes(SALT_SIZE * count)
    return [drawn[i:i + SALT_SIZE] for i in range(0, SALT_SIZE * count, SALT_SIZE)]


def commit_canonical(canonical: bytes, salt: bytes) -> bytes:
    """Return the commitment to a record already in canonical form v1.

    Precondition: ``canonical`` is the output of
    :func:`~crypto.canonical.canonical_bytes` (or bytes accepted by
    :func:`~crypto.canonical.decode_canonical`); it is hashed as given, not re-checked.
    ``salt`` is exactly :data:`SALT_SIZE` bytes (``ValueError`` otherwise).
    """
    if not isinstance(canonical, bytes):
        raise TypeError(f"canonical must be bytes, got {type(canonical).__name__}")
    _check_bytes("salt", salt, SALT_SIZE)
    return hashlib.sha256(RECORD_COMMITMENT_TAG + salt + canonical).digest()


def commit(record: Mapping[str, object], salt: bytes) -> bytes:
    """Return the 32-byte commitment to ``record`` under ``salt``.

    Preconditions: ``record`` is accepted by :func:`~crypto.canonical.canonical_bytes`
    (else ``CanonicalEncodingError``); ``salt`` is exactly :data:`SALT_SIZE` bytes.
    """
    _check_bytes("salt", salt, SALT_SIZE)
    return commit_canonical(canonical_bytes(record), salt)


def commit_new(record: Mapping[str, object]) -> tuple[bytes, bytes]:
    """Commit to ``record`` under a fresh random salt; return ``(commitment, salt)``.

    The salt must be stored with the record: without it the commitment cannot be opened.
    """
    salt = new_salt()
    return commit(record, salt), salt


def verify_commitment(record: Mapping[str, object], salt: bytes, commitment: bytes) -> None:
    """Check that ``record`` and ``salt`` open ``commitment``; return ``None`` or raise.

    Raises ``ValueError`` if ``salt`` or ``commitment`` has the wrong length and
    :class:`~crypto.errors.CommitmentMismatch` if they do not match. The comparison is
    constant-time.
    """
    _check_bytes("commitment", commitment, COMMITMENT_SIZE)
    calculated = commit(record, salt)
    if not hmac.compare_digest(calculated, commitment):
        raise CommitmentMismatch(
            f"record commitment mismatch: calculated {calculated.hex()}, "
            f"want {commitment.hex()}"
        )
