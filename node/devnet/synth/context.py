"""The state one generation run shares between the record builders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from node.devnet.synth.authorities import Authority, AuthorityBook
from node.devnet.synth.dates import DateBook
from node.devnet.synth.model import AuthorityPattern, ProvinceInfo, SynthTables
from node.devnet.synth.pick import SynthRandom, Weighted
from node.devnet.synth.subjects import Subject, SubjectPool
from node.domain.local_categories import LocalCategoryTable

GENERAL_SECTOR = "general"
RULES_2023_FROM = dt.date(2023, 5, 1).toordinal()   # 令第58号 in force
RULES_2025_FROM = dt.date(2025, 1, 1).toordinal()
RULES_2025_SECTORS = frozenset(("market", "food_drug"))  # market-regulation tiers


@dataclass
class Context:
    """Random generator, province, data tables and the run's counters."""

    rng: SynthRandom
    province: ProvinceInfo
    tables: SynthTables
    subjects: SubjectPool
    authorities: AuthorityBook
    dates: DateBook
    categories: dict[tuple[str, str, str], str]
    record_serials: dict[int, int] = field(default_factory=dict)

    def category(self, kind: str, sector: str, severity: str) -> str:
        """The province's local code for ``kind``/``sector``/``severity``, falling back to
        its ``general`` sector code. Raises KeyError when the province has neither."""
        code = self.categories.get((kind, sector, severity))
        if code is None:
            code = self.categories[(kind, GENERAL_SECTOR, severity)]
        return code

    def record_no(self, day: int) -> str:
        """``JS-2025-000123``: province, year of the record's main date, serial in that year."""
        year = int(self.dates.iso(day)[:4])
        serial = self.record_serials.get(year, 0) + 1
        self.record_serials[year] = serial
        return f"{self.province.key}-{year}-{serial:06d}"

    def rule_version(self, day: int, sector: str) -> str:
        """The publicity rule edition a decision on ``day`` in ``sector`` falls under."""
        if day < RULES_2023_FROM:
            return "2019"
        if sector in RULES_2025_SECTORS and day >= RULES_2025_FROM and self.rng.random() < 0.5:
            return "2025"
        return "2023"

    def authority(self, patterns: Weighted[AuthorityPattern], subject: Subject) -> Authority:
        """A body of one of ``patterns`` where ``subject`` is."""
        return self.authorities.get(patterns.pick(self.rng), subject.city, subject.district)

    def data_source(self, authority: Authority) -> Authority:
        """Who reported the record: mostly the body itself, else the provincial centre."""
        if self.rng.random() < 0.75:
            return authority
        return self.authorities.credit_center


def category_index(table: LocalCategoryTable, province: str) -> dict[tuple[str, str, str], str]:
    """(kind, sector, severity) -> the first matching local code of ``province``."""
    out: dict[tuple[str, str, str], str] = {}
    for cat in table.by_code.get(province, {}).values():
        out.setdefault((cat.kind, cat.sector, cat.severity), cat.code)
    return out
