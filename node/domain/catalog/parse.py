"""Parse a catalog document into a :class:`~node.domain.catalog.documents.Catalog`.

Every malformed document is refused with :class:`MalformedCatalog` naming the defect and
where it is (``malformed catalog: categories[3] (YRD-SX-SC-002): links unknown measure
'M-A-99'``): wrong or missing fields, unknown fields, duplicate codes or measure ids, a
measure whose id letter disagrees with its group, a category linking an unknown measure
or one measure twice, a publicity band whose minimum exceeds its maximum.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from crypto.canonical import normalize
from crypto.errors import CanonicalEncodingError
from node.domain.catalog import shape
from node.domain.catalog.documents import (
    BASIC_CATALOG_CLASSES,
    MAX_BAND_MONTHS,
    MAX_VERSION,
    MEASURE_GROUPS,
    MEASURE_ID,
    SEVERITY_CLASSES,
    SHARED_CODE,
    Catalog,
    Category,
    Measure,
    PublicityBand,
    document_hash,
)
from node.domain.catalog.errors import MalformedCatalog
from node.domain.catalog.sharing import DEFAULT_POLICY, parse_sharing
from node.domain.fields import KINDS

PREFIX = "malformed catalog"
TOP_FIELDS = ("version", "title", "effective", "categories", "measures")
MEASURE_FIELDS = ("id", "group", "content", "target", "legal_basis", "implementer")
CATEGORY_FIELDS = ("code", "name", "kind", "severity_class", "publicity_band",
                   "basic_catalog_class", "measures")
BAND_FIELDS = ("min_months", "max_months")
_E = MalformedCatalog


def parse_catalog(doc: object) -> Catalog:
    """Build a catalog from its parsed JSON document.

    Precondition: ``doc`` is the result of ``json.loads`` (see ``load.read_json_object``
    for a reader that also refuses duplicate keys). Raises :class:`MalformedCatalog`
    naming the first defect found; never returns a partial catalog.
    """
    # ``sharing`` (v3 on) is optional: older documents must keep hashing as adopted.
    fields = (*TOP_FIELDS, "sharing") if isinstance(doc, dict) and "sharing" in doc \
        else TOP_FIELDS
    top = shape.exact_fields(doc, fields, PREFIX, _E)
    version = shape.integer(top, "version", PREFIX, _E, 1, MAX_VERSION)
    title = shape.text(top, "title", PREFIX, _E, max_len=200)
    effective = shape.date(top, "effective", PREFIX, _E)
    measures = _measures(top["measures"])
    categories = _categories(top["categories"], measures)
    sharing = (parse_sharing(top["sharing"], frozenset(categories)) if "sharing" in top
               else DEFAULT_POLICY)
    try:
        plain = normalize(top)
        digest = document_hash(plain)
    except CanonicalEncodingError as exc:
        raise MalformedCatalog(f"{PREFIX}: not expressible in canonical form: {exc}") from exc
    return Catalog(
        version=version,
        title=title,
        effective=effective,
        categories=MappingProxyType(categories),
        measures=MappingProxyType(measures),
        document_hash=digest,
        document=MappingProxyType(plain),
        sharing=sharing,
    )


def _nonempty_list(value: object, key: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise MalformedCatalog(f"{PREFIX}: {key!r} must be a non-empty list, "
                               f"got {shape.type_name(value)}")
    return value


def _measures(raw: object) -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for i, entry in enumerate(_nonempty_list(raw, "measures")):
        where = f"{PREFIX}: measures[{i}]"
        obj = shape.exact_fields(entry, MEASURE_FIELDS, where, _E)
        measure_id = shape.pattern(obj, "id", MEASURE_ID, "M-A-01", where, _E)
        group = shape.choice(obj, "group", tuple(MEASURE_GROUPS), where, _E)
        letter = measure_id[2].lower()
        if group != letter:
            raise MalformedCatalog(f"{where}: id {measure_id!r} is in group {letter} but "
                                   f"'group' is {group!r}")
        if measure_id in out:
            raise MalformedCatalog(f"{where}: duplicate measure id {measure_id!r}")
        out[measure_id] = Measure(
            id=measure_id,
            group=group,
            content=shape.text(obj, "content", where, _E),
            target=shape.text(obj, "target", where, _E),
            legal_basis=shape.text(obj, "legal_basis", where, _E),
            implementer=shape.text(obj, "implementer", where, _E),
        )
    return out


def _band(raw: object, where: str) -> PublicityBand:
    where = f"{where}: publicity_band"
    obj = shape.exact_fields(raw, BAND_FIELDS, where, _E)
    low = shape.integer(obj, "min_months", where, _E, 0, MAX_BAND_MONTHS)
    high = shape.integer(obj, "max_months", where, _E, 0, MAX_BAND_MONTHS)
    if low > high:
        raise MalformedCatalog(f"{where}: min_months {low} exceeds max_months {high}")
    return PublicityBand(min_months=low, max_months=high)


def _linked(raw: object, measures: dict[str, Measure], where: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise MalformedCatalog(f"{where}: 'measures' must be a list of measure ids, "
                               f"got {shape.type_name(raw)}")
    seen: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise MalformedCatalog(f"{where}: 'measures' must hold measure ids, "
                                   f"got {shape.type_name(item)}")
        if item not in measures:
            raise MalformedCatalog(f"{where}: links unknown measure {shape.shown(item)}")
        if item in seen:
            raise MalformedCatalog(f"{where}: links measure {item!r} twice")
        seen.append(item)
    return tuple(seen)


def _categories(raw: object, measures: dict[str, Measure]) -> dict[str, Category]:
    out: dict[str, Category] = {}
    for i, entry in enumerate(_nonempty_list(raw, "categories")):
        where = f"{PREFIX}: categories[{i}]"
        obj = shape.exact_fields(entry, CATEGORY_FIELDS, where, _E)
        code = shape.pattern(obj, "code", SHARED_CODE, "YRD-SX-SC-001", where, _E)
        if code in out:
            raise MalformedCatalog(f"{where}: duplicate category code {code!r}")
        where = f"{where} ({code})"
        out[code] = Category(
            code=code,
            name=shape.text(obj, "name", where, _E, max_len=200),
            kind=shape.choice(obj, "kind", KINDS, where, _E),
            severity_class=shape.choice(obj, "severity_class", SEVERITY_CLASSES, where, _E),
            publicity_band=_band(obj["publicity_band"], where),
            basic_catalog_class=shape.choice(obj, "basic_catalog_class",
                                             BASIC_CATALOG_CLASSES, where, _E),
            measures=_linked(obj["measures"], measures, where),
        )
    return out
