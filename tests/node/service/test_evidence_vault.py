"""The consent-evidence vault under concurrent deposits of the same evidence.

Agencies' queries run on the server's worker threads; two queries carrying the same
consent form (one agency re-asking, or several asking under one form) deposit the same
hash at once. Each must succeed, the file must open, and no temporary file may remain.
"""

from __future__ import annotations

import threading
from pathlib import Path

from consent_helpers import EVIDENCE, EVIDENCE_SHA256

from crypto.sealing import MasterKey
from node.service.evidence import EvidenceVault

THREADS = 16
ROUNDS = 5


def test_concurrent_deposits_of_the_same_evidence_all_succeed(tmp_path: Path) -> None:
    failures: list[str] = []
    for round_no in range(ROUNDS):
        vault = EvidenceVault(tmp_path / f"round-{round_no}", MasterKey(bytes(32)))
        start = threading.Barrier(THREADS)

        def deposit(vault: EvidenceVault = vault, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                vault.deposit(EVIDENCE, EVIDENCE_SHA256)
            except OSError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=deposit) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert vault.read(EVIDENCE_SHA256) == EVIDENCE
        assert [p.name for p in (tmp_path / f"round-{round_no}").iterdir()] == [
            f"{EVIDENCE_SHA256}.sealed"]
    assert failures == []
