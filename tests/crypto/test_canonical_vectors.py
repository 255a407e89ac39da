"""The committed canonical-form v1 vectors: each JSON file is its own case.

An empty vector directory is a failure, not a skip: losing the vectors must not turn the
suite green.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crypto.canonical import CANONICAL_VERSION, canonical_bytes, decode_canonical
from crypto.commitment import RECORD_COMMITMENT_TAG, commit

VECTOR_DIR = Path(__file__).resolve().parents[1] / "vectors" / "canonical"
VECTOR_FILES = sorted(VECTOR_DIR.glob("*.json"))
REQUIRED = {
    "penalty_chinese_text",
    "nfd_input_normalised",
    "nfc_input_same_bytes",
    "key_order_utf16",
    "nested_lists_objects",
    "numbers_es6_form",
}


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("ascii"))
    return loaded


@pytest.mark.parametrize(
    "path",
    VECTOR_FILES or [None],
    ids=[p.stem for p in VECTOR_FILES] or ["no-vectors-found"],
)
def test_vector(path: Path | None) -> None:
    assert path is not None, f"no canonical vectors (*.json) in {VECTOR_DIR}"
    vector = _load(path)
    assert vector["name"] == path.stem
    assert vector["canonical_version"] == CANONICAL_VERSION
    assert bytes.fromhex(vector["domain_tag_hex"]) == RECORD_COMMITMENT_TAG

    expected = bytes.fromhex(vector["canonical_hex"])
    assert vector["canonical_utf8"].encode("utf-8") == expected
    assert canonical_bytes(vector["input"]) == expected

    decoded = decode_canonical(expected)
    assert canonical_bytes(decoded) == expected

    salt = bytes.fromhex(vector["salt_hex"])
    assert commit(vector["input"], salt).hex() == vector["commitment_hex"]


def test_required_scenarios_present() -> None:
    assert REQUIRED <= {p.stem for p in VECTOR_FILES}


def test_nfd_and_nfc_vectors_share_bytes() -> None:
    nfd = _load(VECTOR_DIR / "nfd_input_normalised.json")
    nfc = _load(VECTOR_DIR / "nfc_input_same_bytes.json")
    assert nfd["input"] != nfc["input"]
    assert nfd["canonical_hex"] == nfc["canonical_hex"]
