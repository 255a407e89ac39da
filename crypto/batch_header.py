"""Batch headers: what a province signs when its record log grows, and how it travels.

A batch is the growth of a province's RFC 9162 record log from ``prev_size`` to
``tree_size`` leaves. Its header binds every field — province, sequence number, both sizes
and roots, the catalog version in force and the issue time — under one Ed25519 signature
made with the node key. Usage::

    from crypto.batch_header import BatchHeader, sign_header, verify_header

    header = BatchHeader(province="JS", seq=7, tree_size=1200, root=root,
                         prev_size=1000, prev_root=prev_root, catalog_version=3,
                         issued_at=1735689600)
    signature = sign_header(header, signing_key)
    verify_header(BatchHeader.from_json(header.to_json()), signature, node_public_key)

Signed bytes (version 1, fixed length, 133 bytes)::

    b"yrd-credit/batch-header/v1\\x00"        27 bytes, domain tag
    province                                  2 ASCII bytes (SH, JS, ZJ or AH)
    seq, tree_size                            uint64 big-endian each
    root                                      32 bytes
    prev_size                                 uint64 big-endian
    prev_root                                 32 bytes
    catalog_version, issued_at                uint64 big-endian each

Every field has a fixed width, so the layout is unambiguous without length prefixes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import struct
from typing import Final, NoReturn

import nacl.signing

from crypto.canonical import MAX_SAFE_INTEGER, canonical_bytes
from crypto.errors import InvalidSignature, MalformedHeader
from crypto.signing import NodePublicKey, sign, verify

__all__ = [
    "BATCH_HEADER_DOMAIN",
    "EMPTY_ROOT",
    "HEADER_VERSION",
    "PROVINCES",
    "BatchHeader",
    "sign_header",
    "verify_header",
]

HEADER_VERSION: Final = 1
BATCH_HEADER_DOMAIN: Final = b"yrd-credit/batch-header/v%d\x00" % HEADER_VERSION
PROVINCES: Final = frozenset({"SH", "JS", "ZJ", "AH"})
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""RFC 9162 root of the empty tree: the ``prev_root`` of a province's first batch."""

_ROOT_SIZE = 32
_BODY = struct.Struct(">2sQQ32sQ32sQQ")
_INT_FIELDS = ("seq", "tree_size", "prev_size", "catalog_version", "issued_at")
_HEX_FIELDS = ("root", "prev_root")
_JSON_FIELDS = frozenset({"version", "province", *_INT_FIELDS, *_HEX_FIELDS})
_HEX_DIGITS = frozenset("0123456789abcdef")


def _malformed(message: str) -> MalformedHeader:
    return MalformedHeader(f"malformed batch header: {message}")


