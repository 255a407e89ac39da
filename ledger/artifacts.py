"""Load compiled contract artifacts (`contracts/artifacts/<Name>.json`).

An artifact is a JSON object with at least `contractName`, `abi` (a list) and `bytecode`
(0x-hex creation code). The directory is `<repo>/contracts/artifacts`, found relative to
this package, or `$LEDGER_ARTIFACTS_DIR` when set.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ledger.errors import ArtifactError

CONTRACT_NAMES: tuple[str, ...] = ("Governance", "Catalog", "RecordAnchors", "AuditAnchors")


@dataclass(frozen=True)
class Artifact:
    """One compiled contract: its name, ABI and creation bytecode."""

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: str


def artifacts_dir() -> Path:
    """`$LEDGER_ARTIFACTS_DIR`, else `<repo>/contracts/artifacts`."""
    override = os.environ.get("LEDGER_ARTIFACTS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "contracts" / "artifacts"


def parse_artifact(name: str, document: object, where: str) -> Artifact:
    """Validate a decoded artifact document; raises `ArtifactError` naming the defect."""
    if not isinstance(document, dict):
        raise ArtifactError(f"malformed artifact {where}: want a JSON object")
    abi = document.get("abi")
    if not isinstance(abi, list) or not all(isinstance(e, dict) for e in abi):
        raise ArtifactError(f"malformed artifact {where}: 'abi' must be a list of objects")
    bytecode = document.get("bytecode")
    if not isinstance(bytecode, str) or len(bytecode) < 4:
        raise ArtifactError(f"malformed artifact {where}: 'bytecode' missing or empty")
    if not bytecode.startswith("0x"):
        bytecode = "0x" + bytecode
    try:
        bytes.fromhex(bytecode[2:])
    except ValueError as exc:
        raise ArtifactError(f"malformed artifact {where}: 'bytecode' is not hex") from exc
    declared = document.get("contractName", name)
    if declared != name:
        raise ArtifactError(
            f"malformed artifact {where}: contractName is {declared!r}, want {name!r}"
        )
    return Artifact(name=name, abi=tuple(abi), bytecode=bytecode)


@cache
def load_artifact(name: str, directory: Path | None = None) -> Artifact:
    """The artifact of contract `name`; raises `ArtifactError` if missing or malformed."""
    path = (directory or artifacts_dir()) / f"{name}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ArtifactError(
            f"contract artifact {path} not found: build the contracts (contracts/build)"
        ) from exc
    except OSError as exc:
        raise ArtifactError(f"cannot read contract artifact {path}: {exc}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"malformed artifact {path}: not JSON ({exc.msg})") from exc
    return parse_artifact(name, document, str(path))


def load_all(directory: Path | None = None) -> dict[str, Artifact]:
    """All four suite artifacts by contract name."""
    return {name: load_artifact(name, directory) for name in CONTRACT_NAMES}
