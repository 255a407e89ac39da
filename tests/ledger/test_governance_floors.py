"""Governance floors against a real anvil (issue 11, item 8) and auditor-CA appointment
(item 4): a quorum cannot lower the bar below a majority, cannot take over a province's
keys without that province, and only a threshold of members appoints an auditor CA."""

from __future__ import annotations

import hashlib

import pytest
from ledger_helpers import member_spec

from ledger.client import LedgerClient
from ledger.devkeys import DEV_KEYS
from ledger.errors import ContractRevert
from ledger.event_types import AuditorCaAppointed, CertificateRevoked
from ledger.events import EventIndexer, MemoryCursor
from ledger.types import ProposalKind

Clients = dict[str, LedgerClient]


def _pass(clients: Clients, pid: int, *approvers: str) -> None:
    """Approve ``pid`` by each of ``approvers`` in turn until it executes."""
    for province in approvers:
        if clients[province].approve(pid).executed:
            return
    raise AssertionError(f"proposal {pid} did not execute with {approvers}")


def test_change_threshold_below_a_majority_refused(clients: Clients) -> None:
    assert clients["SH"].majority() == 3
    for low in (1, 2):
        with pytest.raises(ContractRevert) as refused:
            clients["SH"].propose_change_threshold(low)
        assert refused.value.name == "ThresholdBelowMajority"
        assert refused.value.error_args == {"requested": low, "minimum": 3}
    assert clients["SH"].proposal_count() == 0
    assert clients["SH"].threshold() == 3


def test_the_floor_scales_with_membership(clients: Clients) -> None:
    pid = clients["SH"].propose_change_threshold(3)
    _pass(clients, pid, "JS", "ZJ")
    newcomers = [member_spec(p, DEV_KEYS[k]) for p, k in (("FJ", 6), ("JX", 7), ("HB", 8))]
    for spec in newcomers:
        pid = clients["SH"].propose_add_member(spec)
        _pass(clients, pid, "JS", "ZJ", "AH")
    # 7 members: an explicit 3 would be a minority; the floor lifts it to 4.
    assert len(clients["SH"].members()) == 7
    assert clients["SH"].majority() == 4
    assert clients["SH"].threshold() == 4
    removal = clients["SH"].propose_remove_member("HB")
    for province in ("JS", "ZJ"):
        clients[province].approve(removal)
    assert clients["SH"].proposal(removal).executed is False  # 3 of 7 is not enough
    assert clients["AH"].approve(removal).executed


def test_rotation_without_the_province_refused(clients: Clients) -> None:
    before = clients["SH"].member("JS")
    hostile = member_spec("JS", DEV_KEYS[7])
    pid = clients["SH"].propose_rotate_keys(hostile)
    result = None
    for province in ("ZJ", "AH"):
        result = clients[province].approve(pid)
    assert result is not None and (result.approvals, result.executed) == (3, False)
    with pytest.raises(ContractRevert) as refused:
        clients["SH"].execute(pid)
    assert refused.value.name == "ProvinceConsentMissing"
    assert refused.value.error_args == {"id": pid, "province": "JS"}
    assert clients["SH"].member("JS") == before
    # with JS's own approval the same rotation goes through
    assert clients["JS"].approve(pid).executed
    assert clients["SH"].member("JS").account == hostile.account


def test_auditor_ca_appointed_by_threshold_only(clients: Clients) -> None:
    fingerprint = hashlib.sha256(b"auditor CA certificate").digest()
    pid = clients["SH"].propose_appoint_auditor_ca(fingerprint)
    proposal = clients["SH"].proposal(pid)
    assert proposal.kind is ProposalKind.APPOINT_AUDITOR_CA
    assert proposal.params == {"fingerprint": fingerprint, "appointed": True}
    clients["JS"].approve(pid)
    assert clients["SH"].auditor_cas() == []  # two of four appoint nobody
    assert clients["ZJ"].approve(pid).executed
    assert clients["SH"].auditor_cas() == [fingerprint]
    with pytest.raises(ContractRevert, match="AuditorCaUnchanged"):
        clients["SH"].propose_appoint_auditor_ca(fingerprint)
    dismissal = clients["AH"].propose_appoint_auditor_ca(fingerprint, appointed=False)
    _pass(clients, dismissal, "SH", "JS")
    assert clients["SH"].auditor_cas() == []
    indexer = EventIndexer(clients["SH"], MemoryCursor())
    seen = [(e.fingerprint, e.appointed) for e in indexer.poll()
            if isinstance(e, AuditorCaAppointed)]
    assert seen == [(fingerprint, True), (fingerprint, False)]


def test_a_member_revokes_its_own_certificates_only(clients: Clients) -> None:
    """De-accrediting an agency needs no vote, but binds only the sender's province."""
    fingerprint = hashlib.sha256(b"agency certificate").digest()
    result = clients["SH"].revoke_certificate(fingerprint)
    assert result.block_number > 0
    assert clients["JS"].revoked_certificates("SH") == [fingerprint]
    assert clients["JS"].revoked_certificates("JS") == []
    with pytest.raises(ContractRevert) as refused:
        clients["SH"].revoke_certificate(fingerprint)
    assert refused.value.name == "AlreadyRevoked"
    with pytest.raises(ContractRevert, match="NotMember"):
        clients["XX"].revoke_certificate(fingerprint)
    indexer = EventIndexer(clients["SH"], MemoryCursor())
    revoked = [(e.province, e.fingerprint) for e in indexer.poll()
               if isinstance(e, CertificateRevoked)]
    assert revoked == [("SH", fingerprint)]
