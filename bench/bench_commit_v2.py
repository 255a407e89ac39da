"""Cost of commitment scheme v2 per record, as ingest and a receiving peer pay it; prints
one JSON object.

    .venv/bin/python bench/bench_commit_v2.py [--records 5000] [--repeat 5]

Records come from the synthetic generator (``node/devnet/synth``, all kinds, province JS).
Four figures, best of ``--repeat`` rounds in CPU time of this process (so other work on
the machine inflates them less than wall time would):

* ``payload_us_per_record``: ``commit_v2_payload(canonical bytes, seed)``, the path ingest
  and exchange step 4 take (decode included);
* ``decoded_us_per_record``: ``commit_v2(decode_canonical(bytes), seed)``, the general
  path (normalizes every field again);
* ``ingest_us_per_record``: the same for bytes ingest has just encoded itself
  (``encoded_here=True``: parsed without the re-encoding check);
* ``v1_us_per_record``: ``commit_canonical`` of the same bytes (scheme v1), the floor.

Single process, single thread.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crypto.canonical import canonical_bytes, decode_canonical
from crypto.commitment import commit_canonical, new_salt
from node.devnet.synth import generate_records
from node.service import disclosure


def best_us(run: Callable[[], object], count: int, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``run`` over ``count`` records, µs per record."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return round(best / count * 1e6, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    payloads = [canonical_bytes(r) for r in generate_records("JS", args.records, seed=7)]
    seeds = [new_salt() for _ in payloads]
    pairs = list(zip(payloads, seeds, strict=True))
    result: dict[str, object] = {
        "bench": "crypto.commit_v2",
        "python": platform.python_version(),
        "records": len(pairs),
        "canonical_bytes_mean": round(sum(map(len, payloads)) / len(payloads), 1),
        "decoded_us_per_record": best_us(
            lambda: [disclosure.commit_v2(decode_canonical(p), s) for p, s in pairs],
            len(pairs), args.repeat),
        "v1_us_per_record": best_us(
            lambda: [commit_canonical(p, s) for p, s in pairs], len(pairs), args.repeat),
    }
    payload_path = getattr(disclosure, "commit_v2_payload", None)
    if payload_path is not None:
        result["payload_us_per_record"] = best_us(
            lambda: [payload_path(p, s) for p, s in pairs], len(pairs), args.repeat)
        result["ingest_us_per_record"] = best_us(
            lambda: [payload_path(p, s, encoded_here=True) for p, s in pairs],
            len(pairs), args.repeat)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
