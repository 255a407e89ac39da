"""Access audit log at scale: append, inclusion proofs from the database, full verification.

    .venv/bin/python bench/bench_audit.py [--entries 1000000] [--chunk 10000] [--anchor-every 50000]

On a fresh SQLite file (WAL) in a temp dir:
- ``append``: ``--entries`` events appended through ``AuditLog.append`` in chunks of
  ``--chunk`` (canonical encoding + entry rows + leaves + tree nodes, one transaction per
  chunk), entries/s; a signed head is taken every ``--anchor-every`` entries and kept as
  the chain would anchor it;
- ``inclusion_proof_ms``: 1000 proofs at random indexes against the full tree, read from
  the database (mean, p50, p99); each one checked;
- ``verify_s``: ``verify_log`` over every entry streamed from the database, all anchored
  heads and the latest served head (signatures, replay, exchange scan).
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

from crypto.merkle import hash_leaf, verify_inclusion
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
from node.store import SqlStore, make_engine, migrate
from node.store.sql_audit import AuditStore

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

        rng = random.Random(7)
        root = anchored[-1].root
        times = []
        for index in (rng.randrange(entries) for _ in range(1000)):
            t0 = time.perf_counter()
            proof = log.inclusion_proof(index, entries)
            times.append((time.perf_counter() - t0) * 1000)
            verify_inclusion(index, entries, hash_leaf(log.entry(index).entry), proof, root)
        times.sort()

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
        "inclusion_proof_ms": {"mean": round(statistics.fmean(times), 3),
                               "p50": round(times[len(times) // 2], 3),
                               "p99": round(times[int(len(times) * 0.99) - 1], 3)},
        "verify_s": round(verify_s, 2),
        "verify_entries_per_s": round(entries / verify_s),
        "verify_ok": report.ok,
        "verify_checked_entries": report.checked_entries,
        "python": platform.python_version(),
    }


def run(quick: bool) -> dict[str, object]:
    """`make bench`'s `audit` section: 100,000 entries in QUICK mode, 1,000,000 in full (10M
    does not fit the 15-minute budget on 2 cores)."""
    entries = 100_000 if quick else 1_000_000
    found = measure(entries, 10_000, 50_000)
    return {"audit": {"entries": entries,
                      "append_per_s": found["append_entries_per_s"],
                      "proof_ms": found["inclusion_proof_ms"]["p50"],
                      "proof_p99_ms": found["inclusion_proof_ms"]["p99"],
                      "verify_s_per_million": round(found["verify_s"] * 1e6 / entries, 2),
                      "verify_ok": found["verify_ok"], "db_mb": found["db_mb"]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--anchor-every", type=int, default=50_000)
    args = parser.parse_args()
    result = measure(args.entries, args.chunk, args.anchor_every)
    print(json.dumps(result))
    return 0 if result["verify_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
