"""`private_match`: our verifiable OPRF beside openmined-psi at the same sizes in the same run,
reusing bench/bench_oprf.py (openmined-psi runs in its own venv, bench/.venv-psi). QUICK:
1,000 subjects against 10,000 listed; full: 10,000 against 100,000."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_oprf


def run(quick: bool) -> dict[str, object]:
    listed, subjects = (10_000, 1_000) if quick else (100_000, 10_000)
    bench_oprf.LISTED, bench_oprf.SUBJECTS, bench_oprf.HITS = listed, subjects, subjects // 10
    ours = bench_oprf._ours()
    psi = bench_oprf._psi()
    evals = ours["responder_evaluations_per_s"]
    psi_evals = psi.get("server_evaluations_per_s")
    return {"private_match": {
        "listed": listed, "subjects": subjects,
        "responder_evaluations_per_s": evals,
        "requester_end_to_end_s": ours["requester_end_to_end_s"],
        "responder_setup_per_s": ours["responder_setup_per_s"], "exact": ours["exact"],
        "openmined_evals_per_s": psi_evals,
        "openmined_client_end_to_end_s": psi.get("client_end_to_end_s"),
        "ratio": (round(float(evals) / float(psi_evals), 4)  # type: ignore[arg-type]
                  if psi_evals else None),
        "openmined_error": psi.get("error")}}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
