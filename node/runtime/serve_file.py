"""``<data_dir>/serve.json``: what a running node bound, so tools find a port-0 server.

Written once the port is bound: ``{"grpc": port, "pid": pid, "metrics": port or null}``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

from ledger.deploy import write_json_atomic

__all__ = ["SERVE_FILE", "read_serve_file", "write_serve_file"]

SERVE_FILE: Final = "serve.json"


def write_serve_file(data_dir: Path, port: int, metrics_port: int | None) -> None:
    write_json_atomic(data_dir / SERVE_FILE,
                      {"grpc": port, "pid": os.getpid(), "metrics": metrics_port})


def read_serve_file(data_dir: Path) -> dict[str, Any]:
    """What a running node wrote to ``serve.json`` (raises OSError/ValueError)."""
    doc = json.loads((data_dir / SERVE_FILE).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("grpc"), int):
        raise ValueError(f"{data_dir / SERVE_FILE}: want an object with an integer 'grpc'")
    return doc
