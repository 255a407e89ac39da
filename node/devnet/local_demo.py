"""The single-province pipeline in one process (``credit-node demo --local``).

Synthesize → validate → ingest into SQLite → sign a batch header → prove one record's
inclusion, with the product's own ingest, batcher and store, timing each step; nothing
is left running. It shows the pipeline without a ledger or a network.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

import nacl.signing

from crypto.batch_header import BatchHeader, verify_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.merkle import fetch_proof, hash_leaf, inclusion, verify_inclusion
from crypto.sealing import new_master_key
from crypto.signing import public_key_of
from node.devnet.synth import generate_records
from node.domain.validation import ValidationContext, validate_record
from node.service.batch_anchoring import seal_batch
from node.service.ingest import IngestKeys, ingest
from node.store import RECORDS_LOG, open_store

__all__ = ["run_local"]

CHUNK = 2000


def _say(text: str) -> None:
    print(text, flush=True)


def run_local(directory: Path, province: str, count: int, seed: int) -> int:
    """The pipeline for ``count`` records of ``province`` in ``directory`` (wiped first);
    the exit code: 0 when every record went through, 2 for a bad count."""
    if count < 1:
        print("demo: --count must be at least 1", file=sys.stderr)
        return 2
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    store = open_store(f"sqlite:///{directory / 'node.db'}")
    keys = IngestKeys(master_key=new_master_key(), token_key=new_master_key())
    signing_key = nacl.signing.SigningKey.generate()
    ctx = ValidationContext(today=dt.date.today())

    t0 = time.perf_counter()
    records = list(generate_records(province, count, seed=seed))
    t_synth = time.perf_counter() - t0
    _say(f"1. synthesized {len(records)} {province} records in {t_synth:.2f} s")

    t0 = time.perf_counter()
    invalid = sum(1 for r in records if not validate_record(r, ctx).ok)
    t_valid = time.perf_counter() - t0
    _say(f"2. validated them in {t_valid:.2f} s: {len(records) - invalid} valid, {invalid} invalid")

    t0 = time.perf_counter()
    accepted = rejected = 0
    for start in range(0, len(records), CHUNK):
        outcome = ingest(records[start:start + CHUNK], submitter_province=province,
                         store=store, keys=keys, validation=ctx)
        accepted += len(outcome.accepted)
        rejected += len(outcome.rejected)
        print(f"\r   ingesting: {start + CHUNK if start + CHUNK < len(records) else len(records)}"
              f"/{len(records)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    t_ingest = time.perf_counter() - t0
    stored = store.count_records()
    size = store.log_size(RECORDS_LOG)
    _say(f"3. committed and stored in {t_ingest:.2f} s ({accepted / t_ingest:,.0f} records/s): "
         f"{accepted} accepted, {rejected} rejected; store holds {stored} records, "
         f"record log size {size}")

    batch = seal_batch(store, province=province, signing_key=signing_key, catalog_version=1)
    if batch is None:
        print("demo: nothing to batch", file=sys.stderr)
        return 1
    header = BatchHeader.from_json(batch.header_json)
    verify_header(header, batch.signature, public_key_of(signing_key))
    _say(f"4. batch {batch.seq} signed over [{batch.start_size}, {batch.end_size}): "
         f"root {batch.root.hex()} (header signature verified)")

    index = size // 2
    row = store.get_record_by_leaf(province, index)
    if row is None:
        print(f"demo: no record at leaf {index}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    proof = fetch_proof(inclusion(index, header.tree_size),
                        lambda ids: store.get_nodes(RECORDS_LOG, ids))
    leaf = hash_leaf(leaf_data(SCHEME_V2, row.commitment))
    verify_inclusion(index, header.tree_size, leaf, proof, header.root)
    t_proof = (time.perf_counter() - t0) * 1000
    _say(f"5. inclusion proof for record {row.record_no} (leaf {index}, {len(proof)} hashes) "
         f"built from the store and verified against the signed root in {t_proof:.1f} ms")
    summary = {"province": province, "records": stored, "log_size": size,
               "root": header.root.hex(), "proof_leaf": index, "proof_hashes": len(proof),
               "invalid": invalid, "rejected": rejected}
    _say(json.dumps(summary, ensure_ascii=False))
    ok = invalid == 0 and rejected == 0 and stored == len(records) == size
    return 0 if ok else 1
