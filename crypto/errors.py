"""Exceptions of ``crypto``: one base callers catch, narrow kinds below it.

The split follows pyca/cryptography:

* ``TypeError`` — an argument of the wrong Python type (``bytes`` expected, ``str`` given).
  Raised as the builtin; it is a programming error, not something to catch.
* ``ValueError`` — an argument of the right type with a bad value (a salt of 31 bytes, a
  record holding NaN). Kinds that describe bad *input data* (:class:`CanonicalEncodingError`,
  :class:`MalformedHeader`) are both a :class:`CryptoError` and a ``ValueError``.
* a verification failure (:class:`InvalidSignature`, :class:`CommitmentMismatch`,
  :class:`SealingError`) — the data is well formed but does not check out. Verify functions
  return ``None`` or raise one of these; they never return a bool a caller could ignore.

Messages name what was wrong, where, and what was expected; bytes appear in hex. They never
carry record contents, identifiers or key material.
"""

from __future__ import annotations

__all__ = [
    "CanonicalEncodingError",
    "CommitmentMismatch",
    "CryptoError",
    "InvalidSignature",
    "KeyFileError",
    "MalformedHeader",
    "MalformedNote",
    "OriginMismatch",
    "SealingError",
]


class CryptoError(Exception):
    """Base of every error ``crypto`` raises on purpose, ``crypto.merkle.MerkleError`` included."""


class CanonicalEncodingError(CryptoError, ValueError):
    """A record cannot be put in canonical form, or bytes are not canonical form v1."""


class CommitmentMismatch(CryptoError):
    """A record and salt do not hash to the commitment they were checked against."""


class InvalidSignature(CryptoError):
    """An Ed25519 signature does not verify for this message, domain and public key."""


class MalformedHeader(CryptoError, ValueError):
    """A batch header (JSON or fields) is malformed; the message names the defect."""


class MalformedNote(CryptoError, ValueError):
    """A signed note, checkpoint or verifier key is malformed; the message names the defect."""


class OriginMismatch(CryptoError):
    """A correctly signed checkpoint belongs to another log than the one expected."""


class SealingError(CryptoError):
    """A sealed payload cannot be opened: tampered, wrong master key, or wrong AAD."""


class KeyFileError(CryptoError, ValueError):
    """A private-key file is missing, malformed, unsafe (permissions) or already exists.

    The one error of every private-key file (:mod:`crypto.key_files`), whatever its format.
    It is also a ``ValueError`` because the ledger's key-file error it replaced was one, and
    callers (the ``ledger`` and ``grant`` commands) report it by catching ``ValueError``.
    """
