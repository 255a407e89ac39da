"""The committed contract artifacts equal a fresh compile, byte for byte.

Runs `node contracts/build.mjs` (pinned npm solc). Missing node or solc is a failure, not a
skip: the artifacts cannot be trusted if nobody can rebuild them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "contracts"
ARTIFACTS = CONTRACTS / "artifacts"
BUILD = CONTRACTS / "build.mjs"
EXPECTED_CONTRACTS = {"Governance", "Catalog", "RecordAnchors", "AuditAnchors"}


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: needed to rebuild the contracts (contracts/build.mjs)")
    if not (REPO / "node_modules" / "solc" / "package.json").is_file():
        pytest.fail("npm solc is not installed in node_modules: run `make setup`")
    return node


def _build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_node(), str(BUILD), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("artifacts")
    result = _build("--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_fresh_compile_equals_committed_artifacts(fresh: Path) -> None:
    built = sorted(p.name for p in fresh.glob("*.json"))
    committed = sorted(p.name for p in ARTIFACTS.glob("*.json"))
    assert built == committed == sorted(f"{n}.json" for n in EXPECTED_CONTRACTS)
    for name in built:
        assert (fresh / name).read_bytes() == (ARTIFACTS / name).read_bytes(), (
            f"contracts/artifacts/{name} drifted from its sources: run `node contracts/build.mjs`"
        )


def test_artifact_fields_pin_compiler_settings_and_source(fresh: Path) -> None:
    for path in sorted(fresh.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
        assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert doc["contractName"] == path.stem
        assert doc["compiler"].startswith("0.8.37+commit.")
        assert doc["settings"] == {
            "evmVersion": "paris",
            "optimizer": {"enabled": True, "runs": 200},
        }
        source = REPO / doc["sourceName"]
        assert doc["sourceName"] == f"contracts/{path.stem}.sol"
        assert doc["sourceHash"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert doc["bytecode"].startswith("0x") and len(doc["bytecode"]) > 2
        assert doc["deployedBytecode"].startswith("0x") and len(doc["deployedBytecode"]) > 2
        assert isinstance(doc["abi"], list) and doc["abi"]


def test_check_mode_names_the_drifted_file(fresh: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "artifacts"
    shutil.copytree(fresh, tampered)
    catalog = tampered / "Catalog.json"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace('"paris"', '"london"'), encoding="utf-8")
    (tampered / "Stale.json").write_text("{}\n", encoding="utf-8")

    result = _build("--check", "--out", str(tampered))

    assert result.returncode == 1
    assert "Catalog.json (differs from a fresh compile)" in result.stderr
    assert "Stale.json (no contract of that name" in result.stderr
    assert "Governance.json" not in result.stderr
