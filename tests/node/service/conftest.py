"""A JS node on a real anvil with a one-member consortium (threshold 1, catalog v1)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import NodeDir, make_node_dir

from ledger.devchain import DevChain
from node.config import load_config
from node.service.server import RunningNode, start_node


@pytest.fixture
def node_dir(tmp_path: Path, anvil: DevChain) -> NodeDir:
    return make_node_dir(tmp_path / "js", anvil.rpc_url)


@pytest.fixture
def running(node_dir: NodeDir) -> Iterator[RunningNode]:
    cfg = load_config(node_dir.config)
    cfg = dataclasses.replace(cfg, batch=dataclasses.replace(cfg.batch, interval_seconds=0.2))
    node = start_node(cfg, workers=4)
    try:
        yield node
    finally:
        node.stop(grace=1.0)
