"""Filling a node's store with many records through the store's own batch path.

`bench_query` needs a million stored records; through gRPC ingest that takes far longer
than the bench budget. Here synthetic records are generated, parsed and prepared exactly
as ingest prepares them (``node.service.ingest.prepare``: scheme-v2 commitment, payload
sealed under the node's master key, subject token under its token key) in worker
processes, and written with ``Store.add_records`` (one transaction per chunk, the leaves
appended to the records log), before the node serves. What is skipped is only what
ingest adds around that: validation (the generator's records are valid by construction)
and recognition on the shared catalog (``shared_category`` stays empty).

Chunk ``k`` is the first ``chunk`` records of the generator's stream with seed
``SEED + k``; its record numbers get the suffix ``-k`` (the generator numbers each stream
from 1), so every record number is unique.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from crypto.keys import load_master_key
from crypto.sealing import master_key
from node.config import NodeConfig
from node.devnet.synth.generator import generate_records
from node.domain.records import parse_record, subject_identifier
from node.service.ingest import IngestKeys, prepare
from node.service.keys import derive_token_key
from node.store import NewRecord, open_store

SEED = 1_000
CHUNK = 10_000
WINDOW = 4
"""Chunks prepared ahead of the writer at most (bounds memory: ~15 MB a chunk)."""


@dataclass(frozen=True)
class Loaded:
    records: int
    seconds: float
    subjects: list[str]
    """Subject identifiers of the first chunk, for the queries."""


def _chunk(args: tuple[int, int, bytes]) -> tuple[list[NewRecord], list[str]]:
    number, size, master = args
    key = master_key(master)
    keys = IngestKeys(master_key=key, token_key=derive_token_key(key))
    rows: list[NewRecord] = []
    subjects: list[str] = []
    for raw in generate_records("JS", size, SEED + number):
        raw["record_no"] = f"{raw['record_no']}-{number}"
        record = parse_record(raw)
        rows.append(prepare(record, keys))
        if number == 0:
            subjects.append(subject_identifier(record))
    return rows, subjects


def bulk_load(config: NodeConfig, count: int, *, processes: int = 2) -> Loaded:
    """Store ``count`` records in the node of ``config`` (not serving yet)."""
    master = bytes(load_master_key(config.node.master_key_file))
    store = open_store(config.database.url, config.keystore.url or None)
    sizes = [min(CHUNK, count - start) for start in range(0, count, CHUNK)]
    started = time.monotonic()
    stored, subjects = 0, []
    try:
        with ProcessPoolExecutor(processes) as pool:
            for rows, found in _windowed(pool, sizes, master):
                stored += sum(ref.created for ref in store.add_records(rows))
                subjects.extend(found)
    finally:
        store.engine.dispose()
    if stored != count:
        raise RuntimeError(f"bulk load stored {stored} of {count} records")
    return Loaded(stored, time.monotonic() - started, sorted(set(subjects)))


def _windowed(pool: ProcessPoolExecutor, sizes: list[int], master: bytes
              ) -> Iterator[tuple[list[NewRecord], list[str]]]:
    pending: list[Future[tuple[list[NewRecord], list[str]]]] = []
    for number, size in enumerate(sizes):
        pending.append(pool.submit(_chunk, (number, size, master)))
        if len(pending) >= WINDOW:
            yield pending.pop(0).result()
    while pending:
        yield pending.pop(0).result()
