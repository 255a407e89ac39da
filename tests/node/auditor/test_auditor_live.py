"""``audit verify`` with its defaults against a real running network: it passes an honest
log and fails a node that stops anchoring, rewrites its unanchored tail, or shows an
auditor a head its witnesses never saw; a bad cosignature is held against its witness;
a page served into a crash and pulled again is listed as retried; an exchange whose two
ends name other records fails.

JS, SH and ZJ (n = 3: the default quorum is ⌈2n/3⌉−1 = 1 witness) run on an anvil of their
own over mutual TLS, anchoring and witnessing audit heads every ``CHECKPOINT`` seconds.
The tests run in file order: the later ones stop JS's anchoring and rewrite its log.
Each attack is first shown to pass the old defaults (no quorum, any tail, no wait).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from anvil_chains import AnvilLauncher
from multinode_net import (
    Network,
    anchored,
    build_network,
    records_of,
    running,
    submit,
    wait_for,
)
from sqlalchemy import text

from ledger.client import LedgerClient
from node._proto.credit.v1 import node_pb2
from node.audit import Action, AuditEvent, Decision, ProblemCode, decode_entry
from node.auditor import AuditClient, AuditOptions, ChainView, NodeAudit, audit_node
from node.cli.main import main
from node.grpc.stubs import node_stub
from node.store import make_engine

CHECKPOINT = 0.3
HONEST = AuditOptions(checkpoint_interval=5.0, slack=0.0)
"""The defaults, told a generous interval: a loaded machine must not fail an honest log."""
STRICT = AuditOptions(checkpoint_interval=1.0, slack=0.0)
"""The defaults with a short interval, so an attack fails within seconds."""
OLD = AuditOptions(min_witnesses=0, max_tail_age=1e9, wait=False, slack=0.0)
"""What ``audit verify`` did before: no quorum, any tail, no wait for witnesses."""


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory,
        anvil_launcher: AnvilLauncher) -> Iterator[Network]:
    with anvil_launcher.start() as chain:
        built = build_network(tmp_path_factory.mktemp("auditor-live"), chain.rpc_url,
                              ("JS", "SH", "ZJ"), checkpoint=CHECKPOINT)
        with running(built):
            assert len(submit(built, "JS", records_of("JS", 6, seed=11)).accepted) == 6
            anchored(built, "JS", 6)
            for peer in ("SH", "ZJ"):
                wait_for(lambda p=peer: built[p].node.app.store.get_meta(  # type: ignore[misc]
                    "exchange.cursor.JS") == "leaf:6")
            _witnessed_now(built, "JS", 2)
            yield built


def _ledger(net: Network, as_province: str | None = None) -> LedgerClient:
    key = net[as_province].account_key if as_province else None
    return LedgerClient(net.rpc_url, net.deployment.addresses, account_key=key, timeout=10.0)


def _witnessed_now(net: Network, province: str, count: int) -> int:
    """Wait until ``province``'s log as it is now is anchored and co-signed ``count`` times."""
    size, ledger = net[province].node.app.access_log.log.size(), _ledger(net)
    wait_for(lambda: ledger.latest_audit_head(province).tree_size >= size)
    head = ledger.latest_audit_head(province).tree_size
    wait_for(lambda: ledger.witness_count(province, head) >= count)
    return head


def _touch(net: Network, times: int) -> None:
    """Log ``times`` entries at JS: status reads by the auditor."""
    with net.channel("JS", "auditor", "JS") as ch:
        for _ in range(times):
            node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=10)


def _verify(net: Network, options: AuditOptions, *, peers: bool = False,
            wrap: Callable[[AuditClient], Any] | None = None) -> NodeAudit:
    channels = {p: net.channel("SH", "auditor", p) for p in net.members}
    try:
        clients = {p: AuditClient(ch, timeout=15.0) for p, ch in channels.items()}
        node = clients.pop("JS")
        return audit_node(wrap(node) if wrap else node,
                          ChainView(_ledger(net), start_block=net.deployment.block),
                          province="JS", peers=clients if peers else None, options=options)
    finally:
        for ch in channels.values():
            ch.close()


