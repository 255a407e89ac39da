"""verify_foreign and the on-chain helpers against a ChainSnapshot (no chain needed);
tests/ledger/test_catalog_adoption.py runs the same against anvil."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest

from node.domain.catalog import (
    Catalog,
    CatalogVerificationError,
    ChainSnapshot,
    ForeignCategoryRejected,
    ProvinceMapping,
    Recognizer,
    parse_mapping,
    publish_mapping,
    read_snapshot,
    recognizer_from_chain,
)

Catalogs = dict[int, Catalog]
Mappings = dict[tuple[str, int], ProvinceMapping]


def _chain(catalogs: Catalogs, mappings: Mappings, versions: tuple[int, ...] = (1,),
           published: tuple[str, ...] = ("SH", "JS", "ZJ", "AH")) -> ChainSnapshot:
    return ChainSnapshot(
        current_version=max(versions),
        catalog_hashes={v: catalogs[v].document_hash for v in versions},
        mapping_hashes={(p, v): mappings[(p, v)].document_hash
                        for p in published for v in versions})


def _reason(exc: pytest.ExceptionInfo[ForeignCategoryRejected]) -> str:
    return exc.value.reason


def test_claim_that_holds(catalogs: Catalogs, mappings: Mappings) -> None:
    recognizer = Recognizer(catalogs, mappings, adopted_version=1)
    chain = _chain(catalogs, mappings)
    recognizer.verify_foreign("JS", "JSXY0201", "YRD-SX-SC-003", 1, chain=chain,
                              kind="dishonesty")
    sent = parse_mapping(copy.deepcopy(dict(mappings[("AH", 1)].document)))
    recognizer.verify_foreign("AH", "AH-SX-3-03", "YRD-SX-FY-001", 1, chain=chain, mapping=sent)


@pytest.mark.parametrize(("province", "local", "shared", "version", "reason", "message"), [
    ("JS", "JSXY0201", "YRD-SX-SC-003", 2, "NOT_ADOPTED",
     "JS record with local category 'JSXY0201' filed as YRD-SX-SC-003 (v2): catalog v2 is not "
     "adopted on the ledger (current version 1)"),
    ("JS", "JSXY0201", "YRD-SX-SC-003", 4, "CATALOG_UNKNOWN",
     "JS record with local category 'JSXY0201' filed as YRD-SX-SC-003 (v4): catalog v4 is not "
     "held here"),
    ("ZJ", "ZJ.SJ.001", "YRD-SX-SC-001", 1, "MAPPING_NOT_PUBLISHED",
     "ZJ record with local category 'ZJ.SJ.001' filed as YRD-SX-SC-001 (v1): ZJ's mapping "
     "onto v1 is not published on the ledger"),
    ("JS", "JSXY0999", "YRD-SX-SC-001", 1, "NOT_MAPPED",
     "JS record with local category 'JSXY0999' filed as YRD-SX-SC-001 (v1): JS's published "
     "mapping does not map 'JSXY0999'"),
    ("JS", "JSXY0101", "YRD-SX-SC-002", 1, "MAPPED_ELSEWHERE",
     "JS record with local category 'JSXY0101' filed as YRD-SX-SC-002 (v1): JS's published "
     "mapping maps it onto YRD-SX-SC-001"),
])
def test_claims_that_do_not_hold(catalogs: Catalogs, mappings: Mappings, province: str,
                                 local: str, shared: str, version: int, reason: str,
                                 message: str) -> None:
    recognizer = Recognizer(catalogs, mappings, adopted_version=1)
    chain = _chain(catalogs, mappings, published=("SH", "JS", "AH"))
    with pytest.raises(ForeignCategoryRejected) as refused:
        recognizer.verify_foreign(province, local, shared, version, chain=chain)
    assert (refused.value.reason, str(refused.value)) == (reason, message)


def test_tampered_mapping_document_refused(catalogs: Catalogs, mappings: Mappings) -> None:
    recognizer = Recognizer(catalogs, mappings, adopted_version=1)
    doc: dict[str, Any] = copy.deepcopy(dict(mappings[("JS", 1)].document))
    doc["mappings"]["JSXY0101"] = "YRD-SX-SC-002"   # the origin claims a harsher category
    forged = parse_mapping(doc)
    with pytest.raises(ForeignCategoryRejected, match=r"JS's mapping onto v1 published on the "
                       r"ledger has hash 0x0cfdafd8.*, the document 0x") as refused:
        recognizer.verify_foreign("JS", "JSXY0101", "YRD-SX-SC-002", 1,
                                  chain=_chain(catalogs, mappings), mapping=forged)
    assert _reason(refused) == "MAPPING_HASH_MISMATCH"
    with pytest.raises(ForeignCategoryRejected) as wrong:
        recognizer.verify_foreign("SH", "JSXY0101", "YRD-SX-SC-001", 1,
                                  chain=_chain(catalogs, mappings), mapping=forged)
    assert _reason(wrong) == "MAPPING_MISMATCH"


def test_catalog_hash_mismatch_and_kind(catalogs: Catalogs, mappings: Mappings) -> None:
    recognizer = Recognizer(catalogs, mappings, adopted_version=1)
    chain = _chain(catalogs, mappings)
    other = ChainSnapshot(1, {1: catalogs[2].document_hash}, chain.mapping_hashes)
    with pytest.raises(ForeignCategoryRejected) as refused:
        recognizer.verify_foreign("JS", "JSXY0201", "YRD-SX-SC-003", 1, chain=other)
    assert _reason(refused) == "CATALOG_HASH_MISMATCH"
    with pytest.raises(ForeignCategoryRejected, match=r"record kind 'penalty', category kind "
                       r"'dishonesty'$") as kind:
        recognizer.verify_foreign("JS", "JSXY0201", "YRD-SX-SC-003", 1, chain=chain,
                                  kind="penalty")
    assert _reason(kind) == "KIND_MISMATCH"


def test_snapshot_reads_adopted_versions_and_published_mappings(
        catalogs: Catalogs, mappings: Mappings) -> None:
    live = _chain(catalogs, mappings, versions=(1, 2), published=("JS",))
    snap = read_snapshot(live, ["SH", "JS", "ZJ", "AH"])
    assert snap.current_catalog_version() == 2
    assert dict(snap.catalog_hashes) == {1: catalogs[1].document_hash,
                                         2: catalogs[2].document_hash}
    assert sorted(snap.mapping_hashes) == [("JS", 1), ("JS", 2)]
    assert snap.mapping_hash("SH", 1) == bytes(32)


def test_recognizer_from_chain(catalogs: Catalogs, mappings: Mappings) -> None:
    recognizer = recognizer_from_chain(_chain(catalogs, mappings), catalogs, mappings)
    assert recognizer.adopted_version == 1 and sorted(recognizer.catalogs) == [1]
    assert sorted({v for _, v in recognizer.mappings}) == [1]
    with pytest.raises(CatalogVerificationError, match="no catalog version is adopted") as none:
        recognizer_from_chain(ChainSnapshot(0), catalogs, mappings)
    assert none.value.reason == "NOT_ADOPTED"
    ahead = ChainSnapshot(4, {1: catalogs[1].document_hash, 4: bytes.fromhex("11" * 32)})
    with pytest.raises(CatalogVerificationError, match=r"^catalog v4 is adopted on the ledger "
                       r"but its document is not held; add catalog-v4.json") as missing:
        recognizer_from_chain(ahead, catalogs, mappings)
    assert missing.value.reason == "CATALOG_UNKNOWN"
    swapped = ChainSnapshot(1, {1: catalogs[2].document_hash})
    with pytest.raises(CatalogVerificationError) as mismatch:
        recognizer_from_chain(swapped, catalogs, mappings)
    assert mismatch.value.reason == "CATALOG_HASH_MISMATCH"


@dataclass
class FakeWriter:
    """A CatalogWriter over a snapshot, recording what it was asked to publish."""

    province: str
    chain: ChainSnapshot
    published: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def account(self) -> str:
        return "0x" + "ab" * 20

    def province_of(self, account: str) -> str:
        return self.province

    def current_catalog_version(self) -> int:
        return self.chain.current_catalog_version()

    def catalog_hash(self, version: int) -> bytes:
        return self.chain.catalog_hash(version)

    def mapping_hash(self, province: str, version: int) -> bytes:
        return self.chain.mapping_hash(province, version)

    def propose_adopt_catalog(self, version: int, document_hash: bytes) -> int:
        return 1

    def publish_mapping(self, version: int, mapping_hash: bytes) -> object:
        self.published.append((version, mapping_hash))
        return "tx"


def test_publish_mapping_checks_before_sending(catalogs: Catalogs, mappings: Mappings) -> None:
    chain = ChainSnapshot(1, {1: catalogs[1].document_hash})
    writer = FakeWriter("JS", chain)
    assert publish_mapping(writer, mappings[("JS", 1)], catalogs[1]) == "tx"
    assert writer.published == [(1, mappings[("JS", 1)].document_hash)]
    with pytest.raises(CatalogVerificationError, match=r"^the sending account is JS's member; "
                       r"the mapping is ZJ's$") as wrong:
        publish_mapping(writer, mappings[("ZJ", 1)], catalogs[1])
    assert wrong.value.reason == "WRONG_PROVINCE"
    with pytest.raises(CatalogVerificationError, match=r"^catalog v2 is not adopted") as early:
        publish_mapping(writer, mappings[("JS", 2)], catalogs[2])
    assert early.value.reason == "NOT_ADOPTED"
    with pytest.raises(ValueError, match=r"^mapping is onto catalog v2, the catalog given is v1$"):
        publish_mapping(writer, mappings[("JS", 2)], catalogs[1])
    assert len(writer.published) == 1
