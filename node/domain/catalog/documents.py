"""The shared dishonesty catalog (失信行为标准互认目录) and provincial mappings as data.

A catalog version is one JSON document::

    {"version": 1, "title": "…", "effective": "2026-01-01",
     "categories": [{"code": "YRD-SX-SC-001", "name": "…", "kind": "penalty",
                     "severity_class": "general",
                     "publicity_band": {"min_months": 3, "max_months": 12},
                     "basic_catalog_class": "行政管理信息", "measures": ["M-B-01"]}, …],
     "measures": [{"id": "M-A-01", "group": "a", "content": "…", "target": "…",
                   "legal_basis": "…", "implementer": "…"}, …]}

and a provincial mapping is ``{"province": "JS", "catalog_version": 1,
"mappings": {"JSXY0101": "YRD-SX-SC-001", …}}``. The identity of either on the ledger is
:func:`document_hash`: sha256 of the canonical form (NFC + RFC 8785 JCS, see
``crypto.canonical``), so whitespace and key order in the file do not matter, and any
change of content does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from crypto.canonical import canonical_bytes
from node.domain.catalog.sharing import DEFAULT_POLICY, SharingPolicy

SEVERITY_CLASSES: Final = ("general", "serious")
"""一般失信 / 严重失信. Local ``minor`` codes map onto ``general`` categories (see
:func:`node.domain.catalog.mapping.expected_severity_class`)."""

MEASURE_GROUPS: Final[dict[str, str]] = {
    "a": "公共管理机构依法依规实施的减损权益或增加义务的措施",
    "b": "公共管理机构根据履职需要实施的相关管理措施",
    "c": "公共管理机构以外的组织自主实施的措施",
}
"""The three groups of the national basic list of punishment measures (全国失信惩戒措施基础清单)."""

BASIC_CATALOG_CLASSES: Final = (
    "登记注册基本信息",
    "司法裁判及执行信息",
    "行政管理信息",
    "职称和职业资格信息",
    "经营异常名录信息",
    "严重失信主体名单信息",
    "合同履行信息",
    "信用承诺及履行情况信息",
    "信用评价结果信息",
    "遵守法律法规情况信息",
    "诚实守信相关荣誉信息",
)
"""Top-level classes of the national basic catalog of public credit information."""

SHARED_CODE: Final = re.compile(r"^YRD-SX-[A-Z]{2}-[0-9]{3}$")
MEASURE_ID: Final = re.compile(r"^M-([ABC])-[0-9]{2}$")
MAX_VERSION: Final = 2**32 - 1  # the contract stores versions as uint32
MAX_BAND_MONTHS: Final = 120


def document_hash(document: Mapping[str, object]) -> bytes:
    """sha256 of the canonical form of ``document``: the on-chain identity of a catalog
    version (``Catalog.adopt``) or of a mapping (``Catalog.publishMapping``).

    Precondition: ``document`` is plain JSON data (see ``crypto.canonical.normalize``);
    raises ``CanonicalEncodingError`` (a ``ValueError``) otherwise.
    """
    return hashlib.sha256(canonical_bytes(document)).digest()


@dataclass(frozen=True)
class PublicityBand:
    """Publicity period in months from the decision date: repair may be applied for after
    ``min_months``; publication ends by itself after ``max_months``."""

    min_months: int
    max_months: int


@dataclass(frozen=True)
class Measure:
    """One punishment measure (惩戒措施) of the basic list."""

    id: str
    group: str
    content: str
    target: str
    legal_basis: str
    implementer: str


@dataclass(frozen=True)
class Category:
    """One shared dishonesty category; ``measures`` are measure ids in document order."""

    code: str
    name: str
    kind: str
    severity_class: str
    publicity_band: PublicityBand
    basic_catalog_class: str
    measures: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """A parsed catalog version. Built only by ``parse_catalog``, which guarantees that
    codes and measure ids are unique and every linked measure exists.

    ``document`` is the normalised JSON document and ``document_hash`` its sha256.
    """

    version: int
    title: str
    effective: dt.date
    categories: MappingProxyType[str, Category]
    measures: MappingProxyType[str, Measure]
    document_hash: bytes
    document: Mapping[str, object] = field(compare=False, repr=False)
    sharing: SharingPolicy = DEFAULT_POLICY
    """What leaves the origin, per category and subject type (``sharing.py``); documents
    before v3 carry none and get the default, which v3 writes down."""

    def category(self, code: str) -> Category | None:
        """The category ``code``, or None when this version has no such code."""
        return self.categories.get(code)

    def measures_of(self, code: str) -> tuple[Measure, ...]:
        """The measures linked to category ``code`` (empty for an unknown code)."""
        category = self.categories.get(code)
        if category is None:
            return ()
        return tuple(self.measures[m] for m in category.measures)


@dataclass(frozen=True)
class ProvinceMapping:
    """A province's mapping of its local codes onto one catalog version. Built only by
    ``parse_mapping``; ``document_hash`` is what the province publishes on-chain."""

    province: str
    catalog_version: int
    mappings: MappingProxyType[str, str]
    document_hash: bytes
    document: Mapping[str, object] = field(compare=False, repr=False)

    def shared_code(self, local_code: str) -> str | None:
        """The shared code ``local_code`` maps onto, or None when it is not mapped."""
        return self.mappings.get(local_code)