def _event(action: Action, peer: str, request_id: str, refs: tuple[str, ...]) -> AuditEvent:
    return AuditEvent(time=datetime.now(UTC), actor=peer, role="peer", action=action,
                      decision=Decision.ALLOW, request_id=request_id, peer=peer,
                      records_returned=len(refs), record_refs=refs)


def _rewrite_tail(net: Network, tag: str, extra: int) -> int:
    """JS rewrites every entry past its anchored size (an operator with the database and
    the node key could): the anchored prefix is re-appended as it was, then ``extra``
    other entries. Returns the anchored size kept."""
    keep = _ledger(net).latest_audit_head("JS").tree_size
    log = net["JS"].node.app.access_log.log
    prefix = [decode_entry(data) for _, data in log.iter_entries(0, keep)]
    engine = make_engine(net["JS"].database_url)
    try:
        with engine.begin() as conn:
            for table in ("audit_entries", "log_nodes", "log_state"):
                conn.execute(text(f"DELETE FROM {table} WHERE log_name = 'audit'"))
    finally:
        engine.dispose()
    log.append(prefix)
    assert log.checkpoint(keep).checkpoint.root == _ledger(net).latest_audit_head("JS").root
    log.append([AuditEvent(time=datetime.now(UTC), actor="ab" * 32, role="auditor",
                           action=Action.AUDIT_READ, decision=Decision.ALLOW,
                           request_id=f"{tag}-{i}") for i in range(extra)])
    return keep


def test_an_honest_log_passes_with_the_defaults(net: Network) -> None:
    _touch(net, 3)
    verdict = _verify(net, HONEST, peers=True)
    assert verdict.report.problems == () and verdict.report.ok
    shown = verdict.to_json()
    assert shown["policy"] == {"members": 3, "min_witnesses": 1, "max_tail_age_seconds": 15.0}
    assert shown["served_head_witnessed"]["ok"] is True
    assert shown["served_head_witnessed"]["witnessed_size"] >= verdict.served_size > 0
    assert shown["unanchored_tail"]["after_size"] == verdict.report.latest_anchored_size
    assert shown["witness_faults"] == [] and verdict.exchanges_judged >= 2


def test_the_command_reports_the_policy_and_fails_an_unmet_one(
        net: Network, capsys: pytest.CaptureFixture[str]) -> None:
    contracts = ",".join(f"{k}={v}" for k, v in net.deployment.addresses.items())
    auditor = net.auditor  # the consortium's appointed auditor, not a province's own
    assert auditor is not None
    target = ["audit", "verify", "--endpoint", f"localhost:{net['JS'].port}",
              "--cert", str(auditor.cert), "--key", str(auditor.key),
              "--ca", str(net["JS"].layout.ca_cert), "--rpc-url", net.rpc_url,
              "--contracts", contracts]

    errors: list[str] = []

    def run(*extra: str) -> tuple[int, Any]:
        code = main([*target, *extra])
        out, err = capsys.readouterr()
        errors.append(err)
        return code, json.loads(out) if out.strip() else None

    code, shown = run("--checkpoint-interval", "5")
    assert code == 0, shown
    assert shown["policy"] == {"members": 3, "min_witnesses": 1, "max_tail_age_seconds": 15.0}
    assert shown["served_head_witnessed"]["ok"] and shown["witness_faults"] == []
    # Three witnesses cannot be had from two peers: the latest heads fail the policy.
    code, shown = run("--min-witnesses", "3", "--max-tail-age", "1")
    assert code == 1 and shown["policy"]["min_witnesses"] == 3
    assert {p["code"] for p in shown["problems"]} == {"UNWITNESSED_HEAD"}
    assert run("--checkpoint-interval", "0") == (2, None)
    assert "checkpoint_interval: must be > 0 s" in errors[-1]
    assert run("--retry-window", "-1") == (2, None)
    assert "retry_window: must be >= 0 s" in errors[-1]


