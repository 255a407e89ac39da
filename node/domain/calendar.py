"""The PRC public-holiday calendar and working-day arithmetic.

The calendar is data (``node/domain/data/holidays.json``): per year the State Council's
holiday spans (放假) and its adjusted working days (调休上班, weekend days that are
working days). A day is a working day when it is an adjusted working day, or a
Monday-Friday that is not a holiday.

A date in a year the data does not cover raises :class:`CalendarNotCovered`: treating it
as an ordinary week would silently miscount around the next Spring Festival. Callers that
must go on anyway pass ``strict=False`` and get the weekends-only count (validation does
so and reports ``CALENDAR_NOT_COVERED``).

Usage::

    cal = default_calendar()
    add_working_days(dt.date(2025, 1, 24), 7, cal)   # 2025-02-10, across 春节
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from node.domain.data_files import read_json_table
from node.domain.errors import DomainError

DATA_FILE = "holidays.json"
_ONE_DAY = dt.timedelta(days=1)


class CalendarNotCovered(DomainError, ValueError):
    """A date falls in a year the holiday calendar has no notice for."""


class CalendarDataError(DomainError, ValueError):
    """The holiday calendar document is malformed."""


@dataclass(frozen=True)
class HolidayCalendar:
    """Holidays and adjusted working days of the covered years."""

    years: frozenset[int]
    holidays: frozenset[dt.date] = field(repr=False)
    workdays: frozenset[dt.date] = field(repr=False)
    source: str = field(default="", repr=False)

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: dt.date, *, strict: bool = True) -> bool:
        """Whether ``day`` is a working day.

        Raises :class:`CalendarNotCovered` when ``day``'s year is not covered, unless
        ``strict`` is False (then only weekends are days off).
        """
        if day.year not in self.years:
            if strict:
                raise CalendarNotCovered(
                    f"{day.isoformat()} is outside the holiday calendar (covers "
                    f"{_span(self.years)}); add that year's State Council notice to {DATA_FILE}")
            return day.weekday() < 5
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _span(years: frozenset[int]) -> str:
    return f"{min(years)}-{max(years)}" if years else "no year"


def is_working_day(day: dt.date, calendar: HolidayCalendar | None = None, *,
                   strict: bool = True) -> bool:
    """Whether ``day`` is a working day in ``calendar`` (default: the packaged one)."""
    cal = calendar if calendar is not None else default_calendar()
    return cal.is_working_day(day, strict=strict)


def add_working_days(start: dt.date, n: int, calendar: HolidayCalendar | None = None, *,
                     strict: bool = True) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    Precondition: ``n >= 0``; ``n == 0`` returns ``start``. Raises
    :class:`CalendarNotCovered` if a day counted lies outside the calendar and ``strict``.
    """
    if n < 0:
        raise ValueError(f"working-day count must be >= 0, got {n}")
    cal = calendar if calendar is not None else default_calendar()
    day = start
    left = n
    while left:
        day += _ONE_DAY
        if cal.is_working_day(day, strict=strict):
            left -= 1
    return day


def _date(text: object, where: str) -> dt.date:
    if not isinstance(text, str) or len(text) != 10:
        raise CalendarDataError(f"holiday calendar: {where}: want a YYYY-MM-DD string")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CalendarDataError(f"holiday calendar: {where}: {text!r} is not a real date") from exc


def parse_calendar(doc: object) -> HolidayCalendar:
    """Build a calendar from the parsed JSON document.

    Precondition: ``doc`` is ``{"source": str, "years": {"YYYY": {"holidays": [{"from",
    "to"}...], "workdays": [date...]}}}``. Raises :class:`CalendarDataError` naming the
    defect: an adjusted working day that is not a weekend day, a day both holiday and
    working day, a span that ends before it starts.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("years"), dict):
        raise CalendarDataError("holiday calendar: want an object with a 'years' object")
    years: set[int] = set()
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for key, entry in doc["years"].items():
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise CalendarDataError(f"holiday calendar: year key {key!r} is not YYYY")
        if not isinstance(entry, dict):
            raise CalendarDataError(f"holiday calendar: {key}: want an object")
        years.add(int(key))
        for i, span in enumerate(entry.get("holidays", [])):
            where = f"{key}.holidays[{i}]"
            if not isinstance(span, dict):
                raise CalendarDataError(f"holiday calendar: {where}: want an object")
            first, last = _date(span.get("from"), where), _date(span.get("to"), where)
            if last < first:
                raise CalendarDataError(
                    f"holiday calendar: {where}: 'to' {last} before 'from' {first}")
            day = first
            while day <= last:
                holidays.add(day)
                day += _ONE_DAY
        for i, text in enumerate(entry.get("workdays", [])):
            day = _date(text, f"{key}.workdays[{i}]")
            if day.weekday() < 5:
                raise CalendarDataError(
                    f"holiday calendar: {key}.workdays[{i}]: {day} is a weekday, want a "
                    "weekend day (调休上班 days are weekend days)")
            workdays.add(day)
    both = holidays & workdays
    if both:
        raise CalendarDataError(
            f"holiday calendar: {min(both)} is both a holiday and a working day")
    source = doc.get("source", "")
    return HolidayCalendar(frozenset(years), frozenset(holidays), frozenset(workdays),
                           source if isinstance(source, str) else "")


def load_calendar(path: Path | None = None) -> HolidayCalendar:
    """Read a calendar from ``path`` (default: the packaged ``holidays.json``)."""
    doc = read_json_table(DATA_FILE, path, "holiday calendar", CalendarDataError)
    return parse_calendar(doc)


@lru_cache(maxsize=1)
def default_calendar() -> HolidayCalendar:
    """The packaged calendar, read once."""
    return load_calendar()
