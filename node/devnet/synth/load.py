"""Read the generator's data files (``node/devnet/synth/data/*.json``) into :mod:`.model`.

Every malformed entry raises ``ValueError`` naming the file and the path of the entry.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from node.devnet.synth.model import (
    INDIV,
    ORG,
    PERSON,
    AuthorityPattern,
    City,
    CommitmentSpec,
    District,
    Industry,
    ListReason,
    ListSpec,
    NameParts,
    OtherOrg,
    ProvinceInfo,
    Sector,
    SynthTables,
    Violation,
)
from node.domain.fields import PENALTY_TYPES, PROVINCES

_SUBJECTS = frozenset((ORG, INDIV, PERSON))
_LEVELS = ("province", "city", "district")


class _Doc:
    """Typed access to one JSON file's values, with the path of each value for errors."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, want: str) -> ValueError:
        return ValueError(f"synth data {self.name}: {where}: want {want}")

    def obj(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "an object")
        return value

    def arr(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "an array")
        return value

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, "a non-empty string")
        return value

    def int_(self, value: object, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(where, "a whole number >= 0")
        return value

    def texts(self, value: object, where: str) -> tuple[str, ...]:
        return tuple(self.text(v, f"{where}[{i}]") for i, v in enumerate(self.arr(value, where)))

    def chance(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise self.fail(where, "a number between 0 and 1")
        return float(value)

    def ratio(self, value: object, where: str) -> tuple[float, float] | None:
        if value is None:
            return None
        pair = self.arr(value, where)
        if len(pair) != 2 or not all(isinstance(v, int | float) and v > 0 for v in pair) \
                or pair[0] > pair[1]:
            raise self.fail(where, "null or [low, high] ratios > 0 with low <= high")
        return float(pair[0]), float(pair[1])

    def yuan_range(self, value: object, where: str) -> tuple[int, int] | None:
        if value is None:
            return None
        pair = self.arr(value, where)
        if len(pair) != 2 or not all(isinstance(v, int | float) for v in pair) or pair[0] > pair[1]:
            raise self.fail(where, "null or [low, high] in 万元 with low <= high")
        return round(pair[0] * 10000), round(pair[1] * 10000)


def _read(name: str) -> Any:
    text = resources.files("node.devnet.synth").joinpath("data", name).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"synth data {name}: not valid JSON: {exc.msg} "
                         f"at line {exc.lineno}") from exc


def _authorities(d: _Doc, value: object, where: str) -> tuple[AuthorityPattern, ...]:
    out = []
    for i, raw in enumerate(d.arr(value, where)):
        w = f"{where}[{i}]"
        a = d.obj(raw, w)
        level = d.text(a.get("level"), f"{w}.level")
        if level not in _LEVELS:
            raise d.fail(f"{w}.level", f"one of {_LEVELS}")
        out.append(AuthorityPattern(d.text(a.get("pattern"), f"{w}.pattern"), level,
                                    d.text(a.get("doc"), f"{w}.doc"),
                                    d.int_(a.get("weight", 1), f"{w}.weight")))
    return tuple(out)


def _subjects(d: _Doc, value: object, where: str) -> frozenset[str]:
    kinds = frozenset(d.texts(value, where))
    if not kinds or not kinds <= _SUBJECTS:
        raise d.fail(where, f"a non-empty list from {sorted(_SUBJECTS)}")
    return kinds


def _violation(d: _Doc, sector: str, raw: object, where: str) -> Violation:
    v = d.obj(raw, where)
    fine = d.obj(v.get("fine"), f"{where}.fine")
    extra = d.texts(v.get("serious_extra", []), f"{where}.serious_extra")
    if not set(extra) <= set(PENALTY_TYPES):
        raise d.fail(f"{where}.serious_extra", "penalty types of node.domain.fields.PENALTY_TYPES")
    words = d.obj(v.get("words", {}), f"{where}.words")
    return Violation(
        sector=sector,
        wfxw=d.text(v.get("wfxw"), f"{where}.wfxw"),
        subjects=_subjects(d, v.get("subjects"), f"{where}.subjects"),
        weight=d.int_(v.get("weight", 1), f"{where}.weight"),
        facts=d.texts(v.get("facts"), f"{where}.facts"),
        words=MappingProxyType({k: d.texts(ws, f"{where}.words.{k}") for k, ws in words.items()}),
        yj=d.text(v.get("yj"), f"{where}.yj"),
        fine_general=d.yuan_range(fine.get("general"), f"{where}.fine.general"),
        fine_serious=d.yuan_range(fine.get("serious"), f"{where}.fine.serious"),
        confiscate=d.chance(v.get("confiscate", 0), f"{where}.confiscate"),
        seize=d.chance(v.get("seize", 0), f"{where}.seize"),
        minor=bool(v.get("minor", False)),
        serious_extra=extra,
        license=v.get("license") if isinstance(v.get("license"), str) else None,
        other=v.get("other") if isinstance(v.get("other"), str) else None,
        with_warning=bool(v.get("with_warning", False)),
        money_ratio=d.ratio(v.get("money_ratio"), f"{where}.money_ratio"),
    )


def _district(d: _Doc, raw: object, where: str) -> District:
    x = d.obj(raw, where)
    return District(d.text(x.get("code"), f"{where}.code"), d.text(x.get("name"), f"{where}.name"),
                    d.text(x.get("abbr"), f"{where}.abbr"))


def _provinces(d: _Doc, doc: object) -> dict[str, ProvinceInfo]:
    out = {}
    for key, raw in d.obj(d.obj(doc, "$").get("provinces"), "provinces").items():
        if key not in PROVINCES:
            raise d.fail(f"provinces.{key}", f"a province of {sorted(PROVINCES)}")
        p = d.obj(raw, f"provinces.{key}")
        cities = []
        for i, c_raw in enumerate(d.arr(p.get("cities"), f"provinces.{key}.cities")):
            w = f"provinces.{key}.cities[{i}]"
            c = d.obj(c_raw, w)
            districts = tuple(_district(d, r, f"{w}.districts[{j}]")
                              for j, r in enumerate(d.arr(c.get("districts"), f"{w}.districts")))
            city = City(d.text(c.get("code"), f"{w}.code"), d.text(c.get("name"), f"{w}.name"),
                        str(c.get("abbr", "")), districts)
            for code in (city.code, *(x.code for x in districts)):
                if len(code) != 6 or not code.isdigit() or code[:2] != PROVINCES[key][:2]:
                    raise d.fail(w, f"6-digit division codes starting {PROVINCES[key][:2]}")
            if not districts:
                raise d.fail(f"{w}.districts", "at least one district")
            cities.append(city)
        out[key] = ProvinceInfo(key, PROVINCES[key], d.text(p.get("name"), f"provinces.{key}.name"),
                                d.text(p.get("abbr"), f"provinces.{key}.abbr"),
                                d.text(p.get("credit_center"), f"provinces.{key}.credit_center"),
                                tuple(cities))
    return out


def _sectors(d: _Doc, doc: object) -> dict[str, Sector]:
    out = {}
    for key, raw in d.obj(d.obj(doc, "$").get("sectors"), "sectors").items():
        s = d.obj(raw, f"sectors.{key}")
        where = f"sectors.{key}.violations"
        violations = tuple(_violation(d, key, v, f"{where}[{i}]")
                           for i, v in enumerate(d.arr(s.get("violations"), where)))
        out[key] = Sector(key, d.text(s.get("label"), f"sectors.{key}.label"),
                          _authorities(d, s.get("authorities"), f"sectors.{key}.authorities"),
                          violations)
    return out


def _lists(d: _Doc, doc: object) -> tuple[ListSpec, ...]:
    out = []
    for i, raw in enumerate(d.arr(d.obj(doc, "$").get("lists"), "lists")):
        w = f"lists[{i}]"
        x = d.obj(raw, w)
        subjects = tuple((d.text(k, f"{w}.subjects"), d.int_(n, f"{w}.subjects"))
                         for k, n in d.arr(x.get("subjects"), f"{w}.subjects"))
        _subjects(d, [k for k, _ in subjects], f"{w}.subjects")
        reasons = tuple(ListReason(d.text(r.get("text"), f"{w}.reasons[{j}].text"),
                                   d.text(r.get("yj"), f"{w}.reasons[{j}].yj"),
                                   d.int_(r.get("weight", 1), f"{w}.reasons[{j}].weight"))
                        for j, r in enumerate(d.arr(x.get("reasons"), f"{w}.reasons")))
        out.append(ListSpec(d.text(x.get("name"), f"{w}.name"),
                            d.text(x.get("sector"), f"{w}.sector"),
                            d.int_(x.get("weight", 1), f"{w}.weight"),
                            d.int_(x.get("years"), f"{w}.years"), subjects,
                            _authorities(d, x.get("authorities"), f"{w}.authorities"), reasons))
    return tuple(out)


def _commitments(d: _Doc, doc: object) -> tuple[tuple[CommitmentSpec, ...], tuple[str, ...]]:
    root = d.obj(doc, "$")
    specs = []
    for i, raw in enumerate(d.arr(root.get("types"), "types")):
        w = f"types[{i}]"
        x = d.obj(raw, w)
        years = d.arr(x.get("years"), f"{w}.years")
        if len(years) != 2:
            raise d.fail(f"{w}.years", "[shortest, longest] in years")
        specs.append(CommitmentSpec(d.text(x.get("type"), f"{w}.type"),
                                    d.int_(x.get("weight"), f"{w}.weight"),
                                    d.texts(x.get("sectors"), f"{w}.sectors"),
                                    (d.int_(years[0], f"{w}.years[0]"),
                                     d.int_(years[1], f"{w}.years[1]")),
                                    d.texts(x.get("items"), f"{w}.items"),
                                    d.texts(x.get("contents"), f"{w}.contents")))
    return tuple(specs), d.texts(root.get("liabilities"), "liabilities")


def _industries(d: _Doc, value: object, where: str) -> tuple[Industry, ...]:
    out = []
    for i, raw in enumerate(d.arr(value, where)):
        x = d.obj(raw, f"{where}[{i}]")
        out.append(Industry(d.text(x.get("word"), f"{where}[{i}].word"),
                            d.texts(x.get("sectors"), f"{where}[{i}].sectors")))
    return tuple(out)


def _names(d: _Doc, doc: object) -> NameParts:
    n = d.obj(doc, "$")
    suffixes = tuple((d.text(s, "company_suffixes"), d.int_(k, "company_suffixes"))
                     for s, k in d.arr(n.get("company_suffixes"), "company_suffixes"))
    others = tuple(OtherOrg(d.text(o.get("type"), f"other_orgs[{i}].type"),
                            d.text(o.get("pattern"), f"other_orgs[{i}].pattern"),
                            d.texts(o.get("words"), f"other_orgs[{i}].words"),
                            d.texts(o.get("sectors"), f"other_orgs[{i}].sectors"),
                            d.int_(o.get("weight", 1), f"other_orgs[{i}].weight"))
                   for i, o in enumerate(d.arr(n.get("other_orgs"), "other_orgs")))
    return NameParts(d.text(n.get("surnames"), "surnames"),
                     d.text(n.get("given_chars"), "given_chars"),
                     d.text(n.get("brand_chars"), "brand_chars"), suffixes,
                     _industries(d, n.get("industries"), "industries"),
                     _industries(d, n.get("shop_kinds"), "shop_kinds"), others)


@lru_cache(maxsize=1)
def load_tables() -> SynthTables:
    """All packaged generator data, read and checked once."""
    def doc(name: str) -> tuple[_Doc, Any]:
        return _Doc(name), _read(name)

    commitments, liabilities = _commitments(*doc("commitments.json"))
    return SynthTables(
        provinces=MappingProxyType(_provinces(*doc("divisions.json"))),
        sectors=MappingProxyType(_sectors(*doc("sectors.json"))),
        lists=_lists(*doc("lists.json")),
        commitments=commitments,
        liabilities=liabilities,
        names=_names(*doc("names.json")),
    )
