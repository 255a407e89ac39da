"""Dates for synthetic records, as day ordinals, with the rule-driven ones cached.

Decision dates lie in a fixed window (:data:`FIRST_DAY`..:data:`LAST_DAY`), not relative to
today, so output does not depend on when it is generated; the holiday calendar covers
the window plus the working days a publication may take. Publicity ends are computed as
:func:`node.domain.publicity.publicity_end` does (band of the decision, then decision
date + the band's maximum), split so the band is worked out once per kind of decision;
publication dates come from :func:`node.domain.calendar.add_working_days`. Each is
computed once per distinct input.
"""

from __future__ import annotations

import datetime as dt

from node.devnet.synth.pick import SynthRandom
from node.domain.calendar import HolidayCalendar, add_working_days, default_calendar
from node.domain.publicity import RuleTable, add_months, default_rules, effective_band

FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)
ANCHOR = LAST_DAY  # "now" for the data: entries that ended before it carry a removal reason


class DateBook:
    """Date arithmetic for the generator, cached by input."""

    def __init__(self, calendar: HolidayCalendar | None = None,
                 rules: RuleTable | None = None) -> None:
        self.calendar = calendar if calendar is not None else default_calendar()
        self.rules = rules if rules is not None else default_rules()
        self.first = FIRST_DAY.toordinal()
        self.last = LAST_DAY.toordinal()
        self.anchor = ANCHOR.toordinal()
        self._iso: dict[int, str] = {}
        self._cn: dict[int, str] = {}
        self._work: dict[tuple[int, int], int] = {}
        self._months: dict[tuple[str, str, tuple[str, ...], bool], int | None] = {}
        self._ends: dict[tuple[int, int], int] = {}

    def random_day(self, rng: SynthRandom) -> int:
        return rng.randint(self.first, self.last)

    def iso(self, day: int) -> str:
        text = self._iso.get(day)
        if text is None:
            text = dt.date.fromordinal(day).isoformat()
            self._iso[day] = text
        return text

    def cn(self, day: int) -> str:
        """``2024年3月12日``, as dates are written in decisions."""
        text = self._cn.get(day)
        if text is None:
            d = dt.date.fromordinal(day)
            text = f"{d.year}年{d.month}月{d.day}日"
            self._cn[day] = text
        return text

    def working_days_after(self, day: int, n: int) -> int:
        key = (day, n)
        found = self._work.get(key)
        if found is None:
            found = add_working_days(dt.date.fromordinal(day), n, self.calendar).toordinal()
            self._work[key] = found
        return found

    def publicity_end(self, day: int, severity: str, rule_version: str, types: tuple[str, ...],
                      simplified: bool) -> int | None:
        """End of publicity for a decision on ``day``; None when it is not published.

        Raises ``UnknownRuleVersion`` for a version the rule table lacks.
        """
        kind = (severity, rule_version, types, simplified)
        if kind in self._months:
            months = self._months[kind]
        else:
            rule_set = self.rules.get(rule_version)
            band = effective_band(severity, types, rule_set, simplified=simplified)
            period = None if band == "none" else rule_set.bands[band]
            months = None if period is None else period.max_months
            self._months[kind] = months
        if months is None:
            return None
        end = self._ends.get((day, months))
        if end is None:
            end = add_months(dt.date.fromordinal(day), months).toordinal()
            self._ends[(day, months)] = end
        return end

    def add_years(self, day: int, years: int) -> int:
        """``day`` plus whole years; 29 February becomes 28 February."""
        d = dt.date.fromordinal(day)
        try:
            return d.replace(year=d.year + years).toordinal()
        except ValueError:
            return d.replace(year=d.year + years, day=28).toordinal()
