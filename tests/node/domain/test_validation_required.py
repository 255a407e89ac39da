"""Each error code triggered by a minimal mutation of a valid sample, with the field named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from domain_samples import codes, sample, samples, validate, warning_codes

from node.domain.fields import BY_KIND, ENVELOPE

Mutation = Callable[[dict[str, Any]], None]


def _drop(*fields: str) -> Mutation:
    def mutate(rec: dict[str, Any]) -> None:
        for f in fields:
            rec.pop(f, None)
    return mutate


def _set(**values: Any) -> Mutation:
    def mutate(rec: dict[str, Any]) -> None:
        rec.update(values)
    return mutate


@pytest.mark.parametrize("kind", ["penalty", "dishonesty", "commitment"])
def test_samples_are_valid_without_warnings(kind: str) -> None:
    for rec in samples(kind):
        result = validate(rec)
        assert result.ok, result.errors
        assert result.warnings == []


@pytest.mark.parametrize("kind", ["penalty", "dishonesty", "commitment"])
def test_every_required_field_is_required(kind: str) -> None:
    for spec in (*ENVELOPE, *BY_KIND[kind]):
        if spec.required != "yes":
            continue
        for blank in (None, "", "   "):
            rec = sample(kind)
            if blank is None:
                del rec[spec.code]
            else:
                rec[spec.code] = blank
            result = validate(rec)
            assert ("REQUIRED", spec.code) in codes(result), spec.code
            (issue,) = [i for i in result.errors if i.code == "REQUIRED"]
            assert spec.code in issue.message and spec.name in issue.message


CASES: list[tuple[str, int, Mutation, set[tuple[str, str | None]]]] = [
    # (kind, sample index, mutation, expected errors)
    ("penalty", 0, _set(CF_CFLB=[]), {("REQUIRED", "CF_CFLB")}),
    ("penalty", 0, _set(CF_XDR_MC=12), {("TYPE", "CF_XDR_MC")}),
    ("penalty", 0, _set(CF_CFLB="罚款"), {("TYPE", "CF_CFLB")}),
    ("penalty", 0, _set(CF_CFLB=["罚款", 3, "没收违法所得"]), {("TYPE", "CF_CFLB")}),
    ("penalty", 0, _set(CF_JDRQ=20250312), {("TYPE", "CF_JDRQ")}),
    ("penalty", 0, _set(CF_XDR_MC="某" * 201), {("TOO_LONG", "CF_XDR_MC")}),
    ("penalty", 0, _set(CF_WSH="号" * 129), {("TOO_LONG", "CF_WSH")}),
    ("penalty", 0, _set(CF_XDR_LB="企业"), {("NOT_IN_LIST", "CF_XDR_LB")}),
    ("penalty", 0, _set(CF_CFLB=["罚款", "没收违法所得", "训诫"]), {("NOT_IN_LIST", "CF_CFLB")}),
    ("penalty", 0, _set(province="BJ"), {("NOT_IN_LIST", "province")}),
    ("penalty", 0, _set(severity="grave"), {("NOT_IN_LIST", "severity")}),
    ("commitment", 0, _set(CN_GKFW="部分公开"), {("NOT_IN_LIST", "CN_GKFW")}),
    ("penalty", 0, _set(CF_JDRQ="2025/03/12"), {("DATE_FORMAT", "CF_JDRQ")}),
    ("penalty", 0, _set(CF_YXQ="2026-02-30"), {("DATE_FORMAT", "CF_YXQ")}),
    ("penalty", 0, _set(CF_NR_FK="-5"), {("AMOUNT_FORMAT", "CF_NR_FK")}),
    ("penalty", 0, _set(CF_NR_FK="5.4万元"), {("AMOUNT_FORMAT", "CF_NR_FK")}),
    ("penalty", 0, _set(CF_NR_FK="1e3"), {("AMOUNT_FORMAT", "CF_NR_FK")}),
    ("penalty", 0, _set(CF_NR_FK="0.0000001"), {("AMOUNT_FORMAT", "CF_NR_FK")}),
    ("penalty", 0, _set(CF_NR_FK=True), {("TYPE", "CF_NR_FK")}),
    ("penalty", 0, _set(rule_version="2021"), {("RULE_VERSION_UNKNOWN", "rule_version")}),
    # subject rules
    ("penalty", 0, _drop("CF_XDR_SHXYM"), {("USCC_REQUIRED", "CF_XDR_SHXYM")}),
    ("penalty", 0, _drop("CF_FRDB"), {("LEGAL_REP_REQUIRED", "CF_FRDB")}),
    ("dishonesty", 0, _drop("SX_SHXYM"), {("USCC_REQUIRED", "SX_SHXYM")}),
    ("dishonesty", 0, _set(SX_FDDBR=None), {("LEGAL_REP_REQUIRED", "SX_FDDBR")}),
    ("commitment", 1, _drop("CN_SHXYM"), {("USCC_REQUIRED", "CN_SHXYM")}),
    ("penalty", 1, _drop("CF_XDR_ZJLX"), {("ID_TYPE_REQUIRED", "CF_XDR_ZJLX")}),
    ("penalty", 1, _drop("CF_XDR_ZJHM"), {("ID_REQUIRED", "CF_XDR_ZJHM")}),
    ("dishonesty", 1, _drop("SX_ZJLX", "SX_ZJHM"),
     {("ID_TYPE_REQUIRED", "SX_ZJLX"), ("ID_REQUIRED", "SX_ZJHM")}),
    ("penalty", 1, _set(CF_XDR_ZJLX="护照"), {("NOT_IN_LIST", "CF_XDR_ZJLX")}),
    # penalty cross-field rules
    ("penalty", 0, _drop("CF_NR_FK"), {("FINE_AMOUNT_REQUIRED", "CF_NR_FK")}),
    ("penalty", 0, _set(CF_NR_FK="0"), {("FINE_AMOUNT_REQUIRED", "CF_NR_FK")}),
    ("penalty", 0, _drop("CF_NR_WFFF"), {("CONFISCATION_AMOUNT_REQUIRED", "CF_NR_WFFF")}),
    ("penalty", 2, _drop("CF_NR_ZKDX"), {("LICENCE_REQUIRED", "CF_NR_ZKDX")}),
    ("penalty", 0, _set(CF_GSJZQ="2026-03-11"), {("PUBLICITY_END_BAND", "CF_GSJZQ")}),
    # dates
    ("penalty", 0, _set(CF_YXQ="2025-03-11"), {("DATE_ORDER", "CF_YXQ")}),
    ("dishonesty", 0, _set(SX_YXQ="2024-11-04"), {("DATE_ORDER", "SX_YXQ")}),
    ("commitment", 0, _set(CN_YXQ="2025-06-15"), {("DATE_ORDER", "CN_YXQ")}),
    ("penalty", 0, _set(publish_date="2025-03-11"), {("DATE_ORDER", "publish_date")}),
    ("penalty", 0, _set(publish_date="2025-07-01"), {("DATE_IN_FUTURE", "publish_date")}),
    # commitments
    ("commitment", 0, _set(CN_BM="3205052025061600012"), {("COMMITMENT_CODE_FORMAT", "CN_BM")}),
    ("commitment", 0, _set(CN_BM="32050520251316000123"), {("COMMITMENT_CODE_FORMAT", "CN_BM")}),
    ("commitment", 0, _set(CN_BM="33010620250616000123"), {("PROVINCE_MISMATCH", "CN_BM")}),
]


@pytest.mark.parametrize(("kind", "index", "mutate", "expected"), CASES)
def test_minimal_mutation_gives_exactly_its_error(kind: str, index: int, mutate: Mutation,
                                                  expected: set[tuple[str, str | None]]) -> None:
    rec = sample(kind, index)
    mutate(rec)
    result = validate(rec)
    assert codes(result) == expected
    for issue in result.errors:
        assert issue.field is not None and issue.field in issue.message


def test_not_an_object() -> None:
    values: list[object] = [[], "text", 3, None]
    for value in values:
        result = validate(value)
        assert codes(result) == {("NOT_OBJECT", None)}


def test_unknown_kind_reports_only_envelope() -> None:
    rec = sample("penalty")
    rec["kind"] = "licence"
    result = validate(rec)
    assert codes(result) == {("NOT_IN_LIST", "kind")}


def test_unknown_field_is_a_warning() -> None:
    rec = sample("penalty")
    rec["CF_BZ"] = "备注"
    rec["SX_ZTMC"] = "not a penalty field"
    result = validate(rec)
    assert result.ok
    assert warning_codes(result) == {("UNKNOWN_FIELD", "CF_BZ"), ("UNKNOWN_FIELD", "SX_ZTMC")}


def test_invalid_field_is_not_reported_twice() -> None:
    rec = sample("penalty")
    rec["CF_NR_FK"] = "lots"  # present but malformed: no FINE_AMOUNT_REQUIRED on top
    rec["CF_JDRQ"] = "soon"    # malformed: no date-order or publicity findings on top
    assert codes(validate(rec)) == {("AMOUNT_FORMAT", "CF_NR_FK"), ("DATE_FORMAT", "CF_JDRQ")}


def test_messages_never_echo_identifiers_or_names() -> None:
    rec = sample("penalty", 1)
    secrets = [rec["CF_XDR_ZJHM"], rec["CF_XDR_MC"]]
    rec["CF_XDR_ZJHM"] = rec["CF_XDR_ZJHM"][:17] + "1"
    rec["CF_XDR_ZJLX"] = rec["CF_XDR_MC"]  # a name in the wrong field
    rec["CF_CFJGDM"] = rec["CF_CFJGDM"][:17] + "0"
    secrets += [rec["CF_XDR_ZJHM"], rec["CF_CFJGDM"]]
    result = validate(rec)
    assert {c for c, _ in codes(result)} >= {"ID_CHECK", "NOT_IN_LIST", "USCC_CHECK"}
    for issue in result.errors + result.warnings:
        for secret in secrets:
            assert secret not in issue.message
