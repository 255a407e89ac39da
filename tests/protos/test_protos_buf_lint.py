"""The gRPC contract passes buf's STANDARD lint rules."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUF = REPO / "node_modules" / ".bin" / "buf"


def _buf(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    assert BUF.exists(), f"buf not found at {BUF}: run `make setup` (npm ci)"
    return subprocess.run(
        [str(BUF), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_buf_lint_passes_from_repo_root() -> None:
    done = _buf("lint", "protos")
    assert done.returncode == 0, done.stdout + done.stderr


def test_buf_config_is_v2_with_standard_rules() -> None:
    text = (REPO / "protos" / "buf.yaml").read_text(encoding="utf-8")
    assert "version: v2" in text
    assert "- STANDARD" in text


def test_buf_sees_every_service_file() -> None:
    done = _buf("ls-files", "protos")
    assert done.returncode == 0, done.stderr
    names = {Path(line).name for line in done.stdout.split()}
    assert names == {
        "common.proto", "ingest.proto", "exchange.proto", "query.proto",
        "audit.proto", "matching.proto", "node.proto", "lifecycle.proto",
    }


def test_buf_lint_catches_a_bad_proto(tmp_path: Path) -> None:
    # Guards against a config that lints nothing: a non-standard request name must fail.
    (tmp_path / "buf.yaml").write_text(
        (REPO / "protos" / "buf.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    pkg = tmp_path / "credit" / "v1"
    pkg.mkdir(parents=True)
    (pkg / "bad.proto").write_text(
        'syntax = "proto3";\npackage credit.v1;\n'
        "service BadService { rpc Do(Thing) returns (Thing); }\nmessage Thing {}\n",
        encoding="utf-8",
    )
    done = _buf("lint", str(tmp_path))
    assert done.returncode != 0
    assert "RPC_REQUEST_STANDARD_NAME" in done.stdout or "should be named" in done.stdout
