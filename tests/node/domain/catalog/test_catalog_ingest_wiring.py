"""Recognizer.categorize as ingest's hook: recognized records are stored with their shared
category and catalog version; unrecognized ones are refused with the catalog's Issue."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crypto.sealing import new_master_key
from node.devnet.synth import generate_records
from node.domain.catalog import Catalog, ProvinceMapping, Recognizer
from node.domain.validation import ValidationContext
from node.service.ingest import IngestKeys, ingest
from node.store import open_store


@pytest.mark.parametrize("province", ["SH", "JS", "ZJ", "AH"])
def test_ingest_stores_shared_category_and_version(
        catalogs: dict[int, Catalog], mappings: dict[tuple[str, int], ProvinceMapping],
        province: str) -> None:
    recognizer = Recognizer(catalogs, mappings, adopted_version=2)
    records = list(generate_records(province, 60, seed=11))
    unknown = dict(records[0])
    unknown["local_category"] = "LOCAL-0000"
    unknown["record_no"] = "catalog-test-unknown"
    store = open_store("sqlite://")
    outcome = ingest(
        [json.dumps(unknown), *records], submitter_province=province, store=store,
        keys=IngestKeys(master_key=new_master_key(), token_key=new_master_key()),
        validation=ValidationContext(today=dt.date(2026, 6, 30)),
        categorize=recognizer.categorize)
    refused = {r.position: r.errors for r in outcome.rejected}
    assert [(i.code, i.field) for i in refused[0]] == [
        ("CATEGORY_NOT_RECOGNIZED", "local_category")]
    assert "'LOCAL-0000'" in refused[0][0].message
    # Every other refusal is a validation finding, never the catalog's.
    assert all(i.code not in ("CATEGORY_NOT_RECOGNIZED", "CATEGORY_KIND_MISMATCH")
               for pos, issues in refused.items() if pos for i in issues)
    assert len(outcome.accepted) > 30
    mapping = mappings[(province, 2)]
    for accepted in outcome.accepted:
        row = store.get_record(province, accepted.record_no)
        assert row is not None
        assert row.catalog_version == 2
        assert row.shared_category == mapping.mappings[row.local_category]
