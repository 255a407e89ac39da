"""Commitment scheme v2: salted per-field digests, so an answer can disclose some fields.

Why: a v1 commitment (``crypto.commitment``) covers the whole canonical record under one
salt, so whoever is shown only some fields cannot check them against the ledger. Under v2
each field gets its own salted digest and the record commitment binds the sorted digests
and the envelope; an answer shows some fields with their salts, the digests of the others,
and the verifier recomputes the very commitment the origin appended to its log
(``docs/commitment-v2.md``; test vectors in ``tests/vectors/commitment_v2/``)::

    salt_i  = HMAC-SHA256(seed, FIELD_SALT_TAG ‖ lp(name_i))                  32 bytes
    d_i     = SHA-256(FIELD_DIGEST_TAG ‖ lp(salt_i) ‖ lp(name_i) ‖ lp(jcs(value_i)))
    c       = SHA-256(RECORD_V2_TAG ‖ lp(jcs(envelope)) ‖ u32(n) ‖ d_(1) ‖ … ‖ d_(n))

``lp(x)`` is ``x`` prefixed by its length as a big-endian uint32, so no part can run into
the next; ``jcs`` is canonical form v1 (NFC + RFC 8785); the digests are sorted bytewise
(their order says nothing about the fields). The 32-byte ``seed`` is the record's one
random secret, kept at the origin and carried node to node exactly as the v1 salt is;
each field's salt is a PRF of it, so disclosing one field's salt reveals nothing of
another's. A withheld field's salt never leaves a node, so its digest cannot be opened by
guessing values (an ID number has only about 10^10 values).

The record log says which scheme a leaf uses (``leaf_data``): a v1 leaf is the 32-byte
commitment, a v2 leaf is the byte ``0x02`` followed by it, so the signed, anchored root
fixes each record's scheme and a v2 record cannot be passed off as v1 (whose answers bind
no fields) or the reverse.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring
from typing import Any, Final

from crypto.canonical import JsonValue, canonical_bytes, normalize

__all__ = [
    "FIELD_DIGEST_TAG",
    "FIELD_SALT_TAG",
    "MIN_SALT_SIZE",
    "RECORD_V2_TAG",
    "SCHEME_V1",
    "SCHEME_V2",
    "SEED_SIZE",
    "commit_fields",
    "commit_normalized",
    "field_digest",
    "field_salt",
    "leaf_data",
    "record_commitment",
    "value_bytes",
]

SCHEME_V1: Final = 1
SCHEME_V2: Final = 2
SEED_SIZE: Final = 32
MIN_SALT_SIZE: Final = 16
"""128 bits: the least a field salt may have (the derived ones have 256)."""
FIELD_SALT_TAG: Final = b"yrd-credit/field-salt/v2\x00"
FIELD_DIGEST_TAG: Final = b"yrd-credit/field-digest/v2\x00"
RECORD_V2_TAG: Final = b"yrd-credit/record-commitment-sd/v2\x00"
_DIGEST_SIZE = 32
_U32 = struct.Struct(">I")


def _lp(part: bytes) -> bytes:
    return _U32.pack(len(part)) + part


def _name_bytes(name: object) -> bytes:
    if not isinstance(name, str) or not name:
        raise ValueError("field name must be a non-empty string")
    return name.encode("utf-8")


def value_bytes(value: object) -> bytes:
    """Canonical form v1 of one field value (NFC strings, RFC 8785 JSON)."""
    return _plain_bytes(normalize({"v": value})["v"])


def _plain_bytes(plain: JsonValue) -> bytes:
    """JCS bytes of an already NFC-normalized value, through canonical form v1's encoder:
    the value's bytes inside ``{"v":`` … ``}``."""
    # Strings and lists of strings: the json module's string encoder (what ``json.dumps``
    # calls, without its per-call set-up) escapes exactly as JCS does (canonical form v1's
    # own fast path); a lone surrogate fails to encode and goes the long way.
    try:
        if type(plain) is str:
            return encode_basestring(plain).encode("utf-8")
        if type(plain) is list and all(type(v) is str for v in plain):
            items = [encode_basestring(v) for v in plain if isinstance(v, str)]
            return ("[" + ",".join(items) + "]").encode("utf-8")
    except UnicodeEncodeError:
        pass
    return canonical_bytes({"v": plain})[5:-1]


def field_salt(seed: bytes, name: str) -> bytes:
    """The 32-byte salt of field ``name`` of the record whose secret is ``seed``."""
    if not isinstance(seed, bytes) or len(seed) != SEED_SIZE:
        raise ValueError(f"seed must be {SEED_SIZE} bytes")
    return hmac.digest(seed, FIELD_SALT_TAG + _lp(_name_bytes(name)), "sha256")


def field_digest(salt: bytes, name: str, value: object) -> bytes:
    """``d = SHA-256(FIELD_DIGEST_TAG ‖ lp(salt) ‖ lp(name) ‖ lp(jcs(value)))``."""
    return _digest(salt, name, value_bytes(value))


def _digest(salt: bytes, name: str, encoded: bytes) -> bytes:
    if not isinstance(salt, bytes) or len(salt) < MIN_SALT_SIZE:
        raise ValueError(f"field salt must be at least {MIN_SALT_SIZE} bytes")
    return hashlib.sha256(FIELD_DIGEST_TAG + _lp(salt) + _lp(_name_bytes(name))
                          + _lp(encoded)).digest()


