"""The generator's word lists and templates as typed, immutable values.

They are read from ``node/devnet/synth/data/*.json`` by :mod:`.load`. Money is held in
whole yuan (int) here; records carry it in 万元.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Subject kinds as the generator names them; SUBJECT_LABEL gives the record's value.
ORG, INDIV, PERSON = "org", "indiv", "person"
SUBJECT_LABEL = {ORG: "法人及非法人组织", INDIV: "个体工商户", PERSON: "自然人"}


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    abbr: str


@dataclass(frozen=True, slots=True)
class City:
    code: str
    name: str
    abbr: str
    districts: tuple[District, ...]


@dataclass(frozen=True, slots=True)
class ProvinceInfo:
    key: str            # "JS"
    code: str           # "320000"
    name: str           # "江苏省"
    abbr: str           # "苏"
    credit_center: str  # the provincial credit-information centre (a data source)
    cities: tuple[City, ...]


@dataclass(frozen=True, slots=True)
class AuthorityPattern:
    """How to name a deciding body: ``pattern`` with {province} {city} {district}, the
    ``level`` it sits at (province / city / district) and its document-number code."""

    pattern: str
    level: str
    doc: str
    weight: int


@dataclass(frozen=True, slots=True)
class Violation:
    sector: str
    wfxw: str
    subjects: frozenset[str]
    weight: int
    facts: tuple[str, ...]
    words: Mapping[str, tuple[str, ...]]
    yj: str
    fine_general: tuple[int, int] | None  # yuan, inclusive
    fine_serious: tuple[int, int] | None
    confiscate: float  # chance of 没收违法所得
    seize: float       # chance of 没收非法财物
    minor: bool        # may end in a warning or a simplified-procedure fine
    serious_extra: tuple[str, ...]
    license: str | None
    other: str | None
    with_warning: bool
    money_ratio: tuple[float, float] | None  # fine = amount in the facts x ratio


@dataclass(frozen=True, slots=True)
class Sector:
    key: str
    label: str
    authorities: tuple[AuthorityPattern, ...]
    violations: tuple[Violation, ...]


@dataclass(frozen=True, slots=True)
class ListReason:
    text: str
    yj: str
    weight: int


@dataclass(frozen=True, slots=True)
class ListSpec:
    """A serious-dishonesty list: its name, sector and who may be on it."""

    name: str
    sector: str
    weight: int
    years: int
    subjects: tuple[tuple[str, int], ...]
    authorities: tuple[AuthorityPattern, ...]
    reasons: tuple[ListReason, ...]


@dataclass(frozen=True, slots=True)
class CommitmentSpec:
    type: str
    weight: int
    sectors: tuple[str, ...]
    years: tuple[int, int]
    items: tuple[str, ...]
    contents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Industry:
    word: str
    sectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OtherOrg:
    """A non-company organisation shape: USCC type code (93, 52, 12, 51) and name pattern."""

    type_code: str
    pattern: str
    words: tuple[str, ...]
    sectors: tuple[str, ...]
    weight: int


@dataclass(frozen=True, slots=True)
class NameParts:
    surnames: str
    given: str
    brand: str
    company_suffixes: tuple[tuple[str, int], ...]
    industries: tuple[Industry, ...]
    shops: tuple[Industry, ...]
    other_orgs: tuple[OtherOrg, ...]


@dataclass(frozen=True, slots=True)
class SynthTables:
    provinces: Mapping[str, ProvinceInfo]
    sectors: Mapping[str, Sector]
    lists: tuple[ListSpec, ...]
    commitments: tuple[CommitmentSpec, ...]
    liabilities: tuple[str, ...]
    names: NameParts
