"""How far anchoring has come: log size, anchored size, backlog (plain reads of the store);
and, for GetStatus, the catalog version in force and the quarantine's size."""

from __future__ import annotations

from dataclasses import dataclass

from node.service.catalog_state import CatalogState
from node.store.contract import Store
from node.store.rows import RECORDS_LOG
from node.store.sql_quarantine import QuarantineLog


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


def catalog_version(catalog: CatalogState | None) -> int:
    """The catalog version the node commits new records under (0: none, or no ledger);
    the last one read, without asking the ledger."""
    return 0 if catalog is None else catalog.held_version()


def quarantined(quarantine: QuarantineLog | None) -> int:
    """Peer records kept in quarantine (0 without an exchange)."""
    return 0 if quarantine is None else quarantine.count()
