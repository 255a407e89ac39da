"""Date rules: order between a record's dates, dates after today, and 双公示 timeliness.

``PUBLICATION_LATE`` is a warning, not an error: a penalty published after the 7
working days (domain.md §3) is still a true record and must not be lost; the delay is a
fault of the publisher to report, not a reason to refuse the record.
"""

from __future__ import annotations

import datetime as dt

from node.domain.calendar import CalendarNotCovered, HolidayCalendar, add_working_days
from node.domain.validation.issues import Collector

PUBLICATION_WORKING_DAYS = 7

# (earlier, later): the first date must not be after the second, per kind.
ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "penalty": (("CF_JDRQ", "CF_YXQ"), ("CF_JDRQ", "CF_GSJZQ"), ("CF_JDRQ", "publish_date")),
    "dishonesty": (("SX_LRRQ", "SX_YXQ"), ("SX_LRRQ", "publish_date")),
    "commitment": (("CN_RQ", "CN_YXQ"), ("CN_RQ", "publish_date")),
}
# Dates of something that has already happened: never after today.
PAST: dict[str, tuple[str, ...]] = {
    "penalty": ("CF_JDRQ", "publish_date"),
    "dishonesty": ("SX_LRRQ", "publish_date"),
    "commitment": ("CN_RQ", "publish_date"),
}


def check_dates(kind: str, dates: dict[str, dt.date], today: dt.date,
                calendar: HolidayCalendar, out: Collector) -> None:
    """Date rules of a record of ``kind`` over its valid ``dates`` (code -> date)."""
    for code in PAST[kind]:
        day = dates.get(code)
        if day is not None and day > today:
            out.add("DATE_IN_FUTURE", code,
                    f"{code} is {day.isoformat()}, after today {today.isoformat()}")
    for first, second in ORDER[kind]:
        a, b = dates.get(first), dates.get(second)
        if a is not None and b is not None and a > b:
            out.add("DATE_ORDER", second,
                    f"{second} is {b.isoformat()}, before {first} {a.isoformat()}; "
                    f"expected on or after it")
    if kind == "penalty":
        _publication(dates.get("CF_JDRQ"), dates.get("publish_date"), calendar, out)


def _publication(decision: dt.date | None, published: dt.date | None,
                 calendar: HolidayCalendar, out: Collector) -> None:
    if decision is None or published is None or published <= decision:
        return
    try:
        deadline = add_working_days(decision, PUBLICATION_WORKING_DAYS, calendar)
    except CalendarNotCovered:
        deadline = add_working_days(decision, PUBLICATION_WORKING_DAYS, calendar, strict=False)
        out.add("CALENDAR_NOT_COVERED", "publish_date",
                f"the holiday calendar does not cover the working days after CF_JDRQ "
                f"{decision.isoformat()}; only weekends were counted as days off")
    if published > deadline:
        out.add("PUBLICATION_LATE", "publish_date",
                f"publish_date {published.isoformat()} is later than {deadline.isoformat()}, "
                f"{PUBLICATION_WORKING_DAYS} working days after CF_JDRQ {decision.isoformat()} "
                "(双公示)")
