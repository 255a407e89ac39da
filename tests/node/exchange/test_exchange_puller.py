"""The puller: resumable cursor, retries with backoff, page bound, pause on a busy store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from exchange_helpers import wait_for

from node._proto.credit.v1 import common_pb2, exchange_pb2
from node.exchange.errors import ExchangeError
from node.exchange.ports import PulledPage
from node.exchange.puller import Puller, cursor_key
from node.exchange.receive import Received
from node.grpc.convert import proven_from_proto
from node.store import SqlStore, open_store
from node.store.errors import StoreUnavailableError


class Unreachable(grpc.RpcError):  # type: ignore[misc]
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE


class FakeStub:
    """Answers PullRecords from a script: one entry per call (an exception is raised)."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.cursors: list[str] = []

    def PullRecords(self, request: Any, timeout: float) -> Any:
        self.cursors.append(request.cursor)
        step = self.script.pop(0) if self.script else request.cursor
        if isinstance(step, Exception):
            raise step
        if isinstance(step, int):
            return exchange_pb2.PullRecordsResponse(
                records=[common_pb2.ProvenRecord() for _ in range(step)], next_cursor="x")
        return exchange_pb2.PullRecordsResponse(next_cursor=step)


class FakeLink:
    province = "JS"

    def __init__(self, stub: FakeStub) -> None:
        self.stub = stub

    def pull_records(self, *, cursor: str, limit: int, request_id: str,
                     timeout: float) -> PulledPage:
        request = exchange_pb2.PullRecordsRequest(cursor=cursor, limit=limit,
                                                  request_id=request_id)
        response = self.stub.PullRecords(request, timeout)
        return PulledPage([proven_from_proto(m) for m in response.records],
                          response.next_cursor)


class FakeReceiver:
    def __init__(self, busy: int = 0) -> None:
        self.busy = busy
        self.pages = 0

    def accept(self, items: list[Any], *, peer: str) -> Received:
        if self.busy:
            self.busy -= 1
            raise StoreUnavailableError("add_foreign_records failed: database is locked")
        self.pages += 1
        return Received(0, 0, ())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'node.db'}")
    yield opened
    opened.engine.dispose()


def puller(stub: FakeStub, store: SqlStore, receiver: FakeReceiver | None = None,
           **kw: Any) -> Puller:
    return Puller(FakeLink(stub), receiver or FakeReceiver(), store,  # type: ignore[arg-type]
                  poll=0.01, busy_pause=0.01, max_backoff=0.05, **kw)


def test_the_cursor_is_kept_and_resumed(store: SqlStore) -> None:
    stub = FakeStub(["leaf:5", "leaf:5"])
    first = puller(stub, store)
    assert first.pull_once() is True
    assert store.get_meta(cursor_key("JS")) == "leaf:5"
    again = puller(stub, store)  # a restarted node resumes from the stored cursor
    assert again.pull_once() is False
    assert stub.cursors == ["", "leaf:5"]


def test_failures_are_retried_without_moving_the_cursor(store: SqlStore) -> None:
    stub = FakeStub([Unreachable(), Unreachable(), "leaf:3"])
    running = puller(stub, store)
    running.start()
    try:
        wait_for(lambda: store.get_meta(cursor_key("JS")) == "leaf:3", timeout=5)
    finally:
        running.stop()
    assert stub.cursors[:3] == ["", "", ""]
    assert running.stats.failures == 2 and running.stats.pages >= 1


def test_a_page_larger_than_asked_is_refused(store: SqlStore) -> None:
    with pytest.raises(ExchangeError, match="asked for 2"):
        puller(FakeStub([3]), store, page_size=2).pull_once()
    assert store.get_meta(cursor_key("JS")) is None


def test_a_busy_store_pauses_the_pull_and_keeps_the_cursor(store: SqlStore) -> None:
    receiver = FakeReceiver(busy=2)
    stub = FakeStub(["leaf:1", "leaf:1", "leaf:1"])
    running = puller(stub, store, receiver)
    running.start()
    try:
        wait_for(lambda: receiver.pages >= 1, timeout=5)
    finally:
        running.stop()
    assert running.stats.failures == 2
    assert stub.cursors[:3] == ["", "", ""]
    assert store.get_meta(cursor_key("JS")) == "leaf:1"
