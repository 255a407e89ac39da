"""Each province's own record/dishonesty category codes, loaded from data and looked up.

Every province codes its categories in its own style (``SH-SC-01``, ``JSXY0101``,
``ZJ.SJ.003``, ``AH-SX-3-01``); a later mapping puts them onto the shared catalog.
The table lives in ``node/domain/data/local_categories.json``: per province a list of
``{code, name, kind, severity, sector}``. ``sector`` names the line of work a code
covers (``market``, ``food_drug``, ``environment``, ``tax``, ``safety``, ``transport``,
``court``, ``commitment``) or ``general`` for a code that fits any.

Usage::

    table = load_local_categories()
    cat = find_local_category(table, "JS", "JSXY0101")      # None when unknown
    codes = categories_for(table, "ZJ", kind="dishonesty")
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from node.domain.fields import KINDS, PROVINCES, SEVERITIES

DATA_FILE = "local_categories.json"


@dataclass(frozen=True)
class LocalCategory:
    """One province-local category code."""

    province: str
    code: str
    name: str
    kind: str
    severity: str
    sector: str


@dataclass(frozen=True)
class LocalCategoryTable:
    """All provinces' local categories: ``by_code[province][code]`` and the version."""

    version: str
    by_code: MappingProxyType[str, MappingProxyType[str, LocalCategory]]


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"local categories: {where}: field {key!r} must be a non-empty string")
    return value


def parse_local_categories(doc: object) -> LocalCategoryTable:
    """Build the table from the parsed JSON document.

    Precondition: ``doc`` is ``{"version": str, "provinces": {P: [entry, ...]}}`` with
    ``P`` a province code of :data:`node.domain.fields.PROVINCES`; ``kind`` and
    ``severity`` of each entry come from ``KINDS`` and ``SEVERITIES``; codes are unique
    within a province. Raises ``ValueError`` naming the offending entry otherwise.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("provinces"), dict):
        raise ValueError("local categories: want an object with a 'provinces' object")
    version = doc.get("version")
    if not isinstance(version, str):
        raise ValueError("local categories: 'version' must be a string")
    out: dict[str, MappingProxyType[str, LocalCategory]] = {}
    for province, entries in doc["provinces"].items():
        if province not in PROVINCES:
            raise ValueError(f"local categories: unknown province {province!r}, "
                             f"want one of {sorted(PROVINCES)}")
        if not isinstance(entries, list):
            raise ValueError(f"local categories: {province}: want a list of entries")
        codes: dict[str, LocalCategory] = {}
        for i, entry in enumerate(entries):
            where = f"{province}[{i}]"
            if not isinstance(entry, dict):
                raise ValueError(f"local categories: {where}: want an object")
            cat = LocalCategory(
                province=province,
                code=_text(entry, "code", where),
                name=_text(entry, "name", where),
                kind=_text(entry, "kind", where),
                severity=_text(entry, "severity", where),
                sector=_text(entry, "sector", where),
            )
            if cat.kind not in KINDS:
                raise ValueError(f"local categories: {where}: kind {cat.kind!r}, "
                                 f"want one of {KINDS}")
            if cat.severity not in SEVERITIES:
                raise ValueError(f"local categories: {where}: severity {cat.severity!r}, "
                                 f"want one of {SEVERITIES}")
            if cat.code in codes:
                raise ValueError(f"local categories: {where}: duplicate code {cat.code!r}")
            codes[cat.code] = cat
        out[province] = MappingProxyType(codes)
    return LocalCategoryTable(version=version, by_code=MappingProxyType(out))


@lru_cache(maxsize=1)
def load_local_categories() -> LocalCategoryTable:
    """The packaged table (read once, then cached)."""
    text = resources.files("node.domain").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"local categories: {DATA_FILE} is not valid JSON: {exc.msg} "
                         f"at line {exc.lineno}") from exc
    return parse_local_categories(doc)


def find_local_category(table: LocalCategoryTable, province: str,
                        code: str) -> LocalCategory | None:
    """The category ``code`` of ``province``, or None when the province has no such code."""
    codes = table.by_code.get(province)
    if codes is None:
        return None
    return codes.get(code)


def categories_for(table: LocalCategoryTable, province: str, *, kind: str | None = None,
                   sector: str | None = None,
                   severity: str | None = None) -> tuple[LocalCategory, ...]:
    """The categories of ``province`` matching every filter given, in table order.

    An unknown province yields an empty tuple.
    """
    codes = table.by_code.get(province, MappingProxyType({}))
    return tuple(
        c for c in codes.values()
        if (kind is None or c.kind == kind)
        and (sector is None or c.sector == sector)
        and (severity is None or c.severity == severity)
    )
