"""`credit-node demo`: the four-province consortium doing real work, figures read back.

    credit-node demo [--records-per-province N] [--dir var/consortium]
    credit-node demo --local [--province P] [--count N] [--dir var/demo]

The default runs :mod:`node.consortium.demo`: a fresh consortium in ``--dir`` (any earlier
one there is stopped and wiped), realistic records submitted by every provincial
platform, anchored, queried by an agency with grants, verified against the ledger, and a
summary read back from the nodes and the ledger. The consortium is left running for
exploring; the summary prints how to stop it. Exit status 0 only when every step passed.

``--local`` runs the older single-province pipeline in-process (synthesize → validate →
ingest into SQLite → sign a batch header → prove one record's inclusion) and leaves
nothing running.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

import nacl.signing

from crypto.batch_header import BatchHeader, verify_header
from crypto.merkle import fetch_proof, hash_leaf, inclusion, verify_inclusion
from crypto.sealing import new_master_key
from crypto.signing import public_key_of
from node.domain.synth import generate_records
from node.domain.validation import ValidationContext, validate_record
from node.service.batch_anchoring import seal_batch
from node.service.ingest import IngestKeys, ingest
from node.store import RECORDS_LOG, open_store

CHUNK = 2000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the four-province consortium demo (make demo)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records-per-province", type=int, default=20_000,
                        help="records each provincial platform submits (default 20000)")
    parser.add_argument("--provinces", default="SH,JS,ZJ,AH",
                        help="comma-separated provinces (default SH,JS,ZJ,AH)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="deadline of each waiting step, seconds (default 300)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=None,
                        help="working directory, wiped first (default var/consortium; "
                             "var/demo with --local)")
    parser.add_argument("--local", action="store_true",
                        help="run the single-province in-process pipeline instead")
    parser.add_argument("--province", default="JS", choices=("SH", "JS", "ZJ", "AH"),
                        help="--local only: the province")
    parser.add_argument("--count", type=int, default=20000,
                        help="--local only: records to synthesize")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node demo``; returns the exit code."""
    if args.local:
        args.dir = args.dir or Path("var/demo")
        return run_local(args)
    from node.consortium.demo import DemoOptions, run_demo
    from node.consortium.demo_steps import STEPS

    provinces = tuple(p.strip().upper() for p in args.provinces.split(",") if p.strip())
    if args.records_per_province < 1 or not provinces or any(
            p not in ("SH", "JS", "ZJ", "AH") for p in provinces):
        print("demo: --records-per-province must be at least 1 and --provinces codes from "
              "SH,JS,ZJ,AH", file=sys.stderr)
        return 2
    options = DemoOptions(directory=args.dir or Path("var/consortium"),
                          records_per_province=args.records_per_province,
                          provinces=provinces, seed=args.seed, timeout=args.timeout)
    return run_demo(options, STEPS)


def _say(text: str) -> None:
    print(text, flush=True)


def run_local(args: argparse.Namespace) -> int:
    """The single-province pipeline (``--local``)."""
    if args.count < 1:
        print("demo: --count must be at least 1", file=sys.stderr)
        return 2
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    store = open_store(f"sqlite:///{args.dir / 'node.db'}")
    keys = IngestKeys(master_key=new_master_key(), token_key=new_master_key())
    signing_key = nacl.signing.SigningKey.generate()
    ctx = ValidationContext(today=dt.date.today())

    t0 = time.perf_counter()
    records = list(generate_records(args.province, args.count, seed=args.seed))
    t_synth = time.perf_counter() - t0
    _say(f"1. synthesized {len(records)} {args.province} records in {t_synth:.2f} s")

    t0 = time.perf_counter()
    invalid = sum(1 for r in records if not validate_record(r, ctx).ok)
    t_valid = time.perf_counter() - t0
    _say(f"2. validated them in {t_valid:.2f} s: {len(records) - invalid} valid, {invalid} invalid")

    t0 = time.perf_counter()
    accepted = rejected = 0
    for start in range(0, len(records), CHUNK):
        outcome = ingest(records[start:start + CHUNK], submitter_province=args.province,
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

    batch = seal_batch(store, province=args.province, signing_key=signing_key, catalog_version=1)
    if batch is None:
        print("demo: nothing to batch", file=sys.stderr)
        return 1
    header = BatchHeader.from_json(batch.header_json)
    verify_header(header, batch.signature, public_key_of(signing_key))
    _say(f"4. batch {batch.seq} signed over [{batch.start_size}, {batch.end_size}): "
         f"root {batch.root.hex()} (header signature verified)")

    index = size // 2
    row = store.get_record_by_leaf(args.province, index)
    if row is None:
        print(f"demo: no record at leaf {index}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    proof = fetch_proof(inclusion(index, header.tree_size),
                        lambda ids: store.get_nodes(RECORDS_LOG, ids))
    verify_inclusion(index, header.tree_size, hash_leaf(row.commitment), proof, header.root)
    t_proof = (time.perf_counter() - t0) * 1000
    _say(f"5. inclusion proof for record {row.record_no} (leaf {index}, {len(proof)} hashes) "
         f"built from the store and verified against the signed root in {t_proof:.1f} ms")
    summary = {"province": args.province, "records": stored, "log_size": size,
               "root": header.root.hex(), "proof_leaf": index, "proof_hashes": len(proof),
               "invalid": invalid, "rejected": rejected}
    _say(json.dumps(summary, ensure_ascii=False))
    ok = invalid == 0 and rejected == 0 and stored == len(records) == size
    return 0 if ok else 1
