"""Upgrading the shared catalog from v1 to v2 across four running nodes (threshold 3 of 4).

The tests run in file order on their own chain and consortium (module scope), once with
every node on SQLite and once with every node on its own PostgreSQL schema:

1. two approvals of v2 change nothing: every node keeps v1, new records are committed
   under v1 and their batch headers name v1;
2. the third approval switches every node within a few seconds: new records are
   committed under v2 in batches naming v2; records committed earlier keep v1;
3. peers take records of v2 only once their origin has published its mapping onto v2:
   until then the pull is retried (nothing stored, nothing quarantined); after the
   provinces publish, the waiting records flow in under v2 (see
   ``node.exchange.categories`` for why this is the chosen behaviour);
4. GetStatus reports the version in force and the quarantine's size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from anvil_chains import AnvilLauncher
from exchange_helpers import (
    BACKENDS,
    PROVINCES,
    Consortium,
    anchored,
    build_consortium,
    databases_for,
    records_of,
    submit,
    wait_for,
)

from crypto.batch_header import BatchHeader
from ledger.client import LedgerClient
from node._proto.credit.v1 import node_pb2
from node.config import load_config
from node.domain.catalog import packaged_catalogs, packaged_mappings, publish_mapping
from node.domain.catalog.sharing import DEFAULT_POLICY, subject_type
from node.domain.records import is_public, parse_record
from node.exchange.errors import CategoryPending
from node.grpc.stubs import node_stub
from node.runtime.node import start_node

PEERS = ("SH", "ZJ", "AH")
CATALOG_V2 = packaged_catalogs()[2]


@pytest.fixture(scope="module", params=BACKENDS)
def upgrade(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            anvil_launcher: AnvilLauncher) -> Iterator[Consortium]:
    """Four running nodes on a fresh chain, catalog v1 adopted and mapped by everyone;
    their databases SQLite files, then PostgreSQL schemas (``BACKENDS``)."""
    with anvil_launcher.start() as chain, databases_for(request.param, "upgrade") as urls:
        built = build_consortium(tmp_path_factory.mktemp("upgrade"), chain.rpc_url,
                                 databases=urls)
        try:
            for member in built.members.values():
                member.running = start_node(load_config(member.config), workers=4)
            yield built
        finally:
            for member in built.members.values():
                if member.running is not None:
                    member.running.stop(grace=1.0)


def _read_chain_since(net: Consortium, province: str, moment: float) -> bool:
    """Whether ``province``'s catalog state has read the chain after ``moment`` (its
    monotonic clock): asking for the version makes a due read happen."""
    catalog = net[province].node.catalog
    assert catalog is not None
    catalog.version()
    checked_at: float | None = catalog._checked_at  # no public signal of a finished read
    return checked_at is not None and checked_at >= moment


@pytest.fixture(scope="module")
def js_records() -> list[dict[str, Any]]:
    """Thirty JS records, renumbered so each phase's are told apart."""
    records = records_of("JS", 30, seed=17)
    for number, record in enumerate(records):
        record["record_no"] = f"JS-UPGRADE-{number:06d}"
    return records


def member_client(consortium: Consortium, province: str) -> LedgerClient:
    return LedgerClient(consortium.rpc_url, consortium.deployment.addresses,
                        account_key=consortium[province].account_key, timeout=10.0)


def replicated(records: list[dict[str, Any]]) -> list[str]:
    """Record numbers peers receive by replication (the catalog's sharing policy:
    commitments go on request only, natural persons' non-public records stay at JS)."""
    return [str(r["record_no"]) for r in records
            if DEFAULT_POLICY.decide(category="", kind=str(r["kind"]),
                                     subject=subject_type(_subject_kind(r)),
                                     public=is_public(parse_record(r))) == "replicate"]


def _subject_kind(record: dict[str, Any]) -> str:
    return str(record.get("CF_XDR_LB") or record.get("SX_ZTLB") or record.get("CN_CNRLB"))


def committed(consortium: Consortium, province: str, records: list[dict[str, Any]]
              ) -> tuple[set[int | None], set[int]]:
    """At the origin: the records' catalog versions and their batch headers' versions."""
    store = consortium[province].node.app.store
    versions: set[int | None] = set()
    headers: set[int] = set()
    for record in records:
        stored = store.get_record(province, str(record["record_no"]))
        assert stored is not None and stored.origin == "local"
        versions.add(stored.catalog_version)
        batch = store.batch_for_leaf(stored.leaf_index)
        assert batch is not None
        headers.add(BatchHeader.from_json(batch.header_json).catalog_version)
    return versions, headers


def held_by(consortium: Consortium, province: str, origin: str, numbers: list[str]
            ) -> dict[str, int | None]:
    """The catalog version of each record of ``numbers`` ``province`` holds as foreign."""
    store = consortium[province].node.app.store
    found = {n: store.get_record(origin, n) for n in numbers}
    return {n: r.catalog_version for n, r in found.items()
            if r is not None and r.origin == "foreign"}


def submit_anchored(consortium: Consortium, province: str, records: list[dict[str, Any]]
                    ) -> None:
    ack = submit(consortium, province, records)
    assert len(ack.accepted) == len(records), ack.rejected
    anchored(consortium, province, max(a.leaf_index for a in ack.accepted) + 1)


