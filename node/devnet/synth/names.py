"""Synthetic names: people, companies, sole traders and other organisations.

Names are assembled at random from common parts (surname + given-name characters;
place + trade name + industry + company form), so they denote no real person or firm.
"""

from __future__ import annotations

from node.devnet.synth.model import City, District, NameParts, OtherOrg, ProvinceInfo
from node.devnet.synth.pick import SynthRandom, Weighted

_SUFFIXES = ("新区", "省", "市", "区", "县")


def short_place(name: str) -> str:
    """A place name without its administrative suffix: 南京市 -> 南京, 浦东新区 -> 浦东."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def full_place(city: City, district: District) -> str:
    """How a county-level place is written in a body's name: 昆山市 (a county-level city
    stands alone), else city + district (南京市玄武区, 上海市浦东新区)."""
    if district.name.endswith("市"):
        return district.name
    return city.name + district.name


class NameMaker:
    """Draws names from one :class:`NameParts` with the caller's random generator."""

    def __init__(self, parts: NameParts) -> None:
        self.parts = parts
        self._suffix = Weighted(parts.company_suffixes)

    def person(self, rng: SynthRandom) -> str:
        given = self.parts.given
        name = rng.pick(self.parts.surnames) + rng.pick(given)
        if rng.random() < 0.7:
            name += rng.pick(given)
        return name

    def brand(self, rng: SynthRandom) -> str:
        chars = self.parts.brand
        first = rng.pick(chars)
        second = rng.pick(chars)
        while second == first:
            second = rng.pick(chars)
        return first + second

    def company(self, rng: SynthRandom, province: ProvinceInfo, city: City, district: District,
                industry: str) -> str:
        brand = self.brand(rng)
        suffix = self._suffix.pick(rng)
        r = rng.random()
        if r < 0.6:
            return f"{short_place(city.name)}{brand}{industry}{suffix}"
        if r < 0.8 and district.name.endswith("市"):
            return f"{short_place(district.name)}{brand}{industry}{suffix}"
        if r < 0.95:
            return f"{short_place(province.name)}{brand}{industry}{suffix}"
        return f"{brand}（{short_place(city.name)}）{industry}{suffix}"

    def shop(self, rng: SynthRandom, city: City, district: District, shop: str,
             operator: str) -> str:
        place = full_place(city, district)
        if rng.random() < 0.3:
            return f"{place}{operator[0]}记{shop}"
        return f"{place}{self.brand(rng)}{shop}"

    def other_org(self, rng: SynthRandom, shape: OtherOrg, city: City, district: District) -> str:
        return shape.pattern.format(place=short_place(city.name) if rng.random() < 0.5
                                    else full_place(city, district),
                                    city=city.name, brand=self.brand(rng),
                                    word=rng.pick(shape.words))
