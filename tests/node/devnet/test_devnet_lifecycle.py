"""`consortium up|status|down` on a real anvil and four real node processes.

The tests share one consortium (module scope) and run in file order: up → no-op up →
workload → SIGKILL a node and bring it back → down → up again from saved state. The
finalizer stops everything and SIGKILLs any process left from the directory.
"""

from __future__ import annotations

import io
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from devnet_helpers import processes_under, store_log, teardown, wait_gone

from crypto.oprf_keys import load_oprf_key
from ledger.client import LedgerClient
from node.cli.main import main
from node.devnet.catalog_doc import catalog_choice
from node.devnet.layout import ConsortiumDoc, ConsortiumLayout
from node.devnet.lifecycle import consortium_up, load_doc
from node.devnet.progress import Progress
from node.devnet.readback import wait_anchored
from node.devnet.status import consortium_status
from node.devnet.workload import submit_all, synthesize

pytestmark = pytest.mark.anvil

PROVINCES = ["SH", "JS", "ZJ", "AH"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("consortium")
    try:
        assert main(["consortium", "up", "--dir", str(directory),
                     "--provinces", ",".join(PROVINCES)]) == 0
        yield directory
    finally:
        teardown(directory)


def _ledger(doc: ConsortiumDoc) -> LedgerClient:
    return LedgerClient(doc.ledger.rpc_url, doc.ledger.contracts, timeout=10.0)


def test_up_creates_and_starts_the_whole_consortium(root: Path) -> None:
    doc = load_doc(root)
    layout = ConsortiumLayout(root)
    assert list(doc.provinces) == PROVINCES
    raw = json.loads(layout.doc.read_text())
    assert set(raw) == {"ledger", "provinces", "identities"}
    assert set(raw["ledger"]["contracts"]) == {"Governance", "Catalog", "RecordAnchors",
                                                "AuditAnchors"}
    assert {"agency", "auditor", *(f"platform.{p}" for p in PROVINCES)} <= set(raw["identities"])
    assert raw["identities"]["agency"]["purposes"]
    for province in PROVINCES:
        entry = raw["provinces"][province]
        assert set(entry) >= {"grpc", "pid", "data_dir", "config", "account"}
        assert f'listen = "{entry["grpc"]}"' in Path(entry["config"]).read_text()
    ledger = _ledger(doc)
    members = ledger.members()
    assert [m.province for m in members] == PROVINCES
    assert {m.account for m in members} == {e.account for e in doc.provinces.values()}
    # The registered OPRF commitment is each node's own OPRF public key.
    assert all(m.oprf_key_commitment == load_oprf_key(
        Path(doc.provinces[m.province].data_dir) / "keys" / "oprf.key").public_key
        for m in members)
    assert ledger.current_catalog_version() == 3
    choice = catalog_choice()
    assert ledger.catalog_hash(3) == choice.document_hash
    for province in PROVINCES:
        assert ledger.mapping_hash(province, 3) == choice.mappings[province].document_hash
    status = consortium_status(doc)
    assert all(n["healthy"] and n["records"] == 0 for n in status["provinces"].values())
    assert status["ledger"]["block_height"] >= 1


def test_second_up_changes_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = ConsortiumLayout(root)
    watched = [layout.doc, *(layout.config(p) for p in PROVINCES), layout.deployment]
    before_doc = layout.doc.read_text()
    before = {p: p.stat().st_mtime_ns for p in watched}
    capsys.readouterr()
    assert main(["consortium", "up", "--dir", str(root)]) == 0
    assert "already running" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in watched} == before
    assert layout.doc.read_text() == before_doc


def test_status_reads_each_node(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["consortium", "status", "--dir", str(root), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert set(status["provinces"]) == set(PROVINCES)
    for node in status["provinces"].values():
        assert {"healthy", "records", "log_size", "anchored_size", "backlog", "audit_size",
                "peers_reachable"} <= set(node)
        assert node["peers_configured"] == len(PROVINCES) - 1
    assert _reachable_soon(load_doc(root), PROVINCES, want=len(PROVINCES) - 1)
    assert main(["consortium", "status", "--dir", str(root)]) == 0
    assert "block height" in capsys.readouterr().out


def test_killed_node_comes_back_with_its_data(root: Path) -> None:
    doc = load_doc(root)
    work = synthesize(["JS"], 300, seed=11)
    outcome = submit_all(doc, work, Progress("test", 300, io.StringIO()))
    assert outcome["JS"].accepted == 300
    wait_anchored(doc, {"JS": 300}, timeout=60)
    size, log_root = store_log(doc, "JS")
    assert size == 300
    assert _ledger(doc).latest_batch("JS").root == log_root
    old_pid = doc.provinces["JS"].pid
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    wait_gone(old_pid)
    # The others measure it: each counts JS unreachable once its cached count expires.
    others = [p for p in PROVINCES if p != "JS"]
    assert _reachable_soon(doc, others, want=len(PROVINCES) - 2)

    result = consortium_up(root)
    assert result.started == ["JS"]
    new_doc = load_doc(root)
    assert new_doc.provinces["JS"].pid not in (None, old_pid)
    assert new_doc.provinces["SH"].pid == doc.provinces["SH"].pid
    node = consortium_status(new_doc)["provinces"]["JS"]
    assert node["healthy"] and node["records"] == 300 and node["log_size"] == 300
    assert store_log(new_doc, "JS") == (size, log_root)
    assert _reachable_soon(new_doc, PROVINCES, want=len(PROVINCES) - 1)


def _reachable_soon(doc: ConsortiumDoc, provinces: list[str], *, want: int,
                    timeout: float = 30.0) -> bool:
    """True once every node in ``provinces`` reports ``want`` peers reachable."""
    deadline = time.monotonic() + timeout
    while True:
        status = consortium_status(doc)["provinces"]
        if all(status[p]["peers_reachable"] == want for p in provinces):
            return True
        if time.monotonic() > deadline:
            print({p: status[p]["peers_reachable"] for p in provinces})
            return False
        time.sleep(0.5)


def test_down_stops_every_process(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = load_doc(root)
    pids = [doc.ledger.pid, *(e.pid for e in doc.provinces.values())]
    assert processes_under(root)
    assert main(["consortium", "down", "--dir", str(root)]) == 0
    for pid in pids:
        assert pid is not None
        wait_gone(pid, timeout=1.0)
    assert processes_under(root) == []
    after = load_doc(root)
    assert after.ledger.pid is None and all(e.pid is None for e in after.provinces.values())
    capsys.readouterr()
    assert main(["consortium", "status", "--dir", str(root)]) == 1
    assert "stopped" in capsys.readouterr().out


def test_up_after_down_restores_chain_and_data(root: Path) -> None:
    before = load_doc(root)
    result = consortium_up(root)
    assert result.started == ["ledger", *PROVINCES]
    assert not result.deployed and result.catalog_approvals == 0
    assert result.mappings_published == []
    doc = load_doc(root)
    assert doc.ledger.contracts == before.ledger.contracts
    assert doc.ledger.rpc_url == before.ledger.rpc_url
    assert [e.grpc for e in doc.provinces.values()] == [e.grpc for e in before.provinces.values()]
    size, log_root = store_log(doc, "JS")
    assert size == 300
    assert _ledger(doc).latest_batch("JS").root == log_root
    assert consortium_status(doc)["provinces"]["JS"]["records"] == 300
