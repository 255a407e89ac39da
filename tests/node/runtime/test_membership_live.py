"""Trust rooted in the ledger (issue 11, items 1 and 4), on three real nodes and anvil.

ZJ is removed by SH and JS (2 of 3): within seconds SH refuses every role of ZJ — its
node's pulls and fetches — ZJ's own node refuses its own platform and auditor, and SH
stops calling ZJ — nor counts it among its reachable peers, though ZJ's node still
answers health checks; once ZJ is readmitted the same certificates work again. A
province-minted auditor is refused at every other province; the appointed consortium
auditor works until the members dismiss its CA. A CA held in node.toml that differs
from the one on-chain is refused, whatever the file says.
"""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from anvil_chains import AnvilLauncher
from multinode_net import Network, anchored, build_network, records_of, running, submit, wait_for

from ledger.client import LedgerClient
from ledger.types import MemberSpec
from node._proto.credit.v1 import audit_pb2, exchange_pb2, node_pb2
from node.cli.main import main
from node.exchange.ports import PeerCallFailed
from node.grpc.stubs import audit_stub, exchange_stub, node_stub
from node.identity import MembershipView, MemberStanding, UntrustedCertificate
from node.runtime.gated_peers import MemberGatedPeer

PROVINCES = ("SH", "JS", "ZJ")
REMOVAL_BOUND_S = 5.0
"""The issue's target: a removal takes effect at every member within 5 s."""


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory,
        anvil_launcher: AnvilLauncher) -> Iterator[Network]:
    """SH, JS, ZJ on a chain of their own (the test changes membership); SH holds 20
    anchored records."""
    with anvil_launcher.start() as chain:
        base: Path = tmp_path_factory.mktemp("membership")
        built = build_network(base, chain.rpc_url, PROVINCES)
        with running(built) as net:
            submit(net, "SH", records_of("SH", 20, seed=11))
            anchored(net, "SH", 20)
            yield net


def _client(net: Network, province: str) -> LedgerClient:
    return LedgerClient(net.rpc_url, net.deployment.addresses,
                        account_key=net[province].account_key, timeout=10.0)


def _pull(net: Network, caller: str, label: str, target: str) -> grpc.StatusCode:
    with net.channel(caller, label, target) as ch:
        try:
            exchange_stub(ch).PullRecords(
                exchange_pb2.PullRecordsRequest(cursor="", limit=5), timeout=10)
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def _fetch(net: Network, caller: str, target: str) -> grpc.StatusCode:
    """An (empty) FetchOnRequest: a member gets a request-level refusal, a non-member is
    refused before its request is even read."""
    with net.channel(caller, "node", target) as ch:
        try:
            exchange_stub(ch).FetchOnRequest(exchange_pb2.FetchOnRequestRequest(), timeout=10)
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def _audit_head(net: Network, caller: str, target: str, label: str = "auditor"
                ) -> grpc.StatusCode:
    with net.channel(caller, label, target) as ch:
        try:
            audit_stub(ch).GetLatestHead(audit_pb2.GetLatestHeadRequest(), timeout=10)
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def _zj_spec(net: Network) -> MemberSpec:
    zj = net.ledger().member("ZJ")
    return MemberSpec(province="ZJ", account=zj.account, node_key=zj.node_key,
                      oprf_key_commitment=zj.oprf_key_commitment,
                      tls_ca_fingerprint=zj.tls_ca_fingerprint)


