"""The synthetic-record generator: deterministic, valid, realistic in shape and mix."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from itertools import islice

import pytest

from node.cli.synth_cmd import write_jsonl
from node.devnet.synth import generate, generate_records
from node.devnet.synth.dates import FIRST_DAY, LAST_DAY
from node.devnet.synth.subjects import REUSES
from node.domain.calendar import add_working_days
from node.domain.fields import (
    BY_KIND,
    COMMITMENT_TYPES,
    ENVELOPE,
    PENALTY_TYPES,
    PROVINCES,
    SUBJECT_FIELDS,
)
from node.domain.identifiers import check_id_number, check_uscc
from node.domain.local_categories import find_local_category, load_local_categories
from node.domain.publicity import publicity_end
from node.domain.records import parse_record, to_json
from node.domain.validation import ValidationContext, validate_record

TODAY = dt.date(2026, 11, 28)
PER_PROVINCE = 500  # 2,000 records in all


@pytest.fixture(scope="module")
def samples() -> dict[str, list[dict[str, object]]]:
    return {p: list(generate_records(p, PER_PROVINCE, 11)) for p in PROVINCES}


def _all(samples: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    return [r for records in samples.values() for r in records]


def _bytes(province: str, count: int, seed: int) -> bytes:
    buf = io.BytesIO()
    write_jsonl(generate_records(province, count, seed), buf)
    return buf.getvalue()


def _date(value: object) -> dt.date:
    assert isinstance(value, str)
    return dt.date.fromisoformat(value)


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    first = _bytes("JS", 300, 7)
    assert first == _bytes("JS", 300, 7)
    assert first != _bytes("JS", 300, 8)
    assert first != _bytes("ZJ", 300, 7).replace(b'"ZJ', b'"JS')


def test_fewer_records_are_a_prefix_of_more() -> None:
    assert _bytes("AH", 1000, 3).startswith(_bytes("AH", 250, 3))


def test_count_is_honoured() -> None:
    assert len(list(generate_records("SH", 0, 1))) == 0
    assert len(list(generate_records("SH", 1234, 1))) == 1234
    assert len(list(islice(generate("SH", 1), 10))) == 10


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown province 'GD'"):
        next(generate("GD", 1))
    with pytest.raises(ValueError, match="record count must be >= 0, got -1"):
        generate_records("JS", -1, 1)


def test_sample_validates_with_zero_errors(samples: dict[str, list[dict[str, object]]]) -> None:
    ctx = ValidationContext(today=TODAY)
    warnings: Counter[str] = Counter()
    for record in _all(samples):
        # Round-trip through JSON as a reader of the output would.
        result = validate_record(json.loads(json.dumps(record, ensure_ascii=False)), ctx)
        assert result.errors == [], (record["record_no"], result.errors)
        warnings.update(i.code for i in result.warnings)
    # Only the deliberate embedded-org-code failures of some MA… codes warn.
    assert set(warnings) <= {"USCC_ORG_CODE"}
    assert 0 < warnings["USCC_ORG_CODE"] < len(_all(samples)) * 0.1


def test_records_are_in_normal_form(samples: dict[str, list[dict[str, object]]]) -> None:
    # Canonical amounts, upper-case X, no blank optional fields: what the store keeps.
    for record in _all(samples):
        assert to_json(parse_record(record)) == record


def test_every_kind_present_in_the_intended_mix(
        samples: dict[str, list[dict[str, object]]]) -> None:
    for records in samples.values():
        kinds = Counter(r["kind"] for r in records)
        assert set(kinds) == set(BY_KIND)
        assert 0.6 < kinds["penalty"] / len(records) < 0.8
        assert 0.08 < kinds["dishonesty"] / len(records) < 0.22
        assert 0.08 < kinds["commitment"] / len(records) < 0.22


def test_fields_are_json_strings_or_string_lists(
        samples: dict[str, list[dict[str, object]]]) -> None:
    for record in _all(samples):
        known = {f.code for f in ENVELOPE} | {f.code for f in BY_KIND[str(record["kind"])]}
        assert set(record) <= known
        for key, value in record.items():
            if key == "CF_CFLB":
                assert isinstance(value, list) and value
                assert all(isinstance(t, str) and t in PENALTY_TYPES for t in value)
            else:
                assert isinstance(value, str) and value.strip(), key


def test_identifiers_valid_and_under_the_province(
        samples: dict[str, list[dict[str, object]]]) -> None:
    for province, records in samples.items():
        prefix = PROVINCES[province][:2]
        for record in records:
            _, uscc_field, _, id_field, _ = SUBJECT_FIELDS[str(record["kind"])]
            for key, value in record.items():
                if key.endswith(("SHXYM", "JGDM", "LYDM", "RDJGDM", "SLDWDM")):
                    assert isinstance(value, str)
                    assert check_uscc(value).problem is None, key
                    assert value[2:4] == prefix, key
            if id_field in record:
                number = str(record[id_field])
                finding = check_id_number(number, TODAY)
                assert finding.problem is None
                assert number[:2] == prefix
                assert finding.birth_date is not None
                age_days = (TODAY - finding.birth_date).days
                assert 18 * 365 < age_days < 75 * 366
            if uscc_field in record:
                assert str(record[uscc_field])[:2] in {"91", "92", "93", "12", "51", "52"}


def test_deciding_bodies_are_government_codes(
        samples: dict[str, list[dict[str, object]]]) -> None:
    for record in _all(samples):
        for field in ("CF_CFJGDM", "SX_RDJGDM", "CN_SLDWDM"):
            if field in record:
                assert str(record[field]).startswith("11")


def test_subject_kind_decides_identifier_fields(
        samples: dict[str, list[dict[str, object]]]) -> None:
    persons = 0
    penalties = 0
    for record in _all(samples):
        kind_field, uscc_field, type_field, id_field, _ = SUBJECT_FIELDS[str(record["kind"])]
        if record[kind_field] == "自然人":
            assert record[type_field] == "身份证" and id_field in record
            assert uscc_field not in record
        else:
            assert uscc_field in record and id_field not in record
        if record["kind"] == "penalty":
            penalties += 1
            persons += record["CF_XDR_LB"] == "自然人"
            if record["CF_XDR_LB"] == "法人及非法人组织":
                assert "CF_FRDB" in record
    assert 0.15 < persons / penalties < 0.35


def test_penalty_amounts_and_publicity(samples: dict[str, list[dict[str, object]]]) -> None:
    severities: Counter[str] = Counter()
    versions: Counter[str] = Counter()
    for record in _all(samples):
        if record["kind"] != "penalty":
            continue
        types = record["CF_CFLB"]
        assert isinstance(types, list)
        severities[str(record["severity"])] += 1
        versions[str(record["rule_version"])] += 1
        assert ("CF_NR_FK" in record) == ("罚款" in types)
        assert ("CF_NR_WFFF" in record) == bool({"没收违法所得", "没收非法财物"} & set(types))
        for amount in ("CF_NR_FK", "CF_NR_WFFF"):
            if amount in record:
                assert re.fullmatch(r"[1-9]\d*(\.\d{1,4})?|0\.\d{1,4}", str(record[amount]))
        simplified = record["CF_SIMPLE"] == "是"
        if record["severity"] == "minor":
            assert simplified or set(types) <= {"警告", "通报批评"}
        decided = _date(record["CF_JDRQ"])
        assert FIRST_DAY <= decided <= LAST_DAY
        end = publicity_end(decided, str(record["severity"]), str(record["rule_version"]),
                            types, simplified=simplified)
        assert record.get("CF_GSJZQ") == (None if end is None else end.isoformat())
        if end is None:
            assert "publish_date" not in record
        else:
            assert decided <= end
        if "publish_date" in record:
            published = _date(record["publish_date"])
            assert decided < published <= add_working_days(decided, 7)
    assert set(severities) == {"minor", "general", "serious"}
    assert severities["general"] > severities["serious"] > 0
    assert versions.most_common(1)[0][0] == "2023"
    assert {"2019", "2025"} <= set(versions)


def test_local_categories_fit_kind_and_severity(
        samples: dict[str, list[dict[str, object]]]) -> None:
    table = load_local_categories()
    for province, records in samples.items():
        for record in records:
            cat = find_local_category(table, province, str(record["local_category"]))
            assert cat is not None
            assert (cat.kind, cat.severity) == (record["kind"], record["severity"])


def test_record_numbers_unique_and_shaped(samples: dict[str, list[dict[str, object]]]) -> None:
    for province, records in samples.items():
        numbers = [str(r["record_no"]) for r in records]
        assert len(set(numbers)) == len(numbers)
        assert all(re.fullmatch(rf"{province}-20\d\d-\d{{6}}", n) for n in numbers)


def test_dishonesty_and_commitment_shapes(samples: dict[str, list[dict[str, object]]]) -> None:
    lists: Counter[str] = Counter()
    for province, records in samples.items():
        for record in records:
            if record["kind"] == "dishonesty":
                lists[str(record["SX_MDMC"])] += 1
                assert record["severity"] == "serious"
                assert _date(record["SX_LRRQ"]) < _date(record["SX_YXQ"])
            elif record["kind"] == "commitment":
                code = str(record["CN_BM"])
                assert re.fullmatch(r"\d{20}", code)
                assert code[:2] == PROVINCES[province][:2]
                assert code[6:14] == str(record["CN_RQ"]).replace("-", "")
                assert record["CN_LX"] in COMMITMENT_TYPES
                if record["CN_CNRLB"] == "自然人":
                    assert record["CN_GKFW"] != "公开"
                assert ("publish_date" in record) == (record["CN_GKFW"] == "公开")
    assert {"失信被执行人名单", "市场监督管理严重违法失信名单",
            "重大税收违法失信主体"} <= set(lists)


def test_some_subjects_recur_none_too_often(
        samples: dict[str, list[dict[str, object]]]) -> None:
    for records in samples.values():
        codes: Counter[str] = Counter()
        names: dict[str, set[str]] = {}
        for record in records:
            _, uscc_field, _, id_field, name_field = SUBJECT_FIELDS[str(record["kind"])]
            code = str(record.get(uscc_field) or record.get(id_field))
            codes[code] += 1
            if uscc_field in record:
                names.setdefault(str(record[name_field]), set()).add(code)
        repeated = [c for c, n in codes.items() if n >= 3]
        assert len(repeated) >= 5
        assert max(codes.values()) <= 1 + max(REUSES)
        # One organisation name, one organisation.
        assert all(len(found) == 1 for found in names.values())
