"""disclose_v2: one commitment computation both checks the scheme and discloses."""

from __future__ import annotations

import pytest

from crypto.canonical import canonical_bytes, decode_canonical
from crypto.commitment import commit_canonical, new_salt
from crypto.disclosure import SCHEME_V1, SCHEME_V2
from node.devnet.synth.generator import generate_records
from node.domain.records import parse_record, to_json
from node.service.disclosure import commit_v2_payload, disclose, disclose_v2, scheme_of, split


@pytest.mark.parametrize("number", range(12))
def test_it_equals_disclose_for_a_v2_record_and_refuses_anything_else(number: int) -> None:
    raw = list(generate_records("JS", number + 1, 21))[number]
    payload = canonical_bytes(to_json(parse_record(raw)))
    document = decode_canonical(payload)
    seed = new_salt()
    commitment = commit_v2_payload(payload, seed)
    _, fields = split(document)
    shown = frozenset(sorted(fields)[::2])
    assert disclose_v2(document, seed, commitment, shown) == disclose(document, seed, shown)
    assert scheme_of(payload, seed, commitment) == SCHEME_V2
    assert disclose_v2(document, seed, bytes(32), shown) is None
    assert disclose_v2(document, new_salt(), commitment, shown) is None
    v1 = commit_canonical(payload, seed)
    assert disclose_v2(document, seed, v1, shown) is None
    assert scheme_of(payload, seed, v1) == SCHEME_V1