def test_removed_member_refused_within_seconds_and_readmitted(net: Network) -> None:
    unauth = grpc.StatusCode.UNAUTHENTICATED
    assert _pull(net, "ZJ", "node", "SH") is grpc.StatusCode.OK
    assert _fetch(net, "ZJ", "SH") is not unauth
    assert _audit_head(net, "ZJ", "ZJ", "province-auditor") is grpc.StatusCode.OK
    sh_view = net["SH"].node.membership
    assert sh_view is not None

    spec = _zj_spec(net)
    removal = _client(net, "SH").propose_remove_member("ZJ")
    assert _client(net, "JS").approve(removal).executed
    removed_at = time.monotonic()
    # ZJ's node pulls nothing from SH from the first call after SH saw the removal.
    took = wait_for(lambda: _pull(net, "ZJ", "node", "SH") is unauth, timeout=30.0,
                    step=0.1)
    print(f"removal effective at SH after {took:.2f} s")
    assert took <= REMOVAL_BOUND_S, f"removal took {took:.1f} s at SH"
    assert _fetch(net, "ZJ", "SH") is unauth
    wait_for(lambda: _pull(net, "ZJ", "node", "JS") is unauth, timeout=30.0, step=0.1)
    assert time.monotonic() - removed_at <= 30.0
    # ZJ's own node follows the same chain: its own platform is refused too (before the
    # role check, which would say PERMISSION_DENIED), while SH's node is still a member.
    wait_for(lambda: _pull(net, "ZJ", "platform", "ZJ") is unauth, timeout=30.0, step=0.1)
    assert _audit_head(net, "ZJ", "ZJ", "province-auditor") is unauth
    assert _pull(net, "SH", "node", "ZJ") is grpc.StatusCode.OK
    # Outbound: SH no longer calls ZJ.
    fp = net["SH"].node.app.trust.fingerprints()["ZJ"]
    assert not sh_view.view.admits("ZJ", fp)

    readmission = _client(net, "SH").propose_add_member(spec)
    assert _client(net, "JS").approve(readmission).executed
    wait_for(lambda: _pull(net, "ZJ", "node", "SH") is grpc.StatusCode.OK, timeout=30.0,
             step=0.1)
    assert sh_view.view.admits("ZJ", fp)
    wait_for(lambda: _pull(net, "ZJ", "platform", "ZJ") is grpc.StatusCode.PERMISSION_DENIED,
             timeout=30.0, step=0.1)


def _peers_reachable(net: Network, province: str) -> int:
    with net.channel(province, "admin", province) as ch:
        status = node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=10)
    return int(status.peers_reachable)


def test_peers_reachable_counts_current_members_only(net: Network) -> None:
    """ZJ removed: its node keeps running and answering health checks, but SH's
    ``peers_reachable`` no longer counts it (trust follows the chain); readmitted, it is
    counted again. ``peers_configured`` stays what node.toml lists."""
    wait_for(lambda: _peers_reachable(net, "SH") == 2, timeout=30.0, step=0.2)
    spec = _zj_spec(net)
    removal = _client(net, "SH").propose_remove_member("ZJ")
    assert _client(net, "JS").approve(removal).executed
    took = wait_for(lambda: _peers_reachable(net, "SH") == 1, timeout=30.0, step=0.2)
    print(f"removed member left peers_reachable at SH after {took:.2f} s")
    assert net["SH"].node.peers["ZJ"].healthy(timeout=5.0)  # ZJ's node still answers
    with net.channel("SH", "admin", "SH") as ch:
        status = node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=10)
    assert (status.peers_reachable, status.peers_configured) == (1, 2)

    readmission = _client(net, "SH").propose_add_member(spec)
    assert _client(net, "JS").approve(readmission).executed
    wait_for(lambda: _peers_reachable(net, "SH") == 2, timeout=30.0, step=0.2)


def test_a_province_minted_auditor_is_refused_at_another_province(net: Network) -> None:
    """Every province holds its CA key and could mint an 'auditor'; only the consortium's
    appointed auditor CA makes auditors, and only while the chain appoints it."""
    unauth = grpc.StatusCode.UNAUTHENTICATED
    for minted_by, at in (("SH", "JS"), ("ZJ", "SH"), ("JS", "ZJ")):
        assert _audit_head(net, minted_by, at, "province-auditor") is unauth
    assert _audit_head(net, "SH", "JS") is grpc.StatusCode.OK  # the appointed one
    auditor = net.auditor
    assert auditor is not None
    fingerprint = bytes.fromhex(auditor.ca_fingerprint)
    dismissal = _client(net, "SH").propose_appoint_auditor_ca(fingerprint, appointed=False)
    assert _client(net, "JS").approve(dismissal).executed
    took = wait_for(lambda: _audit_head(net, "SH", "JS") is unauth, timeout=30.0, step=0.1)
    assert took <= REMOVAL_BOUND_S, f"dismissal took {took:.1f} s at JS"
    reappointment = _client(net, "SH").propose_appoint_auditor_ca(fingerprint)
    assert _client(net, "JS").approve(reappointment).executed
    wait_for(lambda: _audit_head(net, "SH", "JS") is grpc.StatusCode.OK, timeout=30.0,
             step=0.1)


