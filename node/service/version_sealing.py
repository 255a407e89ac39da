"""Seal the record log's growth into batches that each name the version their records
were committed under.

A batch header names one catalog version, and receivers check every record of the batch
against that version (``node.exchange.verify`` step 6) and store it under it. Records
are recognized at ingest under the version then in force, so when the adopted version
changes between ingest and sealing, the unbatched growth holds records of two versions:
it is cut where the version changes, and each part is sealed under its own records'
version. Records without a version (ingest without the shared catalog) are sealed under
the version in force.

Versions only grow along the log, except for a record recognized just before a switch
and appended just after one recognized under the new version. So the growth is read
record by record (and cut at every change) while the previous batch names another
version than the one in force, i.e. in the rounds just after a switch; otherwise two
reads (first and last leaf) suffice. A submit call that spans a whole batch interval
around a switch could still leave an old-version record in a later batch: it is then
sealed under the version in force, and receivers check its local code against that
version's mapping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

import nacl.signing

from crypto.batch_header import BatchHeader
from node.service.batch_anchoring import seal_batch
from node.store.contract import Store
from node.store.rows import RECORDS_LOG, StoredRecord

__all__ = ["run_end", "seal_by_version"]

SCAN_CHUNK: Final = 2_000


def _version(record: StoredRecord | None, in_force: int) -> int:
    if record is None or record.catalog_version is None:
        return in_force
    return record.catalog_version


def _previous_version(store: Store) -> int | None:
    batch = store.latest_batch(RECORDS_LOG)
    return None if batch is None else BatchHeader.from_json(batch.header_json).catalog_version


def run_end(store: Store, province: str, start: int, end: int, in_force: int, *,
            settled: bool = False) -> tuple[int, int]:
    """``(stop, version)``: leaves ``start <= i < stop`` of the record log all carry
    ``version`` (the version of leaf ``start``) and ``stop`` is the first that does not,
    or ``end``.

    Precondition: ``0 <= start < end <= log size``. With ``settled`` (the previous batch
    names the version in force) two reads decide when the first and last leaf carry the
    version in force; otherwise the range is read in chunks up to the first change.
    """
    if not 0 <= start < end:
        raise ValueError(f"run_end: want 0 <= start < end, got start {start}, end {end}")
    first = _version(store.get_record_by_leaf(province, start), in_force)
    last = _version(store.get_record_by_leaf(province, end - 1), in_force)
    if settled and first == last == in_force:
        return end, first
    for chunk in range(start, end, SCAN_CHUNK):
        stop = min(end, chunk + SCAN_CHUNK)
        for record in store.records_by_leaf_range(province, chunk, stop):
            if _version(record, in_force) != first:
                return record.leaf_index, first
    return end, first


def seal_by_version(store: Store, *, province: str, signing_key: nacl.signing.SigningKey,
                    in_force: int, max_records: int,
                    now: Callable[[], float] = time.time) -> int:
    """Seal every unbatched leaf into batches of at most ``max_records`` leaves, each
    under its records' committed version; returns the number of batches sealed.

    Preconditions: ``in_force`` (the adopted version) is > 0 and ``max_records`` > 0.
    """
    if in_force <= 0 or max_records <= 0:
        raise ValueError(f"seal_by_version: want in_force > 0 and max_records > 0, got "
                         f"{in_force} and {max_records}")
    sealed = 0
    while True:
        start, end = store.unbatched_range(RECORDS_LOG)
        if start == end:
            return sealed
        settled = _previous_version(store) == in_force
        stop, version = run_end(store, province, start, min(end, start + max_records),
                                in_force, settled=settled)
        seal_batch(store, province=province, signing_key=signing_key,
                   catalog_version=version, max_records=stop - start, now=now)
        sealed += 1
