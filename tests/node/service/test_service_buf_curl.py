"""An independent client (buf curl) sees our services by reflection over mutual TLS."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from service_helpers import NodeDir

from node.runtime.node import RunningNode

BUF = Path(__file__).resolve().parents[3] / "node_modules" / ".bin" / "buf"


def _buf(node_dir: NodeDir, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    layout = node_dir.layout
    return subprocess.run(
        [str(BUF), "curl", "--protocol", "grpc",
         "--cert", str(layout.identity_cert("platform")),
         "--key", str(layout.identity_key("platform")),
         "--cacert", str(layout.ca_cert), *args],
        capture_output=True, text=True, timeout=60, check=False)


def test_reflection_lists_every_service(node_dir: NodeDir, running: RunningNode) -> None:
    result = _buf(node_dir, running.port, "--list-services", f"https://localhost:{running.port}")
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    assert {"credit.v1.IngestService", "credit.v1.QueryService", "credit.v1.NodeService",
            "grpc.health.v1.Health"} <= services


def test_health_check_over_mutual_tls(node_dir: NodeDir, running: RunningNode) -> None:
    url = f"https://localhost:{running.port}/grpc.health.v1.Health/Check"
    result = _buf(node_dir, running.port, "-d", '{"service": "credit.v1.IngestService"}', url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "SERVING"}
