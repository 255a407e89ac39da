"""Audit tree heads and witness co-signatures against a real anvil."""

from __future__ import annotations

import pytest
from ledger_helpers import SIG, digest

from ledger.client import LedgerClient
from ledger.errors import ContractRevert

Clients = dict[str, LedgerClient]


def test_heads_grow_and_never_shrink(clients: Clients) -> None:
    sh = clients["SH"]
    assert sh.latest_audit_head("SH").tree_size == 0
    sh.anchor_audit_head(10, digest("audit-10"), SIG)
    sh.anchor_audit_head(25, digest("audit-25"), SIG)
    head = clients["JS"].latest_audit_head("SH")
    assert (head.tree_size, head.root) == (25, digest("audit-25"))
    assert clients["JS"].audit_head_root("SH", 10) == digest("audit-10")
    with pytest.raises(ContractRevert) as refused:
        sh.anchor_audit_head(24, digest("audit-24"), SIG)
    assert str(refused.value) == "AuditAnchors reverted TreeSizeDecreased(got=24, last=25)"
    assert clients["JS"].latest_audit_head("SH").tree_size == 25


def test_conflicting_head_refused(clients: Clients) -> None:
    sh = clients["SH"]
    sh.anchor_audit_head(10, digest("audit-10"), SIG)
    with pytest.raises(ContractRevert) as refused:
        sh.anchor_audit_head(10, digest("forked-10"), SIG)
    assert refused.value.name == "ConflictingHead"
    assert refused.value.error_args == {"province": "SH", "treeSize": 10}
    with pytest.raises(ContractRevert, match=r"HeadAlreadyAnchored\(province='SH', treeSize=10\)"):
        sh.anchor_audit_head(10, digest("audit-10"), SIG)
    assert sh.latest_audit_head("SH").root == digest("audit-10")


def test_witnessing(clients: Clients) -> None:
    clients["SH"].anchor_audit_head(10, digest("audit-10"), SIG)
    clients["JS"].witness_audit_head("SH", 10, digest("audit-10"), SIG)
    clients["ZJ"].witness_audit_head("SH", 10, digest("audit-10"), SIG)
    assert clients["AH"].witness_count("SH", 10) == 2
    twice = r"AlreadyWitnessed\(province='SH', treeSize=10, witness='JS'\)"
    with pytest.raises(ContractRevert, match=twice):
        clients["JS"].witness_audit_head("SH", 10, digest("audit-10"), SIG)


def test_witness_of_own_head_refused(clients: Clients) -> None:
    clients["SH"].anchor_audit_head(10, digest("audit-10"), SIG)
    with pytest.raises(ContractRevert, match=r"AuditAnchors reverted CannotWitnessSelf\(\)"):
        clients["SH"].witness_audit_head("SH", 10, digest("audit-10"), SIG)
    assert clients["SH"].witness_count("SH", 10) == 0


def test_witness_of_unanchored_head_refused(clients: Clients) -> None:
    clients["SH"].anchor_audit_head(10, digest("audit-10"), SIG)
    with pytest.raises(ContractRevert) as refused:
        clients["JS"].witness_audit_head("SH", 11, digest("audit-11"), SIG)
    assert refused.value.name == "HeadNotAnchored"
    assert refused.value.error_args == {
        "province": "SH", "treeSize": 11, "root": digest("audit-11")
    }
    with pytest.raises(ContractRevert, match="HeadNotAnchored"):  # right size, other root
        clients["JS"].witness_audit_head("SH", 10, digest("forked-10"), SIG)
    with pytest.raises(ContractRevert, match="NotMember"):
        clients["XX"].witness_audit_head("SH", 10, digest("audit-10"), SIG)
