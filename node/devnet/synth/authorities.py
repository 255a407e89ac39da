"""Deciding bodies: names, USCCs (``11…`` for government bodies) and document numbers.

A body's USCC is derived from its name alone, so the same body has the same code in
every run and for every seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.devnet.synth.identifiers_gen import make_uscc
from node.devnet.synth.model import AuthorityPattern, City, District, ProvinceInfo
from node.devnet.synth.names import full_place
from node.devnet.synth.pick import SynthRandom

COURT_DOC = "court"


@dataclass(frozen=True, slots=True)
class Authority:
    name: str
    uscc: str
    division: str
    doc_prefix: str  # "苏宁市监罚"; for a court the part before 执: "苏0102"
    court: bool


def _stable_uscc(name: str, type_code: str, division: str) -> str:
    # Seeded by the name (str seeds hash with SHA-512: stable across runs and platforms).
    rng = SynthRandom(f"authority|{name}")
    return make_uscc(rng, type_code, division, modern=False)


class AuthorityBook:
    """The bodies of one province, made on first use, and their document-number serials."""

    def __init__(self, province: ProvinceInfo) -> None:
        self.province = province
        self._cache: dict[tuple[str, str], Authority] = {}
        self._serials: dict[tuple[str, int], int] = {}
        center = province.credit_center
        self.credit_center = Authority(center, _stable_uscc(center, "12", province.code),
                                       province.code, "", False)

    def get(self, pattern: AuthorityPattern, city: City, district: District) -> Authority:
        """The body ``pattern`` names at its level for a subject in ``city``/``district``."""
        if pattern.level == "province":
            division = self.province.code
        elif pattern.level == "city":
            division = city.code
        else:
            division = district.code
        key = (pattern.pattern + pattern.doc, division)
        found = self._cache.get(key)
        if found is None:
            found = self._make(pattern, city, district, division)
            self._cache[key] = found
        return found

    def _make(self, pattern: AuthorityPattern, city: City, district: District,
              division: str) -> Authority:
        p = self.province
        name = pattern.pattern.format(province=p.name, city=city.name,
                                      district=full_place(city, district))
        court = pattern.doc == COURT_DOC
        if court:
            prefix = p.abbr + (division[2:4] if pattern.level != "district" else division[2:6])
        elif pattern.level == "province":
            prefix = p.abbr + pattern.doc
        elif pattern.level == "city":
            prefix = p.abbr + city.abbr + pattern.doc
        else:
            prefix = (city.abbr or p.abbr) + district.abbr + pattern.doc
        return Authority(name, _stable_uscc(name, "11", division), division, prefix, court)

    def doc_number(self, rng: SynthRandom, authority: Authority, year: int) -> str:
        """The next decision number of ``authority`` in ``year``: 苏宁市监罚〔2025〕123号, or
        for a court （2025）苏0102执123号. Numbers rise within a prefix and year, with gaps
        (other decisions are not in the data), so they never repeat."""
        key = (authority.doc_prefix, year)
        serial = self._serials.get(key, 0) + rng.randint(1, 3)
        self._serials[key] = serial
        if authority.court:
            return f"（{year}）{authority.doc_prefix}执{serial}号"
        return f"{authority.doc_prefix}〔{year}〕{serial}号"
