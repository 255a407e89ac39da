"""Depositing the same consent evidence from many threads at once (each query sends it)."""

from __future__ import annotations

import threading
from pathlib import Path

from consent_helpers import EVIDENCE, EVIDENCE_SHA256

from crypto.sealing import new_master_key
from node.service.evidence import EvidenceVault

THREADS = 16


def test_concurrent_deposits_of_one_evidence_all_succeed(tmp_path: Path) -> None:
    # Every thread used to write the same "<hash>.<pid>.tmp": one thread's rename took the
    # file from under another's, which failed (INTERNAL on the query).
    key = new_master_key()
    vaults = [EvidenceVault(tmp_path / "evidence", key) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def deposit(vault: EvidenceVault) -> None:
        start.wait(10)
        try:
            vault.deposit(EVIDENCE, EVIDENCE_SHA256)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deposit, args=(v,)) for v in vaults]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert vaults[0].read(EVIDENCE_SHA256) == EVIDENCE
    assert [p.name for p in (tmp_path / "evidence").iterdir()] == [f"{EVIDENCE_SHA256}.sealed"]


def test_has_sees_evidence_another_vault_deposited(tmp_path: Path) -> None:
    key = new_master_key()
    mine, other = EvidenceVault(tmp_path, key), EvidenceVault(tmp_path, key)
    assert not mine.has(EVIDENCE_SHA256)
    other.deposit(EVIDENCE, EVIDENCE_SHA256)
    assert mine.has(EVIDENCE_SHA256)
