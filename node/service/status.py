"""How far anchoring has come: log size, anchored size, backlog (plain reads of the store)."""

from __future__ import annotations

from dataclasses import dataclass

from node.store.contract import Store
from node.store.models import RECORDS_LOG


@dataclass(frozen=True)
class Backlog:
    log_size: int
    anchored_size: int
    last_anchored_seq: int

    @property
    def backlog(self) -> int:
        return self.log_size - self.anchored_size


def read_backlog(store: Store) -> Backlog:
    """The record log's size and the part of it covered by the latest anchored batch."""
    anchored = store.batches_by_status("anchored")
    last = anchored[-1] if anchored else None
    return Backlog(
        log_size=store.log_size(RECORDS_LOG),
        anchored_size=last.end_size if last else 0,
        last_anchored_seq=last.seq if last else 0,
    )
