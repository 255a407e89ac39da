"""parse_catalog: a valid document parses; every malformed one is refused by name."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from node.domain.catalog import MalformedCatalog, document_hash, parse_catalog

Doc = dict[str, Any]


def test_minimal_catalog_parses(minimal: Doc) -> None:
    catalog = parse_catalog(minimal)
    assert catalog.version == 1 and catalog.effective.isoformat() == "2026-01-01"
    assert list(catalog.categories) == ["YRD-SX-SC-001", "YRD-SX-SC-003"]
    assert [m.id for m in catalog.measures_of("YRD-SX-SC-003")] == ["M-A-01", "M-B-01"]
    assert catalog.measures_of("YRD-SX-ZZ-999") == ()
    assert catalog.document_hash == document_hash(minimal)


def test_hash_ignores_key_order_but_not_list_order(minimal: Doc) -> None:
    reordered = copy.deepcopy(dict(reversed(list(minimal.items()))))
    assert parse_catalog(reordered).document_hash == parse_catalog(minimal).document_hash
    minimal["measures"].reverse()
    assert parse_catalog(minimal).document_hash != parse_catalog(reordered).document_hash


def _set(path: str, value: object) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return edit


def _delete(path: str) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]
    return edit


def _append(key: str, index: int) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        doc[key].append(dict(doc[key][index]))
    return edit


REFUSALS: list[tuple[str, Callable[[Doc], None], str]] = [
    ("missing_field", _delete("effective"), "malformed catalog: missing field 'effective'"),
    ("unknown_field", _set("extra", 1),
     "malformed catalog: unknown field 'extra'; want only categories, effective, measures, "
     "title, version"),
    ("version_zero", _set("version", 0),
     "malformed catalog: 'version' must be an integer in 1..4294967295, got 0"),
    ("version_text", _set("version", "1"),
     "malformed catalog: 'version' must be an integer in 1..4294967295, got string"),
    ("version_bool", _set("version", True),
     "malformed catalog: 'version' must be an integer in 1..4294967295, got boolean"),
    ("blank_title", _set("title", "  "), "malformed catalog: 'title' must not be blank"),
    ("bad_date", _set("effective", "2026-02-30"),
     "malformed catalog: 'effective' is not a real date, got '2026-02-30'"),
    ("date_shape", _set("effective", "2026/01/01"),
     "malformed catalog: 'effective' must be a date YYYY-MM-DD, got '2026/01/01'"),
    ("no_measures", _set("measures", []),
     "malformed catalog: 'measures' must be a non-empty list, got list"),
    ("categories_object", _set("categories", {}),
     "malformed catalog: 'categories' must be a non-empty list, got object"),
    ("measure_id_shape", _set("measures.0.id", "MA01"),
     "malformed catalog: measures[0]: 'id' must look like M-A-01, got 'MA01'"),
    ("bad_group", _set("measures.0.group", "d"),
     "malformed catalog: measures[0]: 'group' must be one of a, b, c, got 'd'"),
    ("group_disagrees_with_id", _set("measures.1.group", "a"),
     "malformed catalog: measures[1]: id 'M-B-01' is in group b but 'group' is 'a'"),
    ("duplicate_measure", _append("measures", 0),
     "malformed catalog: measures[2]: duplicate measure id 'M-A-01'"),
    ("measure_missing_basis", _delete("measures.1.legal_basis"),
     "malformed catalog: measures[1]: missing field 'legal_basis'"),
    ("measure_not_object", _set("measures.1", "M-B-01"),
     "malformed catalog: measures[1]: want a JSON object, got string"),
    ("code_shape", _set("categories.0.code", "SX-SC-1"),
     "malformed catalog: categories[0]: 'code' must look like YRD-SX-SC-001, got 'SX-SC-1'"),
    ("duplicate_code", _append("categories", 1),
     "malformed catalog: categories[2]: duplicate category code 'YRD-SX-SC-003'"),
    ("unknown_measure", _set("categories.1.measures", ["M-A-01", "M-A-99"]),
     "malformed catalog: categories[1] (YRD-SX-SC-003): links unknown measure 'M-A-99'"),
    ("measure_twice", _set("categories.1.measures", ["M-B-01", "M-B-01"]),
     "malformed catalog: categories[1] (YRD-SX-SC-003): links measure 'M-B-01' twice"),
    ("measures_not_list", _set("categories.0.measures", "M-B-01"),
     "malformed catalog: categories[0] (YRD-SX-SC-001): 'measures' must be a list of "
     "measure ids, got string"),
    ("bad_kind", _set("categories.0.kind", "reward"),
     "malformed catalog: categories[0] (YRD-SX-SC-001): 'kind' must be one of penalty, "
     "dishonesty, commitment, got 'reward'"),
    ("bad_severity", _set("categories.0.severity_class", "minor"),
     "malformed catalog: categories[0] (YRD-SX-SC-001): 'severity_class' must be one of "
     "general, serious, got 'minor'"),
    ("band_inverted", _set("categories.0.publicity_band", {"min_months": 12, "max_months": 3}),
     "malformed catalog: categories[0] (YRD-SX-SC-001): publicity_band: min_months 12 "
     "exceeds max_months 3"),
    ("band_float", _set("categories.0.publicity_band.max_months", 12.0),
     "malformed catalog: categories[0] (YRD-SX-SC-001): publicity_band: 'max_months' must "
     "be an integer in 0..120, got number"),
    ("band_extra", _set("categories.0.publicity_band.unit", "month"),
     "malformed catalog: categories[0] (YRD-SX-SC-001): publicity_band: unknown field "
     "'unit'; want only max_months, min_months"),
    ("bad_basic_class", _set("categories.0.basic_catalog_class", "行政处罚"),
     "malformed catalog: categories[0] (YRD-SX-SC-001): 'basic_catalog_class' must be one "
     "of 登记注册基本信息"),
]


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in REFUSALS],
                         ids=[name for name, _, _ in REFUSALS])
def test_malformed_catalog_refused_by_name(minimal: Doc, edit: Callable[[Doc], None],
                                           message: str) -> None:
    edit(minimal)
    with pytest.raises(MalformedCatalog, match="^" + re.escape(message)):
        parse_catalog(minimal)


def test_not_an_object_refused() -> None:
    with pytest.raises(MalformedCatalog,
                       match=r"^malformed catalog: want a JSON object, got list$"):
        parse_catalog([])


def test_malformed_catalog_is_a_value_error(minimal: Doc) -> None:
    minimal["version"] = -1
    with pytest.raises(ValueError, match="got -1"):
        parse_catalog(minimal)
