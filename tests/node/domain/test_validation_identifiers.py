"""Identifier rules through the validator: the examples of domain.md §1."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from domain_samples import CTX, codes, make_uscc, sample, validate, warning_codes

from node.domain.identifiers import check_uscc, id_check_char, uscc_check_char

DOMAIN_VALID_USCCS = [
    "91110000600037341L",
    "91350100M000100Y43",
    "91350200776049653A",
    "91440101MA5CJQ4N59",
    "11230500001755309F",
]
BAD_CHECK_PILOT = "91350100M0001TGQXM"


@pytest.mark.parametrize("code", DOMAIN_VALID_USCCS)
def test_domain_uscc_examples_are_accepted_as_subject(code: str) -> None:
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = code
    result = validate(rec)
    assert result.ok, result.errors
    assert not [w for w in result.warnings if w.code != "USCC_ORG_CODE"]


@pytest.mark.parametrize("prefix", ["Y1", "N2", "A1", "51", "93"])
def test_letter_authority_codes_are_valid(prefix: str) -> None:
    code = make_uscc(prefix, "320100", "50123458")
    assert code[17] == uscc_check_char(code[:17])
    rec = sample("dishonesty")
    rec["SX_SHXYM"] = code
    result = validate(rec)
    assert result.ok, result.errors
    assert result.warnings == []


def test_bad_check_pilot_code_is_refused_with_its_own_kind() -> None:
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = BAD_CHECK_PILOT
    result = validate(rec)
    assert codes(result) == {("USCC_CHECK", "CF_XDR_SHXYM")}
    message = result.errors[0].message
    assert BAD_CHECK_PILOT not in message
    assert "91**************XM" in message


def test_bad_check_pilot_code_is_accepted_when_allow_listed() -> None:
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = BAD_CHECK_PILOT
    ctx = dataclasses.replace(CTX, uscc_allow_list=frozenset({BAD_CHECK_PILOT}))
    result = validate(rec, ctx)
    assert result.ok
    assert ("USCC_CHECK_ALLOWED", "CF_XDR_SHXYM") in warning_codes(result)


def test_allow_list_does_not_excuse_a_malformed_code() -> None:
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = "91350100M0001TGQX"  # 17 characters
    ctx = dataclasses.replace(CTX, uscc_allow_list=frozenset({"91350100M0001TGQX"}))
    assert codes(validate(rec, ctx)) == {("USCC_FORMAT", "CF_XDR_SHXYM")}


@pytest.mark.parametrize("bad", ["91320505137123458b", "9132050513712345 8B", "I1320505137123458B",
                                 "913205051371234588", "9132050513712345"])
def test_malformed_or_wrong_uscc(bad: str) -> None:
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = bad
    expected = "USCC_CHECK" if bad == "913205051371234588" else "USCC_FORMAT"
    assert codes(validate(rec)) == {(expected, "CF_XDR_SHXYM")}


def test_lower_case_uscc_gets_a_hint() -> None:
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = rec["CF_XDR_SHXYM"].lower()
    (issue,) = validate(rec).errors
    assert "lower-case" in issue.message


def test_org_code_failure_is_only_a_warning() -> None:
    body = "9132050513712345" + "0"  # embedded organisation-code check fails
    code = body + uscc_check_char(body)
    assert check_uscc(code).problem is None and not check_uscc(code).org_code_ok
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = code
    result = validate(rec)
    assert result.ok
    assert warning_codes(result) == {("USCC_ORG_CODE", "CF_XDR_SHXYM")}


def test_authority_and_source_uscc_are_checked_too() -> None:
    rec = sample("penalty")
    rec["CF_CFJGDM"] = rec["CF_CFJGDM"][:17] + ("0" if rec["CF_CFJGDM"][17] != "0" else "1")
    rec["CF_SJLYDM"] = "not a code"
    assert codes(validate(rec)) == {("USCC_CHECK", "CF_CFJGDM"), ("USCC_FORMAT", "CF_SJLYDM")}


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x",
                                    "34052419800101001X", "34052419800101001x"])
def test_domain_id_examples_are_accepted(number: str) -> None:
    rec = sample("penalty", 1)
    rec["CF_XDR_ZJHM"] = number
    result = validate(rec)
    assert result.ok, result.errors


@pytest.mark.parametrize(("number", "code"), [
    ("110105194912310021", "ID_CHECK"),       # check character should be X
    ("11010519491331002X", "ID_BIRTH_DATE"),  # month 13
    ("11010520250230002X", "ID_BIRTH_DATE"),  # 30 February
    ("11010520260101002X", "ID_FUTURE_BIRTH"),
    ("1101051949123100", "ID_FORMAT"),
    ("11010519491231002Y", "ID_FORMAT"),
])
def test_bad_id_numbers(number: str, code: str) -> None:
    for kind, index, fld in (("penalty", 1, "CF_XDR_ZJHM"), ("dishonesty", 1, "SX_ZJHM")):
        rec = sample(kind, index)
        rec[fld] = number
        result = validate(rec)
        assert codes(result) == {(code, fld)}
        for issue in result.errors:
            assert number not in issue.message
            assert number.upper() not in issue.message
            assert number[6:14] not in issue.message  # not even the birth date


def test_future_birth_is_relative_to_context_today() -> None:
    rec = sample("penalty", 1)
    rec["CF_XDR_ZJHM"] = "11010520250630001" + id_check_char("11010520250630001")
    assert validate(rec).ok  # born "today" is not in the future
    later = dataclasses.replace(CTX, today=dt.date(2025, 6, 29))
    assert codes(validate(rec, later)) == {("ID_FUTURE_BIRTH", "CF_XDR_ZJHM")}


def _weighted_sum(body: str, alphabet: str, weights: tuple[int, ...]) -> int:
    """The check sums computed the plain way (GB 32100 / GB 11643), to pin the tables."""
    return sum(alphabet.index(ch) * w for ch, w in zip(body, weights, strict=True))


@pytest.mark.parametrize("body", ["91350100M000100Y4", "Y1YYYYYY YYYYYYYYY".replace(" ", ""),
                                  "00000000000000000", "9144010" + "1MA5CJQ4N5"])
def test_check_characters_from_the_tables_equal_the_plain_sums(body: str) -> None:
    from node.domain.identifiers import (
        ID_CHECK,
        ID_WEIGHTS,
        USCC_ALPHABET,
        USCC_WEIGHTS,
        org_code_check_char,
    )

    total = _weighted_sum(body, USCC_ALPHABET, USCC_WEIGHTS)
    assert uscc_check_char(body) == USCC_ALPHABET[(31 - total % 31) % 31]
    digits = "".join(str(USCC_ALPHABET.index(ch) % 10) for ch in body)
    assert id_check_char(digits) == ID_CHECK[_weighted_sum(digits, "0123456789", ID_WEIGHTS) % 11]
    org_total = sum(int(ch, 36) * w for ch, w in zip(body[:8], (3, 7, 9, 10, 5, 8, 4, 2),
                                                     strict=True))
    assert org_code_check_char(body[:8]) == {10: "X", 11: "0"}.get(11 - org_total % 11,
                                                                    str(11 - org_total % 11))


def test_characters_outside_the_tables_keep_their_old_results() -> None:
    from node.domain.identifiers import org_code_check_char

    # str.isdigit accepts other decimal digits; int() reads them as the same numbers.
    assert id_check_char("٣" + "1010519491231002") == id_check_char("31010519491231002")
    assert org_code_check_char("M000100٣") == org_code_check_char("M0001003")
    with pytest.raises(ValueError, match="outside the USCC alphabet: 'I'"):
        uscc_check_char("91350100I000100Y4")
    with pytest.raises(ValueError, match="invalid character 'a'"):
        org_code_check_char("a0001003")
