"""Penalty cross-field rules through the validator: amounts, licences, bands, severity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from domain_samples import codes, sample, validate, warning_codes


def test_fine_amount_as_number_or_decimal_is_accepted() -> None:
    for amount in (5.4, 5, Decimal("5.40"), "5.400000"):
        rec = sample("penalty")
        rec["CF_NR_FK"] = amount
        assert validate(rec).ok, amount


def test_confiscation_of_property_also_needs_amount() -> None:
    rec = sample("penalty")
    rec["CF_CFLB"] = ["没收非法财物"]
    del rec["CF_NR_FK"], rec["CF_NR_WFFF"]
    result = validate(rec)
    assert codes(result) == {("CONFISCATION_AMOUNT_REQUIRED", "CF_NR_WFFF")}
    assert "没收非法财物" in result.errors[0].message


def test_zero_confiscation_amount_is_allowed() -> None:
    rec = sample("penalty")
    rec["CF_NR_WFFF"] = "0"
    assert validate(rec).ok


def test_licence_needed_for_suspension_too() -> None:
    rec = sample("penalty")
    rec["CF_CFLB"] = ["罚款", "暂扣许可证件"]
    assert codes(validate(rec)) == {("LICENCE_REQUIRED", "CF_NR_ZKDX")}


@pytest.mark.parametrize(("version", "severity", "types", "end"), [
    ("2023", "general", ["罚款"], "2026-03-12"),
    ("2023", "serious", ["罚款"], "2028-03-12"),
    ("2019", "serious", ["罚款"], "2028-03-12"),
    ("2025", "general", ["罚款"], "2028-03-12"),
    ("2025", "minor", ["罚款"], "2025-06-12"),
    ("2023", "general", ["警告", "罚款"], "2026-03-12"),
])
def test_publicity_end_band_accepts_the_right_date(version: str, severity: str,
                                                   types: list[str], end: str) -> None:
    rec = sample("penalty")
    rec.update(rule_version=version, severity=severity, CF_CFLB=types, CF_GSJZQ=end,
               CF_YXQ="2028-03-12")
    rec.pop("CF_NR_WFFF")
    result = validate(rec)
    assert result.ok, result.errors
    assert result.warnings == []


def test_publicity_end_band_message_names_expected_date() -> None:
    rec = sample("penalty")
    rec["severity"] = "serious"  # the sample's CF_GSJZQ is the general (1 year) end
    (issue,) = validate(rec).errors
    assert (issue.code, issue.field) == ("PUBLICITY_END_BAND", "CF_GSJZQ")
    assert "2026-03-12" in issue.message and "expected 2028-03-12" in issue.message
    assert "36 months" in issue.message and "2023" in issue.message


def test_publicity_end_with_month_end_clamping() -> None:
    rec = sample("penalty")
    rec.update(CF_JDRQ="2025-01-31", publish_date="2025-02-10", rule_version="2025",
               severity="minor", CF_GSJZQ="2025-04-30", CF_CFLB=["罚款"])
    rec.pop("CF_NR_WFFF")
    assert validate(rec).ok
    rec["CF_GSJZQ"] = "2025-05-01"
    assert codes(validate(rec)) == {("PUBLICITY_END_BAND", "CF_GSJZQ")}


def test_longest_type_band_governs_publicity_end() -> None:
    rec = sample("penalty", 2)  # 2025 rules, 罚款 + 吊销许可证件, serious
    rec["severity"] = "general"
    result = validate(rec)
    assert result.ok  # CF_GSJZQ is the serious 3-year end: right
    assert warning_codes(result) == {("SEVERITY_MISMATCH", "severity")}
    rec["CF_GSJZQ"] = "2028-01-24"
    assert validate(rec).ok


def test_unpublished_decision_must_not_carry_publicity_end() -> None:
    rec = sample("penalty")
    rec.update(CF_CFLB=["警告"], severity="minor")
    rec.pop("CF_NR_FK"), rec.pop("CF_NR_WFFF")
    result = validate(rec)
    assert codes(result) == {("PUBLICITY_END_BAND", "CF_GSJZQ")}
    assert "not published" in result.errors[0].message
    rec.pop("CF_GSJZQ")
    result = validate(rec)
    assert result.ok and result.warnings == []


def test_simplified_procedure_with_higher_severity_warns() -> None:
    rec = sample("penalty")
    rec["CF_SIMPLE"] = "是"
    rec.pop("CF_GSJZQ")
    result = validate(rec)
    assert result.ok
    assert warning_codes(result) == {("SEVERITY_MISMATCH", "severity")}
    assert "simplified procedure" in result.warnings[0].message


def test_minor_record_under_rules_without_minor_band_has_no_mismatch() -> None:
    rec = sample("penalty")
    rec.update(severity="minor", rule_version="2019")
    rec.pop("CF_GSJZQ")
    result = validate(rec)
    assert result.ok and result.warnings == []


def test_band_checks_skip_when_inputs_are_invalid() -> None:
    rec = sample("penalty")
    rec["rule_version"] = "1999"
    assert codes(validate(rec)) == {("RULE_VERSION_UNKNOWN", "rule_version")}
    rec = sample("penalty")
    rec["CF_CFLB"] = ["罚金"]
    assert codes(validate(rec)) == {("NOT_IN_LIST", "CF_CFLB")}
