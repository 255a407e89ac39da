"""Recognition at ingest: map a record's local category onto the adopted shared catalog.

    recognizer = Recognizer(packaged_catalogs(), packaged_mappings(), adopted_version=1)
    outcome = recognizer.categorize(record)     # ("YRD-SX-SC-001", 1) or an Issue
    recognizer.measures_for("YRD-SX-SC-001", 1)  # the punishment measures that apply

A record is recognized under the adopted version and keeps that version for good: after
an upgrade (``recognizer.with_adopted(2)``) new records get version 2 while stored ones
still name version 1, whose catalog stays held so their measures can still be answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from node.domain.catalog.adoption import CatalogReader
from node.domain.catalog.documents import Catalog, Category, Measure, ProvinceMapping
from node.domain.catalog.errors import UnknownCatalogEntry
from node.domain.catalog.foreign import verify_foreign
from node.domain.catalog.mapping import check_against_catalog
from node.domain.validation.issues import Issue

NOT_RECOGNIZED = "CATEGORY_NOT_RECOGNIZED"
KIND_MISMATCH = "CATEGORY_KIND_MISMATCH"


class CategorizedRecord(Protocol):
    """What recognition reads of a record (every ``node.domain.records.Record`` has it)."""

    @property
    def kind(self) -> str: ...

    @property
    def province(self) -> str: ...

    @property
    def local_category(self) -> str: ...


@dataclass(frozen=True)
class Recognition:
    """A recognized local code: its shared category under catalog ``version``."""

    shared_code: str
    version: int
    category: Category


class Recognizer:
    """Recognizes records against held catalogs and provincial mappings.

    Preconditions (checked; ``ValueError`` naming the defect otherwise): every key of
    ``catalogs`` is its catalog's version; every key ``(province, version)`` of
    ``mappings`` is its mapping's province and version, ``version`` is held in
    ``catalogs``, and each shared code the mapping uses exists in that catalog;
    ``adopted_version`` is held in ``catalogs``. Kind and severity consistency of the
    mappings with local codes is ``check_mapping``'s job (run by the tests and the CLI).
    """

    def __init__(self, catalogs: Mapping[int, Catalog],
                 mappings: Mapping[tuple[str, int], ProvinceMapping],
                 adopted_version: int) -> None:
        for version, catalog in catalogs.items():
            if catalog.version != version:
                raise ValueError(f"catalogs[{version}] holds catalog version {catalog.version}")
        for (province, version), mapping in mappings.items():
            if (mapping.province, mapping.catalog_version) != (province, version):
                raise ValueError(f"mappings[({province!r}, {version})] holds the mapping of "
                                 f"{mapping.province} v{mapping.catalog_version}")
            if version not in catalogs:
                raise ValueError(f"mapping of {province} onto v{version}: catalog "
                                 f"v{version} is not held")
            problems = check_against_catalog(mapping, catalogs[version])
            if problems:
                raise ValueError(f"mapping of {province} onto v{version}: {problems[0]}")
        if adopted_version not in catalogs:
            raise ValueError(f"adopted catalog version {adopted_version} is not held "
                             f"(held: {sorted(catalogs) or 'none'})")
        self._catalogs = MappingProxyType(dict(catalogs))
        self._mappings = MappingProxyType(dict(mappings))
        self._adopted = adopted_version

    @property
    def adopted_version(self) -> int:
        """The version new records are recognized under."""
        return self._adopted

    @property
    def catalogs(self) -> Mapping[int, Catalog]:
        """The held catalogs by version."""
        return self._catalogs

    @property
    def mappings(self) -> Mapping[tuple[str, int], ProvinceMapping]:
        """The held mappings by (province, version)."""
        return self._mappings

    def with_adopted(self, version: int) -> Recognizer:
        """The same catalogs and mappings with ``version`` adopted (after an upgrade)."""
        return Recognizer(self._catalogs, self._mappings, version)

    def catalog(self, version: int) -> Catalog:
        """Catalog ``version``; :class:`UnknownCatalogEntry` if it is not held."""
        catalog = self._catalogs.get(version)
        if catalog is None:
            raise UnknownCatalogEntry(f"catalog version {version} is not held "
                                      f"(held: {sorted(self._catalogs)})")
        return catalog

    def category(self, shared_code: str, version: int) -> Category:
        """Category ``shared_code`` of catalog ``version``; :class:`UnknownCatalogEntry`
        if the version is not held or has no such code."""
        category = self.catalog(version).category(shared_code)
        if category is None:
            raise UnknownCatalogEntry(f"catalog v{version} has no category {shared_code!r}")
        return category

    def measures_for(self, shared_code: str, version: int) -> list[Measure]:
        """The punishment measures of ``shared_code`` under catalog ``version`` (the
        version the record was committed under), in catalog order. Raises
        :class:`UnknownCatalogEntry` for an unknown version or code."""
        self.category(shared_code, version)
        return list(self.catalog(version).measures_of(shared_code))

    def recognize(self, province: str, local_code: str, kind: str, *,
                  version: int | None = None) -> Recognition | Issue:
        """Map ``province``'s ``local_code`` onto catalog ``version`` (default: the
        adopted one) and check the record ``kind`` against the shared category's.

        Returns the :class:`Recognition`, or an Issue: ``CATEGORY_NOT_RECOGNIZED`` (field
        ``local_category``) when the province has no mapping onto the version or the
        mapping lacks the code; ``CATEGORY_KIND_MISMATCH`` (field ``kind``) when kinds
        differ. Messages name the local code and the version (local codes are public
        reference data, not personal data).
        """
        version = self._adopted if version is None else version
        mapping = self._mappings.get((province, version))
        if mapping is None:
            return Issue(NOT_RECOGNIZED, "local_category",
                         f"local category {local_code!r} is not recognized: {province} has "
                         f"no mapping onto shared catalog v{version}")
        shared_code = mapping.shared_code(local_code)
        if shared_code is None:
            return Issue(NOT_RECOGNIZED, "local_category",
                         f"local category {local_code!r} is not recognized: {province}'s "
                         f"mapping onto shared catalog v{version} does not map it")
        category = self.category(shared_code, version)
        if category.kind != kind:
            return Issue(KIND_MISMATCH, "kind",
                         f"record kind {kind!r} differs from kind {category.kind!r} of shared "
                         f"category {shared_code} (local category {local_code!r}, catalog "
                         f"v{version})")
        return Recognition(shared_code, version, category)

    def categorize(self, record: CategorizedRecord) -> tuple[str, int] | Issue:
        """Ingest's ``categorize`` hook: ``(shared_code, adopted_version)`` or the Issue
        of :meth:`recognize`."""
        outcome = self.recognize(record.province, record.local_category, record.kind)
        if isinstance(outcome, Issue):
            return outcome
        return outcome.shared_code, outcome.version

    def verify_foreign(self, province: str, local_code: str, shared_code: str, version: int,
                       *, chain: CatalogReader, mapping: ProvinceMapping | None = None,
                       kind: str | None = None) -> None:
        """Check a peer record's category claim against the ledger; see
        :func:`node.domain.catalog.foreign.verify_foreign`. ``mapping`` is the document
        the origin sent; by default the held one for ``(province, version)``. Raises
        ``ForeignCategoryRejected``; returns None when the claim holds."""
        verify_foreign(province, local_code, shared_code, version, chain=chain,
                       catalogs=self._catalogs,
                       mapping=mapping if mapping is not None
                       else self._mappings.get((province, version)),
                       kind=kind)