def record_commitment(envelope: Mapping[str, object], digests: Iterable[bytes]) -> bytes:
    """The v2 record commitment over ``envelope`` and the field ``digests`` (any order).

    Raises ``ValueError`` for a digest that is not 32 bytes or one given twice (two equal
    digests would let one disclosure stand for two fields).
    """
    ordered = sorted(digests)
    for index, digest in enumerate(ordered):
        if not isinstance(digest, bytes) or len(digest) != _DIGEST_SIZE:
            raise ValueError(f"field digest must be {_DIGEST_SIZE} bytes")
        if index and ordered[index - 1] == digest:
            raise ValueError("the same field digest is given twice")
    return hashlib.sha256(RECORD_V2_TAG + _lp(canonical_bytes(envelope))
                          + _U32.pack(len(ordered)) + b"".join(ordered)).digest()


def commit_fields(envelope: Mapping[str, object], fields: Mapping[str, object],
                  seed: bytes) -> tuple[bytes, dict[str, bytes]]:
    """Commit to a record split into ``envelope`` and ``fields``: the commitment and the
    digest of every field by name."""
    return commit_normalized(envelope, normalize(fields), seed)


def commit_normalized(envelope: Mapping[str, object], fields: Mapping[str, JsonValue],
                      seed: bytes) -> tuple[bytes, dict[str, bytes]]:
    """:func:`commit_fields` for ``fields`` that are already :func:`normalize`'s output
    (a decoded canonical record's, say): the same bytes without normalizing twice.

    Why it exists: ingest and every receiving peer commit each record; normalizing,
    re-keying an HMAC and re-framing constant prefixes per field cost most of the time.
    Precondition: every string in ``fields`` is NFC and every value is plain JSON data
    (otherwise the commitment is not canonical form v1's).
    """
    salts = _SaltMaker(seed)
    keyed_inner, keyed_outer = salts.pads()
    sha256, pack, framed_names = hashlib.sha256, _U32.pack, _FRAMED
    digests: dict[str, bytes] = {}
    for name, value in fields.items():
        framed = framed_names.get(name) or _framed_name(name)
        inner = keyed_inner.copy()  # the field's salt: HMAC inlined (see _SaltMaker.salt)
        inner.update(framed)
        outer = keyed_outer.copy()
        outer.update(inner.digest())
        encoded = _plain_bytes(value)
        digests[name] = sha256(
            _DIGEST_PREFIX + outer.digest() + framed + pack(len(encoded)) + encoded
        ).digest()
    return record_commitment(envelope, digests.values()), digests


_DIGEST_PREFIX: Final = FIELD_DIGEST_TAG + _U32.pack(_DIGEST_SIZE)
"""``FIELD_DIGEST_TAG ‖`` the length prefix of a derived (32-byte) salt."""
_FRAMED: dict[str, bytes] = {}
_BLOCK: Final = 64
"""SHA-256's block size, the HMAC pad length."""
_IPAD: Final = int.from_bytes(b"\x36" * _BLOCK)
_OPAD: Final = int.from_bytes(b"\x5c" * _BLOCK)


def _framed_name(name: str) -> bytes:
    """``lp(name)``, cached: a record kind has a few dozen field names."""
    framed = _FRAMED.get(name)
    if framed is None:
        framed = _lp(_name_bytes(name))
        if len(_FRAMED) < 4096:
            _FRAMED[name] = framed
    return framed


class _SaltMaker:
    """HMAC-SHA256 (RFC 2104) under one record's seed, keyed once for all its fields.

    ``hmac.digest`` sets the key up again for every field; here the inner and outer pads
    are hashed once and copied per field, which gives the same bytes.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes) or len(seed) != SEED_SIZE:
            raise ValueError(f"seed must be {SEED_SIZE} bytes")
        key = int.from_bytes(seed.ljust(_BLOCK, b"\x00"))  # short keys are zero-padded
        self._inner = hashlib.sha256((key ^ _IPAD).to_bytes(_BLOCK) + FIELD_SALT_TAG)
        self._outer = hashlib.sha256((key ^ _OPAD).to_bytes(_BLOCK))

    def pads(self) -> tuple[Any, Any]:
        """The keyed inner (holding ``FIELD_SALT_TAG``) and outer hashes, to be copied."""
        return self._inner, self._outer

    def salt(self, framed_name: bytes) -> bytes:
        """``HMAC-SHA256(seed, FIELD_SALT_TAG ‖ lp(name))`` given ``lp(name)``."""
        inner = self._inner.copy()  # already holds FIELD_SALT_TAG
        inner.update(framed_name)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


def leaf_data(scheme: int, commitment: bytes) -> bytes:
    """The bytes of the record-log leaf: the commitment (v1) or ``0x02`` ‖ commitment (v2)."""
    if len(commitment) != _DIGEST_SIZE:
        raise ValueError(f"commitment must be {_DIGEST_SIZE} bytes")
    if scheme == SCHEME_V1:
        return commitment
    if scheme == SCHEME_V2:
        return bytes([SCHEME_V2]) + commitment
    raise ValueError(f"commitment scheme {scheme!r} is not 1 or 2")
