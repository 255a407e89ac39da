"""Node directories made once per session by the real `init` code path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from node.config_build import init_node

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def js_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("js") / "node"
    init_node(root, "JS", listen="127.0.0.1:0", now=NOW)
    return root


@pytest.fixture(scope="session")
def sh_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sh") / "node"
    init_node(root, "SH", listen="node.sh.example:7443", now=NOW)
    return root
