"""Read catalog and mapping documents from files.

Layout of a catalog directory (``deploy/catalog`` in the repository)::

    catalog-v1.json, catalog-v2.json, …      one file per catalog version
    mappings/SH-v1.json, mappings/JS-v2.json, …   one file per province and version

Which directory: an explicit argument, else the environment variable
``YRD_CATALOG_DIR``, else ``deploy/catalog`` of the source tree this module sits in (an
installed package carries no ``deploy/``: set the variable or pass the directory).

Files are JSON; duplicate object keys and the non-JSON constants ``NaN``/``Infinity``
are refused, since they would make the document's hash ambiguous.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, NoReturn

from node.domain.catalog.documents import Catalog, ProvinceMapping
from node.domain.catalog.errors import CatalogFileError, MalformedCatalog, MalformedMapping
from node.domain.catalog.mapping import parse_mapping
from node.domain.catalog.parse import parse_catalog

CATALOG_DIR_ENV = "YRD_CATALOG_DIR"
SOURCE_CATALOG_DIR = Path(__file__).resolve().parents[3] / "deploy" / "catalog"
_CATALOG_FILE = re.compile(r"^catalog-v([1-9][0-9]*)\.json$")
_MAPPING_FILE = re.compile(r"^([A-Z]{2})-v([1-9][0-9]*)\.json$")


def catalog_dir(directory: Path | str | None = None) -> Path:
    """The catalog directory: ``directory``, else ``$YRD_CATALOG_DIR``, else the source
    tree's ``deploy/catalog``. Raises :class:`CatalogFileError` if it does not exist."""
    chosen = directory if directory is not None else os.environ.get(CATALOG_DIR_ENV)
    path = Path(chosen) if chosen else SOURCE_CATALOG_DIR
    if not path.is_dir():
        how = "given" if directory is not None else (
            f"from ${CATALOG_DIR_ENV}" if chosen else "default")
        raise CatalogFileError(f"catalog directory {path} ({how}) does not exist; pass the "
                               f"directory or set {CATALOG_DIR_ENV}")
    return path


def catalog_path(version: int, directory: Path | str | None = None) -> Path:
    """Where catalog ``version`` lives: ``<dir>/catalog-v<version>.json``."""
    return catalog_dir(directory) / f"catalog-v{version}.json"


def mapping_path(province: str, version: int, directory: Path | str | None = None) -> Path:
    """Where ``province``'s mapping onto ``version`` lives: ``<dir>/mappings/P-vN.json``."""
    return catalog_dir(directory) / "mappings" / f"{province}-v{version}.json"


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path`` (UTF-8). Raises :class:`CatalogFileError` naming the
    file and the defect: unreadable, not JSON, duplicate keys, not an object."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogFileError(f"{path} unreadable: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogFileError(f"{path} is not UTF-8 (byte {exc.start})") from exc
    try:
        doc = json.loads(text, object_pairs_hook=_unique, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise CatalogFileError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}") from exc
    except ValueError as exc:
        raise CatalogFileError(f"{path} is not acceptable JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise CatalogFileError(f"{path}: want a JSON object at the top level")
    return doc


def load_catalog(path: Path | str) -> Catalog:
    """Parse the catalog document in ``path`` (:class:`CatalogFileError` or
    ``MalformedCatalog`` on failure; the message names the file)."""
    path = Path(path)
    doc = read_json_object(path)
    try:
        return parse_catalog(doc)
    except MalformedCatalog as exc:
        raise MalformedCatalog(f"{path}: {exc}") from exc


def load_mapping(path: Path | str) -> ProvinceMapping:
    """Parse the mapping document in ``path`` (:class:`CatalogFileError` or
    ``MalformedMapping`` on failure; the message names the file)."""
    path = Path(path)
    doc = read_json_object(path)
    try:
        return parse_mapping(doc)
    except MalformedMapping as exc:
        raise MalformedMapping(f"{path}: {exc}") from exc


def packaged_catalogs(directory: Path | str | None = None) -> dict[int, Catalog]:
    """Every ``catalog-vN.json`` of the catalog directory, by version. A file whose name
    and ``version`` disagree is refused (:class:`CatalogFileError`)."""
    found: dict[int, Catalog] = {}
    for path in sorted(catalog_dir(directory).glob("catalog-v*.json")):
        match = _CATALOG_FILE.match(path.name)
        if match is None:
            raise CatalogFileError(f"{path}: want a name like catalog-v1.json")
        catalog = load_catalog(path)
        if catalog.version != int(match.group(1)):
            raise CatalogFileError(f"{path} holds catalog version {catalog.version}; its "
                                   f"name says {match.group(1)}")
        found[catalog.version] = catalog
    return found


def packaged_mappings(
    directory: Path | str | None = None,
) -> dict[tuple[str, int], ProvinceMapping]:
    """Every ``mappings/P-vN.json`` of the catalog directory, by (province, version). A
    file whose name disagrees with its province or version is refused."""
    found: dict[tuple[str, int], ProvinceMapping] = {}
    folder = catalog_dir(directory) / "mappings"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        match = _MAPPING_FILE.match(path.name)
        if match is None:
            raise CatalogFileError(f"{path}: want a name like JS-v1.json")
        mapping = load_mapping(path)
        named = (match.group(1), int(match.group(2)))
        if (mapping.province, mapping.catalog_version) != named:
            raise CatalogFileError(f"{path} holds the mapping of {mapping.province} onto "
                                   f"v{mapping.catalog_version}; its name says "
                                   f"{named[0]} v{named[1]}")
        found[named] = mapping
    return found