def test_an_invalid_cosignature_is_held_against_its_witness(net: Network) -> None:
    """ZJ posts 64 junk bytes as its cosignature on JS's head: the chain takes any 64
    bytes. The verdict names ZJ; JS's log, co-signed by SH, still verifies."""
    assert net["ZJ"].node.audit_loops.witness is not None
    net["ZJ"].node.audit_loops.witness.stop()
    _touch(net, 2)
    _witnessed_now(net, "JS", 1)
    head = _ledger(net).latest_audit_head("JS")
    size = head.tree_size
    wait_for(lambda: _ledger(net).witness_count("JS", size) == 1)  # SH only: ZJ stopped
    _ledger(net, "ZJ").witness_audit_head("JS", size, head.root, b"\x07" * 64)
    verdict = _verify(net, HONEST)
    assert verdict.report.ok, verdict.report.problems
    faults = verdict.to_json()["witness_faults"]
    assert [(f["witness"], f["size"], f["code"]) for f in faults] == [
        ("ZJ", size, "WITNESS_SIGNATURE_INVALID")]
    assert faults[0]["detail"].startswith(f"cosignature by ZJ on size {size}:")


def test_a_page_pulled_again_after_a_crash_is_listed_as_retried_not_failed(
        net: Network) -> None:
    """SH's puller dies (as if SIGKILLed) after JS logged serving a page and before SH logged
    receiving it: JS's exchange_out stands alone. SH pulls the same records again under a
    new request id, so the verdict lists a retry and passes."""
    exchange = net["SH"].node.exchange
    assert exchange is not None
    [puller] = [p for p in exchange.pullers if p.link.province == "JS"]
    logs_page = puller._on_received  # the seam where a real kill lands (see puller.py)
    assert logs_page is not None
    cut_off: list[str] = []

    def killed_once(peer: str, request_id: str, items: Any) -> None:
        if not cut_off:
            cut_off.append(request_id)
            raise ConnectionAbortedError("killed before logging the page")
        logs_page(peer, request_id, items)

    puller._on_received = killed_once
    try:
        size = net["JS"].node.app.store.log_size("records")
        more = records_of("JS", size + 6, seed=11)[size:]  # the fixture's stream, continued
        assert len(submit(net, "JS", more).accepted) == 6
        anchored(net, "JS", size + 6)
        wait_for(lambda: net["SH"].node.app.store.get_meta("exchange.cursor.JS")
                 == f"leaf:{size + 6}")
    finally:
        puller._on_received = logs_page
    assert len(cut_off) == 1
    [lone] = cut_off
    assert _index_of(net, "JS", lone) >= 0  # JS logged serving it
    assert net["SH"].node.app.access_log.log.indexes_of(lone) == []  # SH never logged it
    _witnessed_now(net, "JS", 1)
    verdict = _verify(net, HONEST, peers=True)
    assert verdict.report.ok, verdict.report.problems
    [retry] = verdict.to_json()["retried_exchanges"]
    assert (retry["sender"], retry["receiver"], retry["request_id"]) == ("JS", "SH", lone)
    assert retry["records"] >= 1 and retry["retried_as"]
    for again in retry["retried_as"]:
        assert again["request_id"] != lone
        assert _index_of(net, "SH", again["request_id"]) == again["entry"]
    # Without the retry the same lone entry fails: a window of 0 s excuses nothing.
    strict = _verify(net, AuditOptions(checkpoint_interval=5.0, slack=0.0, retry_window=0.0),
                     peers=True)
    assert strict.report.codes() == {ProblemCode.ONE_SIDED_EXCHANGE}
    [problem] = strict.report.problems
    assert problem.detail.startswith(f"exchange_out of JS with SH (request {lone!r}, ")


def test_an_exchange_whose_ends_name_other_records_fails(net: Network) -> None:
    """JS logs sending two records to SH under one request id; SH logs receiving one (it
    hides the other). Request ids match, so matching ids alone (as before) passed it."""
    refs = ("JS:JS-HIDDEN-1", "JS:JS-HIDDEN-2")
    net["JS"].node.app.access_log.record(_event(Action.EXCHANGE_OUT, "SH", "mm-1", refs))
    net["SH"].node.app.access_log.record(_event(Action.EXCHANGE_IN, "JS", "mm-1", refs[:1]))
    report = _verify(net, HONEST, peers=True).report
    assert report.codes() == {ProblemCode.EXCHANGE_MISMATCH}  # ids match: not one-sided
    assert [p.detail for p in report.problems if p.code is ProblemCode.EXCHANGE_MISMATCH] == [
        f"exchange 'mm-1' from JS to SH: JS's exchange_out (entry "
        f"{_index_of(net, 'JS', 'mm-1')}: 2 records) and SH's exchange_in (entry "
        f"{_index_of(net, 'SH', 'mm-1')}: 1 records) name different records"]


