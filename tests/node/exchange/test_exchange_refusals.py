"""Tampered records are refused and quarantined with the failing step; repeats are idempotent.

Genuine JS records are pulled from JS over gRPC (SH's node certificate), then tampered and
fed to SH's receiver — directly, or through PushRecords over mutual TLS.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
from exchange_helpers import Consortium

from crypto.batch_header import EMPTY_ROOT, BatchHeader, sign_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.keys import load_signing_key
from crypto.merkle import MemoryTree, hash_leaf
from node._proto.credit.v1 import exchange_pb2
from node.domain.catalog import packaged_catalogs
from node.exchange.categories import CatalogCategories
from node.exchange.receive import Receiver
from node.exchange.transit import Proven
from node.grpc.convert import proven_from_proto, proven_to_proto
from node.grpc.stubs import exchange_stub
from node.service.disclosure import commitment_of
from node.store import open_store
from node.store.sql_foreign_proofs import ForeignProofs
from node.store.sql_quarantine import QuarantineLog


def pull(consortium: Consortium, origin: str, caller: str = "SH", limit: int = 100) -> list[Proven]:
    with consortium.channel(caller, "node", origin) as ch:
        response = exchange_stub(ch).PullRecords(
            exchange_pb2.PullRecordsRequest(limit=limit), timeout=10)
    return [proven_from_proto(m) for m in response.records]


def tampered(item: Proven, **changes: Any) -> Proven:
    """``item`` with ``changes``, its ``raw`` bytes re-encoded to match."""
    changed = dataclasses.replace(item, **changes)
    return dataclasses.replace(
        changed, raw=proven_to_proto(changed).SerializeToString(deterministic=True))


def resigned(consortium: Consortium, item: Proven, **header_changes: Any) -> Proven:
    """``item`` under a header changed as given and signed with JS's real node key."""
    key = load_signing_key(consortium["JS"].layout.signing_key)
    header = dataclasses.replace(BatchHeader.from_json(item.batch_header), **header_changes)
    return tampered(item, batch_header=header.to_json().encode(),
                    header_signature=sign_header(header, key),
                    anchor=dataclasses.replace(item.anchor, seq=header.seq))


@pytest.fixture
def js_items(consortium: Consortium) -> list[Proven]:
    items = pull(consortium, "JS")
    assert len(items) >= 20
    return items


def receiver(consortium: Consortium, province: str = "SH") -> Receiver:
    exchange = consortium[province].node.exchange
    assert exchange is not None
    return exchange.receiver


def refused_at(consortium: Consortium, item: Proven, step: int, match: str) -> str:
    """Feed ``item`` to SH as from JS; assert it is quarantined at ``step``."""
    sh = receiver(consortium)
    before = sh.store.count_records("foreign")
    received = sh.accept([item], peer="JS")
    assert received.accepted == 0 and received.duplicates == 0
    assert [(r.position, r.step) for r in received.refused] == [(0, step)]
    assert match in received.refused[0].reason, received.refused[0].reason
    kept = [q for q in sh.quarantine.items("JS", limit=1000)
            if q.item_sha256 == hashlib.sha256(item.raw).digest()]
    assert len(kept) == 1 and kept[0].step == step and kept[0].record_no == item.record_no
    assert kept[0].reason == received.refused[0].reason
    assert sh.store.count_records("foreign") == before
    return received.refused[0].reason


def test_a_bad_header_signature_is_refused_at_step_3(consortium: Consortium,
                                                     js_items: list[Proven]) -> None:
    item = js_items[3]
    signature = bytes([item.header_signature[0] ^ 1]) + item.header_signature[1:]
    reason = refused_at(consortium, tampered(item, header_signature=signature), 3,
                        "does not verify with the registered node key")
    assert "JS seq" in reason


def test_a_proof_leading_to_another_root_is_refused_at_step_4(consortium: Consortium,
                                                              js_items: list[Proven]) -> None:
    item = js_items[4]
    proof = (hashlib.sha256(b"another subtree").digest(), *item.inclusion_proof[1:])
    header = BatchHeader.from_json(item.batch_header)
    reason = refused_at(consortium, tampered(item, inclusion_proof=proof), 4, "root mismatch")
    assert f"want {header.root.hex()}" in reason


def test_a_signed_but_unanchored_root_is_refused_at_step_5(consortium: Consortium,
                                                           js_items: list[Proven]) -> None:
    item = js_items[5]
    commitment = commitment_of(item.scheme, item.payload, item.salt)
    tree = MemoryTree()
    tree.extend([hash_leaf(leaf_data(item.scheme, commitment)), hash_leaf(b"\x01" * 32),
                 hash_leaf(b"\x02" * 32)])
    header = BatchHeader(province="JS", seq=1000, tree_size=3, root=tree.root(), prev_size=0,
                         prev_root=EMPTY_ROOT, catalog_version=1, issued_at=int(time.time()))
    key = load_signing_key(consortium["JS"].layout.signing_key)
    forged = tampered(item, leaf_index=0, inclusion_proof=tuple(tree.inclusion_proof(0, 3)),
                      batch_header=header.to_json().encode(),
                      header_signature=sign_header(header, key),
                      anchor=dataclasses.replace(item.anchor, seq=1000))
    refused_at(consortium, forged, 5, "the ledger holds no anchor of JS batch 1000")


