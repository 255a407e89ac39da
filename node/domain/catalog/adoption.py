"""The catalog as the ledger holds it: adopted versions and published mapping hashes.

This module never imports ``ledger``: it talks to anything shaped like
:class:`CatalogReader` / :class:`CatalogWriter`, which ``ledger.LedgerClient`` is (its
calls carry the client's deadline). :class:`ChainSnapshot` is a read-once copy for
checking many records without a call per record.

    publish_mapping(client, mapping, catalog)        # after checking the chain agrees
    recognizer = recognizer_from_chain(client, packaged_catalogs(), packaged_mappings())
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Protocol

from node.domain.catalog.documents import Catalog, ProvinceMapping
from node.domain.catalog.errors import CatalogVerificationError

if TYPE_CHECKING:
    from node.domain.catalog.recognize import Recognizer

ZERO_HASH: Final = bytes(32)


class CatalogReader(Protocol):
    """Reads of the Catalog contract (as ``ledger.LedgerClient`` offers them)."""

    def current_catalog_version(self) -> int: ...

    def catalog_hash(self, version: int) -> bytes: ...

    def mapping_hash(self, province: str, version: int) -> bytes: ...


class CatalogWriter(CatalogReader, Protocol):
    """Governance and publishing calls (as ``ledger.LedgerClient`` offers them)."""

    @property
    def account(self) -> str: ...

    def province_of(self, account: str) -> str: ...

    def propose_adopt_catalog(self, version: int, document_hash: bytes) -> int: ...

    def publish_mapping(self, version: int, mapping_hash: bytes) -> object: ...


@dataclass(frozen=True)
class ChainSnapshot:
    """A read-once copy of the chain's catalog state; a :class:`CatalogReader`.

    Adopted hashes never change; a mapping may be re-published, so refresh the snapshot
    when a ``MappingPublished`` event arrives.
    """

    current_version: int
    catalog_hashes: Mapping[int, bytes] = field(default_factory=dict)
    mapping_hashes: Mapping[tuple[str, int], bytes] = field(default_factory=dict)

    def current_catalog_version(self) -> int:
        return self.current_version

    def catalog_hash(self, version: int) -> bytes:
        return self.catalog_hashes.get(version, ZERO_HASH)

    def mapping_hash(self, province: str, version: int) -> bytes:
        return self.mapping_hashes.get((province, version), ZERO_HASH)


def read_snapshot(reader: CatalogReader, provinces: Iterable[str]) -> ChainSnapshot:
    """Read the adopted versions 1..current and each province's mapping hash for each
    (1 + v·(1 + p) calls)."""
    current = reader.current_catalog_version()
    catalogs = {v: reader.catalog_hash(v) for v in range(1, current + 1)}
    adopted = [v for v, h in catalogs.items() if h != ZERO_HASH]
    mappings = {(p, v): reader.mapping_hash(p, v) for p in provinces for v in adopted}
    return ChainSnapshot(
        current_version=current,
        catalog_hashes=MappingProxyType({v: catalogs[v] for v in adopted}),
        mapping_hashes=MappingProxyType({k: h for k, h in mappings.items() if h != ZERO_HASH}),
    )


def check_adopted(reader: CatalogReader, catalog: Catalog) -> None:
    """Raise :class:`CatalogVerificationError` unless ``catalog``'s version is adopted on
    the ledger with exactly ``catalog``'s document hash (``NOT_ADOPTED``,
    ``CATALOG_HASH_MISMATCH``)."""
    on_chain = reader.catalog_hash(catalog.version)
    if on_chain == ZERO_HASH:
        raise CatalogVerificationError(
            "NOT_ADOPTED", f"catalog v{catalog.version} is not adopted on the ledger "
            f"(current version {reader.current_catalog_version()})")
    if on_chain != catalog.document_hash:
        raise CatalogVerificationError(
            "CATALOG_HASH_MISMATCH", f"catalog v{catalog.version} adopted on the ledger has "
            f"hash 0x{on_chain.hex()}, the held document 0x{catalog.document_hash.hex()}")


def check_published(reader: CatalogReader, mapping: ProvinceMapping) -> None:
    """Raise :class:`CatalogVerificationError` unless ``mapping``'s province published
    exactly its hash for its version (``MAPPING_NOT_PUBLISHED``, ``MAPPING_HASH_MISMATCH``)."""
    label = f"{mapping.province}'s mapping onto v{mapping.catalog_version}"
    on_chain = reader.mapping_hash(mapping.province, mapping.catalog_version)
    if on_chain == ZERO_HASH:
        raise CatalogVerificationError("MAPPING_NOT_PUBLISHED",
                                       f"{label} is not published on the ledger")
    if on_chain != mapping.document_hash:
        raise CatalogVerificationError(
            "MAPPING_HASH_MISMATCH", f"{label} published on the ledger has hash "
            f"0x{on_chain.hex()}, the document 0x{mapping.document_hash.hex()}")


def propose_adoption(writer: CatalogWriter, catalog: Catalog) -> int:
    """Propose adopting ``catalog`` (its version and document hash) through governance;
    returns the proposal id. The proposer's approval counts at once; the version is
    adopted when a threshold of members approve."""
    return writer.propose_adopt_catalog(catalog.version, catalog.document_hash)


def publish_mapping(writer: CatalogWriter, mapping: ProvinceMapping, catalog: Catalog) -> object:
    """Publish ``mapping``'s hash as the writer's province's mapping onto its version.

    Checked first, so nothing wrong is published: the mapping is for ``catalog``'s
    version (``ValueError``), the writer's account is ``mapping.province``'s member
    (``WRONG_PROVINCE``), and ``catalog`` is the adopted document for that version
    (see :func:`check_adopted`). Returns what the writer's ``publish_mapping`` returns.
    """
    if mapping.catalog_version != catalog.version:
        raise ValueError(f"mapping is onto catalog v{mapping.catalog_version}, "
                         f"the catalog given is v{catalog.version}")
    province = writer.province_of(writer.account)
    if province != mapping.province:
        raise CatalogVerificationError(
            "WRONG_PROVINCE", f"the sending account is {province}'s member; the mapping is "
            f"{mapping.province}'s")
    check_adopted(writer, catalog)
    return writer.publish_mapping(mapping.catalog_version, mapping.document_hash)


def recognizer_from_chain(reader: CatalogReader, catalogs: Mapping[int, Catalog],
                          mappings: Mapping[tuple[str, int], ProvinceMapping]) -> Recognizer:
    """A Recognizer for the ledger's current catalog version.

    Held catalogs of versions not adopted (yet) are left out; every held catalog of an
    adopted version must match its adopted hash (``CATALOG_HASH_MISMATCH``), and the
    current version's document must be held (``CATALOG_UNKNOWN``); ``NOT_ADOPTED`` when
    no version is adopted yet. Mappings are kept for the adopted versions; whether each
    was published is :func:`check_published`'s question.
    """
    from node.domain.catalog.recognize import Recognizer

    current = reader.current_catalog_version()
    if current == 0:
        raise CatalogVerificationError("NOT_ADOPTED",
                                       "no catalog version is adopted on the ledger yet")
    adopted: dict[int, Catalog] = {}
    for version, catalog in sorted(catalogs.items()):
        if version <= current and reader.catalog_hash(version) != ZERO_HASH:
            check_adopted(reader, catalog)
            adopted[version] = catalog
    if current not in adopted:
        raise CatalogVerificationError(
            "CATALOG_UNKNOWN", f"catalog v{current} is adopted on the ledger but its document "
            f"is not held; add catalog-v{current}.json to the catalog directory")
    kept = {key: m for key, m in mappings.items() if key[1] in adopted}
    return Recognizer(adopted, kept, current)
