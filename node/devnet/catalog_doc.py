"""The shared catalog a new consortium adopts, and each province's mapping onto it.

The documents come from the catalog directory (``deploy/catalog``, or ``$YRD_CATALOG_DIR``)
through :mod:`node.domain.catalog`'s loader, so the hash adopted on the ledger is the
catalog's own ``document_hash`` (sha256 of the canonical form), and each province later
publishes its mapping document's hash for the same version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from node.devnet.errors import ConsortiumError
from node.domain.catalog import (
    Catalog,
    CatalogError,
    ProvinceMapping,
    catalog_path,
    load_catalog,
    packaged_mappings,
)

__all__ = ["ADOPTED_VERSION", "CatalogChoice", "catalog_choice"]

ADOPTED_VERSION: Final = 3
"""The version a new consortium adopts (a later one is adopted by governance, not here):
v3, the first that writes its sharing policy down (what leaves the origin, per category
and subject type), so the policy in force is the one adopted on-chain."""


@dataclass(frozen=True)
class CatalogChoice:
    """The catalog to adopt, its source file, and the mappings onto it by province."""

    catalog: Catalog
    source: Path
    mappings: dict[str, ProvinceMapping]

    @property
    def version(self) -> int:
        return self.catalog.version

    @property
    def document_hash(self) -> bytes:
        return self.catalog.document_hash


def catalog_choice(directory: Path | None = None,
                   version: int = ADOPTED_VERSION) -> CatalogChoice:
    """Catalog ``version`` and the provinces' mappings onto it, from ``directory``
    (default: the catalog directory of :func:`node.domain.catalog.catalog_dir`).

    Raises ConsortiumError naming the file when a document is missing or malformed.
    """
    try:
        path = catalog_path(version, directory)
        catalog = load_catalog(path)
        mappings = {p: m for (p, v), m in packaged_mappings(directory).items() if v == version}
    except CatalogError as exc:
        raise ConsortiumError(f"the shared catalog v{version} cannot be used: {exc}") from exc
    return CatalogChoice(catalog, path, mappings)
