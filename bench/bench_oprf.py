"""Benchmark private list matching: our verifiable OPRF next to openmined-psi, same run.

Sizes: a responder list of LISTED = 100,000 subjects, a requester review list of
SUBJECTS = 10,000 (HITS of them on the list). Measured, on one core, in-process (the
gRPC transport is left out on both sides, so the two protocols compare like for like):

* ``responder_setup_per_s``: the responder's own token set, F(k, x) per listed subject
  (what a node does at ingest, once per listing);
* ``responder_evaluations_per_s``: blinded evaluations answered, in batches of 1,024 with
  one batched DLEQ proof each (what a requester's review costs the responder);
* ``requester_end_to_end_s``: blind → evaluate → verify proofs → unblind → test against
  the downloaded token set, for all 10,000 subjects; exactness checked (no false
  negative, no false positive: no filter is used, membership is an exact set lookup).

openmined-psi 2.x (P-256 ECDH-PSI, protobuf pinned at 6.30, hence its own virtual
environment ``bench/.venv-psi``, created here on first use) runs the same sizes with an
exact (RAW) setup: server setup rate, server request-processing rate, client end to end.
Prints one JSON object with both and the ratios. Usage: ``python bench/bench_oprf.py``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from crypto import oprf
from node.service.matching_tokens import oprf_input

LISTED = 100_000
SUBJECTS = 10_000
HITS = 1_000
BATCH = 1024
PSI_VENV = Path(__file__).resolve().parent / ".venv-psi"

_PSI_SCRIPT = r"""
import json, sys, time
import private_set_intersection.python as psi
listed, subjects, hits = (int(a) for a in sys.argv[1:4])
server_items = [f"9132{i:014d}" for i in range(listed)]
client_items = [f"9132{i:014d}" for i in range(hits)] + [
    f"9133{i:014d}" for i in range(subjects - hits)]
server = psi.server.CreateWithNewKey(True)
client = psi.client.CreateWithNewKey(True)
t0 = time.perf_counter()
setup = server.CreateSetupMessage(0.0, len(client_items), server_items, psi.DataStructure.RAW)
t1 = time.perf_counter()
request = client.CreateRequest(client_items)
t2 = time.perf_counter()
response = server.ProcessRequest(request)
t3 = time.perf_counter()
found = client.GetIntersection(setup, response)
t4 = time.perf_counter()
print(json.dumps({
    "version": psi.__version__ if hasattr(psi, "__version__") else "2.x",
    "server_setup_per_s": round(listed / (t1 - t0)),
    "server_evaluations_per_s": round(subjects / (t3 - t2)),
    "client_end_to_end_s": round((t2 - t1) + (t3 - t2) + (t4 - t3), 3),
    "exact": sorted(found) == list(range(hits)),
}))
"""


def _psi() -> dict[str, object]:
    """openmined-psi's figures from its own venv (made and installed on first use)."""
    python = PSI_VENV / "bin" / "python"
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PSI_VENV)], check=True,
                           timeout=300)
        probe = subprocess.run([str(python), "-c", "import private_set_intersection"],
                               capture_output=True, timeout=60, check=False)
        if probe.returncode != 0:
            subprocess.run([str(python), "-m", "pip", "install", "-q", "openmined-psi"],
                           check=True, timeout=600)
        done = subprocess.run([str(python), "-c", _PSI_SCRIPT, str(LISTED), str(SUBJECTS),
                               str(HITS)], capture_output=True, text=True, timeout=1800,
                              check=True, env={**os.environ, "PYTHONPATH": ""})
    except (OSError, subprocess.SubprocessError) as exc:
        return {"error": f"openmined-psi not measured: {type(exc).__name__}: {exc}"}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ours() -> dict[str, object]:
    key = oprf.derive_key_pair(os.urandom(32))
    listed = [f"9132{i:014d}" for i in range(LISTED)]
    review = listed[:HITS] + [f"9133{i:014d}" for i in range(SUBJECTS - HITS)]

    t0 = time.perf_counter()
    token_set = {oprf.evaluate(key, oprf_input(s)) for s in listed}
    setup_s = time.perf_counter() - t0

    started = time.perf_counter()
    inputs = [oprf_input(s) for s in review]
    outputs: list[bytes] = []
    responder_s = 0.0
    for start in range(0, len(inputs), BATCH):
        chunk = inputs[start:start + BATCH]
        blinds, blinded = oprf.blind_batch(chunk)
        t = time.perf_counter()
        reply = oprf.blind_evaluate_batch(key, blinded)
        responder_s += time.perf_counter() - t
        outputs.extend(oprf.finalize_batch(chunk, blinds, blinded, reply, key.public_key))
    hits = [i for i, out in enumerate(outputs) if out in token_set]
    end_to_end = time.perf_counter() - started
    return {
        "suite": oprf.SUITE_ID.decode(),
        "batch": BATCH,
        "responder_setup_per_s": round(LISTED / setup_s),
        "responder_evaluations_per_s": round(SUBJECTS / responder_s),
        "requester_end_to_end_s": round(end_to_end, 3),
        "requester_only_s": round(end_to_end - responder_s, 3),
        "exact": hits == list(range(HITS)),
        "false_negatives": len(set(range(HITS)) - set(hits)),
        "false_positives": len(set(hits) - set(range(HITS))),
    }


def main() -> None:
    ours = _ours()
    psi = _psi()
    ratios = {}
    if "server_evaluations_per_s" in psi:
        ratios = {
            "responder_evaluations_ours_over_psi": round(
                float(ours["responder_evaluations_per_s"])  # type: ignore[arg-type]
                / float(psi["server_evaluations_per_s"]), 3),  # type: ignore[arg-type]
            "setup_ours_over_psi": round(
                float(ours["responder_setup_per_s"])  # type: ignore[arg-type]
                / float(psi["server_setup_per_s"]), 3),  # type: ignore[arg-type]
            "end_to_end_ours_over_psi": round(
                float(ours["requester_end_to_end_s"])  # type: ignore[arg-type]
                / float(psi["client_end_to_end_s"]), 3),  # type: ignore[arg-type]
        }
    print(json.dumps({"bench": "oprf_matching", "listed": LISTED, "subjects": SUBJECTS,
                      "hits": HITS, "python": platform.python_version(),
                      "ours": ours, "openmined_psi": psi, "ratios": ratios}))


if __name__ == "__main__":
    main()
