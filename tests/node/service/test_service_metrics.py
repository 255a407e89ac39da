"""The Prometheus endpoint serves the node's counters, with no personal data in them."""

from __future__ import annotations

import dataclasses
import urllib.request
from pathlib import Path

from service_helpers import NodeDir, channel, synth_lines, wait_for

from node._proto.credit.v1 import ingest_pb2
from node.config import load_config
from node.grpc.stubs import ingest_stub
from node.runtime.node import start_node
from node.runtime.serve_file import read_serve_file


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        return resp.read().decode()


def _value(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"metric {name} not found")


def test_metrics_count_ingest_and_anchoring(node_dir: NodeDir, tmp_path: Path) -> None:
    cfg = load_config(node_dir.config)
    cfg = dataclasses.replace(
        cfg, batch=dataclasses.replace(cfg.batch, interval_seconds=0.2),
        metrics=dataclasses.replace(cfg.metrics, listen="127.0.0.1:0"))
    node = start_node(cfg, workers=4)
    try:
        port = read_serve_file(node_dir.root)["metrics"]
        assert isinstance(port, int) and port > 0
        lines = synth_lines(12, seed=5)
        with channel(node_dir, node.port, "platform") as ch:
            answer = ingest_stub(ch).SubmitRecords(
                ingest_pb2.SubmitRecordsRequest(records=[*lines, b"not json"]), timeout=30)
        assert (len(answer.accepted), len(answer.rejected)) == (12, 1)
        wait_for(lambda: _value(_scrape(port), "credit_anchored_batches_total") >= 1)
        text = _scrape(port)
        assert _value(text, "credit_ingested_records_total") == 12
        assert _value(text, "credit_rejected_records_total") == 1
        assert _value(text, "credit_anchor_backlog") == 0
        for line in lines:  # no record content leaks into the metrics
            assert line.decode()[40:60] not in text
    finally:
        node.stop(grace=1.0)