def _index_of(net: Network, province: str, request_id: str) -> int:
    [index] = net[province].node.app.access_log.log.indexes_of(request_id)
    return index


def test_a_log_whose_unanchored_tail_was_rewritten_fails(net: Network) -> None:
    """JS stops anchoring, so it may rewrite what it logged since: the rewritten log is
    consistent with every anchored head, and the old defaults passed it."""
    loop = net["JS"].node.audit_loops.checkpoints
    assert loop is not None
    loop.stop()
    _touch(net, 4)
    keep = _rewrite_tail(net, "rewritten", 6)
    before = _verify(net, OLD)
    assert before.report.ok, before.report.problems
    assert before.served_size >= keep + 6
    first = _verify(net, STRICT)
    assert ProblemCode.UNWITNESSED_HEAD in first.report.codes()
    assert any(p.detail.startswith(f"served head at size {first.served_size} was not "
                                   "witnessed") for p in first.report.problems)
    # The tail only gets older: within seconds it is older than 3 intervals too.
    found: list[NodeAudit] = []

    def tail_too_old() -> bool:
        found.append(_verify(net, AuditOptions(checkpoint_interval=1.0, wait=False)))
        return ProblemCode.MISSING_ANCHOR in found[-1].report.codes()

    wait_for(tail_too_old, timeout=60, step=0.5)
    [missing] = [p.detail for p in found[-1].report.problems
                 if p.code is ProblemCode.MISSING_ANCHOR]
    assert missing.startswith(f"{found[-1].report.checked_entries - keep} entries past the "
                              f"latest anchored size {keep}; the first was logged ")
    assert found[-1].to_json()["unanchored_tail"]["oldest_age_seconds"] > 3.0


class _Showing:
    """JS's AuditService as one auditor sees it, with ``after_entries`` run once the last
    entry was read: what JS does behind this auditor's back."""

    def __init__(self, client: AuditClient, after_entries: Callable[[], None]) -> None:
        self._client, self._after = client, after_entries

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def entries(self, **kwargs: Any) -> Iterator[tuple[int, bytes]]:
        yield from self._client.entries(**kwargs)
        self._after()


def test_a_head_its_witnesses_never_saw_fails(net: Network) -> None:
    """JS shows this auditor a head, then rewrites the part past its anchor and anchors
    the other version, which SH co-signs (it extends what SH saw). Two heads for one size:
    the auditor's copy is one no witness saw."""
    loop = net["JS"].node.audit_loops.checkpoints
    assert loop is not None
    loop.stop()

    def anchor_now() -> None:
        loop.run_once()
        _witnessed_now(net, "JS", 1)

    anchor_now()

    def behind_the_back(tag: str) -> Callable[[], None]:
        def rewrite() -> None:
            shown = net["JS"].node.app.access_log.log.size()
            _rewrite_tail(net, tag, shown + 2)
            assert loop.run_once().anchored > shown
        return rewrite

    _touch(net, 3)
    old = _verify(net, OLD, wrap=lambda c: _Showing(c, behind_the_back("second-a")))
    assert old.report.ok, old.report.problems  # the old defaults never noticed
    anchor_now()
    _touch(net, 3)
    verdict = _verify(net, AuditOptions(checkpoint_interval=10.0, slack=0.0),
                      wrap=lambda c: _Showing(c, behind_the_back("second-b")))
    forks = [p.detail for p in verdict.report.problems if p.code is ProblemCode.FORK]
    assert len(forks) == 1, verdict.report.problems
    assert forks[0].startswith(f"served head at size {verdict.served_size} is not the log "
                               "its witnesses saw: the head at size ")
    assert "cosigned by SH" in forks[0]
    assert verdict.to_json()["served_head_witnessed"]["ok"] is False
