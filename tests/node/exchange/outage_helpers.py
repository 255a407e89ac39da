"""Outage tests' tools: a platform feeding records in the background, and the check that
every replicated record is held exactly once by every peer (nothing lost, nothing
duplicated), measured from the stores' own rows."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import grpc
from multinode_net import Network, submit
from sqlalchemy import func, select

from node.exchange.serve import shareable
from node.store.schema import quarantine as quarantine_table
from node.store.schema import records as records_table

CHUNK = 10
PAUSE = 0.3


class Feeder:
    """Submits ``records`` at ``province`` in chunks of ``chunk`` every ``pause`` s on a
    thread, until they are all acknowledged or :meth:`stop`. A chunk that fails (the node
    is not there) is sent again on the next round: ingest is idempotent."""

    def __init__(self, net: Network, province: str, records: list[dict[str, object]], *,
                 chunk: int = CHUNK, pause: float = PAUSE) -> None:
        self._chunk = chunk
        self._pause = pause
        self._net = net
        self.province = province
        self._records = records
        self._next = 0
        self._stop = threading.Event()
        self.acked: list[tuple[str, int]] = []
        """(record_no, leaf index) of every record acknowledged, in order."""
        self.failures = 0
        """Chunks that failed (and were sent again)."""
        self.rejected = 0
        """Records the node refused (none expected: the synthetic records are valid)."""
        self._thread = threading.Thread(target=self._run, name=f"feed-{province}",
                                        daemon=True)

    @property
    def sent(self) -> int:
        """How many of the records were acknowledged so far."""
        return self._next

    def start(self) -> Feeder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def __enter__(self) -> Feeder:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def wait_sent(self, count: int, timeout: float = 60.0) -> None:
        """Until ``count`` records were acknowledged (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while self.sent < count:
            assert time.monotonic() < deadline, f"{self.province}: {self.sent} of {count} sent"
            time.sleep(0.05)

    def _run(self) -> None:
        while self._next < len(self._records) and not self._stop.is_set():
            chunk = self._records[self._next:self._next + self._chunk]
            try:
                ack: Any = submit(self._net, self.province, chunk)
            except grpc.RpcError:
                self.failures += 1
            else:
                self.rejected += len(ack.rejected)
                self.acked.extend((a.record_no, a.leaf_index) for a in ack.accepted)
                self._next += len(chunk)
            self._stop.wait(self._pause)

    def numbers(self) -> set[str]:
        """The record numbers acknowledged so far."""
        return {no for no, _ in self.acked}


def unrecorded(net: Network, province: str, acked: list[tuple[str, int]]) -> int:
    """How many acknowledged (record_no, leaf index) ``province``'s store does not hold
    at that leaf (an acknowledgement the node did not keep)."""
    store = net[province].node.app.store
    missing = 0
    for record_no, leaf in acked:
        row = store.get_record(province, record_no)
        missing += row is None or row.leaf_index != leaf
    return missing


def replicated_records(net: Network, origin: str) -> dict[str, int]:
    """record_no -> leaf index of every record ``origin`` hands its peers (see
    ``node.exchange.serve.shareable``)."""
    node = net[origin].node
    assert node.exchange is not None
    store = node.app.store
    categories = node.exchange.serve.categories
    size = store.log_size("records")
    return {r.record_no: r.leaf_index for r in store.records_by_leaf_range(origin, 0, size)
            if shareable(r, categories, ())}


def foreign_rows(net: Network, holder: str, origin: str) -> list[tuple[str, int]]:
    """(record_no, leaf index) of every row ``holder``'s store keeps for ``origin``."""
    query = (select(records_table.c.record_no, records_table.c.leaf_index)
             .where(records_table.c.province == origin))
    with net[holder].node.app.store.engine.connect() as conn:
        return [(str(no), int(leaf)) for no, leaf in conn.execute(query)]


@dataclass
class Tally:
    """What every peer holds against what every origin replicates."""

    expected: int = 0
    lost: int = 0
    duplicated: int = 0
    misplaced: int = 0
    """Rows under a leaf index other than the origin's, or that the origin never sent."""
    detail: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.lost == 0


def tally(net: Network, provinces: tuple[str, ...]) -> Tally:
    """Compare, for each origin and each other province, the holder's rows with the
    origin's replicated records."""
    found = Tally()
    for origin in provinces:
        expected = replicated_records(net, origin)
        for holder in provinces:
            if holder == origin:
                continue
            rows = foreign_rows(net, holder, origin)
            counts = Counter(no for no, _ in rows)
            lost = set(expected) - set(counts)
            extra = [no for no, n in counts.items() if no not in expected]
            wrong = [no for no, leaf in rows if no in expected and expected[no] != leaf]
            found.expected += len(expected)
            found.lost += len(lost)
            found.duplicated += sum(n - 1 for n in counts.values())
            found.misplaced += len(extra) + len(wrong)
            if lost or extra or wrong or len(rows) != len(counts):
                found.detail.append(f"{origin}->{holder}: {len(lost)} missing, "
                                    f"{len(rows) - len(counts)} twice, {len(extra)} unknown,"
                                    f" {len(wrong)} at another leaf")
    return found


def quarantined(net: Network, provinces: tuple[str, ...]) -> int:
    """Items any of ``provinces`` quarantined (a mangled transfer would land there)."""
    total = 0
    for province in provinces:
        with net[province].node.app.store.engine.connect() as conn:
            total += conn.execute(select(func.count()).select_from(quarantine_table)).scalar_one()
    return total
