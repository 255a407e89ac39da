"""Publicity periods: month arithmetic, bands per rule version, longest period, repair."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from node.domain.fields import PENALTY_TYPES
from node.domain.publicity import (
    RuleTableError,
    UnknownRuleVersion,
    add_months,
    default_rules,
    load_rules,
    parse_rules,
    publicity_end,
    repair_earliest,
)

D = dt.date


@pytest.mark.parametrize(("start", "months", "want"), [
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),   # leap year
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2025, 8, 31), 3, D(2025, 11, 30)),
    (D(2025, 11, 30), 3, D(2026, 2, 28)),
    (D(2025, 3, 12), 12, D(2026, 3, 12)),
    (D(2025, 12, 15), 1, D(2026, 1, 15)),
    (D(2025, 5, 31), 0, D(2025, 5, 31)),
])
def test_add_months_clamps_to_month_end(start: dt.date, months: int, want: dt.date) -> None:
    assert add_months(start, months) == want


@pytest.mark.parametrize(("version", "severity", "want"), [
    ("2019", "general", D(2026, 1, 31)),
    ("2019", "serious", D(2028, 1, 31)),
    ("2019", "minor", None),
    ("2023", "general", D(2026, 1, 31)),
    ("2023", "serious", D(2028, 1, 31)),
    ("2023", "minor", None),
    ("2025", "minor", D(2025, 4, 30)),       # Jan 31 + 3 months, clamped
    ("2025", "general", D(2028, 1, 31)),
    ("2025", "serious", D(2028, 1, 31)),
])
def test_publicity_end_by_version_and_severity(version: str, severity: str,
                                               want: dt.date | None) -> None:
    assert publicity_end(D(2025, 1, 31), severity, version, ("罚款",)) == want


def test_warning_only_or_simplified_is_not_published() -> None:
    for version in ("2019", "2023", "2025"):
        assert publicity_end(D(2025, 3, 1), "general", version, ("警告",)) is None
        assert publicity_end(D(2025, 3, 1), "general", version, ("警告", "通报批评")) is None
        assert publicity_end(D(2025, 3, 1), "serious", version, ("罚款",), simplified=True) is None


def test_longest_period_applies_with_several_penalty_kinds() -> None:
    # 警告 alone is not published; with 罚款 the general band (1 year) applies.
    assert publicity_end(D(2024, 3, 1), "general", "2023", ("警告", "罚款")) == D(2025, 3, 1)
    # Under 2025, 吊销许可证件 implies the serious band even on a "general" record; the
    # fine alone would give the general band, but the longest applies.
    decision = D(2025, 1, 31)
    types = ("罚款", "吊销许可证件")
    assert publicity_end(decision, "general", "2025", types) == D(2028, 1, 31)
    assert repair_earliest(decision, "general", "2025", types) == D(2028, 1, 31)
    assert repair_earliest(decision, "general", "2025", ("罚款",)) == D(2026, 1, 31)


def test_repair_earliest_uses_minimum_and_sector_override() -> None:
    decision = D(2024, 8, 31)
    assert repair_earliest(decision, "general", "2023", ("罚款",)) == D(2024, 11, 30)
    fine = ("罚款",)
    assert repair_earliest(decision, "general", "2023", fine, sector="safety") == D(2025, 8, 31)
    assert repair_earliest(decision, "general", "2023", fine, sector="tax") == D(2024, 11, 30)
    assert repair_earliest(decision, "serious", "2019", ("罚款",)) == D(2025, 2, 28)
    assert repair_earliest(decision, "serious", "2023", ("罚款",)) == D(2025, 8, 31)
    assert repair_earliest(decision, "minor", "2023", ("罚款",)) is None


def test_sector_minimum_never_passes_the_maximum() -> None:
    doc = json.loads((Path(__file__).parents[3] / "node/domain/data/publicity_rules.json")
                     .read_text(encoding="utf-8"))
    doc["versions"]["2023"]["sector_min_months"]["fire"] = 60
    rules = parse_rules(doc)
    got = repair_earliest(D(2025, 1, 1), "general", "2023", ("罚款",), sector="fire", rules=rules)
    assert got == D(2026, 1, 1)


def test_unknown_version_and_severity_are_refused() -> None:
    with pytest.raises(UnknownRuleVersion, match=r"'2021'.*'2019', '2023', '2025'"):
        publicity_end(D(2025, 1, 1), "general", "2021", ("罚款",))
    with pytest.raises(ValueError, match="severity 'grave'"):
        publicity_end(D(2025, 1, 1), "grave", "2023", ("罚款",))


def test_packaged_table_has_sources_and_known_types() -> None:
    rules = default_rules()
    assert set(rules.versions) == {"2019", "2023", "2025"}
    for rule_set in rules.versions.values():
        assert rule_set.source
        assert set(rule_set.type_bands) <= set(PENALTY_TYPES)
        assert rule_set.type_bands["警告"] == "none"
    serious_2019 = rules.versions["2019"].bands["serious"]
    assert serious_2019 is not None and serious_2019.min_months == 6


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["versions"]["2023"]["bands"].pop("minor"), r"2023\.bands: want exactly"),
    (lambda d: d["versions"]["2023"]["bands"]["general"].update(min_months=24),
     r"min_months 24 > max_months 12"),
    (lambda d: d["versions"]["2023"]["type_bands"].update({"训诫": "none"}),
     "'训诫' is not a penalty"),
    (lambda d: d["versions"]["2023"]["type_bands"].update({"罚款": "huge"}), "band 'huge'"),
    (lambda d: d["versions"]["2023"].pop("source"), r"2023\.source"),
    (lambda d: d["versions"]["2023"]["bands"]["general"].update(max_months=-1), "max_months"),
])
def test_malformed_tables_are_refused(mutate: object, message: str, tmp_path: Path) -> None:
    src = Path(__file__).parents[3] / "node/domain/data/publicity_rules.json"
    doc = json.loads(src.read_text(encoding="utf-8"))
    mutate(doc)  # type: ignore[operator]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RuleTableError, match=message):
        load_rules(path)


def test_not_json_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(RuleTableError, match="not valid JSON"):
        load_rules(path)
