"""The event indexer: typed events, chunked ranges, resuming after client and chain restarts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from anvil_chains import AnvilLauncher
from ledger_helpers import KEYS, MEMBERS, PROVINCES, SIG, adopt_catalog, digest

from ledger import event_types as ev
from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy_suite
from ledger.devchain import DevChain
from ledger.devkeys import DEV_KEYS
from ledger.errors import ChainReset, LedgerError
from ledger.events import EventIndexer, FileCursor, MemoryCursor

Clients = dict[str, LedgerClient]
ZERO = bytes(32)


def _clients(rpc_url: str, deployment: Deployment) -> Clients:
    return {p: LedgerClient(rpc_url, deployment.addresses, KEYS[p]) for p in PROVINCES}


def test_indexer_yields_typed_events(clients: Clients, deployment: Deployment) -> None:
    indexer = EventIndexer(clients["SH"], MemoryCursor(), start_block=deployment.block)
    setup = indexer.poll()
    assert [type(e) for e in setup] == [ev.MemberAdded] * 4 + [ev.CatalogBound]
    added = [e for e in setup if isinstance(e, ev.MemberAdded)]
    assert [e.province for e in added] == list(PROVINCES)
    assert added[1].account == MEMBERS[1].account and added[1].node_key == MEMBERS[1].node_key

    document_hash = adopt_catalog(clients, 1)
    receipt = clients["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    events = indexer.poll()
    names = [type(e).__name__ for e in events]
    assert names == [
        "ProposalCreated", "ProposalApproved",
        "ProposalApproved",
        "ProposalApproved", "CatalogAdopted", "ProposalExecuted",
        "BatchAnchored",
    ]
    adopted = events[4]
    assert isinstance(adopted, ev.CatalogAdopted)
    assert (adopted.version, adopted.document_hash) == (1, document_hash)
    assert adopted.contract == "Catalog"
    batch = events[-1]
    assert isinstance(batch, ev.BatchAnchored)
    assert (batch.province, batch.seq, batch.root, batch.size) == ("JS", 1, digest("js-1"), 10)
    assert (batch.prev_root, batch.catalog_version, batch.header_sig) == (ZERO, 1, SIG)
    assert (batch.tx_hash, batch.block_number) == (receipt.tx_hash, receipt.block_number)
    assert indexer.poll() == []


def test_chunked_ranges_give_the_same_events(adopted: Clients, deployment: Deployment) -> None:
    adopted["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    head = adopted["SH"].head_block()
    whole = EventIndexer(adopted["SH"], MemoryCursor(), chunk_size=10_000)
    tiny = EventIndexer(adopted["SH"], MemoryCursor(), chunk_size=1)
    assert tiny.fetch(deployment.block, head) == whole.fetch(deployment.block, head)
    assert len(whole.fetch(deployment.block, head)) == 5 + 6 + 1


def test_indexer_resumes_after_client_restart(
    anvil: DevChain, adopted: Clients, deployment: Deployment, tmp_path: Path
) -> None:
    cursor_path = tmp_path / "cursor.json"
    first = EventIndexer(adopted["SH"], FileCursor(cursor_path), start_block=deployment.block)
    assert len(first.poll()) == 11
    assert FileCursor(cursor_path).load() == adopted["SH"].head_block()

    adopted["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    fresh_client = LedgerClient(anvil.rpc_url, deployment.addresses)  # read-only
    second = EventIndexer(fresh_client, FileCursor(cursor_path), start_block=deployment.block)
    events = second.poll()
    assert [type(e) for e in events] == [ev.BatchAnchored]
    assert second.poll() == []
    assert list(tmp_path.iterdir()) == [cursor_path]  # no temp files left behind


def test_indexer_and_state_survive_chain_restart(
        tmp_path: Path, anvil_launcher: AnvilLauncher) -> None:
    state, cursor_path = tmp_path / "chain.json", tmp_path / "cursor.json"
    with anvil_launcher.start(state_path=state) as chain:
        deployment = deploy_suite(chain.rpc_url, DEV_KEYS[0], MEMBERS)
        clients = _clients(chain.rpc_url, deployment)
        adopt_catalog(clients, 1)
        clients["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
        indexer = EventIndexer(clients["SH"], FileCursor(cursor_path), deployment.block)
        assert len(indexer.poll()) == 12
        head_before = clients["SH"].head_block()

    with anvil_launcher.start(state_path=state) as chain:
        clients = _clients(chain.rpc_url, deployment)
        assert clients["SH"].head_block() == head_before
        assert clients["SH"].latest_batch("JS").seq == 1
        assert clients["SH"].current_catalog_version() == 1
        assert [m.province for m in clients["SH"].members()] == list(PROVINCES)
        indexer = EventIndexer(clients["SH"], FileCursor(cursor_path), deployment.block)
        assert indexer.poll() == []
        clients["JS"].anchor_batch(2, digest("js-2"), 20, digest("js-1"), 1, SIG)
        events = indexer.poll()
        assert [(type(e), getattr(e, "seq", None)) for e in events] == [(ev.BatchAnchored, 2)]
        # history from before the restart is still served
        assert len(indexer.fetch(deployment.block, head_before)) == 12


def _wait_state_dumped(state: Path, block: int, within: float = 20.0) -> None:
    """Until anvil's periodic dump (every second) holds ``block``: a SIGKILL then loses
    nothing up to it, however slowly the machine runs."""
    deadline = time.monotonic() + within
    while True:
        try:
            dumped = int(json.loads(state.read_text())["best_block_number"])
        except (OSError, ValueError, KeyError):
            dumped = -1  # not written yet, or caught mid-write
        if dumped >= block:
            return
        assert time.monotonic() < deadline, f"state dump at block {dumped}, want {block}"
        time.sleep(0.1)


def test_state_survives_a_sigkill_after_the_dump_interval(
        tmp_path: Path, anvil_launcher: AnvilLauncher) -> None:
    state, cursor_path = tmp_path / "chain.json", tmp_path / "cursor.json"
    chain = anvil_launcher.start(state_path=state)
    try:
        deployment = deploy_suite(chain.rpc_url, DEV_KEYS[0], MEMBERS)
        clients = _clients(chain.rpc_url, deployment)
        adopt_catalog(clients, 1)
        clients["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
        EventIndexer(clients["SH"], FileCursor(cursor_path), deployment.block).poll()
        _wait_state_dumped(state, clients["SH"].head_block())
    finally:
        chain.kill()
    with anvil_launcher.start(state_path=state) as chain:
        clients = _clients(chain.rpc_url, deployment)
        assert clients["SH"].is_anchored("JS", 1, digest("js-1"))
        indexer = EventIndexer(clients["SH"], FileCursor(cursor_path), deployment.block)
        assert indexer.poll() == []
        clients["JS"].anchor_batch(2, digest("js-2"), 20, digest("js-1"), 1, SIG)
        assert [type(e) for e in indexer.poll()] == [ev.BatchAnchored]


def test_chain_restarted_without_state_is_reported(
        tmp_path: Path, anvil_launcher: AnvilLauncher) -> None:
    cursor_path = tmp_path / "cursor.json"
    with anvil_launcher.start() as chain:
        deployment = deploy_suite(chain.rpc_url, DEV_KEYS[0], MEMBERS)
        client = LedgerClient(chain.rpc_url, deployment.addresses)
        EventIndexer(client, FileCursor(cursor_path), deployment.block).poll()
    with anvil_launcher.start() as chain:
        client = LedgerClient(chain.rpc_url, deployment.addresses)
        indexer = EventIndexer(client, FileCursor(cursor_path), deployment.block)
        with pytest.raises(ChainReset, match=r"chain head is at block 0, below the event cursor"):
            indexer.poll()


def test_contracts_missing_is_reported(anvil: DevChain, tmp_path: Path) -> None:
    nowhere = {name: "0x" + f"{i + 1:040x}" for i, name in enumerate(
        ("Governance", "Catalog", "RecordAnchors", "AuditAnchors"))}
    client = LedgerClient(anvil.rpc_url, nowhere)
    with pytest.raises(ChainReset, match="no Governance contract code"):
        EventIndexer(client, MemoryCursor()).poll()


def test_file_cursor_refuses_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "cursor.json"
    assert FileCursor(path).load() is None
    FileCursor(path).save(42)
    assert FileCursor(path).load() == 42
    path.write_text('{"block": -1}')
    with pytest.raises(LedgerError, match=r"malformed: want \{\"block\": N\}"):
        FileCursor(path).load()
    path.write_text("not json")
    with pytest.raises(LedgerError, match="unreadable"):
        FileCursor(path).load()
