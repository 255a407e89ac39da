"""Who may call ExchangeService, and how PullRecords pages through an origin's records."""

from __future__ import annotations

import grpc
import pytest
from exchange_helpers import Consortium, wait_for

from node._proto.credit.v1 import exchange_pb2
from node.exchange.puller import cursor_key
from node.grpc.convert import proven_from_proto
from node.grpc.stubs import exchange_stub
from node.service.status import read_backlog


@pytest.mark.parametrize("label", ["agency", "platform", "admin"])
def test_only_peers_may_call_the_exchange(consortium: Consortium, label: str) -> None:
    with consortium.channel("SH", label, "SH") as ch:
        stub = exchange_stub(ch)
        calls = (
            (stub.PullRecords, exchange_pb2.PullRecordsRequest()),
            (stub.PushRecords, exchange_pb2.PushRecordsRequest()),
            (stub.FetchOnRequest, exchange_pb2.FetchOnRequestRequest()),
            (stub.Nudge, exchange_pb2.NudgeRequest(records=True, revocations=True)),
        )
        for method, request in calls:
            with pytest.raises(grpc.RpcError) as info:
                method(request, timeout=10)
            assert info.value.code() is grpc.StatusCode.PERMISSION_DENIED
            assert "want peer" in (info.value.details() or "")


def test_another_provinces_agency_maps_to_no_role(consortium: Consortium) -> None:
    with consortium.channel("JS", "agency", "SH") as ch, pytest.raises(grpc.RpcError) as info:
        exchange_stub(ch).PullRecords(exchange_pb2.PullRecordsRequest(), timeout=10)
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_pull_pages_through_anchored_replicated_records_in_leaf_order(
        consortium: Consortium) -> None:
    js = consortium["JS"].node.app.store
    anchored = read_backlog(js).anchored_size
    cursor, pages = "", 0
    leaves: list[int] = []
    with consortium.channel("AH", "node", "JS") as ch:
        stub = exchange_stub(ch)
        while True:
            response = stub.PullRecords(
                exchange_pb2.PullRecordsRequest(cursor=cursor, limit=7), timeout=10)
            items = [proven_from_proto(m) for m in response.records]
            assert len(items) <= 7
            leaves.extend(item.leaf_index for item in items)
            if response.next_cursor == cursor:
                break
            cursor, pages = response.next_cursor, pages + 1
        with pytest.raises(grpc.RpcError) as info:
            stub.PullRecords(exchange_pb2.PullRecordsRequest(cursor="leaf:-1"), timeout=10)
        assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert cursor == f"leaf:{anchored}" and pages >= anchored // 7
    assert leaves == sorted(leaves) and len(set(leaves)) == len(leaves)
    shared = [r for r in js.records_by_leaf_range("JS", 0, anchored)]
    # Commitments go on request only; natural persons' non-public records never leave JS.
    replicated = [r.leaf_index for r in shared if not r.kind == "commitment"
                  and not (r.subject_type == "natural_person" and not r.is_public)]
    assert leaves == replicated


def test_every_puller_catches_up_and_keeps_its_cursor(consortium: Consortium) -> None:
    for origin in ("JS", "ZJ"):
        size = read_backlog(consortium[origin].node.app.store).anchored_size
        for province in ("SH", "ZJ", "AH", "JS"):
            if province == origin:
                continue
            store = consortium[province].node.app.store
            wait_for(lambda s=store, o=origin, n=size:  # type: ignore[misc]
                     s.get_meta(cursor_key(o)) == f"leaf:{n}", timeout=15)
    sh = consortium["SH"].node
    assert sh.exchange is not None
    assert all(p.stats.quarantined == 0 for p in sh.exchange.pullers)
    assert sh.app.store.count_records("foreign") > 0
