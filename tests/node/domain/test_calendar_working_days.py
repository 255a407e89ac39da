"""The holiday calendar and working-day arithmetic (调休 included)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from node.domain.calendar import (
    CalendarDataError,
    CalendarNotCovered,
    add_working_days,
    default_calendar,
    is_working_day,
    load_calendar,
    parse_calendar,
)

D = dt.date
DATA = Path(__file__).parents[3] / "node/domain/data/holidays.json"


def test_covers_2019_to_2026() -> None:
    assert default_calendar().years == frozenset(range(2019, 2027))


def test_2025_spring_festival_with_adjusted_working_days() -> None:
    # 1-26 (Sunday) and 2-8 (Saturday) are working days; 1-28..2-4 are holidays.
    assert is_working_day(D(2025, 1, 26))
    assert is_working_day(D(2025, 2, 8))
    assert not is_working_day(D(2025, 1, 28))
    assert not is_working_day(D(2025, 2, 4))
    assert not is_working_day(D(2025, 2, 9))  # an ordinary Sunday
    # Friday 1-24 + 7: 1-26, 1-27, 2-5, 2-6, 2-7, 2-8, 2-10
    assert add_working_days(D(2025, 1, 24), 7) == D(2025, 2, 10)
    assert add_working_days(D(2025, 1, 24), 2) == D(2025, 1, 27)
    assert add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)


def test_2025_national_day_with_adjusted_working_days() -> None:
    assert is_working_day(D(2025, 9, 28))
    assert is_working_day(D(2025, 10, 11))
    assert not is_working_day(D(2025, 10, 8))
    # Friday 9-26 + 7: 9-28, 9-29, 9-30, 10-9, 10-10, 10-11, 10-13
    assert add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)


def test_2026_spring_festival_and_year_boundary() -> None:
    assert is_working_day(D(2026, 1, 4))        # Sunday, adjusted working day
    assert not is_working_day(D(2026, 1, 2))    # 元旦 holiday
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)   # Saturday, working
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_zero_and_negative_counts() -> None:
    assert add_working_days(D(2025, 2, 1), 0) == D(2025, 2, 1)
    with pytest.raises(ValueError, match="must be >= 0, got -1"):
        add_working_days(D(2025, 2, 1), -1)


def test_outside_the_calendar_is_a_clear_error() -> None:
    with pytest.raises(CalendarNotCovered, match=r"2027-01-04 is outside.*2019-2026"):
        is_working_day(D(2027, 1, 4))
    with pytest.raises(CalendarNotCovered):
        add_working_days(D(2026, 12, 30), 5)
    assert add_working_days(D(2026, 12, 30), 5, strict=False) == D(2027, 1, 6)
    assert is_working_day(D(2027, 1, 4), strict=False)


def test_data_is_consistent() -> None:
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    assert "source" in doc and "maintenance" in doc
    cal = default_calendar()
    for year in range(2019, 2027):
        entry = doc["years"][str(year)]
        assert entry["notice"]
        assert len(entry["holidays"]) >= 6
        # 元旦, 春节 and 国庆节 are always there
        names = "".join(h["name"] for h in entry["holidays"])
        for name in ("元旦", "春节", "国庆"):
            assert name in names
        assert D(year, 10, 1) in cal.holidays and D(year, 10, 3) in cal.holidays
        assert D(year, 5, 1) in cal.holidays
    for day in cal.workdays:
        assert day.weekday() >= 5


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["years"]["2025"]["workdays"].append("2025-03-03"), "is a weekday"),
    (lambda d: d["years"]["2025"]["workdays"].append("2025-02-01"), "both a holiday and a working"),
    (lambda d: d["years"]["2025"]["holidays"].append({"from": "2025-05-05", "to": "2025-05-01"}),
     "before 'from'"),
    (lambda d: d["years"]["2025"]["holidays"].append({"from": "2025-02-30", "to": "2025-03-01"}),
     "not a real date"),
    (lambda d: d["years"].update({"25": {}}), "not YYYY"),
])
def test_malformed_calendars_are_refused(mutate: object, message: str) -> None:
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(CalendarDataError, match=message):
        parse_calendar(doc)


def test_load_from_path(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"source": "test", "years": {"2030": {
        "holidays": [{"name": "x", "from": "2030-01-01", "to": "2030-01-01"}],
        "workdays": ["2030-01-05"]}}}), encoding="utf-8")
    cal = load_calendar(path)
    assert not cal.is_working_day(D(2030, 1, 1))
    assert cal.is_working_day(D(2030, 1, 5))
    assert add_working_days(D(2029, 12, 31), 1, cal) == D(2030, 1, 2)
