"""Publicity periods of administrative penalties, from a versioned rule table.

The table is data (``node/domain/data/publicity_rules.json``); each record names its
``rule_version``. For a decision the table gives a *band*: ``none`` (not published),
``minor``, ``general`` or ``serious``. The band is the longest of the bands its penalty
types imply (a type's own band, or the record's severity for most types); a decision by
simplified procedure takes ``simplified_procedure_band``. Periods are counted in
calendar months from the decision date, clamped to month end (Jan 31 + 1 month =
Feb 28/29).

Usage::

    publicity_end(dt.date(2024, 3, 1), "serious", "2023", ("罚款",))   # 2027-03-01
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from node.domain.data_files import read_json_table
from node.domain.errors import DomainError
from node.domain.fields import PENALTY_TYPES, SEVERITIES

DATA_FILE = "publicity_rules.json"
BANDS = ("none", "minor", "general", "serious")  # ordered shortest to longest
_RANK = {band: i for i, band in enumerate(BANDS)}


class RuleTableError(DomainError, ValueError):
    """The publicity rule table document is malformed."""


class UnknownRuleVersion(DomainError, ValueError):
    """A record names a rule version the table does not have."""


@dataclass(frozen=True)
class Period:
    """Minimum (repair possible after) and maximum (publicity ends) in months."""

    min_months: int
    max_months: int


@dataclass(frozen=True)
class RuleSet:
    """One edition of the rules."""

    version: str
    source: str
    bands: Mapping[str, Period | None]  # severity -> period; None = not published
    type_bands: Mapping[str, str]        # penalty type -> band, or "record"
    simplified_procedure_band: str
    sector_min_months: Mapping[str, int]


@dataclass(frozen=True)
class RuleTable:
    versions: Mapping[str, RuleSet] = field(repr=False)
    source: str = field(default="", repr=False)

    def get(self, version: str) -> RuleSet:
        """The rule set ``version``; raises :class:`UnknownRuleVersion` naming the known ones."""
        rules = self.versions.get(version)
        if rules is None:
            raise UnknownRuleVersion(f"unknown publicity rule version {version!r}, "
                                     f"want one of {sorted(self.versions)}")
        return rules


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the end of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def effective_band(severity: str, penalty_types: Iterable[str], rules: RuleSet, *,
                   simplified: bool = False) -> str:
    """The band a decision falls in: the longest its penalty types imply.

    Precondition: ``severity`` is one of ``SEVERITIES``; ``penalty_types`` is non-empty.
    """
    if simplified:
        return rules.simplified_procedure_band
    best = "none"
    for penalty_type in penalty_types:
        band = rules.type_bands.get(penalty_type, "record")
        if band == "record":
            band = severity
        if _RANK[band] > _RANK[best]:
            best = band
    return best


def _period(severity: str, rule_version: str, penalty_types: Iterable[str], *,
            simplified: bool, rules: RuleTable | None) -> tuple[RuleSet, Period | None]:
    if severity not in SEVERITIES:
        raise ValueError(f"severity {severity!r}, want one of {SEVERITIES}")
    rule_set = (rules if rules is not None else default_rules()).get(rule_version)
    band = effective_band(severity, penalty_types, rule_set, simplified=simplified)
    return rule_set, (None if band == "none" else rule_set.bands[band])


def publicity_end(decision_date: dt.date, severity: str, rule_version: str,
                  penalty_types: Iterable[str], *, simplified: bool = False,
                  rules: RuleTable | None = None) -> dt.date | None:
    """The date publicity ends by itself (decision date + the band's maximum), or None
    when the decision is not published.

    Raises :class:`UnknownRuleVersion` for a version not in ``rules`` (default: the
    packaged table) and ``ValueError`` for an unknown severity.
    """
    _, period = _period(severity, rule_version, penalty_types, simplified=simplified, rules=rules)
    return None if period is None else add_months(decision_date, period.max_months)


def repair_earliest(decision_date: dt.date, severity: str, rule_version: str,
                    penalty_types: Iterable[str], *, simplified: bool = False,
                    sector: str | None = None, rules: RuleTable | None = None) -> dt.date | None:
    """The first date credit repair may end publicity early (decision date + the band's
    minimum, raised by the sector's minimum but never past the maximum), or None when the
    decision is not published (nothing to repair).
    """
    rule_set, period = _period(severity, rule_version, penalty_types, simplified=simplified,
                               rules=rules)
    if period is None:
        return None
    months = period.min_months
    if sector is not None:
        months = max(months, rule_set.sector_min_months.get(sector, 0))
    return add_months(decision_date, min(months, period.max_months))


def _months(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleTableError(f"publicity rules: {where}: want a whole number of months >= 0")
    return value


def _rule_set(version: str, entry: object) -> RuleSet:
    where = f"versions.{version}"
    if not isinstance(entry, dict):
        raise RuleTableError(f"publicity rules: {where}: want an object")
    bands_doc = entry.get("bands")
    if not isinstance(bands_doc, dict) or set(bands_doc) != set(SEVERITIES):
        raise RuleTableError(f"publicity rules: {where}.bands: want exactly the keys {SEVERITIES}")
    bands: dict[str, Period | None] = {}
    for severity, value in bands_doc.items():
        if value is None:
            bands[severity] = None
            continue
        if not isinstance(value, dict):
            raise RuleTableError(
                f"publicity rules: {where}.bands.{severity}: want an object or null")
        low = _months(value.get("min_months"), f"{where}.bands.{severity}.min_months")
        high = _months(value.get("max_months"), f"{where}.bands.{severity}.max_months")
        if low > high:
            raise RuleTableError(f"publicity rules: {where}.bands.{severity}: min_months {low} "
                                 f"> max_months {high}")
        bands[severity] = Period(low, high)
    type_bands = entry.get("type_bands", {})
    if not isinstance(type_bands, dict):
        raise RuleTableError(f"publicity rules: {where}.type_bands: want an object")
    for penalty_type, band in type_bands.items():
        if penalty_type not in PENALTY_TYPES:
            raise RuleTableError(f"publicity rules: {where}.type_bands: {penalty_type!r} is not a "
                                 "penalty type of node.domain.fields.PENALTY_TYPES")
        if band not in _RANK and band != "record":
            raise RuleTableError(f"publicity rules: {where}.type_bands.{penalty_type}: band "
                                 f"{band!r}, want one of {BANDS} or 'record'")
    simplified = entry.get("simplified_procedure_band", "none")
    if simplified not in _RANK:
        raise RuleTableError(
            f"publicity rules: {where}.simplified_procedure_band: want one of {BANDS}")
    sectors = entry.get("sector_min_months", {})
    if not isinstance(sectors, dict):
        raise RuleTableError(f"publicity rules: {where}.sector_min_months: want an object")
    source = entry.get("source")
    if not isinstance(source, str) or not source:
        raise RuleTableError(f"publicity rules: {where}.source: want a note naming the rules")
    return RuleSet(
        version=version,
        source=source,
        bands=MappingProxyType(bands),
        type_bands=MappingProxyType(dict(type_bands)),
        simplified_procedure_band=simplified,
        sector_min_months=MappingProxyType(
            {k: _months(v, f"{where}.sector_min_months.{k}") for k, v in sectors.items()}),
    )


def parse_rules(doc: object) -> RuleTable:
    """Build the table from the parsed JSON document; raises :class:`RuleTableError`."""
    if not isinstance(doc, dict) or not isinstance(doc.get("versions"), dict):
        raise RuleTableError("publicity rules: want an object with a 'versions' object")
    versions = {str(v): _rule_set(str(v), e) for v, e in doc["versions"].items()}
    source = doc.get("source", "")
    return RuleTable(MappingProxyType(versions), source if isinstance(source, str) else "")


def load_rules(path: Path | None = None) -> RuleTable:
    """Read a rule table from ``path`` (default: the packaged ``publicity_rules.json``)."""
    doc = read_json_table(DATA_FILE, path, "publicity rules", RuleTableError)
    return parse_rules(doc)


@lru_cache(maxsize=1)
def default_rules() -> RuleTable:
    """The packaged rule table, read once."""
    return load_rules()
