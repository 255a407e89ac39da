"""Plain-text and JSON views of a catalog, for ``credit-node catalog show`` and answers."""

from __future__ import annotations

from node.domain.catalog.documents import MEASURE_GROUPS, Catalog, Category, Measure


def measure_json(measure: Measure) -> dict[str, str]:
    """A measure as in the catalog document."""
    return {"id": measure.id, "group": measure.group, "content": measure.content,
            "target": measure.target, "legal_basis": measure.legal_basis,
            "implementer": measure.implementer}


def category_json(category: Category) -> dict[str, object]:
    """A category as in the catalog document."""
    return {
        "code": category.code, "name": category.name, "kind": category.kind,
        "severity_class": category.severity_class,
        "publicity_band": {"min_months": category.publicity_band.min_months,
                           "max_months": category.publicity_band.max_months},
        "basic_catalog_class": category.basic_catalog_class,
        "measures": list(category.measures),
    }


def catalog_summary(catalog: Catalog) -> dict[str, object]:
    """Version, hash and content of ``catalog`` as JSON-ready data."""
    return {
        "version": catalog.version,
        "title": catalog.title,
        "effective": catalog.effective.isoformat(),
        "sha256": "0x" + catalog.document_hash.hex(),
        "categories": [category_json(c) for c in catalog.categories.values()],
        "measures": [measure_json(m) for m in catalog.measures.values()],
    }


def describe_catalog(catalog: Catalog) -> str:
    """A human-readable listing: header, categories with their measures, measures by group."""
    lines = [
        f"{catalog.title} v{catalog.version} (effective {catalog.effective.isoformat()})",
        f"sha256 0x{catalog.document_hash.hex()}",
        f"{len(catalog.categories)} categories, {len(catalog.measures)} measures",
        "",
    ]
    for c in catalog.categories.values():
        band = c.publicity_band
        lines.append(f"{c.code}  {c.kind:<10} {c.severity_class:<7} "
                     f"{band.min_months:>2}-{band.max_months:<2} months  {c.name}")
        lines.append(f"    {c.basic_catalog_class}; measures: {', '.join(c.measures) or '-'}")
    for group, title in MEASURE_GROUPS.items():
        lines += ["", f"({group}) {title}"]
        lines += [f"  {m.id}  {m.content} — {m.implementer}"
                  for m in catalog.measures.values() if m.group == group]
    return "\n".join(lines)
