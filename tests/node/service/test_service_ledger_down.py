"""With the ledger down the node keeps ingesting, reports its backlog, and catches up."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from anvil_chains import AnvilLauncher
from service_helpers import channel, make_node_dir, synth_lines, wait_for

from node._proto.credit.v1 import ingest_pb2
from node.config import load_config
from node.grpc.stubs import ingest_stub
from node.runtime.node import start_node


def _backlog(stub: Any) -> Any:
    return stub.GetBacklog(ingest_pb2.GetBacklogRequest(), timeout=10)


def test_ingest_goes_on_while_the_ledger_is_down_and_anchors_after(
        tmp_path: Path, anvil_launcher: AnvilLauncher) -> None:
    state = tmp_path / "chain.json"
    chain = anvil_launcher.start(state_path=state)
    port = chain.port
    try:
        node_dir = make_node_dir(tmp_path / "js", chain.rpc_url)
        cfg = load_config(node_dir.config)
        cfg = dataclasses.replace(
            cfg, batch=dataclasses.replace(cfg.batch, interval_seconds=0.2))
        node = start_node(cfg, workers=4)
        try:
            lines = synth_lines(40, seed=11)
            with channel(node_dir, node.port, "platform") as ch:
                stub = ingest_stub(ch)
                first = stub.SubmitRecords(
                    ingest_pb2.SubmitRecordsRequest(records=lines[:20]), timeout=30)
                assert len(first.accepted) == 20
                wait_for(lambda: _backlog(stub).backlog == 0)

                chain.stop()  # the ledger goes away (state dumped on SIGTERM)
                second = stub.SubmitRecords(
                    ingest_pb2.SubmitRecordsRequest(records=lines[20:]), timeout=30)
                assert len(second.accepted) == 20 and not second.rejected
                backlog = _backlog(stub)
                assert (backlog.log_size, backlog.anchored_size, backlog.backlog) == (40, 20, 20)

                chain = anvil_launcher.start(state_path=state, port=port)
                wait_for(lambda: _backlog(stub).backlog == 0, timeout=60)
                after = _backlog(stub)
                assert (after.log_size, after.anchored_size) == (40, 40)
            ledger = node_dir.ledger()
            latest = ledger.latest_batch("JS")
            assert latest.size == 40
            seqs_roots = [ledger.batch("JS", s)[0] for s in range(1, latest.seq + 1)]
            assert all(root != bytes(32) for root in seqs_roots)
        finally:
            node.stop(grace=1.0)
    finally:
        chain.stop()
