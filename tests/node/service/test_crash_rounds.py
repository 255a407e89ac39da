"""Random SIGKILLs (issue 16, item 1): 30 rounds, each killing the JS node — a ``credit-node
serve`` process — at a random moment of one phase picked at random (seeded; the seed is
printed, ``CRASH_SEED=N`` replays a run): ingest, batch sealing/anchoring, exchange with its
peer SH (a node in this process: SH pulls JS's records and JS pulls SH's), a credit repair
or objection and its propagation, audit checkpointing/witnessing. JS restarts at once.

Per round: the node comes back (no crash loop) and a request the kill cut off is taken
when sent again. At the end, once everything drained: every acknowledged record is held
with its commitment, none twice (by record_no and in the log); JS's anchored batches are
1..n without a gap and exactly the ledger's, none left signed or submitted (records and
revocations); every acknowledged repair/objection holds at JS, is in its anchored
revocation log and reached SH; SH holds each JS record exactly once, its proof verifying
against the batch root anchored on the ledger (and JS each of SH's); the audit logs of
both verify as the auditor verifies them (``audit verify``: heads anchored, witnessed,
consistent with the ledger, exchanges matched at both ends). Figures are printed.

A page answered to a node that was killed before it logged receiving it (or by a node
killed after logging it but before answering) leaves the server's ``exchange_out``
without its ``exchange_in``; the receiver stored nothing and pulls the same records again
under a new request id. The auditor lists such an entry as a retried exchange
(``node.auditor.retries``), not a problem: after the final catch-up no one-sided exchange
may be left. The retries are counted.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import reliability_counts as rc
from anvil_chains import AnvilLauncher
from audit_node_helpers import AuditNet, build_net
from crash_victim import Victim
from crash_workload import PHASES, Workload
from multinode_net import wait_for

from crypto.batch_header import BatchHeader
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.merkle import hash_leaf, verify_inclusion
from node._proto.credit.v1 import ingest_pb2
from node.config import load_config
from node.exchange.categories import CategoryCheck
from node.exchange.proven import SHARED_STATUSES
from node.exchange.puller import cursor_key
from node.grpc.stubs import ingest_stub
from node.runtime.node import start_node
from node.store import AUDIT_LOG, RECORDS_LOG, SqlStore, open_store
from node.store.rows import StoredRecord
from node.store.sql_foreign_proofs import ForeignProofs
from node.store.sql_revocations import REVOCATIONS_LOG, RevocationStore

ROUNDS = 30


@pytest.fixture
def crash_net(tmp_path: Path, anvil_launcher: AnvilLauncher) -> Iterator[tuple[AuditNet, Victim]]:
    """JS (not started: the test's ``Victim``) and SH (running here) on an anvil of their
    own, sealing batches every 0.2 s and checkpointing audit heads every 0.3 s."""
    victim = Victim(tmp_path / "js" / "node.toml", tmp_path)  # imports meanwhile
    try:
        with anvil_launcher.start() as chain:
            net = build_net(tmp_path, chain.rpc_url, ("JS", "SH"), checkpoint=0.3, batch=0.2)
            sh = net["SH"]
            sh.running = start_node(load_config(sh.config), workers=4)
            try:
                yield net, victim
            finally:
                victim.stop()
                sh.running.stop(grace=1.0)
    finally:
        victim.stop()


def _js_store(net: AuditNet) -> SqlStore:
    member = net["JS"]
    return open_store(member.database_url, load_config(member.config).keystore.url)


def _drained(net: AuditNet, work: Workload, js: SqlStore) -> None:
    """Wait until JS anchored every record and notice, and each node pulled the other."""
    sh = net["SH"].node.app.store
    with net.channel("JS", "platform", "JS") as ch:
        stub = ingest_stub(ch)
        wait_for(lambda: stub.GetBacklog(ingest_pb2.GetBacklogRequest(), timeout=10)
                 .backlog == 0, timeout=60)
    wait_for(lambda: js.unbatched_range(REVOCATIONS_LOG)[0]
             == js.unbatched_range(REVOCATIONS_LOG)[1]
             and not js.batches_by_status("signed", REVOCATIONS_LOG)
             and not js.batches_by_status("submitted", REVOCATIONS_LOG), timeout=60)
    size = js.log_size(RECORDS_LOG)
    wait_for(lambda: sh.get_meta(cursor_key("JS")) == f"leaf:{size}", timeout=60)
    wait_for(lambda: _all_anchored(sh) and js.get_meta(cursor_key("SH"))
             == f"leaf:{sh.log_size(RECORDS_LOG)}", timeout=60)
    def propagated() -> bool:
        return all(_status(sh, n) == s for n, s in work.lifecycle.items())
    try:
        wait_for(propagated, timeout=60)
    except AssertionError:
        notices, sh_notices = RevocationStore(js.engine), RevocationStore(sh.engine)
        raise AssertionError("acknowledged lifecycle requests not propagated: " + str(
            [(n, s, _status(js, n), _status(sh, n),
              [json.loads(x.notice)["reason"] for x in notices.of_record("JS", n)],
              [json.loads(x.notice)["reason"] for x in sh_notices.of_record("JS", n)])
             for n, s in work.lifecycle.items() if _status(sh, n) != s])
            + f" revocation cursor at SH {sh.get_meta('exchange.revcursor.JS')}, "
            f"JS revocation log {js.log_size(REVOCATIONS_LOG)}") from None


def _all_anchored(store: SqlStore) -> bool:
    latest = store.latest_batch(RECORDS_LOG)
    return latest is not None and latest.status == "anchored" \
        and latest.end_size == store.log_size(RECORDS_LOG)


def _status(store: SqlStore, record_no: str) -> str | None:
    record = store.get_record("JS", record_no)
    return None if record is None else record.status


def _check_batches(net: AuditNet, js: SqlStore, log_name: str) -> int:
    """Anchored batches 1..n, contiguous, each the ledger's; none pending. Returns n."""
    ledger = net.ledger()
    revocations = log_name == REVOCATIONS_LOG
    on_chain = (ledger.latest_revocation("JS") if revocations else ledger.latest_batch("JS")).seq
    batches = js.batches_by_status("anchored", log_name)
    assert [b.seq for b in batches] == list(range(1, on_chain + 1)), log_name
    assert js.batches_by_status("signed", log_name) == []
    assert js.batches_by_status("submitted", log_name) == []
    previous_end = 0
    for batch in batches:
        root, size, _block = (ledger.revocation_batch if revocations else ledger.batch)(
            "JS", batch.seq)
        assert (root, size) == (batch.root, batch.end_size), (log_name, batch.seq)
        assert batch.start_size == previous_end and js.log_root(log_name, size) == root
        previous_end = batch.end_size
    assert previous_end == js.log_size(log_name), log_name
    return int(on_chain)


def _replicated(record: StoredRecord, categories: CategoryCheck | None) -> bool:
    """Whether the sharing policy sends ``record`` to peers (``None``: judging the origin
    itself, which holds every record)."""
    if categories is None:
        return True
    shared, version = record.shared_category, record.catalog_version
    return (shared is not None and version is not None
            and categories.sharing(shared, version, subject=record.subject_type,
                                   public=record.is_public) == "replicate")


def _held_once(holder: SqlStore, origin: SqlStore, province: str, acked: dict[str, bytes],
               net: AuditNet, categories: CategoryCheck | None = None) -> tuple[int, int]:
    """(lost, duplicated) of ``province``'s records at ``holder``, ``origin`` the truth.

    A peer (``categories`` given) must hold, exactly once, every record the sharing policy
    replicates and that is still shared (one repaired before the peer pulled it is not
    sent), with its proof verifying against the root the ledger holds for its batch."""
    size = origin.log_size(RECORDS_LOG)
    truth = {r.record_no: r for r in origin.records_by_leaf_range(province, 0, size)}
    rows = holder.records_by_leaf_range(province, 0, size + 1_000_000)
    by_no = Counter(r.record_no for r in rows)
    by_leaf = Counter(r.leaf_index for r in rows)
    duplicated = sum(n - 1 for n in by_no.values()) + sum(n - 1 for n in by_leaf.values())
    held = {r.record_no: r for r in rows}
    must = {no for no, r in truth.items() if _replicated(r, categories)
            and (categories is None or r.status in SHARED_STATUSES)}
    assert set(held) <= {no for no, r in truth.items() if _replicated(r, categories)}
    lost = sum(1 for no in must if no not in held or held[no].commitment
               != truth[no].commitment or held[no].leaf_index != truth[no].leaf_index)
    lost += sum(1 for no, c in acked.items() if truth.get(no) is None
                or truth[no].commitment != c)
    if categories is not None:
        proofs, ledger = ForeignProofs(holder.engine), net.ledger()
        for record in rows:
            proof = proofs.proof(province, record.leaf_index)
            assert proof is not None, record.record_no
            header = BatchHeader.from_json(proof.batch.header_json)
            verify_inclusion(record.leaf_index, header.tree_size,
                             hash_leaf(leaf_data(SCHEME_V2, record.commitment)),
                             list(proof.leaf.inclusion_proof), header.root)
            assert ledger.batch(province, header.seq)[:2] == (header.root, header.tree_size)
    return lost, duplicated


def test_thirty_random_sigkills_lose_and_duplicate_nothing(
        crash_net: tuple[AuditNet, Victim], capsys: pytest.CaptureFixture[str]) -> None:
    net, victim = crash_net
    seed = int(os.environ.get("CRASH_SEED", random.SystemRandom().randrange(1 << 32)))
    with capsys.disabled():
        print(f"\ncrash rounds: seed {seed} (replay with CRASH_SEED={seed})")
    rng = random.Random(seed)
    work = Workload(net, victim, rng)
    started = time.monotonic()
    victim.start()
    work.seed(repair_targets=ROUNDS)
    for _ in range(ROUNDS):
        work.round(rng.choice(PHASES))
        rc.add(rc.ROUNDS)
        rc.add(rc.FAULTS)
        with net.channel("JS", "platform", "JS") as ch:  # cheap: nothing acked is missing
            backlog = ingest_stub(ch).GetBacklog(ingest_pb2.GetBacklogRequest(), timeout=10)
        assert backlog.log_size >= len(work.acked["JS"]), f"seed {seed}"
    rounds_done = time.monotonic()

    js, sh = _js_store(net), net["SH"].node.app.store
    try:
        _drained(net, work, js)
        batches = _check_batches(net, js, RECORDS_LOG)
        revocation_batches = _check_batches(net, js, REVOCATIONS_LOG)
        exchange = net["SH"].node.exchange
        assert exchange is not None
        categories = exchange.serve.categories
        lost, duplicated = _held_once(js, js, "JS", work.acked["JS"], net)
        assert js.count_records("local") == js.log_size(RECORDS_LOG)
        at_sh = _held_once(sh, js, "JS", work.acked["JS"], net, categories)
        at_js = _held_once(js, sh, "SH", work.acked["SH"], net, categories)
        lost, duplicated = lost + at_sh[0] + at_js[0], duplicated + at_sh[1] + at_js[1]
        notices = RevocationStore(js.engine)
        for record_no, status in work.lifecycle.items():
            assert _status(js, record_no) == status == _status(sh, record_no), record_no
            reasons = [json.loads(n.notice)["reason"] for n in
                       notices.of_record("JS", record_no)]
            assert reasons == [{"repaired": "repair"}.get(status, status)], (record_no, reasons)
        for record in js.records_by_leaf_range("JS", 0, js.log_size(RECORDS_LOG)):
            # a request cut off by a kill and done anyway must be whole too
            if record.status != "active" and _status(sh, record.record_no) is not None:
                assert _status(sh, record.record_no) == record.status, record.record_no
        audit_size, js_size = js.log_size(AUDIT_LOG), js.log_size(RECORDS_LOG)
    finally:
        js.engine.dispose()
    rc.add(rc.LOST, lost)
    rc.add(rc.DUPLICATED, duplicated)
    assert lost == 0 and duplicated == 0, f"seed {seed}: {lost} lost, {duplicated} duplicated"
    ledger = net.ledger()
    wait_for(lambda: ledger.latest_audit_head("JS").tree_size >= audit_size, timeout=30)
    verdicts = {p: net.verify(p, auditor="SH" if p == "JS" else "JS") for p in ("JS", "SH")}
    retried: dict[str, int] = {}
    for province, verdict in verdicts.items():
        shown = verdict.to_json()
        # A page served into a kill is listed as retried (see the module doc), never a
        # problem: no one-sided exchange, nor any other problem, is left.
        assert shown["problems"] == [], (province, shown["problems"])
        retried[province] = len(shown["retried_exchanges"])
        assert all(r["receiver"] in ("JS", "SH") for r in shown["retried_exchanges"])
    # Each entry is judged in both verdicts (its sender's and its receiver's); at most one
    # page per puller is in flight when a kill lands.
    assert max(retried.values()) <= 3 * ROUNDS, retried
    with capsys.disabled():
        print("crash rounds:", json.dumps({
            "seed": seed, "rounds": ROUNDS, "kills_by_phase": work.kills,
            "kills_with_a_batch_signed_not_recorded_anchored": work.mid_batch,
            "records_acked": {p: len(a) for p, a in work.acked.items()},
            "js_records_stored": js_size,
            "batches": batches, "revocation_batches": revocation_batches,
            "lifecycle_acked": len(work.lifecycle), "lost": lost, "duplicated": duplicated,
            "retried_exchanges_after_kills": retried, "one_sided_exchanges": 0,
            "audit_entries_verified": {p: v.report.checked_entries
                                       for p, v in verdicts.items()},
            "restart_s_mean": round(sum(victim.restart_seconds)
                                    / len(victim.restart_seconds), 3),
            "restart_s_max": round(max(victim.restart_seconds), 3),
            "rounds_s": round(rounds_done - started, 1),
            "total_s": round(time.monotonic() - started, 1)}))