def test_an_unrecognized_category_is_refused_at_step_6(consortium: Consortium,
                                                       js_items: list[Proven]) -> None:
    item = js_items[6]
    reason = refused_at(consortium, tampered(item, shared_category="YRD-SX-SC-999"), 6,
                        "MAPPED_ELSEWHERE")
    assert item.local_category in reason and item.shared_category in reason
    # A receiver holding no mapping of JS's recognizes none of its records.
    sh = receiver(consortium)
    blind = Receiver(store=sh.store, keys=sh.keys, quarantine=sh.quarantine, proofs=sh.proofs,
                     chain=sh.chain, target=sh.target,
                     categories=CatalogCategories(packaged_catalogs(), {}, sh.chain))
    received = blind.accept([item], peer="JS")
    assert [(r.step, r.reason.split(":")[0]) for r in received.refused] == [
        (6, "MAPPING_UNKNOWN")]


def test_an_unadopted_catalog_version_is_refused_at_step_6(consortium: Consortium,
                                                           js_items: list[Proven]) -> None:
    refused_at(consortium, resigned(consortium, js_items[7], catalog_version=7), 6,
               "catalog version 7 is not adopted on the ledger")


def test_a_record_of_another_province_is_refused_at_step_1(consortium: Consortium,
                                                           js_items: list[Proven]) -> None:
    sh = receiver(consortium)
    received = sh.accept([js_items[8]], peer="ZJ")
    assert [r.step for r in received.refused] == [1]
    assert "the peer is ZJ" in received.refused[0].reason


def test_push_over_grpc_refuses_with_the_step_and_accepts_the_genuine(
        consortium: Consortium) -> None:
    zj_items = pull(consortium, "ZJ")
    assert zj_items
    genuine = zj_items[0]
    bad = tampered(zj_items[1], header_signature=bytes(64))
    request = exchange_pb2.PushRecordsRequest(
        records=[proven_to_proto(genuine), proven_to_proto(bad)], request_id="push-test")
    with consortium.channel("ZJ", "node", "SH") as ch:
        response = exchange_stub(ch).PushRecords(request, timeout=10)
    assert response.accepted_count == 1
    assert [(r.position, [e.code for e in r.errors]) for r in response.refused] == [
        (1, ["quarantined_step_3"])]
    sh = receiver(consortium)
    assert any(q.step == 3 and q.record_no == bad.record_no
               for q in sh.quarantine.items("ZJ", limit=1000))
    assert sh.store.get_record("ZJ", genuine.record_no) is not None
    # JS may not push ZJ's records: the envelope is not the caller's province.
    with consortium.channel("JS", "node", "SH") as ch:
        response = exchange_stub(ch).PushRecords(
            exchange_pb2.PushRecordsRequest(records=[proven_to_proto(genuine)]), timeout=10)
    assert [[e.code for e in r.errors] for r in response.refused] == [["quarantined_step_1"]]


def test_the_same_records_twice_are_stored_once_and_quarantined_once(
        consortium: Consortium, js_items: list[Proven], tmp_path: Path) -> None:
    sh = receiver(consortium)
    store = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh = Receiver(store=store, keys=sh.keys, quarantine=QuarantineLog(store.engine),
                     proofs=ForeignProofs(store.engine), chain=sh.chain,
                     categories=sh.categories, target=sh.target)
    bad = tampered(js_items[0], header_signature=bytes(64))
    page = [*js_items, bad]
    first = fresh.accept(page, peer="JS")
    second = fresh.accept(page, peer="JS")
    assert (first.accepted, first.duplicates) == (len(js_items), 0)
    assert (second.accepted, second.duplicates) == (0, len(js_items))
    assert [r.step for r in first.refused] == [r.step for r in second.refused] == [3]
    assert store.count_records("foreign") == len(js_items)
    assert fresh.quarantine.count() == 1
    stored = store.get_record("JS", js_items[2].record_no)
    assert stored is not None and stored.origin == "foreign"
    assert js_items[2].scheme == SCHEME_V2
    assert stored.commitment == commitment_of(SCHEME_V2, js_items[2].payload, js_items[2].salt)
    proof = fresh.proofs.proof("JS", js_items[2].leaf_index)
    assert proof is not None and proof.leaf.inclusion_proof == js_items[2].inclusion_proof
    store.engine.dispose()
