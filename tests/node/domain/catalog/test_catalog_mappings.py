"""Provincial mappings: every local code mapped under every version, consistently; parse
refusals; check_mapping's problems named."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from node.domain.catalog import (
    Catalog,
    InconsistentMapping,
    MalformedMapping,
    ProvinceMapping,
    check_mapping,
    expected_severity_class,
    parse_mapping,
    require_consistent,
)
from node.domain.fields import PROVINCES
from node.domain.local_categories import load_local_categories

CASES = [(p, v) for v in (1, 2) for p in PROVINCES]


@pytest.mark.parametrize(("province", "version"), CASES, ids=[f"{p}-v{v}" for p, v in CASES])
def test_every_local_code_is_mapped_with_matching_kind_and_severity(
        catalogs: dict[int, Catalog], mappings: dict[tuple[str, int], ProvinceMapping],
        province: str, version: int) -> None:
    local = load_local_categories().by_code[province]
    mapping = mappings[(province, version)]
    assert check_mapping(mapping, catalogs[version], local) == ()
    assert set(mapping.mappings) == set(local)
    for code, entry in local.items():
        shared = catalogs[version].categories[mapping.mappings[code]]
        assert shared.kind == entry.kind, code
        assert shared.severity_class == expected_severity_class(entry.severity), code


def test_catalog_covers_every_kind_and_sector(catalogs: dict[int, Catalog]) -> None:
    table = load_local_categories()
    sectors = {c.sector for codes in table.by_code.values() for c in codes.values()}
    assert sectors == {"market", "food_drug", "environment", "tax", "safety", "transport",
                       "court", "commitment", "general"}
    for catalog in catalogs.values():
        assert {c.kind for c in catalog.categories.values()} == {"penalty", "dishonesty",
                                                                   "commitment"}
        assert 15 <= len(catalog.categories) <= 25 and 15 <= len(catalog.measures) <= 25
        assert {m.group for m in catalog.measures.values()} == {"a", "b", "c"}
        used = {m for c in catalog.categories.values() for m in c.measures}
        assert used == set(catalog.measures), "every measure applies to some category"


def test_severity_rule() -> None:
    assert [expected_severity_class(s) for s in ("minor", "general", "serious")] == [
        "general", "general", "serious"]


def _js(mappings: dict[tuple[str, int], ProvinceMapping]) -> dict[str, Any]:
    return copy.deepcopy(dict(mappings[("JS", 1)].document))


def test_check_mapping_names_every_problem(catalogs: dict[int, Catalog],
                                           mappings: dict[tuple[str, int], ProvinceMapping]
                                           ) -> None:
    doc = _js(mappings)
    del doc["mappings"]["JSXY0113"]
    doc["mappings"]["JSXY0101"] = "YRD-SX-SC-003"   # penalty -> dishonesty
    doc["mappings"]["JSXY0102"] = "YRD-SX-SC-001"   # serious -> general
    doc["mappings"]["JSXY0103"] = "YRD-SX-ZZ-001"   # no such category
    doc["mappings"]["JSXY9999"] = "YRD-SX-SC-001"   # no such local code
    mapping = parse_mapping(doc)
    local = load_local_categories().by_code["JS"]
    problems = check_mapping(mapping, catalogs[1], local)
    assert problems == (
        "JS v1: maps 'JSXY0103' onto 'YRD-SX-ZZ-001', which catalog v1 does not have",
        "JS v1: local code 'JSXY0113' (penalty, minor) is not mapped",
        "JS v1: maps 'JSXY0101' (penalty) onto 'YRD-SX-SC-003' of kind dishonesty",
        "JS v1: maps 'JSXY0101' (general) onto 'YRD-SX-SC-003' of severity class serious; "
        "want general",
        "JS v1: maps 'JSXY0102' (serious) onto 'YRD-SX-SC-001' of severity class general; "
        "want serious",
        "JS v1: maps 'JSXY9999', which is not a local code of JS",
    )
    with pytest.raises(InconsistentMapping, match=r"^inconsistent mapping: JS v1: maps "
                       r"'JSXY0103'.*\(and 3 more\)$") as refused:
        require_consistent(mapping, catalogs[1], local)
    assert refused.value.problems == problems


def test_check_mapping_against_another_version(catalogs: dict[int, Catalog],
                                               mappings: dict[tuple[str, int], ProvinceMapping]
                                               ) -> None:
    local = load_local_categories().by_code["ZJ"]
    assert check_mapping(mappings[("ZJ", 1)], catalogs[2], local) == (
        "ZJ v1: mapping is for catalog version 1, checked against version 2",)


REFUSALS = [
    ("province", "XX", "malformed mapping: 'province' must be one of SH, JS, ZJ, AH, got 'XX'"),
    ("catalog_version", 0,
     "malformed mapping: JS: 'catalog_version' must be an integer in 1..4294967295, got 0"),
    ("mappings", {}, "malformed mapping: JS v1: 'mappings' must be a non-empty object of "
     "local code -> shared code, got object"),
    ("mappings", {"JSXY0101": "SC-001"}, "malformed mapping: JS v1: 'JSXY0101' maps onto "
     "'SC-001'; want a shared code like YRD-SX-SC-001"),
    ("mappings", {" JSXY0101": "YRD-SX-SC-001"}, "malformed mapping: JS v1: local code "
     "' JSXY0101' must be 1..32 characters without surrounding whitespace"),
    ("extra", 1, "malformed mapping: unknown field 'extra'; want only catalog_version, "
     "mappings, province"),
]


@pytest.mark.parametrize(("key", "value", "message"), REFUSALS,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(REFUSALS)])
def test_malformed_mapping_refused_by_name(mappings: dict[tuple[str, int], ProvinceMapping],
                                           key: str, value: object, message: str) -> None:
    doc = _js(mappings)
    doc[key] = value
    with pytest.raises(MalformedMapping, match="^" + re.escape(message) + "$"):
        parse_mapping(doc)


def test_mapping_missing_field_refused() -> None:
    with pytest.raises(MalformedMapping, match=r"^malformed mapping: missing field 'mappings'$"):
        parse_mapping({"province": "JS", "catalog_version": 1})