def test_a_revoked_agency_is_refused_within_seconds(net: Network, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """De-accrediting: SH revokes its agency's certificate on-chain (`ledger revoke-cert`,
    no vote); SH refuses it on the next call after its follower sees the event."""
    wrong_role = grpc.StatusCode.PERMISSION_DENIED  # an agency may not pull: it is known
    assert _pull(net, "SH", "agency", "SH") is wrong_role
    deployment = tmp_path / "deployment.json"
    net.deployment.save(deployment)
    sh = net["SH"].layout
    code = main(["ledger", "revoke-cert", "--deployment", str(deployment), "--json",
                 "--key-file", str(sh.ledger_account), "--cert", str(sh.identity_cert("agency"))])
    assert code == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["block_number"] > 0
    took = wait_for(lambda: _pull(net, "SH", "agency", "SH") is grpc.StatusCode.UNAUTHENTICATED,
                    timeout=30.0, step=0.1)
    assert took <= REMOVAL_BOUND_S, f"revocation took {took:.1f} s at SH"
    assert _pull(net, "SH", "platform", "SH") is wrong_role  # the rest of SH is unaffected


def test_a_rotated_ca_refuses_the_old_one(net: Network) -> None:
    """RotateKeys to another CA fingerprint (with JS's own approval, as the contract now
    requires): JS's certificates from the CA the peers hold are refused until rotated back."""
    before = net.ledger().member("JS")
    rotated = MemberSpec(province="JS", account=before.account, node_key=before.node_key,
                         oprf_key_commitment=before.oprf_key_commitment,
                         tls_ca_fingerprint=bytes(range(32)))
    pid = _client(net, "SH").propose_rotate_keys(rotated)
    assert not _client(net, "ZJ").approve(pid).executed  # 2 of 3, but not JS's consent
    assert _client(net, "JS").approve(pid).executed
    wait_for(lambda: _pull(net, "JS", "node", "SH") is grpc.StatusCode.UNAUTHENTICATED,
             timeout=30.0, step=0.1)
    back = MemberSpec(province="JS", account=before.account, node_key=before.node_key,
                      oprf_key_commitment=before.oprf_key_commitment,
                      tls_ca_fingerprint=before.tls_ca_fingerprint)
    pid = _client(net, "JS").propose_rotate_keys(back)
    assert _client(net, "SH").approve(pid).executed
    wait_for(lambda: _pull(net, "JS", "node", "SH") is grpc.StatusCode.OK, timeout=30.0,
             step=0.1)


def test_node_db_is_private(net: Network) -> None:
    for province in PROVINCES:
        db = net[province].root / "node.db"
        assert stat.S_IMODE(db.stat().st_mode) == 0o600, db


def test_a_held_ca_that_differs_from_the_chain_is_refused(net: Network) -> None:
    """SH holds JS's CA file; if the chain names another fingerprint for JS, JS is refused."""
    view = MembershipView("SH")
    held = net["SH"].node.app.trust.fingerprints()
    view.replace([MemberStanding("SH", True, held["SH"]),
                  MemberStanding("JS", True, "00" * 32)])
    with pytest.raises(UntrustedCertificate, match="not the one registered on the ledger"):
        view.check("JS", held["JS"])
    assert view.mismatches(held) == {"JS": (held["JS"], "00" * 32)}
    gated = MemberGatedPeer(net["SH"].node.peers["JS"], view, held["JS"])
    with pytest.raises(PeerCallFailed) as refused:
        gated.pull_records(cursor="", limit=1, request_id="r1", timeout=5.0)
    assert refused.value.code == "NOT_A_MEMBER"
