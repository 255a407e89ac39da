"""The committed commitment-v2 vectors (docs/commitment-v2.md), each JSON file a case,
plus the properties a disclosure must have (pure, no servers).

An empty vector directory is a failure, not a skip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crypto.disclosure import (
    FIELD_DIGEST_TAG,
    FIELD_SALT_TAG,
    RECORD_V2_TAG,
    SCHEME_V1,
    SCHEME_V2,
    field_digest,
    field_salt,
    leaf_data,
    record_commitment,
    value_bytes,
)
from crypto.merkle import hash_leaf
from node.service.disclosure import commit_v2, disclose, scheme_of, split

VECTOR_DIR = Path(__file__).resolve().parents[1] / "vectors" / "commitment_v2"
VECTOR_FILES = sorted(VECTOR_DIR.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


@pytest.mark.parametrize("path", VECTOR_FILES or [None],
                         ids=[p.stem for p in VECTOR_FILES] or ["no-vectors-found"])
def test_vector(path: Path | None) -> None:
    assert path is not None, f"no commitment-v2 vectors (*.json) in {VECTOR_DIR}"
    vector = _load(path)
    assert vector["name"] == path.stem and vector["scheme"] == SCHEME_V2
    assert bytes.fromhex(vector["tags"]["field_salt"]) == FIELD_SALT_TAG
    assert bytes.fromhex(vector["tags"]["field_digest"]) == FIELD_DIGEST_TAG
    assert bytes.fromhex(vector["tags"]["record"]) == RECORD_V2_TAG
    seed = bytes.fromhex(vector["seed_hex"])
    envelope, fields = split(vector["record"])
    assert envelope == vector["envelope"]
    assert sorted(fields) == [row["name"] for row in vector["fields"]]
    for row in vector["fields"]:
        salt = field_salt(seed, row["name"])
        assert salt.hex() == row["salt_hex"], row["name"]
        assert value_bytes(fields[row["name"]]).hex() == row["value_jcs_hex"], row["name"]
        assert field_digest(salt, row["name"], row["value"]).hex() == row["digest_hex"]
    commitment = commit_v2(vector["record"], seed)
    assert commitment.hex() == vector["commitment_hex"]
    assert leaf_data(SCHEME_V2, commitment).hex() == vector["leaf_data_hex"]
    assert hash_leaf(leaf_data(SCHEME_V2, commitment)).hex() == vector["leaf_hash_hex"]
    # The recorded disclosure recomputes the same commitment, and so does ours.
    shown = {row["name"]: row for row in vector["fields"]
             if row["name"] in vector["disclosure"]["shown"]}
    digests = [field_digest(bytes.fromhex(r["salt_hex"]), n, r["value"]) for n, r in shown.items()]
    withheld = [bytes.fromhex(h) for h in vector["disclosure"]["withheld_digests_hex"]]
    assert record_commitment(vector["envelope"], digests + withheld) == commitment
    ours = disclose(vector["record"], seed, frozenset(shown))
    assert [d.hex() for d in ours.withheld] == vector["disclosure"]["withheld_digests_hex"]


def test_the_person_vector_withholds_the_id_number_and_shows_its_mask() -> None:
    vector = _load(VECTOR_DIR / "penalty_person.json")
    assert vector["disclosure"]["withheld_names"] == ["CF_XDR_ZJHM"]
    assert "CF_XDR_ZJHM#masked" in vector["disclosure"]["shown"]
    masked = next(r for r in vector["fields"] if r["name"] == "CF_XDR_ZJHM#masked")
    assert masked["value"] == "32**************34"


RECORD = {"kind": "penalty", "province": "JS", "record_no": "JS-1", "local_category": "X",
          "severity": "minor", "rule_version": "2023", "CF_WSH": "宁罚〔2025〕1号",
          "CF_NR_FK": "2.5", "CF_XDR_ZJHM": "320102199003071234"}
SEED = bytes(range(32))


def test_changing_any_field_or_the_envelope_changes_the_commitment() -> None:
    base = commit_v2(RECORD, SEED)
    for name in RECORD:
        changed = dict(RECORD, **{name: str(RECORD[name]) + "x"})
        assert commit_v2(changed, SEED) != base, name
    assert commit_v2({k: v for k, v in RECORD.items() if k != "CF_NR_FK"}, SEED) != base


def test_every_salt_differs_and_is_at_least_128_bits() -> None:
    salts = {field_salt(SEED, name) for name in split(RECORD)[1]}
    assert len(salts) == len(split(RECORD)[1]) and all(len(s) >= 16 for s in salts)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        field_digest(b"short", "CF_WSH", "x")


def test_length_prefixes_keep_salt_name_and_value_apart() -> None:
    salt = bytes(16)
    assert field_digest(salt + b"A", "B", "v") != field_digest(salt, "AB", "v")
    assert field_digest(salt, "CF_WSH", "ab") != field_digest(salt, "CF_WSH\"a", "b")


def test_a_digest_given_twice_is_refused() -> None:
    digest = field_digest(bytes(32), "CF_WSH", "x")
    with pytest.raises(ValueError, match="twice"):
        record_commitment({"kind": "penalty"}, [digest, digest])


def test_scheme_of_tells_v1_from_v2_and_refuses_neither() -> None:
    from crypto.canonical import canonical_bytes
    from crypto.commitment import commit_canonical
    payload = canonical_bytes(RECORD)
    assert scheme_of(payload, SEED, commit_v2(RECORD, SEED)) == SCHEME_V2
    assert scheme_of(payload, SEED, commit_canonical(payload, SEED)) == SCHEME_V1
    with pytest.raises(ValueError, match="neither"):
        scheme_of(payload, SEED, bytes(32))
    assert leaf_data(SCHEME_V1, bytes(32)) != leaf_data(SCHEME_V2, bytes(32))
