"""The consortium tooling's parts without a running consortium: the document, masking,
database URLs, progress, subject choice, the catalog hash, detached processes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest

from crypto.canonical import canonical_bytes
from ledger.devchain import DevChain
from node.cli.main import main
from node.devnet.catalog_doc import catalog_choice
from node.devnet.database import schema_name, schema_of, schema_url
from node.devnet.errors import ConsortiumError
from node.devnet.layout import (
    ConsortiumDoc,
    ConsortiumLayout,
    IdentityEntry,
    LedgerEntry,
    ProvinceEntry,
)
from node.devnet.ledger_setup import check_contracts
from node.devnet.nodes import wait_healthy
from node.devnet.processes import is_running, log_tail, spawn_detached, stop_processes
from node.devnet.progress import Progress
from node.devnet.provision import create_consortium
from node.devnet.synth import generate_records
from node.devnet.workload import pick_subjects
from node.domain.identifiers import mask
from node.domain.records import parse_record, subject_identifier


def _doc() -> ConsortiumDoc:
    entry = ProvinceEntry("127.0.0.1:1", 5, "/d/JS", "/d/JS/node.toml", "0x" + "1" * 40,
                          "/d/JS/serve.log")
    return ConsortiumDoc(
        ledger=LedgerEntry("http://127.0.0.1:2", 31337, None, "/d/ledger/state.json"),
        provinces={"JS": entry, "SH": entry},
        identities={"auditor": IdentityEntry("a.pem", "a.key", "ca.pem", "aud", "SH")},
    )


def test_doc_round_trips_and_keeps_the_province_order(tmp_path: Path) -> None:
    path = tmp_path / "consortium.json"
    _doc().save(path)
    loaded = ConsortiumDoc.load(path)
    assert loaded == ConsortiumDoc(_doc().ledger, {"SH": _doc().provinces["SH"],
                                                   "JS": _doc().provinces["JS"]},
                                   _doc().identities)
    assert list(loaded.provinces) == ["SH", "JS"]
    assert "purposes" not in json.loads(path.read_text())["identities"]["auditor"]


def test_malformed_doc_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "consortium.json"
    path.write_text('{"ledger": {}, "provinces": {}, "identities": {}}')
    with pytest.raises(ValueError, match=r"malformed .*consortium\.json"):
        ConsortiumDoc.load(path)
    with pytest.raises(ValueError, match="consortium has no identity 'agency'"):
        _doc().identity("agency")


def test_the_demo_masks_subjects_with_the_products_rule() -> None:
    """The demo prints subjects as the product does everywhere: first two, last two."""
    from node.devnet import demo_exchange, demo_steps

    assert demo_steps.mask is mask and demo_exchange.mask is mask
    assert mask("11010519491231002X") == "11**************2X"
    assert mask("91310000MA8GLY708X") == "91**************8X"
    assert mask("1234") == "****"


def test_schema_url_sets_search_path_and_keeps_other_options() -> None:
    url = schema_url("postgresql://postgres@127.0.0.1:5432/test?options=-cwork_mem%3D4MB"
                     "%20-csearch_path%3Dold", "credit_js")
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:5432/test?options=")
    assert "work_mem%3D4MB" in url and "search_path%3Dcredit_js" in url and "old" not in url
    assert schema_name("credit", "JS") == "credit_js"
    with pytest.raises(ValueError, match="want lowercase letters"):
        schema_name("Bad-Prefix", "JS")
    with pytest.raises(ValueError, match="want postgresql"):
        schema_url("sqlite:///x.db", "credit_js")


def test_schema_of_reads_back_the_schema_schema_url_sets() -> None:
    base = "postgresql://postgres@127.0.0.1:5432/test?options=-cwork_mem%3D4MB"
    assert schema_of(schema_url(base, "credit_js")) == "credit_js"
    assert schema_of(base) is None
    assert schema_of("sqlite:///x.db") is None
    assert schema_of(base + "%20-csearch_path%3D%22a%20b%22") is None  # not a plain name


@pytest.mark.parametrize(("argv", "said"), [
    (["--database-url", "sqlite:///x.db"], "got a 'sqlite' URL, want postgresql"),
    (["--database-url", "postgresql://u@h/db", "--schema-prefix", "Bad-1"],
     "want lowercase letters"),
    (["--local", "--database-url", "postgresql://u@h/db"], "applies to the consortium demo"),
])
def test_demo_refuses_a_bad_database_flag_before_doing_anything(
        tmp_path: Path, argv: list[str], said: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--dir", str(tmp_path / "d"), *argv]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_up_with_a_sqlite_database_url_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "c"
    assert main(["consortium", "up", "--dir", str(directory), "--provinces", "SH",
                 "--database-url", f"sqlite:///{tmp_path / 'x.db'}"]) == 1
    assert "want postgresql+psycopg://" in capsys.readouterr().err
    assert sorted(p.name for p in directory.iterdir()) == [".consortium.lock"]


def test_create_refuses_a_half_created_directory(tmp_path: Path) -> None:
    layout = ConsortiumLayout(tmp_path)
    layout.node_dir("JS").mkdir()
    with pytest.raises(ConsortiumError, match=r"no consortium\.json"):
        create_consortium(layout, ["JS"])


def test_status_of_a_missing_consortium_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["consortium", "status", "--dir", str(tmp_path)]) == 1
    assert "run `credit-node consortium up" in capsys.readouterr().err


def test_progress_writes_one_line_per_tenth_off_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress("submitting", 100, stream)
    for _ in range(20):
        progress.add(5)
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert "100/100 100%" in lines[-1] and "[" + "#" * 30 + "]" in lines[-1]


def test_pick_subjects_takes_the_busiest_subject_of_each_kind() -> None:
    records = list(generate_records("SH", 300, seed=4))
    picked = pick_subjects(records)
    assert [s.kind for s in picked] == ["法人及非法人组织", "自然人", "个体工商户"]
    counts: dict[str, int] = {}
    kinds: dict[str, str] = {}
    for raw in records:
        record = parse_record(raw)
        ident = subject_identifier(record)
        counts[ident] = counts.get(ident, 0) + 1
        kinds[ident] = record.subject_kind
    for subject in picked:
        assert counts[subject.identifier] == subject.records
        assert kinds[subject.identifier] == subject.kind
        assert subject.records == max(n for s, n in counts.items() if kinds[s] == subject.kind)


def test_catalog_choice_is_v3_with_its_canonical_hash_and_every_mapping(
    tmp_path: Path,
) -> None:
    choice = catalog_choice()
    assert choice.version == 3 and choice.source.name == "catalog-v3.json"
    assert choice.catalog.sharing.decide(category="YRD-SX-SC-001", kind="penalty",
                                         subject="natural_person", public=False) == "origin_only"
    document = json.loads(choice.source.read_text(encoding="utf-8"))
    assert choice.document_hash == hashlib.sha256(canonical_bytes(document)).digest()
    assert sorted(choice.mappings) == ["AH", "JS", "SH", "ZJ"]
    assert all(m.catalog_version == 3 for m in choice.mappings.values())
    with pytest.raises(ConsortiumError, match="catalog v3 cannot be used"):
        catalog_choice(tmp_path)


def test_detached_process_is_tracked_stopped_and_killed(tmp_path: Path) -> None:
    marker = str(tmp_path / "marker")
    polite = spawn_detached([sys.executable, "-c", "import time; time.sleep(60)", marker],
                            tmp_path / "polite.log")
    stubborn = spawn_detached(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
         "signal.SIG_IGN); print('ignoring SIGTERM', flush=True); time.sleep(60)", marker],
        tmp_path / "stubborn.log")
    try:
        assert is_running(polite, marker) and not is_running(None, marker)
        # A process we did not start counts only if its command line holds the marker.
        own_cmdline = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().split(b"\0")[0]
        assert is_running(os.getpid(), own_cmdline.decode())
        assert not is_running(os.getpid(), marker)
        while "ignoring" not in log_tail(tmp_path / "stubborn.log"):
            assert is_running(stubborn, marker)
        assert stop_processes([(polite, marker), (stubborn, marker), (None, marker)],
                              timeout=0.5) == ["stopped", "killed", "not running"]
        assert not is_running(polite, marker) and not is_running(stubborn, marker)
    finally:
        stop_processes([(polite, marker), (stubborn, marker)], timeout=0.1)


def test_wait_healthy_quotes_the_log_of_a_node_that_exited(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    config = str(tmp_path / "node.toml")
    pid = spawn_detached([sys.executable, "-c", "print('error: cannot bind 127.0.0.1:1')",
                          config], log)
    while is_running(pid, config):
        pass
    doc = _doc()
    doc.provinces = {"JS": ProvinceEntry("127.0.0.1:1", pid, str(tmp_path), config,
                                         "0x" + "1" * 40, str(log))}
    with pytest.raises(ConsortiumError, match=r"(?s)the JS node .*exited.*cannot bind"):
        wait_healthy(doc, ["JS"], timeout=5.0)


@pytest.mark.anvil
def test_check_contracts_refuses_a_chain_that_lost_its_state() -> None:
    with DevChain.start() as chain:
        doc = _doc()
        doc.ledger.rpc_url = chain.rpc_url
        doc.ledger.contracts = {"Governance": "0x" + "12" * 20}
        with pytest.raises(ConsortiumError, match=r"has no Governance contract .* was lost"):
            check_contracts(doc)
