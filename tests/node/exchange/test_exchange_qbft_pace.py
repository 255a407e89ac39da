"""A consortium on a ledger paced like production (issue 16, item 4).

A Besu QBFT network mines a block every ~2 s; anvil mines each transaction at once unless
started with ``--block-time``. JS, SH and ZJ run on an anvil started with a 2 s block time
(``DevChain.start(block_time=2)``); the network is set up under instant mining (deploying
and adopting the catalog block by block would cost a minute of test time), then the chain
goes back to a block every 2 s and the nodes must still anchor, exchange and witness.

The propagation latency — JS's SubmitRecords acknowledgement to SH answering the record
with its proof — is measured once under instant mining and once under 2 s blocks, and
printed, not asserted (timing belongs to benchmarks).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from anvil_chains import AnvilLauncher
from multinode_net import Network, build_network, records_of, running, submit, wait_for
from web3 import HTTPProvider, Web3

from crypto.batch_header import BatchHeader
from node._proto.credit.v1 import common_pb2, query_pb2
from node.grpc.stubs import query_stub

BLOCK_TIME = 2
CHECKPOINT = 1.0


def _rpc(net: Network, method: str, params: list[Any]) -> None:
    w3 = Web3(HTTPProvider(net.rpc_url, request_kwargs={"timeout": 10}))
    answer = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in answer, answer


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory,
        anvil_launcher: AnvilLauncher) -> Iterator[Network]:
    with anvil_launcher.start(block_time=BLOCK_TIME) as chain:
        w3 = Web3(HTTPProvider(chain.rpc_url, request_kwargs={"timeout": 10}))
        first = w3.eth.block_number
        wait_for(lambda: w3.eth.block_number > first, timeout=3 * BLOCK_TIME + 5)
        w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
        built = build_network(tmp_path_factory.mktemp("qbft-pace"), chain.rpc_url,
                              ("JS", "SH", "ZJ"), checkpoint=CHECKPOINT)
        with running(built):
            yield built


def _entry(seed: int, record_no: str) -> dict[str, object]:
    for record in records_of("JS", 60, seed=seed):
        if (record["kind"] == "dishonesty" and record.get("SX_ZTLB") == "法人及非法人组织"
                and str(record.get("SX_YXQ", "")) > datetime.now(UTC).date().isoformat()):
            return dict(record, record_no=record_no)
    raise AssertionError("no public serious-dishonesty entry among the synthetic records")


def _propagation(net: Network, entry: dict[str, object]) -> tuple[float, Any]:
    """Seconds from JS's acknowledgement to SH answering ``entry``, and the answer."""
    request = query_pb2.QueryRequest(
        purpose="credit_report", include_foreign=True,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC,
                                      id=str(entry["SX_SHXYM"])))
    ack = submit(net, "JS", [entry])
    acked = time.monotonic()
    assert len(ack.accepted) == 1 and not ack.accepted[0].duplicate
    found: list[Any] = []
    with net.channel("SH", "agency", "SH") as ch:
        def answered() -> bool:
            records = query_stub(ch).Query(request, timeout=10).records
            found[:] = [r for r in records if r.envelope.record_no == entry["record_no"]]
            return bool(found)
        wait_for(answered, timeout=60, step=0.05)
    return time.monotonic() - acked, found[0]


def _witnessed(net: Network, province: str) -> int:
    """Wait until ``province``'s access log as it is now is anchored and co-signed."""
    size, ledger = net[province].node.app.access_log.log.size(), net.ledger()
    wait_for(lambda: ledger.latest_audit_head(province).tree_size >= size, timeout=60)
    head = ledger.latest_audit_head(province).tree_size
    wait_for(lambda: ledger.witness_count(province, head) >= 1, timeout=60)
    return head


def test_anchoring_exchange_and_witnessing_work_with_2_s_blocks(
        net: Network, capsys: pytest.CaptureFixture[str]) -> None:
    instant, _ = _propagation(net, _entry(5, "JS-PACE-000001"))

    _rpc(net, "evm_setIntervalMining", [BLOCK_TIME])
    ledger = net.ledger()
    start_block = ledger.w3.eth.block_number
    paced, record = _propagation(net, _entry(6, "JS-PACE-000002"))
    assert record.foreign and record.envelope.province == "JS"
    header = BatchHeader.from_json(record.batch_header)
    assert ledger.is_anchored("JS", header.seq, header.root)
    assert record.anchor.block_number > start_block  # anchored in a paced block
    head = _witnessed(net, "JS")
    blocks = ledger.w3.eth.block_number - start_block
    with capsys.disabled():
        print("\npropagation JS ack -> SH answer (s):", json.dumps(
            {"instant_mining": round(instant, 3), f"block_time_{BLOCK_TIME}s": round(paced, 3),
             "blocks_mined_while_paced": blocks, "witnessed_audit_head": head}))
    assert blocks >= 1
