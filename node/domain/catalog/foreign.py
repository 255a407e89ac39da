"""Verify a peer's category claim: does the origin's published mapping, under an adopted
catalog version, map its local code onto the shared category the record names?

A receiver holds the catalog documents (``deploy/catalog``) and gets the origin's mapping
document either from the origin or from ``deploy/catalog/mappings``; either way only the
hash published on the ledger by the origin's own account makes it authoritative.
"""

from __future__ import annotations

from collections.abc import Mapping

from node.domain.catalog.adoption import CatalogReader, check_adopted, check_published
from node.domain.catalog.documents import Catalog, ProvinceMapping
from node.domain.catalog.errors import CatalogVerificationError, ForeignCategoryRejected


def verify_foreign(province: str, local_code: str, shared_code: str, version: int, *,
                   chain: CatalogReader, catalogs: Mapping[int, Catalog],
                   mapping: ProvinceMapping | None, kind: str | None = None) -> None:
    """Return None if ``province``'s record with ``local_code`` is rightly filed under
    ``shared_code`` of catalog ``version``; otherwise raise
    :class:`ForeignCategoryRejected` whose ``reason`` says which step failed.

    ``mapping`` is the origin's mapping document for ``version`` (None: none held);
    ``kind``, when given, is the record's kind, checked against the category's.
    """
    label = f"{province} record with local category {local_code!r} filed as {shared_code}"
    try:
        # (1) we hold catalog `version`, and (2) it is adopted with exactly its hash.
        catalog = catalogs.get(version)
        if catalog is None:
            raise CatalogVerificationError("CATALOG_UNKNOWN",
                                           f"catalog v{version} is not held here")
        check_adopted(chain, catalog)
        # (3) the mapping is the origin's, for this version.
        if mapping is None:
            raise CatalogVerificationError(
                "MAPPING_UNKNOWN", f"no mapping of {province} onto v{version} is held")
        if (mapping.province, mapping.catalog_version) != (province, version):
            raise CatalogVerificationError(
                "MAPPING_MISMATCH", f"the mapping given is {mapping.province}'s onto "
                f"v{mapping.catalog_version}, want {province}'s onto v{version}")
        # (4) the origin published exactly this mapping document's hash.
        check_published(chain, mapping)
    except CatalogVerificationError as exc:
        raise ForeignCategoryRejected(exc.reason, f"{label} (v{version}): {exc}") from exc
    # (5) the mapping maps the local code onto the claimed shared code.
    mapped = mapping.shared_code(local_code)
    if mapped is None:
        raise ForeignCategoryRejected(
            "NOT_MAPPED", f"{label} (v{version}): {province}'s published mapping does not "
            f"map {local_code!r}")
    if mapped != shared_code:
        raise ForeignCategoryRejected(
            "MAPPED_ELSEWHERE", f"{label} (v{version}): {province}'s published mapping maps "
            f"it onto {mapped}")
    # (6) the category exists in the adopted catalog and, if given, the kind agrees.
    category = catalog.category(shared_code)
    if category is None:
        raise ForeignCategoryRejected(
            "UNKNOWN_CATEGORY", f"{label} (v{version}): catalog v{version} has no such category")
    if kind is not None and kind != category.kind:
        raise ForeignCategoryRejected(
            "KIND_MISMATCH", f"{label} (v{version}): record kind {kind!r}, category kind "
            f"{category.kind!r}")
