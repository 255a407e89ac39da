"""The packaged catalog and mapping documents are pinned by hash.

An adopted catalog version is immutable on the ledger: editing catalog-v1.json after
adoption would make every node's held document disagree with the chain. These tests
catch an accidental edit; a deliberate change is a new version.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import rfc8785

from node.domain.catalog import Catalog, ProvinceMapping, catalog_path, mapping_path

PINNED_CATALOGS = {
    1: "6bc734375b5f2891cb241a1408fa13c0d200bb5f760278867704d0f258b0e07c",
    2: "153c515633d72859231c164014056911ee064af85c14fd408bc31959bf950e62",
    3: "f9988c9f94b6aa4bca15cf56095dd6ff5c142339d8f22b8976d33a1876c6c198",
}
PINNED_MAPPINGS = {
    ("SH", 1): "585582d12d5a5df9d42a49808d67abb95fef1a38b9930c0028b267a2e8d331a9",
    ("JS", 1): "0cfdafd8621605ff892fe953b3b7cd9b9268b3f46222224e34262971e1a63937",
    ("ZJ", 1): "968212dd1e709437848693aeb67d7f43f3382f3574d2fd36653d95a67e400619",
    ("AH", 1): "dbda27e9b7e016c89844b567c27ff581ff47dff52426ca27f903595cb2ff1c3b",
    ("SH", 2): "341a438536c12a40469bc4918039d41291648697da89b4fed6555ca9bcdd0e4c",
    ("JS", 2): "c5f24e5b8019e249c27be00c490d4cc1d18fb9110c5b13fc01bb655a2632bbed",
    ("ZJ", 2): "a356fceb718c092844d18916acb415efb5a3de78344df2fff878b19bc1c3f46e",
    ("AH", 2): "bf944a7d5b9cf74fad0ac93691aa3230a7f3d46d30db02411958c970cfec25be",
    ("SH", 3): "3d426712663ee2a172547c4625c9b7743a693f9ffa6b8a921329fb7161cdbe69",
    ("JS", 3): "323a82b46e7f4586b5254edb7e9f4eb18cb5b7d16a53c3bf4b9ecbd38c374234",
    ("ZJ", 3): "4f092af9245a5a192f25cb5c6b1b70680a51e2c92fa93b88b8ef2a1af2d56b80",
    ("AH", 3): "a236421a34f7afed4635850db1822def47c918ae0e561a4232b6aaa1d1ce7148",
}


def test_every_packaged_document_is_pinned(catalogs: dict[int, Catalog],
                                           mappings: dict[tuple[str, int], ProvinceMapping]
                                           ) -> None:
    assert sorted(catalogs) == sorted(PINNED_CATALOGS)
    assert sorted(mappings) == sorted(PINNED_MAPPINGS)


@pytest.mark.parametrize("version", sorted(PINNED_CATALOGS))
def test_catalog_hash_is_pinned(catalogs: dict[int, Catalog], version: int) -> None:
    got = catalogs[version].document_hash.hex()
    assert got == PINNED_CATALOGS[version], (
        f"{catalog_path(version)} changed: its canonical sha256 is now {got}, pinned "
        f"{PINNED_CATALOGS[version]}. An adopted catalog version must never change. If you "
        f"changed the catalog on purpose, bump its version: restore this file, write "
        f"catalog-v{max(PINNED_CATALOGS) + 1}.json with the change (and its mappings), and "
        "pin its hash here."
    )


@pytest.mark.parametrize("key", sorted(PINNED_MAPPINGS), ids=lambda k: f"{k[0]}-v{k[1]}")
def test_mapping_hash_is_pinned(mappings: dict[tuple[str, int], ProvinceMapping],
                                key: tuple[str, int]) -> None:
    got = mappings[key].document_hash.hex()
    assert got == PINNED_MAPPINGS[key], (
        f"{mapping_path(*key)} changed: its canonical sha256 is now {got}, pinned "
        f"{PINNED_MAPPINGS[key]}. A published mapping is what peers verify records against; "
        "if you changed it on purpose, re-publish it on the ledger and update the pin."
    )


@pytest.mark.parametrize("version", sorted(PINNED_CATALOGS))
def test_hash_agrees_with_an_independent_jcs_encoder(version: int) -> None:
    """sha256 over rfc8785's own encoding of the file equals the pinned identity (the
    documents are already NFC, so normalisation changes nothing)."""
    doc = json.loads(catalog_path(version).read_text(encoding="utf-8"))
    assert hashlib.sha256(rfc8785.dumps(doc)).hexdigest() == PINNED_CATALOGS[version]
