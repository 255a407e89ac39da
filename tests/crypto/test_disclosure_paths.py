"""The fast commitment-v2 paths give the spec's bytes (pure, no servers).

Why: ``commit_normalized`` keys the field-salt HMAC once per record and skips normalizing
again, and ingest parses its own canonical bytes without the re-encoding check; each
shortcut must reproduce, byte for byte, the commitment the spec's own functions
(``field_salt`` = ``hmac.digest``, ``field_digest``, ``record_commitment``) compute.
"""

from __future__ import annotations

import os
import unicodedata

import pytest

from crypto.canonical import JsonValue, canonical_bytes, canonical_form, decode_canonical
from crypto.commitment import commit_canonical
from crypto.disclosure import (
    commit_fields,
    commit_normalized,
    field_digest,
    field_salt,
    record_commitment,
)
from node.devnet.synth import generate_records
from node.service.disclosure import (
    commit_v2,
    commit_v2_payload,
    commit_v2_plain,
    commitment_of_decoded,
    own_scheme,
    parse_own,
    scheme_of,
    split,
)


def _spec_commitment(document: dict[str, JsonValue], seed: bytes) -> bytes:
    envelope, fields = split(document)
    digests = [field_digest(field_salt(seed, name), name, value)
               for name, value in fields.items()]
    return record_commitment(envelope, digests)


def _edge_records() -> list[dict[str, object]]:
    nfd = unicodedata.normalize("NFD", "Café 苏州 Å")
    return [
        {"kind": "penalty", "province": "JS", "record_no": "E1", "CF_XDR_MC": nfd,
         "CF_XDR_ZJHM": "32050019900101" + unicodedata.normalize("NFD", "é") + "23X",
         "CF_NR_FK": 1.5, "CF_CFLB": ["罚款", nfd], "BIG": 1e16, "N": None, "B": True,
         "NEST": {"b": [1, 2.25, "x"], "a": "\u0007\"\\"}, "EMPTY": []},
        {"kind": "dishonesty", "province": "SH", "record_no": "E2", "X\U0001F600": "😀",
         "I": -(2**53 - 1), "F": -0.0, "S": "tab\tnew\nline"},
    ]


def test_fast_paths_match_the_spec_on_synthetic_and_edge_records() -> None:
    records = [*generate_records("JS", 150, seed=11), *generate_records("AH", 150, seed=5),
               *_edge_records()]
    for record in records:
        payload = canonical_bytes(record)
        document = decode_canonical(payload)
        seed = os.urandom(32)
        expected = _spec_commitment(document, seed)
        assert commit_v2(document, seed) == expected
        assert commit_v2_payload(payload, seed) == expected
        assert commit_v2_payload(payload, seed, encoded_here=True) == expected
        # Ingest: the normalized record canonical_form hands back beside the bytes.
        encoded, plain = canonical_form(record)
        assert encoded == payload
        assert commit_v2_plain(plain, seed) == expected
        # A receiving peer (step 4 after step 1) and the serving side (own payloads).
        assert commitment_of_decoded(2, payload, document, seed) == expected
        assert commitment_of_decoded(1, payload, document, seed) == commit_canonical(
            payload, seed)
        assert own_scheme(payload, parse_own(payload), seed, expected) == scheme_of(
            payload, seed, expected) == 2
        v1 = commit_canonical(payload, seed)
        assert own_scheme(payload, parse_own(payload), seed, v1) == 1
        with pytest.raises(ValueError, match="neither"):
            own_scheme(payload, parse_own(payload), seed, bytes(32))


def test_commit_normalized_equals_commit_fields_with_the_same_digests() -> None:
    seed = bytes(range(32))
    fields: dict[str, JsonValue] = {"a": "x", "b": ["y", "z"], "c": 3, "d": 0.1}
    assert commit_normalized({"kind": "k"}, fields, seed) == commit_fields(
        {"kind": "k"}, fields, seed)


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33), "x" * 32])
def test_a_bad_seed_is_refused(seed: object) -> None:
    with pytest.raises(ValueError, match="seed must be 32 bytes"):
        commit_normalized({}, {"a": "b"}, seed)  # type: ignore[arg-type]


def test_a_non_canonical_payload_is_refused_unless_encoded_here() -> None:
    with pytest.raises(ValueError, match="not canonical v1"):
        commit_v2_payload(b'{"b":1,"a":2}', bytes(32))
