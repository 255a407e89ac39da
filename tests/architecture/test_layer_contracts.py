"""The layer contracts in ``.importlinter`` hold, and a back-edge breaks them.

``lint-imports`` runs here as well as in ``make lint``, so a forbidden import fails the
test suite (and so CI) even when nobody runs the linter. The second test proves the
contracts can fail: it copies the packages to a scratch directory, adds one import that
points the wrong way, and expects the named contract to be reported broken.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("node", "ledger", "crypto")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(cwd / ".importlinter"), "--no-cache"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_layer_contracts_hold() -> None:
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: " in result.stdout and " broken" in result.stdout
    assert "0 broken" in result.stdout


BACK_EDGES = [
    # (file that gets the import, the import, contract expected broken)
    ("crypto/canonical.py", "import ledger.errors", "crypto imports nothing of ours"),
    ("ledger/errors.py", "import node.store", "ledger imports only crypto"),
    ("node/domain/fields.py", "import node.service.ingest",
     "node.domain and node.store import neither gRPC nor the service"),
    ("node/store/errors.py", "import grpc", "only the transport package"),
    ("node/service/ingest.py", "import node.grpc.errors", "node's layers"),
    ("node/exchange/verify.py", "import node.devnet",
     "nothing in the product but the CLI imports the dev network"),
]


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, base / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", base / ".importlinter")
    return base


@pytest.mark.parametrize(("path", "statement", "contract"), BACK_EDGES,
                         ids=[edge[0] for edge in BACK_EDGES])
def test_back_edge_breaks_its_contract(package_copy: Path, path: str, statement: str,
                                       contract: str) -> None:
    target = package_copy / path
    original = target.read_text(encoding="utf-8")
    target.write_text(original + f"\n{statement}  # injected back-edge\n", encoding="utf-8")
    try:
        result = run_lint_imports(package_copy)
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert any(contract in line for line in broken), result.stdout
