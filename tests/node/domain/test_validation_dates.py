"""Date rules: order, future dates, 双公示 timeliness with the holiday calendar."""

from __future__ import annotations

import dataclasses
import datetime as dt

from domain_samples import CTX, codes, sample, validate, warning_codes


def test_publication_within_seven_working_days_across_spring_festival() -> None:
    rec = sample("penalty", 2)  # decided Friday 2025-01-24, published 2025-02-10
    result = validate(rec)
    assert result.ok and result.warnings == []
    rec["publish_date"] = "2025-02-11"
    result = validate(rec)
    assert result.ok  # late publication is only a warning
    assert warning_codes(result) == {("PUBLICATION_LATE", "publish_date")}
    message = result.warnings[0].message
    assert "2025-02-11" in message and "2025-02-10" in message and "2025-01-24" in message


def test_publication_across_national_day() -> None:
    rec = sample("penalty")
    rec.update(CF_JDRQ="2025-09-26", publish_date="2025-10-13", CF_YXQ="2026-09-26",
               CF_GSJZQ="2026-09-26")
    ctx = dataclasses.replace(CTX, today=dt.date(2025, 12, 1))
    assert validate(rec, ctx).warnings == []
    rec["publish_date"] = "2025-10-14"
    assert warning_codes(validate(rec, ctx)) == {("PUBLICATION_LATE", "publish_date")}


def test_calendar_not_covered_falls_back_with_a_warning() -> None:
    rec = sample("penalty")
    rec.update(CF_JDRQ="2026-12-28", publish_date="2027-01-05", CF_YXQ="2027-12-28",
               CF_GSJZQ="2027-12-28")
    ctx = dataclasses.replace(CTX, today=dt.date(2027, 2, 1))
    result = validate(rec, ctx)
    assert result.ok
    assert warning_codes(result) == {("CALENDAR_NOT_COVERED", "publish_date")}
    rec["publish_date"] = "2027-01-07"  # 8 weekday working days later
    assert warning_codes(validate(rec, ctx)) == {("CALENDAR_NOT_COVERED", "publish_date"),
                                                 ("PUBLICATION_LATE", "publish_date")}


def test_no_timeliness_rule_for_other_kinds() -> None:
    rec = sample("dishonesty")
    rec["publish_date"] = "2025-01-20"
    result = validate(rec)
    assert result.ok and result.warnings == []


def test_dates_after_today_are_refused() -> None:
    early = dataclasses.replace(CTX, today=dt.date(2025, 3, 20))
    rec = sample("penalty")
    assert validate(rec, early).ok
    rec["publish_date"] = "2025-03-21"
    assert codes(validate(rec, early)) == {("DATE_IN_FUTURE", "publish_date")}
    for kind, fld in (("penalty", "CF_JDRQ"), ("dishonesty", "SX_LRRQ"), ("commitment", "CN_RQ")):
        rec = sample(kind)
        rec.pop("publish_date", None)
        ctx = dataclasses.replace(CTX, today=dt.date.fromisoformat(rec[fld]) - dt.timedelta(1))
        assert ("DATE_IN_FUTURE", fld) in codes(validate(rec, ctx))


def test_equal_dates_are_in_order() -> None:
    rec = sample("commitment")
    rec.update(CN_YXQ=rec["CN_RQ"], publish_date=rec["CN_RQ"])
    assert validate(rec).ok


def test_date_order_message_names_both_dates() -> None:
    rec = sample("penalty")
    rec["CF_GSJZQ"] = "2025-03-01"
    result = validate(rec)
    orders = [i for i in result.errors if i.code == "DATE_ORDER"]
    assert len(orders) == 1
    assert orders[0].field == "CF_GSJZQ"
    assert "2025-03-01" in orders[0].message and "CF_JDRQ 2025-03-12" in orders[0].message
