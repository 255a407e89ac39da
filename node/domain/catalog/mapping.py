"""Provincial mappings: parse them, and check them against a catalog and the province's
local codes.

Consistency rules (what ``check_mapping`` enforces and ``credit-node catalog
check-mapping`` reports):

1. the mapping is for the catalog's version;
2. every local code of the province (``node/domain/data/local_categories.json``) is
   mapped, and nothing else is;
3. every shared code mapped onto exists in that catalog version;
4. kind: a local code maps onto a shared category of the same kind (a penalty code onto a
   penalty category, a list entry onto a dishonesty category, a commitment onto a
   commitment category);
5. severity: a ``serious`` local code maps onto a ``serious`` shared category, and a
   ``general`` or ``minor`` one onto a ``general`` category (the catalog has the two
   classes of the 2023 rules, 一般失信 / 严重失信; ``minor`` — warnings, simplified
   procedure, fulfilled commitments — is the unpublished end of ``general``). So a
   province can neither raise nor lower a record's class by its choice of mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from crypto.canonical import normalize
from crypto.errors import CanonicalEncodingError
from node.domain.catalog import shape
from node.domain.catalog.documents import (
    MAX_VERSION,
    SHARED_CODE,
    Catalog,
    ProvinceMapping,
    document_hash,
)
from node.domain.catalog.errors import InconsistentMapping, MalformedMapping
from node.domain.fields import PROVINCES
from node.domain.local_categories import LocalCategory

PREFIX = "malformed mapping"
FIELDS = ("province", "catalog_version", "mappings")
MAX_LOCAL_CODE = 32  # the record field local_category is text <= 32


def parse_mapping(doc: object) -> ProvinceMapping:
    """Build a provincial mapping from its parsed JSON document.

    Precondition: ``doc`` is the result of ``json.loads``. Raises
    :class:`MalformedMapping` naming the first defect: missing or unknown fields, a
    province outside SH/JS/ZJ/AH, a version outside 1..2^32-1, an empty ``mappings``, a
    blank or over-long local code, a value that is not a shared code. Whether the codes
    agree with a catalog is :func:`check_mapping`'s job.
    """
    top = shape.exact_fields(doc, FIELDS, PREFIX, MalformedMapping)
    province = shape.choice(top, "province", tuple(PROVINCES), PREFIX, MalformedMapping)
    where = f"{PREFIX}: {province}"
    version = shape.integer(top, "catalog_version", where, MalformedMapping, 1, MAX_VERSION)
    where = f"{where} v{version}"
    raw = top["mappings"]
    if not isinstance(raw, dict) or not raw:
        raise MalformedMapping(f"{where}: 'mappings' must be a non-empty object of "
                               f"local code -> shared code, got {shape.type_name(raw)}")
    pairs: dict[str, str] = {}
    for local, shared in raw.items():
        if (not isinstance(local, str) or not local.strip() or local != local.strip()
                or len(local) > MAX_LOCAL_CODE):
            raise MalformedMapping(f"{where}: local code {shape.shown(local)} must be "
                                   f"1..{MAX_LOCAL_CODE} characters without surrounding "
                                   "whitespace")
        if not isinstance(shared, str) or not SHARED_CODE.fullmatch(shared):
            raise MalformedMapping(f"{where}: {local!r} maps onto {shape.shown(shared)}; "
                                   "want a shared code like YRD-SX-SC-001")
        pairs[local] = shared
    try:
        plain = normalize(top)
        digest = document_hash(plain)
    except CanonicalEncodingError as exc:
        raise MalformedMapping(f"{where}: not expressible in canonical form: {exc}") from exc
    return ProvinceMapping(
        province=province,
        catalog_version=version,
        mappings=MappingProxyType(pairs),
        document_hash=digest,
        document=MappingProxyType(plain),
    )


def expected_severity_class(local_severity: str) -> str:
    """The shared severity class a local code of ``local_severity`` must map onto:
    ``serious`` for ``serious``, ``general`` for ``general`` and ``minor``."""
    return "serious" if local_severity == "serious" else "general"


def check_against_catalog(mapping: ProvinceMapping, catalog: Catalog) -> tuple[str, ...]:
    """Rules 1 and 3: the version matches and every shared code exists. Returns the
    problems found (empty when none)."""
    label = f"{mapping.province} v{mapping.catalog_version}"
    if mapping.catalog_version != catalog.version:
        return (f"{label}: mapping is for catalog version {mapping.catalog_version}, "
                f"checked against version {catalog.version}",)
    return tuple(
        f"{label}: maps {local!r} onto {shared!r}, which catalog v{catalog.version} "
        "does not have"
        for local, shared in mapping.mappings.items()
        if shared not in catalog.categories
    )


def check_mapping(mapping: ProvinceMapping, catalog: Catalog,
                  local: Mapping[str, LocalCategory]) -> tuple[str, ...]:
    """Every rule of the module docstring. ``local`` is the province's local categories
    by code (``load_local_categories().by_code[province]``). Returns all problems found,
    in a stable order (empty when the mapping is consistent)."""
    problems = list(check_against_catalog(mapping, catalog))
    if mapping.catalog_version != catalog.version:
        return tuple(problems)
    label = f"{mapping.province} v{mapping.catalog_version}"
    for code, entry in local.items():
        if entry.province != mapping.province:
            problems.append(f"{label}: local code {code!r} given is of province "
                            f"{entry.province}")
        elif code not in mapping.mappings:
            problems.append(f"{label}: local code {code!r} ({entry.kind}, {entry.severity}) "
                            "is not mapped")
    for code, shared_code in mapping.mappings.items():
        cat = local.get(code)
        shared = catalog.categories.get(shared_code)
        if cat is None:
            problems.append(f"{label}: maps {code!r}, which is not a local code of "
                            f"{mapping.province}")
            continue
        if shared is None:
            continue  # reported by check_against_catalog
        if cat.kind != shared.kind:
            problems.append(f"{label}: maps {code!r} ({cat.kind}) onto {shared_code!r} "
                            f"of kind {shared.kind}")
        wanted = expected_severity_class(cat.severity)
        if shared.severity_class != wanted:
            problems.append(f"{label}: maps {code!r} ({cat.severity}) onto {shared_code!r} "
                            f"of severity class {shared.severity_class}; want {wanted}")
    return tuple(problems)


def require_consistent(mapping: ProvinceMapping, catalog: Catalog,
                       local: Mapping[str, LocalCategory]) -> None:
    """Raise :class:`InconsistentMapping` listing :func:`check_mapping`'s problems, if any."""
    problems = check_mapping(mapping, catalog, local)
    if problems:
        raise InconsistentMapping(problems)
