"""PullRecords, callee side: which local records a peer receives, in leaf order.

Handed out are local records that are

* in an **anchored** batch (a peer can verify nothing else), walked in leaf order from
  the cursor, batch after batch, at most ``limit`` leaves per page;
* recognized under the catalog (a shared category and catalog version set at ingest) and
  **replicated** under the catalog's sharing policy for the record's category, subject
  type and visibility (on-request ones go only through ``FetchOnRequest``; natural
  persons' non-public records never leave the origin by default), and among the
  categories asked for when the caller names some;
* active or under objection (the flag travels); repaired or withdrawn ones are not.

The cursor is ``"leaf:<n>"``, the next leaf to look at; it advances over leaves that are
not handed out, so a page may be empty while the cursor moves. The caller's role (peer
only) is checked by the servicer before this runs.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from node.exchange.categories import CategoryCheck, Sharing
from node.exchange.proven import SHARED_STATUSES, local_proven
from node.exchange.transit import AnchorTarget, Proven
from node.service.errors import BadRequest
from node.service.ingest import IngestKeys
from node.service.proofs import batch_proofs
from node.store.contract import Store
from node.store.rows import StoredRecord

DEFAULT_PAGE: Final = 500
MAX_PAGE: Final = 2000
_CURSOR = re.compile(r"^leaf:(0|[1-9][0-9]{0,15})$")


@dataclass(frozen=True)
class ServeDeps:
    """What the callee side needs: the store, keys, province, catalog and ledger ids."""

    store: Store
    keys: IngestKeys
    province: str
    categories: CategoryCheck
    target: AnchorTarget


@dataclass(frozen=True)
class Page:
    records: list[Proven]
    next_cursor: str


def parse_cursor(cursor: str) -> int:
    """The leaf a cursor points at: 0 for ``""``; ``BadRequest`` for anything malformed."""
    if cursor == "":
        return 0
    match = _CURSOR.fullmatch(cursor)
    if match is None:
        raise BadRequest(f"malformed cursor {cursor[:40]!r}: want 'leaf:<n>' or empty")
    return int(match.group(1))


def format_cursor(leaf: int) -> str:
    return f"leaf:{leaf}"


def record_sharing(record: StoredRecord, categories: CategoryCheck) -> Sharing | None:
    """What the catalog's sharing policy says of ``record`` (its shared category, catalog
    version, subject type and visibility); None for a record not recognized under the
    catalog, which never leaves the origin. Asked by replication (``shareable``) and by
    ``FetchOnRequest`` (``node.exchange.fetch``) alike."""
    shared, version = record.shared_category, record.catalog_version
    if shared is None or version is None:
        return None
    return categories.sharing(shared, version, subject=record.subject_type,
                              public=record.is_public)


def shareable(record: StoredRecord, categories: CategoryCheck, wanted: Collection[str]) -> bool:
    """Whether ``record`` is replicated to peers (see the module doc)."""
    return (record.origin == "local" and record.status in SHARED_STATUSES
            and record_sharing(record, categories) == "replicate"
            and (not wanted or record.shared_category in wanted))


def pull_page(deps: ServeDeps, *, cursor: str, limit: int, wanted: Collection[str]) -> Page:
    """The next page after ``cursor``: at most ``limit`` leaves looked at (0: default).

    Raises ``BadRequest`` for a malformed cursor.
    """
    start = parse_cursor(cursor)
    span = min(limit or DEFAULT_PAGE, MAX_PAGE)
    leaf, stop = start, start + span
    out: list[Proven] = []
    while leaf < stop:
        batch = deps.store.batch_for_leaf(leaf)
        if batch is None or batch.status != "anchored":
            break
        end = min(batch.end_size, stop)
        kept = [r for r in deps.store.records_by_leaf_range(deps.province, leaf, end)
                if shareable(r, deps.categories, wanted)]
        if kept:
            proofs = batch_proofs(deps.store, batch, range(kept[0].leaf_index,
                                                           kept[-1].leaf_index + 1))
            out.extend(local_proven(r, batch, proofs[r.leaf_index], keys=deps.keys,
                                    target=deps.target) for r in kept)
        leaf = end
    return Page(out, format_cursor(leaf) if leaf != start else cursor)
