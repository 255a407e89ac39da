"""Province-local category codes: the packaged table, its loader and look-ups."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from node.domain.fields import KINDS, PROVINCES, SEVERITIES
from node.domain.local_categories import (
    categories_for,
    find_local_category,
    load_local_categories,
    parse_local_categories,
)

# Each province codes in its own style, on purpose (a later feature maps them).
STYLES = {
    "SH": r"SH-[A-Z]{2}-\d{2}",
    "JS": r"JSXY\d{4}",
    "ZJ": r"ZJ\.[A-Z]{2}\.\d{3}",
    "AH": r"AH-(CF|SX|CN)-[123]-\d{2}",
}
SECTORS = {"market", "food_drug", "environment", "tax", "safety", "transport", "court",
           "commitment", "general"}


def _doc(*entries: object) -> dict[str, Any]:
    return {"version": "t", "provinces": {"JS": list(entries)}}


def _entry(**over: Any) -> dict[str, Any]:
    base = {"code": "JSXY0101", "name": "n", "kind": "penalty", "severity": "general",
            "sector": "market"}
    return base | over


def test_packaged_table_covers_every_province_in_its_style() -> None:
    table = load_local_categories()
    assert set(table.by_code) == set(PROVINCES)
    for province, codes in table.by_code.items():
        assert 15 <= len(codes) <= 25
        for code, cat in codes.items():
            assert re.fullmatch(STYLES[province], code), code
            assert cat.province == province and cat.code == code
            assert cat.kind in KINDS and cat.severity in SEVERITIES and cat.sector in SECTORS
        kinds = Counter(c.kind for c in codes.values())
        assert set(kinds) == set(KINDS)
        sectors = {c.sector for c in codes.values() if c.kind == "dishonesty"}
        assert {"market", "tax", "court", "environment", "safety"} <= sectors
        breach = categories_for(table, province, kind="commitment", severity="general")
        assert len(breach) == 1 and "违背" in breach[0].name


def test_each_kind_sector_severity_has_one_code() -> None:
    table = load_local_categories()
    for province in PROVINCES:
        keys = Counter((c.kind, c.sector, c.severity) for c in table.by_code[province].values())
        assert max(keys.values()) == 1


def test_lookups() -> None:
    table = load_local_categories()
    cat = find_local_category(table, "ZJ", "ZJ.FY.001")
    assert cat is not None and cat.kind == "dishonesty" and cat.sector == "court"
    assert find_local_category(table, "ZJ", "JSXY0101") is None
    assert find_local_category(table, "XX", "ZJ.FY.001") is None
    assert categories_for(table, "XX") == ()
    serious = categories_for(table, "AH", kind="penalty", severity="serious")
    assert serious and all(c.code.startswith("AH-CF-3-") for c in serious)


def test_parse_accepts_a_minimal_table() -> None:
    table = parse_local_categories(_doc(_entry()))
    assert table.version == "t"
    assert find_local_category(table, "JS", "JSXY0101") is not None


@pytest.mark.parametrize(("doc", "message"), [
    ([], "want an object with a 'provinces' object"),
    ({"provinces": {}}, "'version' must be a string"),
    ({"version": "t", "provinces": {"GD": []}}, "unknown province 'GD'"),
    (_doc(_entry(kind="license")), r"JS\[0\]: kind 'license'"),
    (_doc(_entry(severity="grave")), r"JS\[0\]: severity 'grave'"),
    (_doc(_entry(), _entry(name="m")), r"JS\[1\]: duplicate code 'JSXY0101'"),
    (_doc(_entry(code="")), r"JS\[0\]: field 'code' must be a non-empty string"),
    (_doc("JSXY0101"), r"JS\[0\]: want an object"),
])
def test_parse_refuses_malformed_tables(doc: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_local_categories(doc)