@dataclasses.dataclass(frozen=True, slots=True)
class BatchHeader:
    """A signed statement that ``province``'s log grew from ``prev_size`` to ``tree_size``.

    Invariants (checked on construction; ``TypeError`` for a wrong Python type,
    :class:`~crypto.errors.MalformedHeader` for a bad value):

    * ``province`` is one of :data:`PROVINCES`;
    * every integer field is an ``int`` (not ``bool``) in ``0 ..= 2^53-1``, so the JSON
      form is exact in every language; ``issued_at`` is Unix seconds;
    * ``root`` and ``prev_root`` are 32 bytes;
    * ``prev_size < tree_size`` (a batch adds at least one leaf);
    * ``prev_size == 0`` implies ``prev_root == EMPTY_ROOT``.
    """

    province: str
    seq: int
    tree_size: int
    root: bytes
    prev_size: int
    prev_root: bytes
    catalog_version: int
    issued_at: int

    def __post_init__(self) -> None:
        if not isinstance(self.province, str):
            raise TypeError(f"province must be str, got {type(self.province).__name__}")
        if self.province not in PROVINCES:
            raise _malformed(
                f"province {self.province[:8]!r} is not one of {', '.join(sorted(PROVINCES))}"
            )
        for name in _INT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be int, got {type(value).__name__}")
            if not 0 <= value <= MAX_SAFE_INTEGER:
                raise _malformed(f"{name} out of range: got {value}, want 0 <= {name} < 2^53")
        for name in _HEX_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, bytes):
                raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
            if len(value) != _ROOT_SIZE:
                raise _malformed(f"{name} must be {_ROOT_SIZE} bytes, got {len(value)}")
        if self.prev_size >= self.tree_size:
            raise _malformed(
                f"prev_size {self.prev_size} must be less than tree_size {self.tree_size}"
            )
        if self.prev_size == 0 and self.prev_root != EMPTY_ROOT:
            raise _malformed(
                f"prev_root of a batch starting at size 0 must be the empty-tree root "
                f"{EMPTY_ROOT.hex()}, got {self.prev_root.hex()}"
            )

    def signed_body(self) -> bytes:
        """The fixed-width field encoding that follows the domain tag (106 bytes)."""
        return _BODY.pack(
            self.province.encode("ascii"),
            self.seq,
            self.tree_size,
            self.root,
            self.prev_size,
            self.prev_root,
            self.catalog_version,
            self.issued_at,
        )

    def signing_bytes(self) -> bytes:
        """The exact bytes Ed25519 signs: :data:`BATCH_HEADER_DOMAIN` ‖ :meth:`signed_body`."""
        return BATCH_HEADER_DOMAIN + self.signed_body()

    def to_json(self) -> str:
        """Return the header as canonical (RFC 8785) JSON, roots in lowercase hex."""
        document: dict[str, object] = {"version": HEADER_VERSION, "province": self.province}
        for name in _INT_FIELDS:
            document[name] = getattr(self, name)
        for name in _HEX_FIELDS:
            document[name] = getattr(self, name).hex()
        return canonical_bytes(document).decode("ascii")

    @classmethod
    def from_json(cls, text: str | bytes) -> BatchHeader:
        """Parse :meth:`to_json` output; refuse anything else with :class:`MalformedHeader`.

        Accepts any key order and whitespace, but refuses: invalid JSON, duplicate keys,
        a non-object top level, a missing/unknown field, a ``version`` other than
        :data:`HEADER_VERSION`, non-integer or out-of-range numbers, roots that are not
        64 lowercase hex digits, and every invariant of the class.
        """
        document = _load_object(text)
        version = document.get("version")
        if "version" not in document:
            raise _malformed("missing field 'version'")
        if type(version) is not int or version != HEADER_VERSION:
            raise _malformed(f"unsupported version {version!r}; want {HEADER_VERSION}")
        unknown = sorted(set(document) - _JSON_FIELDS)
        if unknown:
            raise _malformed(f"unknown field {unknown[0][:40]!r}")
        missing = sorted(_JSON_FIELDS - set(document))
        if missing:
            raise _malformed(f"missing field {missing[0]!r}")
        province = document["province"]
        if not isinstance(province, str):
            raise _malformed(f"field 'province' must be a string, got {_json_type(province)}")
        ints: dict[str, int] = {}
        for name in _INT_FIELDS:
            value = document[name]
            if type(value) is not int:
                raise _malformed(f"field {name!r} must be an integer, got {_json_type(value)}")
            ints[name] = value
        return cls(
            province=province,
            seq=ints["seq"],
            tree_size=ints["tree_size"],
            root=_parse_root("root", document["root"]),
            prev_size=ints["prev_size"],
            prev_root=_parse_root("prev_root", document["prev_root"]),
            catalog_version=ints["catalog_version"],
            issued_at=ints["issued_at"],
        )


def _json_type(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "number with a fraction or exponent",
             str: "string", list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    document: dict[str, object] = {}
    for key, value in pairs:
        if key in document:
            raise _malformed(f"duplicate field {key[:40]!r}")
        document[key] = value
    return document


def _refuse_constant(name: str) -> NoReturn:
    raise _malformed(f"{name} is not JSON")


def _load_object(text: str | bytes) -> dict[str, object]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _malformed(f"invalid UTF-8 at byte {exc.start}") from exc
    if not isinstance(text, str):
        raise TypeError(f"header JSON must be str or bytes, got {type(text).__name__}")
    if not text.strip():
        raise _malformed("empty input")
    try:
        document = json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_refuse_constant
        )
    except MalformedHeader:
        raise
    except (ValueError, RecursionError) as exc:
        raise _malformed(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise _malformed(f"expected a JSON object, got {_json_type(document)}")
    return document


def _parse_root(name: str, value: object) -> bytes:
    if not isinstance(value, str):
        raise _malformed(f"field {name!r} must be a hex string, got {_json_type(value)}")
    if len(value) != 2 * _ROOT_SIZE:
        raise _malformed(
            f"field {name!r} must be {2 * _ROOT_SIZE} hex digits, got {len(value)} characters"
        )
    if not set(value) <= _HEX_DIGITS:
        raise _malformed(f"field {name!r} must be lowercase hex digits 0-9a-f")
    return bytes.fromhex(value)


def sign_header(header: BatchHeader, signing_key: nacl.signing.SigningKey) -> bytes:
    """Return the 64-byte Ed25519 signature of ``header.signing_bytes()``."""
    if not isinstance(header, BatchHeader):
        raise TypeError(f"header must be a BatchHeader, got {type(header).__name__}")
    return sign(header.signed_body(), signing_key, BATCH_HEADER_DOMAIN)


def verify_header(header: BatchHeader, signature: bytes, public_key: NodePublicKey) -> None:
    """Check ``signature`` on ``header`` under ``public_key``; return ``None`` or raise.

    Raises :class:`~crypto.errors.InvalidSignature` (naming province and seq) when the
    signature does not cover exactly these field values under this key; ``ValueError``
    for a public key of the wrong length.
    """
    if not isinstance(header, BatchHeader):
        raise TypeError(f"header must be a BatchHeader, got {type(header).__name__}")
    try:
        verify(header.signed_body(), signature, public_key, BATCH_HEADER_DOMAIN)
    except InvalidSignature as exc:
        raise InvalidSignature(
            f"batch header {header.province} seq {header.seq}: {exc}"
        ) from exc
