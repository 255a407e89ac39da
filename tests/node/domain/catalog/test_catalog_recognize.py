"""Recognition at ingest: accept, refuse with code and field, kind mismatch, upgrades,
measures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node.domain.catalog import (
    Catalog,
    ProvinceMapping,
    Recognition,
    Recognizer,
    UnknownCatalogEntry,
    parse_mapping,
)
from node.domain.records import parse_record
from node.domain.validation.issues import Issue

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

Catalogs = dict[int, Catalog]
Mappings = dict[tuple[str, int], ProvinceMapping]


@pytest.fixture
def recognizer(catalogs: Catalogs, mappings: Mappings) -> Recognizer:
    return Recognizer(catalogs, mappings, adopted_version=1)


def test_sample_records_are_recognized(recognizer: Recognizer) -> None:
    found = []
    for kind in ("penalty", "dishonesty", "commitment"):
        for line in (SAMPLES / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines():
            record = parse_record(json.loads(line))
            found.append((record.local_category, recognizer.categorize(record)))
    assert found == [
        ("JSXY0101", ("YRD-SX-SC-001", 1)),
        ("SH-SC-01", ("YRD-SX-SC-001", 1)),
        ("ZJ.SJ.004", ("YRD-SX-SP-002", 1)),
        ("JSXY0201", ("YRD-SX-SC-003", 1)),
        ("AH-SX-3-03", ("YRD-SX-FY-001", 1)),
        ("JSXY0301", ("YRD-SX-CN-001", 1)),
        ("ZJ.XY.001", ("YRD-SX-CN-001", 1)),
    ]


def test_recognition_carries_the_category(recognizer: Recognizer, catalogs: Catalogs) -> None:
    outcome = recognizer.recognize("AH", "AH-SX-3-03", "dishonesty")
    assert outcome == Recognition("YRD-SX-FY-001", 1, catalogs[1].categories["YRD-SX-FY-001"])
    assert isinstance(outcome, Recognition) and outcome.category.name == "列入失信被执行人名单"


def test_unmapped_local_code_refused(recognizer: Recognizer) -> None:
    assert recognizer.recognize("JS", "JSXY0999", "penalty") == Issue(
        "CATEGORY_NOT_RECOGNIZED", "local_category",
        "local category 'JSXY0999' is not recognized: JS's mapping onto shared catalog v1 "
        "does not map it")


def test_another_provinces_code_refused(recognizer: Recognizer) -> None:
    outcome = recognizer.recognize("SH", "JSXY0101", "penalty")
    assert isinstance(outcome, Issue)
    assert (outcome.code, outcome.field) == ("CATEGORY_NOT_RECOGNIZED", "local_category")
    assert "'JSXY0101'" in outcome.message and "v1" in outcome.message


def test_province_without_mapping_refused(catalogs: Catalogs, mappings: Mappings) -> None:
    without_zj = {k: m for k, m in mappings.items() if k[0] != "ZJ"}
    recognizer = Recognizer(catalogs, without_zj, adopted_version=2)
    assert recognizer.recognize("ZJ", "ZJ.SJ.001", "penalty") == Issue(
        "CATEGORY_NOT_RECOGNIZED", "local_category",
        "local category 'ZJ.SJ.001' is not recognized: ZJ has no mapping onto shared "
        "catalog v2")


def test_kind_mismatch_refused(recognizer: Recognizer) -> None:
    assert recognizer.recognize("JS", "JSXY0201", "penalty") == Issue(
        "CATEGORY_KIND_MISMATCH", "kind",
        "record kind 'penalty' differs from kind 'dishonesty' of shared category "
        "YRD-SX-SC-003 (local category 'JSXY0201', catalog v1)")


def test_upgrade_keeps_old_records_version(recognizer: Recognizer) -> None:
    before = recognizer.recognize("ZJ", "ZJ.SJ.004", "penalty")
    upgraded = recognizer.with_adopted(2)
    after = upgraded.recognize("ZJ", "ZJ.SJ.004", "penalty")
    assert isinstance(before, Recognition) and isinstance(after, Recognition)
    assert (before.shared_code, before.version) == ("YRD-SX-SP-002", 1)
    assert (after.shared_code, after.version) == ("YRD-SX-SP-002", 2)
    assert recognizer.adopted_version == 1 and upgraded.adopted_version == 2
    # A record committed under v1 is answered with v1's measures, also after the upgrade.
    old = [m.id for m in upgraded.measures_for("YRD-SX-SP-002", 1)]
    new = [m.id for m in upgraded.measures_for("YRD-SX-SP-002", 2)]
    assert old == ["M-A-06", "M-B-01", "M-B-02", "M-B-03", "M-B-04", "M-C-01"]
    assert new == ["M-A-06", "M-A-10", "M-B-01", "M-B-02", "M-B-03", "M-B-04", "M-C-01"]
    # Re-recognizing an old record under the version it was committed with still works.
    again = upgraded.recognize("ZJ", "ZJ.SJ.004", "penalty", version=1)
    assert isinstance(again, Recognition) and again.version == 1


def test_measures_for(recognizer: Recognizer) -> None:
    measures = recognizer.measures_for("YRD-SX-FY-001", 1)
    assert [m.id for m in measures] == ["M-A-01", "M-A-02", "M-A-03", "M-A-04", "M-A-05",
                                        "M-B-03", "M-B-04", "M-C-01", "M-C-02", "M-C-03"]
    high_consumption = measures[3]
    assert high_consumption.group == "a" and "高消费" in high_consumption.content
    assert high_consumption.implementer.startswith("人民法院")
    assert recognizer.measures_for("YRD-SX-CN-001", 1) == []


def test_measures_for_unknown_entries(recognizer: Recognizer) -> None:
    with pytest.raises(UnknownCatalogEntry,
                       match=r"^catalog v1 has no category 'YRD-SX-SP-003'$"):
        recognizer.measures_for("YRD-SX-SP-003", 1)   # added in v2
    with pytest.raises(UnknownCatalogEntry,
                       match=r"^catalog version 7 is not held \(held: \[1, 2, 3\]\)$"):
        recognizer.measures_for("YRD-SX-SC-001", 7)


def test_constructor_preconditions(catalogs: Catalogs, mappings: Mappings) -> None:
    with pytest.raises(ValueError,
                       match=r"^adopted catalog version 4 is not held \(held: \[1, 2, 3\]\)$"):
        Recognizer(catalogs, mappings, adopted_version=4)
    with pytest.raises(ValueError, match=r"^catalogs\[2\] holds catalog version 1$"):
        Recognizer({1: catalogs[1], 2: catalogs[1]}, {}, adopted_version=1)
    with pytest.raises(ValueError, match=r"holds the mapping of JS v1$"):
        Recognizer(catalogs, {("JS", 2): mappings[("JS", 1)]}, adopted_version=1)
    with pytest.raises(ValueError, match=r"^mapping of JS onto v2: catalog v2 is not held$"):
        Recognizer({1: catalogs[1]}, {("JS", 2): mappings[("JS", 2)]}, adopted_version=1)
    stray = parse_mapping({"province": "JS", "catalog_version": 1,
                           "mappings": {"JSXY0101": "YRD-SX-SP-003"}})
    with pytest.raises(ValueError, match=r"^mapping of JS onto v1: JS v1: maps 'JSXY0101' onto "
                       r"'YRD-SX-SP-003', which catalog v1 does not have$"):
        Recognizer(catalogs, {("JS", 1): stray}, adopted_version=1)
