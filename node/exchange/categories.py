"""What the exchange asks of the shared catalog, answered by ``node.domain.catalog``.

The exchange needs three answers (the :class:`CategoryCheck` protocol):

* ``check``: is ``origin``'s record with ``local_category`` rightly filed under
  ``shared_category`` of catalog ``version``? ``None`` when it is, else the refusal
  reason (no personal data). :class:`CatalogCategories` asks
  ``node.domain.catalog.verify_foreign``: the held catalog document is the one adopted
  on-chain, the origin's mapping document is the one its account published, and that
  mapping files the local code under the shared code (of the record's kind). An origin
  whose mapping onto ``version`` is not published yet gets no verdict: ``check`` raises
  :class:`~node.exchange.errors.CategoryPending` and the page is taken again later;
* ``sharing``: is a record of a shared category (of a subject type, public or not)
  replicated to every member (``"replicate"``), handed out only for one subject under a
  forwarded grant (``"on_request"``), or never let out of its origin
  (``"origin_only"``)? The catalog's sharing policy decides
  (``node.domain.catalog.sharing``: written in documents from v3, the default before);
* ``on_request``: every shared category exchanged only on request under ``version``.

Upgrades: nodes commit new records under a newly adopted version within seconds of its
adoption, and each province publishes its mapping onto it only after the adoption (the
contract refuses a mapping onto a version not adopted). Records committed in between
wait at their origin: receivers keep their cursor (nothing is stored from that page,
nothing is quarantined) and retry with the puller's backoff until the mapping is
published. So publishing the mappings is needed before records of the new version flow,
and no record is lost by publishing late.

A category the catalog does not hold is treated as on request, which means it is never
handed out (``on_request`` lists only held ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal, Protocol

from node.domain.catalog import (
    Catalog,
    CatalogReader,
    ForeignCategoryRejected,
    ProvinceMapping,
    packaged_catalogs,
    packaged_mappings,
    verify_foreign,
)
from node.exchange.errors import CategoryPending

Sharing = Literal["replicate", "on_request", "origin_only"]
PENDING_REASONS: Final = frozenset({"MAPPING_NOT_PUBLISHED"})
"""Refusals of ``verify_foreign`` that mean "not yet", not "no" (see the module doc)."""


class CategoryCheck(Protocol):
    """The catalog as the exchange sees it (see the module doc)."""

    def check(self, origin: str, local_category: str, shared_category: str,
              catalog_version: int, *, kind: str | None = None) -> str | None:
        """None when the claim holds, else the refusal reason; raises CategoryPending
        when it cannot be judged yet and ChainUnavailable when the ledger cannot be asked."""

    def sharing(self, shared_category: str, version: int, *, subject: str | None = None,
                public: bool = True) -> Sharing: ...

    def on_request(self, version: int) -> frozenset[str]: ...


class CatalogCategories:
    """A :class:`CategoryCheck` over held catalogs and mappings, judged by ``reader``.

    ``reader`` (a ``CatalogReader``, e.g. ``node.exchange.chain_facts.ChainFacts``) says which
    catalog and mapping hashes are on the ledger; its errors other than a verdict (the
    ledger cannot be asked) propagate.
    """

    def __init__(self, catalogs: Mapping[int, Catalog],
                 mappings: Mapping[tuple[str, int], ProvinceMapping],
                 reader: CatalogReader) -> None:
        self._catalogs = dict(catalogs)
        self._mappings = dict(mappings)
        self._reader = reader

    @classmethod
    def packaged(cls, reader: CatalogReader,
                 directory: Path | str | None = None) -> CatalogCategories:
        """From the catalog directory (``deploy/catalog`` or ``$YRD_CATALOG_DIR``).

        Raises ``CatalogFileError`` when the directory or a document cannot be read.
        """
        return cls(packaged_catalogs(directory), packaged_mappings(directory), reader)

    def check(self, origin: str, local_category: str, shared_category: str,
              catalog_version: int, *, kind: str | None = None) -> str | None:
        try:
            verify_foreign(origin, local_category, shared_category, catalog_version,
                           chain=self._reader, catalogs=self._catalogs,
                           mapping=self._mappings.get((origin, catalog_version)), kind=kind)
        except ForeignCategoryRejected as exc:
            if exc.reason in PENDING_REASONS:
                raise CategoryPending(f"{exc.reason}: {exc}") from exc
            return f"{exc.reason}: {exc}"
        return None

    def sharing(self, shared_category: str, version: int, *, subject: str | None = None,
                public: bool = True) -> Sharing:
        catalog = self._catalogs.get(version)
        category = catalog.category(shared_category) if catalog is not None else None
        if catalog is None or category is None:
            return "on_request"
        return catalog.sharing.decide(category=shared_category, kind=category.kind,
                                      subject=subject, public=public)

    def on_request(self, version: int) -> frozenset[str]:
        catalog = self._catalogs.get(version)
        if catalog is None:
            return frozenset()
        return frozenset(code for code, category in catalog.categories.items()
                         if catalog.sharing.decide(category=code, kind=category.kind,
                                                   subject="organisation", public=True)
                         == "on_request")
