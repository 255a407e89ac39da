"""Credit repair across four live nodes: a repair filed at JS stops SH, ZJ and AH answering
the record, every node destroys its data key (a database copied before the repair no
longer opens), and the record commitment and the revocation both verify on the chain.

The propagation time is printed, not asserted (timing belongs to benchmarks)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from exchange_helpers import Consortium, submit, wait_for
from lifecycle_helpers import answers, database_copy, file_repair
from repair_records import repair_commitment, repairable_penalty

from crypto.batch_header import BatchHeader, sign_header, verify_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.errors import SealingError
from crypto.merkle import hash_leaf, verify_inclusion
from crypto.sealing import open_sealed, record_aad
from crypto.signing import NodePublicKey
from node.cli.main import main
from node.domain.publicity import add_months
from node.exchange.chain_facts import ChainFacts
from node.exchange.revocations import (
    ProvenNotice,
    RevocationReceiver,
    revocation_page,
    verify_notice,
)
from node.exchange.transit import AnchorTarget
from node.service.proofs import batch_proof
from node.store import SqlStore, make_engine
from node.store.rows import RECORDS_LOG
from node.store.sql_audit import AuditStore
from node.store.sql_revocations import REVOCATIONS_LOG, RevocationStore

ALL = ("JS", "SH", "ZJ", "AH")
PEERS = ("SH", "ZJ", "AH")


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    """Closes what a test opened on it (database copies, engines) when the test ends."""
    with ExitStack() as opened:
        yield opened


def test_repair_at_js_reaches_every_node_and_shreds_every_key(
        consortium: Consortium, tmp_path: Path, stack: ExitStack,
        capsys: pytest.CaptureFixture[str]) -> None:
    today = datetime.now(UTC).date()
    penalty = repairable_penalty("JS-REPAIR-000001", today)
    subject, record_no = str(penalty["CF_XDR_SHXYM"]), str(penalty["record_no"])
    ack = submit(consortium, "JS", [penalty])
    assert len(ack.accepted) == 1, ack.rejected
    for province in ALL:
        wait_for(lambda p=province: answers(consortium, p, subject, record_no), timeout=60)  # type: ignore[misc]
    copies = {p: stack.enter_context(database_copy(consortium[p].database_url, tmp_path / p))
              for p in ALL}
    stores = {p: consortium[p].node.app.store for p in ALL}
    key_ids = {p: stores[p].get_record("JS", record_no).key_id for p in ALL}  # type: ignore[union-attr]
    assert all(key_ids.values())

    filed = file_repair(consortium, penalty, today)
    acked = time.monotonic()
    assert filed.record_no == record_no and filed.request_id
    assert not answers(consortium, "JS", subject, record_no)
    stopped: dict[str, float] = {}
    for province in PEERS:
        wait_for(lambda p=province: not answers(consortium, p, subject, record_no),  # type: ignore[misc]
                 timeout=30)
        stopped[province] = round(time.monotonic() - acked, 3)
    with capsys.disabled():
        print("\nrepair propagation (s) from JS's FileRepair ack to a peer no longer "
              "answering:", json.dumps(stopped))

    # Every node: no key, status repaired, and the pre-repair copy does not open.
    for province in ALL:
        store = stores[province]
        wait_for(lambda s=store: s.get_record("JS", record_no).status == "repaired")  # type: ignore[misc]
        live = store.get_record("JS", record_no)
        assert live is not None and store.keys is not None
        assert store.keys.get([key_ids[province]]) == {}, province  # type: ignore[list-item]
        old_engine = make_engine(copies[province])
        stack.callback(old_engine.dispose)
        old = SqlStore(old_engine, keys=store.keys)
        before = old.get_record("JS", record_no)
        assert before is not None and before.sealed_payload, province
        with pytest.raises(SealingError, match="without its data key"):
            open_sealed(before.sealed_payload, consortium[province].node.app.keys.master_key,
                        record_aad("JS", record_no))
        assert live.commitment == before.commitment  # history stays verifiable

    # The record commitment and the revocation both verify against the chain.
    js = consortium["JS"].node.app
    ledger = consortium.ledger()
    js_key = NodePublicKey(ledger.member("JS").node_key)
    record = stores["JS"].get_record("JS", record_no)
    assert record is not None
    batch = stores["JS"].batch_for_leaf(record.leaf_index, RECORDS_LOG)
    assert batch is not None
    header = BatchHeader.from_json(batch.header_json)
    verify_header(header, batch.signature, js_key)
    # Ingested under commitment scheme v2: its leaf is 0x02 ‖ commitment.
    leaf = hash_leaf(leaf_data(SCHEME_V2, record.commitment))
    verify_inclusion(record.leaf_index, header.tree_size, leaf,
                     batch_proof(stores["JS"], record.leaf_index, batch), header.root)
    assert ledger.is_anchored("JS", header.seq, header.root)
    target = AnchorTarget.from_config(js.config.ledger.chain_id,
                                      dict(js.config.ledger.contracts))
    wait_for(lambda: bool(stores["JS"].batches_by_status("anchored", REVOCATIONS_LOG)))
    items, _ = revocation_page(stores["JS"], RevocationStore(stores["JS"].engine),
                               province="JS", target=target, cursor="")
    mine = [i for i in items if json.loads(i.notice)["record_no"] == record_no]
    assert len(mine) == 1
    notice, rheader = verify_notice(mine[0], peer="JS", chain=ChainFacts(ledger), target=target)
    assert notice.commitment == record.commitment and notice.reason == "repair"
    assert ledger.is_revocation_anchored("JS", rheader.seq, rheader.root)

    # Filing and applying are audit events under the repair's request id at all four.
    for province in ALL:
        audit = AuditStore(stores[province].engine)
        wait_for(lambda a=audit: bool(a.indexes_of(filed.request_id)))  # type: ignore[misc]


def test_bad_repairs_name_the_rule_and_change_nothing(consortium: Consortium) -> None:
    today = datetime.now(UTC).date()
    early = repairable_penalty("JS-REPAIR-000002", today, months_ago=1)
    assert len(submit(consortium, "JS", [early]).accepted) == 1
    repair_from = str(early["CF_JDRQ"])  # + 3 months under the 2023 rules
    want = add_months(datetime.fromisoformat(repair_from).date(), 3).isoformat()
    with pytest.raises(grpc.RpcError) as refused:
        file_repair(consortium, early, today)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "REPAIR_TOO_EARLY" in str(refused.value.details())
    assert f"possible from {want}" in str(refused.value.details())
    stored = consortium["JS"].node.app.store.get_record("JS", "JS-REPAIR-000002")
    assert stored is not None and stored.status == "active" and stored.sealed_payload

    with pytest.raises(grpc.RpcError, match="RECORD_UNKNOWN"):
        file_repair(consortium, early, today, record_no="JS-NO-SUCH-RECORD")
    with pytest.raises(grpc.RpcError, match="RECORD_UNKNOWN"):
        file_repair(consortium, early, today, record_no="ZJ-2025-000001")


def _cli(consortium: Consortium, capsys: pytest.CaptureFixture[str], *argv: str
         ) -> tuple[int, dict[str, object]]:
    js = consortium["JS"]
    flags = ["--endpoint", f"localhost:{js.port}", "--cert",
             str(js.layout.identity_cert("platform")), "--key",
             str(js.layout.identity_key("platform")), "--ca", str(js.layout.ca_cert)]
    capsys.readouterr()
    code = main([*argv[:2], *flags, *argv[2:]]) if argv[0] in ("record", "objection") \
        else main([argv[0], *flags, *argv[1:]])
    return code, json.loads(capsys.readouterr().out)


def test_cli_repair_and_record_status(consortium: Consortium, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    today = datetime.now(UTC).date()
    penalty = repairable_penalty("JS-REPAIR-000003", today)
    assert len(submit(consortium, "JS", [penalty]).accepted) == 1
    code, status = _cli(consortium, capsys, "record", "status", "--record-no",
                        "JS-REPAIR-000003")
    assert code == 0 and status["status"] == "active" and status["data_key_held"] is True
    assert status["repair_from"] == add_months(
        datetime.fromisoformat(str(penalty["CF_JDRQ"])).date(), 3).isoformat()
    commitment = tmp_path / "commitment.json"
    commitment.write_bytes(repair_commitment(penalty, today))
    repair = ("repair", "--record-no", "JS-REPAIR-000003", "--basis", "已整改",
              "--commitment", str(commitment), "--decision-ref", "宁信修〔2026〕3号")
    code, filed = _cli(consortium, capsys, *repair)
    assert code == 0 and filed["ok"] is True and filed["record_no"] == "JS-REPAIR-000003"
    code, again = _cli(consortium, capsys, *repair)
    assert code == 1 and again["ok"] is False and "REPAIR_ALREADY_DONE" in str(again["error"])
    code, status = _cli(consortium, capsys, "record", "status", "--record-no",
                        "JS-REPAIR-000003")
    assert status["status"] == "repaired" and status["data_key_held"] is False
    assert [r["reason"] for r in status["revocations"]] == ["repair"]  # type: ignore[union-attr]


def test_forged_notices_are_refused_at_the_step_that_catches_them(
        consortium: Consortium) -> None:
    """A notice altered in transit, one signed under the record-batch domain, and one
    handed over by another province never end a record at the receiver."""
    today = datetime.now(UTC).date()
    penalty = repairable_penalty("JS-REPAIR-000004", today)
    assert len(submit(consortium, "JS", [penalty]).accepted) == 1
    wait_for(lambda: answers(consortium, "SH", str(penalty["CF_XDR_SHXYM"]),
                             "JS-REPAIR-000004"), timeout=60)
    filed = file_repair(consortium, penalty, today)
    js = consortium["JS"].node.app
    store = js.store
    wait_for(lambda: any(json.loads(i.notice)["record_no"] == "JS-REPAIR-000004"
                         for i in _notices(consortium)))
    real = next(i for i in _notices(consortium)
                if json.loads(i.notice)["record_no"] == "JS-REPAIR-000004")
    target = AnchorTarget.from_config(js.config.ledger.chain_id,
                                      dict(js.config.ledger.contracts))
    chain = ChainFacts(consortium.ledger())
    other = json.loads(real.notice)
    other["record_no"] = "JS-REPAIR-000001"
    tampered = replace(real, notice=json.dumps(other, separators=(",", ":")).encode())
    header = BatchHeader.from_json(real.batch_header)
    wrong_domain = replace(real, header_signature=sign_header(header, js.signing_key))
    receiver = RevocationReceiver(consortium["SH"].node.app.store,
                                  RevocationStore(consortium["SH"].node.app.store.engine),
                                  chain, target)
    result = receiver.accept([tampered, wrong_domain], peer="JS")
    assert [(r.position, r.step) for r in result.refused] == [(0, 4), (1, 3)]
    assert not result.applied
    with pytest.raises(Exception, match="names province JS, handed over by ZJ"):
        verify_notice(real, peer="ZJ", chain=chain, target=target)
    assert filed.request_id and store.get_record("JS", "JS-REPAIR-000004") is not None


def _notices(consortium: Consortium) -> list[ProvenNotice]:
    js = consortium["JS"].node.app
    target = AnchorTarget.from_config(js.config.ledger.chain_id,
                                      dict(js.config.ledger.contracts))
    items, _ = revocation_page(js.store, RevocationStore(js.store.engine), province="JS",
                               target=target, cursor="")
    return items
