"""Access audit log at scale: append, inclusion proofs from the database, full verification.

    .venv/bin/python bench/bench_audit.py [--entries 1000000] [--chunk 10000] [--anchor-every 50000]
    .venv/bin/python bench/bench_audit.py --tree 10000000      # proofs on a 10M-leaf tree only

On a fresh SQLite file (WAL) in a temp dir:
- ``append``: ``--entries`` events appended through ``AuditLog.append`` in chunks of
  ``--chunk`` (canonical encoding + entry rows + leaves + tree nodes, one transaction per
  chunk), entries/s; a signed head is taken every ``--anchor-every`` entries and kept as
  the chain would anchor it;
- ``inclusion_proof_ms``: 1000 proofs at random indexes against the full tree, read from
  the database (mean, p50, p99); each one checked;
- ``verify_s``: ``verify_log`` over every entry streamed from the database, all anchored
  heads and the latest served head (signatures, replay, exchange scan);
- ``tree``: proofs at a size where appending events one by one does not fit the budget
  (10M leaves: ~8 min at 20k/s). The tree's stored nodes are written by the store's own
  ``append_leaves`` in chunks of 100,000 leaves — the rows an append writes, without the
  entry rows, which a proof never reads — then 1000 proofs at random indexes through
  ``AuditLog.inclusion_proof``, each checked against the root, and beside them the same
  proofs the way they were read before issue 15 (the size and the nodes in two read
  transactions, the node query through SQLAlchemy's ``text()``): the same-run baseline.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nacl.signing
from sqlalchemy import text

from crypto.merkle import fetch_proof, hash_leaf, inclusion, verify_inclusion
from node.audit import (
    Action,
    AnchoredHead,
    AuditEvent,
    AuditLog,
    Decision,
    LogIdentity,
    audit_origin,
    verify_log,
)
from node.store import AUDIT_LOG, SqlStore, make_engine, migrate
from node.store.sql_audit import AuditStore
from node.store.transactions import read_tx

START = datetime(2026, 11, 28, tzinfo=UTC)
AGENCY = hashlib.sha256(b"agency").hexdigest()


def event(i: int) -> AuditEvent:
    if i % 10 == 9:
        return AuditEvent(time=START + timedelta(milliseconds=i), actor="SH", role="peer",
                          action=Action.EXCHANGE_OUT, decision=Decision.ALLOW, peer="SH",
                          request_id=f"x-{i}", records_returned=2,
                          record_refs=(f"JS:JS-XZCF-{i:08d}", f"JS:JS-XZCF-{i + 1:08d}"))
    return AuditEvent(time=START + timedelta(milliseconds=i), actor=AGENCY, role="agency",
                      action=Action.QUERY, decision=Decision.ALLOW, request_id=f"q-{i}",
                      purpose="credit_report", records_returned=1,
                      subject_token=hashlib.sha256(b"%d" % (i % 50_000)).digest(),
                      record_refs=(f"JS:JS-XZCF-{i % 200_000:08d}",))


def measure(entries: int, chunk: int, anchor_every: int) -> dict[str, Any]:
    key = nacl.signing.SigningKey(hashlib.sha256(b"bench JS").digest())
    origin = audit_origin("JS")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/audit.db", statement_timeout_s=600)
        migrate(engine)
        log = AuditLog(SqlStore(engine), AuditStore(engine), key, origin)
        anchored: list[AnchoredHead] = []
        start = time.perf_counter()
        encode_s = 0.0
        for first in range(0, entries, chunk):
            t0 = time.perf_counter()
            batch = [event(i) for i in range(first, min(first + chunk, entries))]
            encode_s += time.perf_counter() - t0
            log.append(batch)
            size = first + len(batch)
            if size % anchor_every == 0 or size == entries:
                head = log.checkpoint(size)
                anchored.append(AnchoredHead(size, head.checkpoint.root, head.signature,
                                             len(anchored) + 1))
        append_s = time.perf_counter() - start
        db_bytes = Path(f"{tmp}/audit.db").stat().st_size

        root = anchored[-1].root
        times, _ = _proof_times(log, entries, root,
                                lambda index: hash_leaf(log.entry(index).entry))

        served = log.latest_checkpoint().note
        t0 = time.perf_counter()
        report = verify_log(log.iter_entries(), anchored,
                            LogIdentity("JS", origin, log.verifier.public_key),
                            served_heads=[served], consistency_proof=log.consistency_proof)
        verify_s = time.perf_counter() - t0
        engine.dispose()
    return {
        "entries": entries,
        "chunk": chunk,
        "anchored_heads": len(anchored),
        "append_s": round(append_s, 2),
        "append_entries_per_s": round(entries / append_s),
        "of_which_event_building_s": round(encode_s, 2),
        "db_mb": round(db_bytes / 2**20, 1),
        "inclusion_proof_ms": _summary(times),
        "verify_s": round(verify_s, 2),
        "verify_entries_per_s": round(entries / verify_s),
        "verify_ok": report.ok,
        "verify_checked_entries": report.checked_entries,
        "python": platform.python_version(),
    }


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"mean": round(statistics.fmean(ordered), 3),
            "p50": round(ordered[len(ordered) // 2], 3),
            "p99": round(ordered[int(len(ordered) * 0.99) - 1], 3)}


def _proof_times(log: AuditLog, size: int, root: bytes, leaf_hash: Any,
                 before: Any = None) -> tuple[list[float], list[float]]:
    """Milliseconds of 1000 proofs at random indexes (each checked against ``root``) and,
    with ``before``, of the same proofs by that other path, interleaved (same load)."""
    rng = random.Random(7)
    times, before_times = [], []
    for index in (rng.randrange(size) for _ in range(1000)):
        t0 = time.perf_counter()
        proof = log.inclusion_proof(index, size)
        times.append((time.perf_counter() - t0) * 1000)
        verify_inclusion(index, size, leaf_hash(index), proof, root)
        if before is not None:
            t0 = time.perf_counter()
            again = before(index, size)
            before_times.append((time.perf_counter() - t0) * 1000)
            if again != proof:
                raise AssertionError(f"the two proof paths disagree at index {index}")
    return times, before_times


def _nodes_before(store: SqlStore, ids: list[Any]) -> list[bytes]:
    """Node hashes read as ``sql_log.get_nodes`` did before issue 15 (a ``text()`` query)."""
    terms = " OR ".join(f"(log_name = :log AND level = :l{n} AND idx = :i{n})"
                        for n in range(len(ids)))
    params: dict[str, object] = {"log": AUDIT_LOG}
    for n, node in enumerate(ids):
        params[f"l{n}"], params[f"i{n}"] = node.level, node.index
    with read_tx(store.engine, "bench_nodes_before") as conn:
        rows = conn.execute(text(f"SELECT level, idx, hash FROM log_nodes WHERE {terms}"),
                            params)
        found = {(level, index): bytes(digest) for level, index, digest in rows}
    return [found[(node.level, node.index)] for node in ids]


def tree_proofs(leaves: int, chunk: int = 100_000) -> dict[str, Any]:
    """Proofs on a ``leaves``-leaf audit tree written through ``Store.append_leaves``."""
    key = nacl.signing.SigningKey(hashlib.sha256(b"bench JS").digest())
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/tree.db", statement_timeout_s=600)
        migrate(engine)
        store = SqlStore(engine)
        started = time.perf_counter()
        for first in range(0, leaves, chunk):
            store.append_leaves(AUDIT_LOG, [hash_leaf(b"entry %d" % i)
                                            for i in range(first, min(first + chunk, leaves))])
        build_s = time.perf_counter() - started
        log = AuditLog(store, AuditStore(engine), key, audit_origin("JS"))
        root = store.log_root(AUDIT_LOG, leaves)

        def before(index: int, size: int) -> list[bytes]:
            if store.log_size(AUDIT_LOG) < size:
                raise AssertionError("tree smaller than asked")
            return fetch_proof(inclusion(index, size), lambda ids: _nodes_before(store, ids))

        times, before_times = _proof_times(log, leaves, root,
                                           lambda index: hash_leaf(b"entry %d" % index), before)
        db_bytes = Path(f"{tmp}/tree.db").stat().st_size
        engine.dispose()
    return {"tree_entries": leaves, "tree_build_s": round(build_s, 1),
            "tree_build_leaves_per_s": round(leaves / build_s),
            "tree_db_mb": round(db_bytes / 2**20, 1),
            "inclusion_proof_ms": _summary(times),
            "inclusion_proof_ms_before": _summary(before_times)}


def run(quick: bool) -> dict[str, object]:
    """`make bench`'s `audit` section: 100,000 appended entries in QUICK mode, 1,000,000 in
    full; proofs also on a tree of 1M (QUICK) or 10M leaves (appending 10M events does not
    fit the 15-minute budget on 2 cores; writing the tree's nodes does: ~2 min)."""
    entries = 100_000 if quick else 1_000_000
    found = measure(entries, 10_000, 50_000)
    tree = tree_proofs(1_000_000 if quick else 10_000_000)
    return {"audit": {"entries": entries,
                      "append_per_s": found["append_entries_per_s"],
                      "proof_ms": found["inclusion_proof_ms"]["p50"],
                      "proof_p99_ms": found["inclusion_proof_ms"]["p99"],
                      "verify_s_per_million": round(found["verify_s"] * 1e6 / entries, 2),
                      "verify_ok": found["verify_ok"], "db_mb": found["db_mb"],
                      "tree_entries": tree["tree_entries"],
                      "tree_build_s": tree["tree_build_s"],
                      "proof_ms_tree": tree["inclusion_proof_ms"]["p50"],
                      "proof_p99_ms_tree": tree["inclusion_proof_ms"]["p99"],
                      "proof_mean_ms_tree": tree["inclusion_proof_ms"]["mean"],
                      "proof_ms_tree_before": tree["inclusion_proof_ms_before"]["p50"],
                      "proof_p99_ms_tree_before": tree["inclusion_proof_ms_before"]["p99"]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--anchor-every", type=int, default=50_000)
    parser.add_argument("--tree", type=int, default=0,
                        help="only proofs on a tree of this many leaves")
    args = parser.parse_args()
    if args.tree:
        print(json.dumps(tree_proofs(args.tree)))
        return 0
    result = measure(args.entries, args.chunk, args.anchor_every)
    print(json.dumps(result))
    return 0 if result["verify_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