def quarantined(consortium: Consortium, province: str) -> int:
    exchange = consortium[province].node.exchange
    assert exchange is not None
    return exchange.receiver.quarantine.count()


def test_two_approvals_of_three_change_nothing(upgrade: Consortium,
                                               js_records: list[dict[str, Any]]) -> None:
    before = js_records[:10]
    submit_anchored(upgrade, "JS", before)
    numbers = replicated(before)
    for peer in PEERS:
        wait_for(lambda peer=peer: len(held_by(upgrade, peer, "JS", numbers)) == len(numbers))

    js = member_client(upgrade, "JS")
    proposal = js.propose_adopt_catalog(2, CATALOG_V2.document_hash)  # JS's approval counts
    member_client(upgrade, "SH").approve(proposal)
    approved = time.monotonic()
    assert js.threshold() == 3 and js.current_catalog_version() == 1
    for p in PROVINCES:
        wait_for(lambda p=p: _read_chain_since(upgrade, p, approved))
    assert {p: upgrade[p].node.catalog.version() for p in PROVINCES  # type: ignore[union-attr]
            } == dict.fromkeys(PROVINCES, 1)

    during = js_records[10:20]
    submit_anchored(upgrade, "JS", during)
    assert committed(upgrade, "JS", during) == ({1}, {1})
    numbers = replicated(during)
    for peer in PEERS:
        wait_for(lambda peer=peer: len(held_by(upgrade, peer, "JS", numbers)) == len(numbers))
        assert set(held_by(upgrade, peer, "JS", numbers).values()) == {1}


def test_the_third_approval_switches_every_node(upgrade: Consortium,
                                                js_records: list[dict[str, Any]],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    js = member_client(upgrade, "JS")
    proposal = js.proposal_count()
    member_client(upgrade, "ZJ").approve(proposal)
    assert js.current_catalog_version() == 2
    approved = time.monotonic()
    switched: dict[str, float] = {}
    for province in PROVINCES:
        state = upgrade[province].node.catalog
        assert state is not None
        wait_for(lambda state=state: state.version() == 2, timeout=15)
        switched.setdefault(province, time.monotonic() - approved)
    with capsys.disabled():
        print("\ncatalog v2 in force (s after the third approval):",
              json.dumps({p: round(s, 2) for p, s in switched.items()}))

    after = js_records[20:]
    submit_anchored(upgrade, "JS", after)
    assert committed(upgrade, "JS", after) == ({2}, {2})
    # Records committed earlier keep the version they were committed under, everywhere.
    assert committed(upgrade, "JS", js_records[:20]) == ({1}, {1})
    for peer in PEERS:
        assert set(held_by(upgrade, peer, "JS", replicated(js_records[:20])).values()) == {1}


def test_v2_records_wait_for_the_origin_mapping_then_flow(
        upgrade: Consortium, js_records: list[dict[str, Any]]) -> None:
    after = js_records[20:]
    numbers = replicated(after)
    sh = upgrade["SH"].node.exchange
    assert sh is not None
    puller = next(p for p in sh.pullers if p.link.province == "JS")
    failures = puller.stats.failures
    wait_for(lambda: puller.stats.failures >= failures + 2)  # two more tries, both held
    record = next(r for r in after if r["kind"] != "commitment")
    shared = packaged_mappings()[("JS", 2)].shared_code(str(record["local_category"]))
    assert shared is not None
    with pytest.raises(CategoryPending, match="MAPPING_NOT_PUBLISHED"):
        sh.receiver.categories.check("JS", str(record["local_category"]), shared, 2,
                                     kind=str(record["kind"]))
    for peer in PEERS:
        assert held_by(upgrade, peer, "JS", numbers) == {}
        assert quarantined(upgrade, peer) == 0

    for province in PROVINCES:
        publish_mapping(member_client(upgrade, province), packaged_mappings()[(province, 2)],
                        CATALOG_V2)
    for province in PROVINCES:
        exchange = upgrade[province].node.exchange
        assert exchange is not None
        exchange.wake()  # or wait for the puller's next try (backoff: at most RETRY_CAP, 5 s)
    for peer in PEERS:
        wait_for(lambda peer=peer: len(held_by(upgrade, peer, "JS", numbers)) == len(numbers),
                 timeout=60)
        assert set(held_by(upgrade, peer, "JS", numbers).values()) == {2}
        assert quarantined(upgrade, peer) == 0

    sh_record = next(r for r in records_of("SH", 10, seed=17) if r["kind"] != "commitment")
    sh_record["record_no"] = "SH-UPGRADE-000001"
    submit_anchored(upgrade, "SH", [sh_record])
    assert committed(upgrade, "SH", [sh_record]) == ({2}, {2})
    wait_for(lambda: held_by(upgrade, "JS", "SH", ["SH-UPGRADE-000001"]) ==
             {"SH-UPGRADE-000001": 2})


def test_get_status_reports_the_version_in_force_and_the_quarantine(
        upgrade: Consortium) -> None:
    for province in PROVINCES:
        with upgrade.channel(province, "auditor", province) as channel:
            status = node_stub(channel).GetStatus(node_pb2.GetStatusRequest(), timeout=10)
        assert (status.province, status.catalog_version, status.quarantined) == (
            province, 2, 0)
        assert status.foreign_records > 0 or province == "JS"

