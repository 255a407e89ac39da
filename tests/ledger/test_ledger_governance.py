"""Governance against a real anvil: thresholds, membership, proposals."""

from __future__ import annotations

import pytest
from ledger_helpers import KEYS, MEMBERS, OUTSIDER_KEY, SIG, address_of, digest, member_spec

from ledger.client import LedgerClient
from ledger.devkeys import DEV_KEYS
from ledger.errors import ContractRevert
from ledger.types import ProposalKind

Clients = dict[str, LedgerClient]


def test_members_and_default_threshold(clients: Clients) -> None:
    members = clients["SH"].members()
    assert [m.province for m in members] == ["SH", "JS", "ZJ", "AH"]
    assert [m.account for m in members] == [m.account for m in MEMBERS]
    assert members[1].node_key == MEMBERS[1].node_key
    assert all(m.active for m in members)
    assert clients["SH"].threshold() == 3  # ⌈2·4/3⌉
    assert clients["SH"].province_of(address_of(KEYS["ZJ"])) == "ZJ"
    assert not clients["SH"].is_member(address_of(OUTSIDER_KEY))


def test_two_approvals_do_not_execute_the_third_does(clients: Clients) -> None:
    pid = clients["SH"].propose_change_threshold(4)
    assert pid == 1
    second = clients["JS"].approve(pid)
    assert (second.approvals, second.executed) == (2, False)
    assert clients["SH"].threshold() == 3
    third = clients["ZJ"].approve(pid)
    assert (third.approvals, third.executed) == (3, True)
    assert clients["SH"].threshold() == 4
    proposal = clients["AH"].proposal(pid)
    assert proposal.executed and proposal.kind is ProposalKind.CHANGE_THRESHOLD
    assert proposal.params == {"threshold": 4}
    assert proposal.proposer == address_of(KEYS["SH"])


def test_non_member_cannot_propose_or_approve(clients: Clients) -> None:
    outsider = address_of(OUTSIDER_KEY)
    expected = rf"Governance reverted NotMember\(account='{outsider}'\)"
    with pytest.raises(ContractRevert, match=expected):
        clients["XX"].propose_change_threshold(4)
    pid = clients["SH"].propose_change_threshold(4)
    with pytest.raises(ContractRevert) as refused:
        clients["XX"].approve(pid)
    assert refused.value.name == "NotMember"
    assert refused.value.error_args == {"account": outsider}
    assert clients["SH"].proposal(pid).approvals == 1


def test_double_approval_refused(clients: Clients) -> None:
    pid = clients["SH"].propose_change_threshold(4)
    clients["JS"].approve(pid)
    with pytest.raises(ContractRevert) as refused:
        clients["JS"].approve(pid)
    assert refused.value.name == "AlreadyApproved"
    assert refused.value.error_args == {"id": pid, "member": address_of(KEYS["JS"])}
    with pytest.raises(ContractRevert, match="AlreadyApproved"):
        clients["SH"].approve(pid)  # the proposer's approval counted at propose time
    assert clients["SH"].proposal(pid).approvals == 2


def test_approving_an_executed_or_missing_proposal_refused(clients: Clients) -> None:
    pid = clients["SH"].propose_change_threshold(4)
    clients["JS"].approve(pid)
    clients["ZJ"].approve(pid)
    with pytest.raises(ContractRevert, match=rf"ProposalAlreadyExecuted\(id={pid}\)"):
        clients["AH"].approve(pid)
    with pytest.raises(ContractRevert, match=r"ProposalNotFound\(id=99\)"):
        clients["AH"].approve(99)


def test_removed_member_can_no_longer_anchor(adopted: Clients) -> None:
    adopted["AH"].anchor_batch(1, digest("ah-1"), 5, bytes(32), 1, SIG)
    pid = adopted["SH"].propose_remove_member("AH")
    adopted["JS"].approve(pid)
    assert adopted["ZJ"].approve(pid).executed
    assert [m.province for m in adopted["SH"].members()] == ["SH", "JS", "ZJ"]
    removed = adopted["SH"].members(include_inactive=True)[3]
    assert (removed.province, removed.active) == ("AH", False)
    assert adopted["SH"].threshold() == 2  # ⌈2·3/3⌉
    with pytest.raises(ContractRevert) as refused:
        adopted["AH"].anchor_batch(2, digest("ah-2"), 9, digest("ah-1"), 1, SIG)
    assert refused.value.name == "NotMember"
    assert refused.value.contract == "RecordAnchors"
    with pytest.raises(ContractRevert, match="NotMember"):
        adopted["AH"].propose_change_threshold(1)
    assert adopted["SH"].latest_batch("AH").seq == 1  # history stays


def test_add_member_and_rotate_keys(clients: Clients) -> None:
    newcomer = member_spec("FJ", DEV_KEYS[6])
    pid = clients["SH"].propose_add_member(newcomer)
    assert clients["SH"].proposal(pid).params["province"] == "FJ"
    clients["JS"].approve(pid)
    clients["ZJ"].approve(pid)
    assert clients["SH"].member("FJ").account == newcomer.account
    assert clients["SH"].threshold() == 4  # ⌈2·5/3⌉

    rotated = member_spec("JS", DEV_KEYS[7])
    pid = clients["JS"].propose_rotate_keys(rotated)
    for p in ("SH", "ZJ", "AH"):
        clients[p].approve(pid)
    member = clients["SH"].member("JS")
    assert member.account == rotated.account and member.active
    assert not clients["SH"].is_member(address_of(KEYS["JS"]))


def test_bad_proposals_refused_at_propose_time(clients: Clients) -> None:
    with pytest.raises(ContractRevert, match=r"ThresholdOutOfRange\(requested=5, members=4\)"):
        clients["SH"].propose_change_threshold(5)
    with pytest.raises(ContractRevert, match=r"DuplicateMember\(province='JS'"):
        clients["SH"].propose_add_member(member_spec("JS", OUTSIDER_KEY))
    with pytest.raises(ContractRevert, match=r"UnknownProvince\(province='FJ'\)"):
        clients["SH"].propose_remove_member("FJ")
    assert clients["SH"].proposal_count() == 0


def test_execute_after_the_threshold_falls(clients: Clients) -> None:
    pending = clients["SH"].propose_change_threshold(3)
    assert clients["JS"].approve(pending).approvals == 2
    with pytest.raises(ContractRevert) as refused:
        clients["ZJ"].execute(pending)
    assert str(refused.value) == (
        f"Governance reverted ThresholdNotReached(id={pending}, approvals=2, threshold=3)"
    )
    removal = clients["SH"].propose_remove_member("AH")
    clients["JS"].approve(removal)
    clients["ZJ"].approve(removal)
    assert clients["SH"].threshold() == 2
    result = clients["ZJ"].execute(pending)
    assert result.executed
    assert clients["SH"].threshold() == 3
