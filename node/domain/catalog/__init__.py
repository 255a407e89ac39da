"""Mutual recognition of dishonesty standards (失信行为标准互认): the shared, versioned
catalog of dishonesty categories and punishment measures, each province's mapping of its
local codes onto it, and recognition of records at ingest and from peers.

Usage::

    from node.domain.catalog import (
        Recognizer, packaged_catalogs, packaged_mappings, recognizer_from_chain)

    catalogs, mappings = packaged_catalogs(), packaged_mappings()   # deploy/catalog
    recognizer = recognizer_from_chain(ledger_client, catalogs, mappings)
    ingest(..., categorize=recognizer.categorize)       # (shared, version) or an Issue
    recognizer.measures_for("YRD-SX-SC-003", 1)          # measures named in answers
    recognizer.verify_foreign("JS", "JSXY0201", "YRD-SX-SC-003", 1, chain=ledger_client)

Documents are plain JSON (see ``documents``); their on-chain identity is
``document_hash(doc)`` = sha256 of the canonical form (NFC + RFC 8785 JCS). An adopted
version is immutable: change the catalog by writing the next version.
"""

from node.domain.catalog.adoption import (
    CatalogReader,
    CatalogWriter,
    ChainSnapshot,
    check_adopted,
    check_published,
    propose_adoption,
    publish_mapping,
    read_snapshot,
    recognizer_from_chain,
)
from node.domain.catalog.documents import (
    Catalog,
    Category,
    Measure,
    ProvinceMapping,
    PublicityBand,
    document_hash,
)
from node.domain.catalog.errors import (
    REASONS,
    CatalogError,
    CatalogFileError,
    CatalogVerificationError,
    ForeignCategoryRejected,
    InconsistentMapping,
    MalformedCatalog,
    MalformedMapping,
    UnknownCatalogEntry,
)
from node.domain.catalog.foreign import verify_foreign
from node.domain.catalog.load import (
    CATALOG_DIR_ENV,
    catalog_dir,
    catalog_path,
    load_catalog,
    load_mapping,
    mapping_path,
    packaged_catalogs,
    packaged_mappings,
    read_json_object,
)
from node.domain.catalog.mapping import (
    check_mapping,
    expected_severity_class,
    parse_mapping,
    require_consistent,
)
from node.domain.catalog.parse import parse_catalog
from node.domain.catalog.recognize import (
    KIND_MISMATCH,
    NOT_RECOGNIZED,
    CategorizedRecord,
    Recognition,
    Recognizer,
)

__all__ = [
    "CATALOG_DIR_ENV",
    "KIND_MISMATCH",
    "NOT_RECOGNIZED",
    "REASONS",
    "Catalog",
    "CatalogError",
    "CatalogFileError",
    "CatalogReader",
    "CatalogVerificationError",
    "CatalogWriter",
    "CategorizedRecord",
    "Category",
    "ChainSnapshot",
    "ForeignCategoryRejected",
    "InconsistentMapping",
    "MalformedCatalog",
    "MalformedMapping",
    "Measure",
    "ProvinceMapping",
    "PublicityBand",
    "Recognition",
    "Recognizer",
    "UnknownCatalogEntry",
    "catalog_dir",
    "catalog_path",
    "check_adopted",
    "check_mapping",
    "check_published",
    "document_hash",
    "expected_severity_class",
    "load_catalog",
    "load_mapping",
    "mapping_path",
    "packaged_catalogs",
    "packaged_mappings",
    "parse_catalog",
    "parse_mapping",
    "propose_adoption",
    "publish_mapping",
    "read_json_object",
    "read_snapshot",
    "recognizer_from_chain",
    "require_consistent",
    "verify_foreign",
]
