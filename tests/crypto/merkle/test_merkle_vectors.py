"""Run every JSON proof vector as its own case.

The vectors come from transparency-dev/merkle (Apache License 2.0); see
shared/vectors/rfc9162-merkle/README.md and the LICENSE beside it. ``happy-path`` cases
(and the few others marked ``"wantErr": false``) must verify; every other file is a single
mutation and must be refused with a MerkleError.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from crypto.merkle import MerkleError, verify_consistency, verify_inclusion

# <repo root>/../shared/vectors, wherever the repo is cloned.
REPO_ROOT = Path(__file__).resolve().parents[3]
VECTORS_DIR = (REPO_ROOT / ".." / "shared" / "vectors").resolve()
MERKLE_VECTORS = VECTORS_DIR / "rfc9162-merkle"


def _vector_files() -> list[Path]:
    return sorted(
        p for kind in ("inclusion", "consistency") for p in (MERKLE_VECTORS / kind).rglob("*.json")
    )


def _cases() -> list[Any]:
    files = _vector_files()
    if not files:
        # An empty parameter list would be skipped; a missing directory must fail.
        return [pytest.param(None, id="vectors-missing")]
    return [pytest.param(p, id=p.relative_to(VECTORS_DIR).as_posix()) for p in files]


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _check(vector: dict[str, Any], kind: str) -> None:
    proof = [_b64(h) for h in vector["proof"] or []]
    if kind == "inclusion":
        verify_inclusion(
            vector["leafIdx"],
            vector["treeSize"],
            _b64(vector["leafHash"]),
            proof,
            _b64(vector["root"]),
        )
    else:
        verify_consistency(
            vector["size1"],
            vector["size2"],
            proof,
            _b64(vector["root1"]),
            _b64(vector["root2"]),
        )


def test_vector_directory_is_complete() -> None:
    assert MERKLE_VECTORS.is_dir(), f"missing vector directory {MERKLE_VECTORS}"
    assert (MERKLE_VECTORS / "README.md").is_file()
    files = _vector_files()
    assert len(files) > 150, f"found {len(files)} vector files, want > 150"
    assert len(_cases()) == len(files)
    assert sum(p.parts[-1] == "happy-path.json" for p in files) == 10


@pytest.mark.parametrize("vector_path", _cases())
def test_merkle_vector(vector_path: Path | None) -> None:
    assert vector_path is not None, f"no proof vectors found under {MERKLE_VECTORS}"
    vector = json.loads(vector_path.read_text(encoding="utf-8"))
    kind = vector_path.relative_to(MERKLE_VECTORS).parts[0]
    if vector_path.name == "happy-path.json":
        assert vector["wantErr"] is False
    if vector["wantErr"]:
        with pytest.raises(MerkleError):
            _check(vector, kind)
    else:
        _check(vector, kind)
