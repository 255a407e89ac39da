"""Records under commitment scheme v2: which parts are envelope, fields and masked displays.

``crypto.disclosure`` hashes whatever fields it is given; this module says what a record's
fields are, so the origin (ingest), a receiving peer (exchange step 4) and an agency's
verifier (``verify-answer``) split a record the same way:

* the envelope (``kind``, ``province``, ``record_no``, ``local_category``, ``severity``,
  ``rule_version`` and, when present, ``publish_date``) is committed in clear and always
  shown;
* every other field of the canonical record is a field with its own salted digest;
* every ID-number field ``X`` also gets the field ``X#masked`` holding its masked display
  value, so an answer can show the masked number with a salt (bound to the commitment)
  while ``X`` itself stays a digest whose salt never leaves the node.

Why the masked display is committed: the agency reads it, and a relay must not be able to
change it; but it reveals no more than the display does.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from crypto.canonical import MAX_SAFE_INTEGER, JsonValue, decode_canonical, normalize
from crypto.commitment import commit_canonical
from crypto.disclosure import SCHEME_V1, SCHEME_V2, commit_fields, commit_normalized, field_salt
from crypto.errors import CanonicalEncodingError
from node.domain.fields import BY_KIND, ENVELOPE
from node.domain.identifiers import mask

ENVELOPE_FIELDS: Final = tuple(spec.code for spec in ENVELOPE)
MASKED_SUFFIX: Final = "#masked"
ID_FIELDS: Final = frozenset(
    spec.code for specs in BY_KIND.values() for spec in specs if spec.type == "id_number"
)


@dataclass(frozen=True)
class Disclosure:
    """What an answer shows of one v2 record: the envelope, the shown fields with their
    salts, and the digests of the withheld ones (sorted)."""

    envelope: dict[str, JsonValue]
    shown: dict[str, tuple[bytes, JsonValue]]
    withheld: tuple[bytes, ...]


def split(document: Mapping[str, JsonValue]) -> tuple[dict[str, JsonValue], dict[str, JsonValue]]:
    """The envelope and the fields (masked displays included) of a canonical record."""
    envelope = {k: v for k, v in document.items() if k in ENVELOPE_FIELDS}
    fields = {k: v for k, v in document.items() if k not in ENVELOPE_FIELDS}
    for code in sorted(ID_FIELDS & fields.keys()):
        value = fields[code]
        if isinstance(value, str):
            fields[code + MASKED_SUFFIX] = mask(value)
    return envelope, fields


def commit_v2(document: Mapping[str, JsonValue], seed: bytes) -> bytes:
    """The v2 commitment of a record (canonical JSON object) under its ``seed``."""
    envelope, fields = split(document)
    return commit_fields(envelope, fields, seed)[0]


def commit_v2_payload(payload: bytes, seed: bytes, *, encoded_here: bool = False) -> bytes:
    """:func:`commit_v2` of canonical bytes ``payload`` (ingest, a peer's step 4).

    Why not ``commit_v2(decode_canonical(payload))``: decoding already proves every string
    NFC, so only the masked displays this split adds are normalized again, not every field
    of every record. ``encoded_here``: ``payload`` is ``canonical_bytes``' output in this
    process (ingest), so it is parsed without checking it re-encodes to itself (which
    :func:`~crypto.canonical.decode_canonical` does for bytes from elsewhere); the parsed
    values are the same. Raises ``ValueError`` (``CanonicalEncodingError``) for a payload
    that is not canonical form v1.
    """
    document = _parse_own(payload) if encoded_here else decode_canonical(payload)
    return commit_v2_plain(document, seed)


def commit_v2_plain(document: Mapping[str, JsonValue], seed: bytes) -> bytes:
    """:func:`commit_v2` of a record that is already ``normalize``'s output: what
    ``crypto.canonical.canonical_form`` hands back beside the bytes (ingest), or a decoded
    canonical payload. Only the masked displays the split adds are normalized."""
    envelope, fields = split(document)
    masked = {name: value for name, value in fields.items() if name.endswith(MASKED_SUFFIX)}
    if masked:
        fields.update(normalize(masked))
    return commit_normalized(envelope, fields, seed)[0]


def parse_own(payload: bytes) -> dict[str, JsonValue]:
    """Canonical bytes this node encoded (or opened from its own sealed store, which
    authenticates them), parsed as ``decode_canonical`` parses them (an integral number
    beyond ±(2^53-1) is the text of a double) without its re-encoding check."""
    parsed: dict[str, JsonValue] = json.loads(payload, parse_int=_parse_int)
    return parsed


_parse_own = parse_own


def _parse_int(text: str) -> int | float:
    number = int(text)
    return number if abs(number) <= MAX_SAFE_INTEGER else float(text)


def commitment_of(scheme: int, payload: bytes, salt: bytes) -> bytes:
    """The commitment of canonical ``payload`` under ``scheme`` (v1 salt or v2 seed).

    Raises ``ValueError`` (``CanonicalEncodingError`` included) for a bad payload or salt.
    """
    if scheme == SCHEME_V1:
        return commit_canonical(payload, salt)
    if scheme == SCHEME_V2:
        return commit_v2_payload(payload, salt)
    raise ValueError(f"commitment scheme {scheme!r} is not 1 or 2")


def commitment_of_decoded(scheme: int, payload: bytes, document: Mapping[str, JsonValue],
                          salt: bytes) -> bytes:
    """:func:`commitment_of` for a ``payload`` already decoded into ``document`` (by
    ``decode_canonical``, which proved it canonical, or :func:`parse_own`): the same bytes
    without parsing the payload again (a receiving peer's step 4 after step 1)."""
    if scheme == SCHEME_V1:
        return commit_canonical(payload, salt)
    if scheme == SCHEME_V2:
        return commit_v2_plain(document, salt)
    raise ValueError(f"commitment scheme {scheme!r} is not 1 or 2")


def own_scheme(payload: bytes, document: Mapping[str, JsonValue], salt: bytes,
               commitment: bytes) -> int:
    """:func:`scheme_of` for a record this node stored itself: ``payload`` opened from its
    sealed store (authenticated, so the canonical bytes it sealed) and parsed into
    ``document`` by :func:`parse_own`. Raises ``ValueError`` as ``scheme_of`` does."""
    for scheme in (SCHEME_V2, SCHEME_V1):
        try:
            calculated = commitment_of_decoded(scheme, payload, document, salt)
        except (CanonicalEncodingError, ValueError):
            continue
        if hmac.compare_digest(calculated, commitment):
            return scheme
    raise ValueError("stored commitment opens under neither scheme v1 nor v2")


def scheme_of(payload: bytes, salt: bytes, commitment: bytes) -> int:
    """Which scheme a stored record (payload, salt, commitment) was committed under.

    Raises ``ValueError`` when neither scheme opens the commitment (a corrupt row).
    """
    for scheme in (SCHEME_V2, SCHEME_V1):
        try:
            calculated = commitment_of(scheme, payload, salt)
        except (CanonicalEncodingError, ValueError):
            continue
        if hmac.compare_digest(calculated, commitment):
            return scheme
    raise ValueError("stored commitment opens under neither scheme v1 nor v2")


def disclose(document: Mapping[str, JsonValue], seed: bytes,
             shown: frozenset[str]) -> Disclosure:
    """Show the fields named in ``shown`` (and every envelope field); withhold the rest.

    ``shown`` names fields as :func:`split` does (``X#masked`` for a masked display).
    """
    envelope, fields = split(document)
    _, digests = commit_fields(envelope, fields, seed)
    disclosed = {name: (field_salt(seed, name), value) for name, value in fields.items()
                 if name in shown}
    hidden = tuple(sorted(digests[name] for name in fields if name not in shown))
    return Disclosure(envelope, disclosed, hidden)


def disclose_v2(document: Mapping[str, JsonValue], seed: bytes, commitment: bytes,
                shown: frozenset[str]) -> Disclosure | None:
    """:func:`disclose` of a decoded canonical record (``decode_canonical``'s output) when
    ``commitment`` is its v2 commitment under ``seed``; None when it is not (a v1 record,
    or a row that opens under neither scheme: ``scheme_of`` tells which).

    One commitment computation gives both the check and the withheld digests (a query
    used to commit each answered record twice: once to learn its scheme, once to
    disclose). Only masked displays are normalized again, as in ``commit_v2_payload``.
    """
    envelope, fields = split(document)
    normalized = dict(fields)
    masked = {name: value for name, value in fields.items() if name.endswith(MASKED_SUFFIX)}
    if masked:
        normalized.update(normalize(masked))
    try:
        calculated, digests = commit_normalized(envelope, normalized, seed)
    except (CanonicalEncodingError, ValueError):
        return None
    if not hmac.compare_digest(calculated, commitment):
        return None
    disclosed = {name: (field_salt(seed, name), value) for name, value in fields.items()
                 if name in shown}
    hidden = tuple(sorted(digests[name] for name in fields if name not in shown))
    return Disclosure(envelope, disclosed, hidden)
