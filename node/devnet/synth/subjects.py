"""Synthetic subjects (companies, sole traders, people) and the pool that makes some recur.

A share of the subjects drawn fresh are kept in a pool, and later records pick from it,
so a query by subject finds several records (the same company fined twice, then listed).
Each kept subject is good for a limited number of further records (:data:`REUSES`), so
no one collects dozens. The pool grows as the stream goes on, so output for N records is
a prefix of output for more records with the same seed.

Organisation and sole-trader names are unique within a run: two firms with one name
would make name look-ups ambiguous.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from node.devnet.synth.identifiers_gen import make_id_number, make_uscc
from node.devnet.synth.model import (
    INDIV,
    ORG,
    PERSON,
    SUBJECT_LABEL,
    City,
    District,
    Industry,
    OtherOrg,
    ProvinceInfo,
    SynthTables,
)
from node.devnet.synth.names import NameMaker
from node.devnet.synth.pick import SynthRandom, Weighted

ANY_SECTOR = "*"
KEEP_CHANCE = 0.1  # share of fresh subjects kept for reuse
REUSES = (2, 10)  # a kept subject appears in this many more records at most
_BIRTH_FIRST = dt.date(1956, 1, 1).toordinal()
_BIRTH_LAST = dt.date(2004, 12, 31).toordinal()  # adult before the first decision date


class Subject(NamedTuple):
    kind: str                 # ORG, INDIV or PERSON
    label: str                # the record's subject-kind value
    name: str
    uscc: str | None
    id_number: str | None
    rep: str | None           # legal representative, or a sole trader's operator
    sectors: frozenset[str]   # lines of work it may offend in
    city: City
    district: District


def _code(subject: Subject) -> str:
    """The identifier that tells subjects apart."""
    return subject.uscc or subject.id_number or subject.name


def _by_sector(shapes: tuple[Industry, ...], sectors: list[str]) -> dict[str, Weighted[Industry]]:
    out = {ANY_SECTOR: Weighted((s, 1.0) for s in shapes)}
    for sector in sectors:
        fitting = [(s, 1.0) for s in shapes if sector in s.sectors]
        out[sector] = Weighted(fitting) if fitting else out[ANY_SECTOR]
    return out


class SubjectPool:
    """Draws subjects for one province with the caller's random generator."""

    def __init__(self, rng: SynthRandom, province: ProvinceInfo, tables: SynthTables) -> None:
        self.rng = rng
        self.province = province
        self.names = NameMaker(tables.names)
        sectors = [*tables.sectors, *(x.sector for x in tables.lists)]
        self._industries = _by_sector(tables.names.industries, sectors)
        self._shops = _by_sector(tables.names.shops, sectors)
        self._others: dict[str, Weighted[OtherOrg] | None] = {}
        for sector in [ANY_SECTOR, *sectors]:
            fitting = [(o, float(o.weight)) for o in tables.names.other_orgs
                       if sector == ANY_SECTOR or sector in o.sectors]
            self._others[sector] = Weighted(fitting) if fitting else None
        # The first city (the capital) is busier than the others.
        self._cities = Weighted((c, 3.0 if i == 0 else 1.0) for i, c in enumerate(province.cities))
        self._hot: dict[tuple[str, str], list[Subject]] = {}
        self._uses_left: dict[str, int] = {}  # by the subject's identifier
        self._names_taken: set[str] = set()

    def get(self, kind: str, sector: str | None, p_hot: float) -> Subject:
        """A subject of ``kind`` (ORG, INDIV, PERSON) likely to offend in ``sector`` (None:
        any): with chance ``p_hot`` one seen before, else a new one."""
        rng = self.rng
        key = (kind, sector or ANY_SECTOR)
        if rng.random() < p_hot:
            pool = self._hot.get(key)
            if pool:
                i = rng.below(len(pool))
                subject = pool[i]
                code = _code(subject)
                left = self._uses_left[code]
                if left > 0:
                    self._uses_left[code] = left - 1
                    return subject
                # Used up: drop it from this pool (swap with the last) and draw afresh.
                pool[i] = pool[-1]
                pool.pop()
        subject = self.fresh(kind, sector)
        if rng.random() < KEEP_CHANCE:
            self._uses_left[_code(subject)] = rng.randint(*REUSES)
            for s in (*subject.sectors, ANY_SECTOR):
                self._hot.setdefault((kind, s), []).append(subject)
        return subject

    def _unique(self, make: Callable[[], str]) -> str:
        """A name from ``make`` not given before in this run (20 tries, then numbered)."""
        name = make()
        tries = 1
        while name in self._names_taken:
            tries += 1
            name = make() if tries <= 20 else f"{make()}（{tries}）"
        self._names_taken.add(name)
        return name

    def fresh(self, kind: str, sector: str | None) -> Subject:
        """A new subject of ``kind`` for ``sector`` (None: any)."""
        rng = self.rng
        city = self._cities.pick(rng)
        district = city.districts[rng.below(len(city.districts))]
        if kind == PERSON:
            return self._person(city, district)
        if kind == INDIV:
            return self._sole_trader(city, district, sector)
        if kind == ORG:
            return self._organisation(city, district, sector)
        raise ValueError(f"subject kind {kind!r}, want one of {ORG}, {INDIV}, {PERSON}")

    def _person(self, city: City, district: District) -> Subject:
        rng = self.rng
        birth = dt.date.fromordinal(rng.randint(_BIRTH_FIRST, _BIRTH_LAST))
        return Subject(PERSON, SUBJECT_LABEL[PERSON], self.names.person(rng), None,
                       make_id_number(rng, district.code, birth), None,
                       frozenset(self._industries) - {ANY_SECTOR}, city, district)

    def _sole_trader(self, city: City, district: District, sector: str | None) -> Subject:
        rng = self.rng
        shop = self._shops[sector or ANY_SECTOR].pick(rng)
        operator = self.names.person(rng)
        uscc = make_uscc(rng, "92", district.code, modern=True, org_ok=rng.random() < 0.9)
        name = self._unique(lambda: self.names.shop(rng, city, district, shop.word, operator))
        return Subject(INDIV, SUBJECT_LABEL[INDIV], name, uscc, None, operator,
                       frozenset((*shop.sectors, *((sector,) if sector else ()))),
                       city, district)

    def _organisation(self, city: City, district: District, sector: str | None) -> Subject:
        rng = self.rng
        rep = self.names.person(rng)
        other = self._others[sector or ANY_SECTOR]
        division = district.code if rng.random() < 0.7 else city.code
        if other is not None and rng.random() < 0.12:
            shape = other.pick(rng)
            name = self.names.other_org(rng, shape, city, district)
            # Names like 南京市餐饮行业协会 are few; once taken, make a company instead.
            if name not in self._names_taken:
                self._names_taken.add(name)
                # Public institutions and social organisations carry old-style numeric bodies.
                uscc = make_uscc(rng, shape.type_code, division, modern=shape.type_code == "93")
                return Subject(ORG, SUBJECT_LABEL[ORG], name, uscc, None, rep,
                               frozenset(shape.sectors), city, district)
        industry = self._industries[sector or ANY_SECTOR].pick(rng)
        modern = rng.random() < 0.75
        uscc = make_uscc(rng, "91", division, modern=modern,
                         org_ok=not modern or rng.random() < 0.92)
        name = self._unique(
            lambda: self.names.company(rng, self.province, city, district, industry.word))
        return Subject(ORG, SUBJECT_LABEL[ORG], name, uscc, None, rep,
                       frozenset((*industry.sectors, *((sector,) if sector else ()))),
                       city, district)
