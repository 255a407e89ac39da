"""A record submitted at JS is answered, with a proof that verifies, at SH, ZJ and AH.

The latency measured is from JS's SubmitRecords acknowledgement to the moment a query at
each peer returns the record (batching, signing, anchoring, pulling, verifying, storing).
It is printed, not asserted: timing belongs to benchmarks.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from exchange_helpers import Consortium, public_dishonesty, records_of, submit

from crypto.batch_header import BatchHeader, verify_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.merkle import hash_leaf, verify_inclusion
from crypto.signing import NodePublicKey
from node._proto.credit.v1 import common_pb2, query_pb2
from node.domain.catalog import packaged_mappings
from node.grpc.stubs import query_stub

PEERS = ("SH", "ZJ", "AH")
JS_MAPPING = packaged_mappings()[("JS", 1)]


def query(consortium: Consortium, province: str, subject: str) -> Any:
    request = query_pb2.QueryRequest(
        purpose="credit_report", include_foreign=True,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject))
    with consortium.channel(province, "agency", province) as ch:
        return query_stub(ch).Query(request, timeout=10)


def test_a_js_dishonesty_entry_is_answered_by_every_peer_with_a_proof(
        consortium: Consortium, capsys: pytest.CaptureFixture[str]) -> None:
    entry = dict(public_dishonesty(records_of("JS", 60, seed=5), datetime.now(UTC).date()))
    entry["record_no"] = "JS-LATENCY-000001"
    subject = str(entry["SX_SHXYM"])
    ack = submit(consortium, "JS", [entry])
    acked = time.monotonic()
    assert len(ack.accepted) == 1 and not ack.accepted[0].duplicate

    answers: dict[str, Any] = {}
    latency: dict[str, float] = {}

    def watch(province: str) -> None:
        deadline = acked + 30
        while time.monotonic() < deadline:
            answer = query(consortium, province, subject)
            found = [r for r in answer.records if r.envelope.record_no == entry["record_no"]]
            if found:
                latency[province] = time.monotonic() - acked
                answers[province] = found[0]
                return
            time.sleep(0.02)

    threads = [threading.Thread(target=watch, args=(p,)) for p in PEERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with capsys.disabled():
        print("\nexchange latency (s) from JS ack to a peer's answer:",
              json.dumps({p: round(latency.get(p, -1.0), 3) for p in PEERS}))
    assert sorted(answers) == sorted(PEERS)

    ledger = consortium.ledger()
    js_key = NodePublicKey(ledger.member("JS").node_key)
    for province, record in answers.items():
        assert record.foreign and record.envelope.province == "JS", province
        assert record.envelope.shared_category == JS_MAPPING.shared_code(
            str(entry["local_category"]))
        header = BatchHeader.from_json(record.batch_header)
        leaf = hash_leaf(leaf_data(SCHEME_V2, record.commitment))
        verify_inclusion(record.leaf_index, header.tree_size, leaf,
                         list(record.inclusion_proof), header.root)
        verify_header(header, record.header_signature, js_key)
        assert ledger.is_anchored("JS", header.seq, header.root)
        assert record.anchor.seq == header.seq
        payload = json.loads(record.minimized_payload)
        assert payload["record_no"] == entry["record_no"]
