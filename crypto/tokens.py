"""Subject tokens: a keyed hash that indexes a subject without storing its identifier.

``token = HMAC-SHA256(key, SUBJECT_TOKEN_DOMAIN ‖ utf8(normalize_identifier(id)))``

The identifier is a Unified Social Credit Code or a citizen ID number — personal data that
must not sit in clear in indexes or audit entries. Without the key a token cannot be
recomputed from a guessed identifier (the ID space is small enough to enumerate, so an
unkeyed hash would hide nothing). The key is a parameter: a node-local key keeps tokens
unlinkable between nodes; a consortium-shared key makes them comparable across nodes.
Usage::

    from crypto.tokens import subject_token

    assert subject_token("11010519491231002x", key) == subject_token(" 11010519491231002X", key)

Normalisation, so that one subject gets one token however it was typed: Unicode NFKC
(full-width "１１０…Ｘ" typed with a Chinese input method becomes ASCII), strip surrounding
whitespace, upper-case (the check character ``x`` is stored as ``X``).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import Final, NewType

__all__ = [
    "MIN_TOKEN_KEY_SIZE",
    "SUBJECT_TOKEN_DOMAIN",
    "TOKEN_SIZE",
    "TokenKey",
    "normalize_identifier",
    "subject_token",
]

TokenKey = NewType("TokenKey", bytes)
"""HMAC key for subject tokens (node-local or consortium-shared), at least 32 bytes."""

SUBJECT_TOKEN_DOMAIN: Final = b"yrd-credit/subject-token/v1\x00"
MIN_TOKEN_KEY_SIZE: Final = 32
TOKEN_SIZE: Final = 32
_MAX_IDENTIFIER = 64


def normalize_identifier(identifier: str) -> str:
    """Return the form of ``identifier`` that is hashed: NFKC, stripped, upper-case.

    Raises ``TypeError`` for a non-``str`` and ``ValueError`` if the result is empty, longer
    than 64 characters, or holds anything but printable non-space ASCII. Messages give
    positions and lengths, never the identifier.
    """
    if not isinstance(identifier, str):
        raise TypeError(f"identifier must be str, got {type(identifier).__name__}")
    normalized = unicodedata.normalize("NFKC", identifier).strip().upper()
    if not normalized:
        raise ValueError("identifier is empty after stripping whitespace")
    if len(normalized) > _MAX_IDENTIFIER:
        raise ValueError(
            f"identifier is {len(normalized)} characters, want at most {_MAX_IDENTIFIER}"
        )
    for position, char in enumerate(normalized):
        if not 0x21 <= ord(char) <= 0x7E:
            raise ValueError(
                f"identifier has a character outside printable non-space ASCII at position "
                f"{position} (U+{ord(char):04X})"
            )
    return normalized


def subject_token(identifier: str, key: bytes) -> bytes:
    """Return the 32-byte token of ``identifier`` under ``key``.

    Preconditions: ``key`` is bytes of at least :data:`MIN_TOKEN_KEY_SIZE`
    (``ValueError`` otherwise); ``identifier`` passes :func:`normalize_identifier`.
    Deterministic: the same identifier (up to normalisation) and key give the same token.
    """
    if not isinstance(key, bytes):
        raise TypeError(f"token key must be bytes, got {type(key).__name__}")
    if len(key) < MIN_TOKEN_KEY_SIZE:
        raise ValueError(f"token key must be at least {MIN_TOKEN_KEY_SIZE} bytes, got {len(key)}")
    message = SUBJECT_TOKEN_DOMAIN + normalize_identifier(identifier).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).digest()
