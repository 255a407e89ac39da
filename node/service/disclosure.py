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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from crypto.canonical import JsonValue, decode_canonical
from crypto.commitment import commit_canonical
from crypto.disclosure import SCHEME_V1, SCHEME_V2, commit_fields, field_salt
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


def commitment_of(scheme: int, payload: bytes, salt: bytes) -> bytes:
    """The commitment of canonical ``payload`` under ``scheme`` (v1 salt or v2 seed).

    Raises ``ValueError`` (``CanonicalEncodingError`` included) for a bad payload or salt.
    """
    if scheme == SCHEME_V1:
        return commit_canonical(payload, salt)
    if scheme == SCHEME_V2:
        return commit_v2(decode_canonical(payload), salt)
    raise ValueError(f"commitment scheme {scheme!r} is not 1 or 2")


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
