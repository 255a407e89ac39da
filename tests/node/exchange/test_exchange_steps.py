"""Receiver verification step by step, over an in-memory store and a fake ledger.

Each fault is injected into an otherwise genuine record and must be refused at its step
with a message naming the defect; a ledger that cannot be asked refuses nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import nacl.signing
import pytest

from crypto.batch_header import EMPTY_ROOT, BatchHeader, sign_header
from crypto.canonical import canonical_bytes
from crypto.commitment import commit_canonical, new_salt
from crypto.merkle import MemoryTree, hash_leaf
from crypto.sealing import new_master_key
from ledger.errors import ContractRevert, LedgerUnavailable
from ledger.types import Member
from node.devnet.synth.generator import generate_records
from node.domain.catalog import Recognizer, packaged_catalogs, packaged_mappings
from node.domain.records import parse_record, to_json
from node.exchange.categories import CatalogCategories
from node.exchange.chain_facts import ChainFacts
from node.exchange.errors import ChainUnavailable
from node.exchange.receive import Receiver
from node.exchange.transit import AnchorRef, AnchorTarget, Proven
from node.grpc.convert import proven_to_proto
from node.service.ingest import IngestKeys
from node.service.keys import derive_token_key
from node.store import SqlStore, open_store
from node.store.sql_foreign_proofs import ForeignProofs
from node.store.sql_quarantine import QuarantineLog

TARGET = AnchorTarget(31337, b"\x11" * 20)
ACCOUNT = "0x" + "ab" * 20
CATALOGS = packaged_catalogs()
MAPPINGS = packaged_mappings()
RECOGNIZER = Recognizer(CATALOGS, MAPPINGS, 1)


class FakeLedger:
    """A ledger holding JS as the only member (its v1 mapping published, catalog v1
    adopted) and the anchors it was told about."""

    def __init__(self, node_key: bytes) -> None:
        self.node_key = node_key
        self.anchors: dict[tuple[str, int], tuple[bytes, int]] = {}
        self.down = False
        self.calls = 0

    def _ask(self) -> None:
        self.calls += 1
        if self.down:
            raise LedgerUnavailable("connection refused")

    def member(self, province: str) -> Member:
        self._ask()
        if province != "JS":
            raise ContractRevert("Governance", "UnknownProvince", {"province": province})
        return Member("JS", ACCOUNT, self.node_key, bytes(32), bytes(32), True)

    def is_anchored(self, province: str, seq: int, root: bytes) -> bool:
        self._ask()
        return self.anchors.get((province, seq), (b"", 0))[0] == root

    def batch(self, province: str, seq: int) -> tuple[bytes, int, int]:
        self._ask()
        root, size = self.anchors.get((province, seq), (bytes(32), 0))
        return root, size, 1 if size else 0

    def anchor_sender(self, province: str, seq: int) -> str | None:
        self._ask()
        return ACCOUNT if (province, seq) in self.anchors else None

    def catalog_hash(self, version: int) -> bytes:
        self._ask()
        return CATALOGS[1].document_hash if version == 1 else bytes(32)

    def mapping_hash(self, province: str, version: int) -> bytes:
        self._ask()
        return MAPPINGS[("JS", 1)].document_hash if (province, version) == ("JS", 1) \
            else bytes(32)

    def current_catalog_version(self) -> int:
        self._ask()
        return 1


@dataclasses.dataclass
class Origin:
    key: nacl.signing.SigningKey
    ledger: FakeLedger
    seq: int = 0

    def batch(self, documents: list[dict[str, object]], *, anchor: bool = True,
              province: str = "JS") -> list[Proven]:
        """Commit ``documents`` as one batch of a fresh log, sign it, maybe anchor it."""
        self.seq += 1
        payloads = [canonical_bytes(d) for d in documents]
        salts = [new_salt() for _ in payloads]
        tree = MemoryTree()
        tree.extend(hash_leaf(commit_canonical(p, s)) for p, s in zip(payloads, salts,
                                                                     strict=True))
        header = BatchHeader(province=province, seq=self.seq, tree_size=tree.size, root=tree.root(),
                             prev_size=0, prev_root=EMPTY_ROOT, catalog_version=1,
                             issued_at=1_760_000_000)
        if anchor:
            self.ledger.anchors[(province, self.seq)] = (header.root, header.tree_size)
        signature = sign_header(header, self.key)
        out = []
        for leaf, (doc, payload, salt) in enumerate(zip(documents, payloads, salts,
                                                        strict=True)):
            item = Proven(
                province=province, record_no=str(doc["record_no"]), kind=str(doc["kind"]),
                local_category=str(doc["local_category"]),
                shared_category=_shared(doc), severity=str(doc["severity"]),
                rule_version=str(doc["rule_version"]),
                publish_date=str(doc.get("publish_date", "")), payload=payload, salt=salt,
                leaf_index=leaf, inclusion_proof=tuple(tree.inclusion_proof(leaf, tree.size)),
                batch_header=header.to_json().encode(), header_signature=signature,
                anchor=AnchorRef(TARGET.chain_id, TARGET.contract, b"\x22" * 32, 7, self.seq),
                objection_flagged=False)
            out.append(reencoded(item))
        return out


def _shared(doc: dict[str, object]) -> str:
    mapped = RECOGNIZER.categorize(parse_record(doc))
    assert isinstance(mapped, tuple)
    return mapped[0]


def reencoded(item: Proven, **changes: Any) -> Proven:
    changed = dataclasses.replace(item, **changes)
    return dataclasses.replace(
        changed, raw=proven_to_proto(changed).SerializeToString(deterministic=True))


def documents(count: int = 6, province: str = "JS") -> list[dict[str, object]]:
    return [to_json(parse_record(r)) for r in generate_records(province, count, 21)]


@pytest.fixture
def store() -> Iterator[SqlStore]:
    opened = open_store("sqlite://")
    yield opened
    opened.engine.dispose()


@pytest.fixture
def origin() -> Origin:
    key = nacl.signing.SigningKey.generate()
    return Origin(key, FakeLedger(bytes(key.verify_key)))


@pytest.fixture
def receiver(store: SqlStore, origin: Origin) -> Receiver:
    master = new_master_key()
    chain = ChainFacts(origin.ledger)
    return Receiver(store=store, keys=IngestKeys(master, derive_token_key(master)),
                    quarantine=QuarantineLog(store.engine), proofs=ForeignProofs(store.engine),
                    chain=chain, categories=CatalogCategories(CATALOGS, MAPPINGS, chain),
                    target=TARGET)


def _flip(data: bytes, at: int = 0) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


FAULTS: dict[str, tuple[int, str, Any]] = {
    "payload_not_canonical": (1, "not canonical v1", lambda i: {"payload": i.payload + b" "}),
    "envelope_record_no": (1, "'record_no' differs", lambda i: {"record_no": "JS-OTHER-1"}),
    "envelope_kind": (1, "'kind' differs", lambda i: {"kind": "penalty" if i.kind !=
                                                       "penalty" else "commitment"}),
    "header_malformed": (3, "malformed batch header", lambda i: {"batch_header": b"{}"}),
    "header_signature": (3, "does not verify", lambda i: {
        "header_signature": _flip(i.header_signature)}),
    "salt_short": (4, "salt must be 32 bytes", lambda i: {"salt": i.salt[:16]}),
    "payload_other_salt": (4, "root mismatch", lambda i: {"salt": bytes(32)}),
    "proof_sibling": (4, "root mismatch", lambda i: {
        "inclusion_proof": (_flip(i.inclusion_proof[0]), *i.inclusion_proof[1:])}),
    "proof_short": (4, "inclusion proof", lambda i: {"inclusion_proof": i.inclusion_proof[1:]}),
    "anchor_seq": (5, "anchor reference names seq 9", lambda i: {
        "anchor": dataclasses.replace(i.anchor, seq=9)}),
    "anchor_chain": (5, "want chain 31337", lambda i: {
        "anchor": dataclasses.replace(i.anchor, chain_id=1)}),
    "shared_category": (6, "MAPPED_ELSEWHERE", lambda i: {"shared_category": "YRD-SX-SW-001"}),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_is_quarantined_at_its_step(fault: str, receiver: Receiver,
                                               origin: Origin) -> None:
    step, message, change = FAULTS[fault]
    item = origin.batch(documents())[2]
    bad = reencoded(item, **change(item))
    received = receiver.accept([bad], peer="JS")
    assert [(r.step, message in r.reason) for r in received.refused] == [(step, True)], \
        received.refused
    [kept] = receiver.quarantine.items()
    assert (kept.step, kept.origin, kept.leaf_index) == (step, "JS", item.leaf_index)
    assert receiver.store.count_records() == 0


def test_genuine_records_are_stored_resealed_with_their_proofs(receiver: Receiver,
                                                               origin: Origin) -> None:
    items = origin.batch(documents())
    received = receiver.accept(items, peer="JS")
    assert (received.accepted, received.duplicates, received.refused) == (len(items), 0, ())
    stored = receiver.store.get_record("JS", items[1].record_no)
    assert stored is not None and stored.origin == "foreign" and stored.batch_seq == 1
    assert stored.sealed_payload != items[1].payload
    assert stored.catalog_version == 1 and stored.shared_category == items[1].shared_category
    proof = receiver.proofs.proof("JS", items[1].leaf_index)
    assert proof is not None and proof.batch.header_json.encode() == items[1].batch_header


def test_unanchored_unknown_origin_and_unadopted_version(receiver: Receiver,
                                                         origin: Origin) -> None:
    unanchored = origin.batch(documents(2), anchor=False)[0]
    assert [r.step for r in receiver.accept([unanchored], peer="JS").refused] == [5]
    stranger = reencoded(unanchored, province="SH")
    payload = json.loads(unanchored.payload)
    assert payload["province"] == "JS"
    refused = receiver.accept([stranger], peer="SH").refused
    assert [r.step for r in refused] == [1]  # the payload still says JS
    not_member = origin.batch(documents(2, "SH"), province="SH")[0]
    refused = receiver.accept([not_member], peer="SH").refused
    assert [(r.step, r.reason) for r in refused] == [
        (2, "SH is not an active member on the ledger")]
    item = origin.batch(documents(2))[0]
    header = dataclasses.replace(BatchHeader.from_json(item.batch_header), catalog_version=3)
    resigned = reencoded(item, batch_header=header.to_json().encode(),
                         header_signature=sign_header(header, origin.key))
    refused = receiver.accept([resigned], peer="JS").refused
    assert [(r.step, r.reason) for r in refused] == [
        (6, "catalog version 3 is not adopted on the ledger")]


def test_a_second_commitment_for_one_record_no_is_quarantined_at_step_7(
        receiver: Receiver, origin: Origin) -> None:
    docs = documents(3)
    first = origin.batch(docs)
    assert receiver.accept(first, peer="JS").accepted == 3
    again = origin.batch(docs)  # the same record_nos under fresh salts: other commitments
    received = receiver.accept(again, peer="JS")
    assert [(r.position, r.step) for r in received.refused] == [(0, 7), (1, 7), (2, 7)]
    assert receiver.store.get_record("JS", first[0].record_no).commitment == commit_canonical(  # type: ignore[union-attr]
        first[0].payload, first[0].salt)


def test_a_ledger_that_cannot_be_asked_refuses_nothing(receiver: Receiver,
                                                       origin: Origin) -> None:
    items = origin.batch(documents(2))
    origin.ledger.down = True
    with pytest.raises(ChainUnavailable, match="cannot ask the ledger"):
        receiver.accept(items, peer="JS")
    assert receiver.quarantine.count() == 0 and receiver.store.count_records() == 0
    origin.ledger.down = False
    assert receiver.accept(items, peer="JS").accepted == 2


def test_ledger_answers_are_cached(receiver: Receiver, origin: Origin) -> None:
    items = origin.batch(documents(6))
    receiver.accept(items, peer="JS")
    calls = origin.ledger.calls
    assert calls <= 6  # member, is_anchored, batch, anchor_sender, catalog and mapping hash
    receiver.accept(items, peer="JS")
    assert origin.ledger.calls == calls
