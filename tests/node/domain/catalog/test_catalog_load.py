"""Loading documents: directory resolution, strict JSON, file names that must agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from node.domain.catalog import (
    CATALOG_DIR_ENV,
    CatalogFileError,
    MalformedCatalog,
    MalformedMapping,
    catalog_dir,
    load_catalog,
    load_mapping,
    packaged_catalogs,
    packaged_mappings,
)

REPO_CATALOG = Path(__file__).resolve().parents[4] / "deploy" / "catalog"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(REPO_CATALOG, target)
    return target


def test_default_directory_is_the_source_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CATALOG_DIR_ENV, raising=False)
    assert catalog_dir() == REPO_CATALOG
    assert sorted(packaged_catalogs()) == [1, 2, 3]
    assert len(packaged_mappings()) == 12


def test_environment_and_explicit_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    elsewhere = _copy(tmp_path)
    (elsewhere / "catalog-v2.json").unlink()
    (elsewhere / "catalog-v3.json").unlink()
    monkeypatch.setenv(CATALOG_DIR_ENV, str(elsewhere))
    assert catalog_dir() == elsewhere and sorted(packaged_catalogs()) == [1]
    assert sorted(packaged_catalogs(REPO_CATALOG)) == [1, 2, 3]
    monkeypatch.setenv(CATALOG_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(CatalogFileError, match=r"nowhere \(from \$YRD_CATALOG_DIR\) does not "
                       r"exist; pass the directory or set YRD_CATALOG_DIR"):
        packaged_catalogs()


def test_misnamed_files_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "catalog-v1.json").rename(folder / "catalog-v3.json")
    with pytest.raises(CatalogFileError, match=r"catalog-v3.json holds catalog version 1; "
                       r"its name says 3$"):
        packaged_catalogs(folder)
    folder = _copy(tmp_path / "b")
    (folder / "mappings" / "JS-v1.json").rename(folder / "mappings" / "ZJ-v9.json")
    with pytest.raises(CatalogFileError, match=r"ZJ-v9.json holds the mapping of JS onto v1; "
                       r"its name says ZJ v9$"):
        packaged_mappings(folder)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_strict_json(tmp_path: Path) -> None:
    doc: dict[str, Any] = json.loads((REPO_CATALOG / "catalog-v1.json").read_text("utf-8"))
    text = json.dumps(doc, ensure_ascii=False)
    dup = _write(tmp_path / "dup.json", text[:-1] + ', "version": 9}')
    with pytest.raises(CatalogFileError, match=r"dup.json is not acceptable JSON: duplicate "
                       r"key 'version'$"):
        load_catalog(dup)
    nan = _write(tmp_path / "nan.json", text.replace('"version": 1', '"version": NaN'))
    with pytest.raises(CatalogFileError, match=r"NaN is not JSON$"):
        load_catalog(nan)
    with pytest.raises(CatalogFileError, match=r"broken.json is not JSON: Expecting"):
        load_catalog(_write(tmp_path / "broken.json", "{"))
    with pytest.raises(CatalogFileError, match=r"list.json: want a JSON object at the top"):
        load_catalog(_write(tmp_path / "list.json", "[]"))
    with pytest.raises(CatalogFileError, match=r"missing.json unreadable: No such file"):
        load_catalog(tmp_path / "missing.json")


def test_parse_errors_name_the_file(tmp_path: Path) -> None:
    doc = json.loads((REPO_CATALOG / "catalog-v1.json").read_text("utf-8"))
    doc["measures"][0]["group"] = "z"
    bad = _write(tmp_path / "bad.json", json.dumps(doc))
    with pytest.raises(MalformedCatalog, match=r"bad.json: malformed catalog: measures\[0\]: "
                       r"'group' must be one of a, b, c, got 'z'$"):
        load_catalog(bad)
    with pytest.raises(MalformedMapping, match=r"bad.json: malformed mapping: missing field "
                       r"'province'$"):
        load_mapping(bad)


def test_whitespace_and_key_order_of_the_file_do_not_matter(tmp_path: Path) -> None:
    original = load_catalog(REPO_CATALOG / "catalog-v1.json")
    doc = json.loads((REPO_CATALOG / "catalog-v1.json").read_text("utf-8"))
    compact = _write(tmp_path / "compact.json",
                     json.dumps(dict(reversed(list(doc.items()))), separators=(",", ":")))
    assert load_catalog(compact).document_hash == original.document_hash
    assert load_catalog(compact) == original
