"""Ingest commits and seals a submission's records together (``prepare_many``): each
stored record still opens to its canonical bytes and carries the spec's v2 commitment
under its own seed, and bad records are refused one by one while good ones are stored
(real SQLite store, no servers)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from service_helpers import synth_lines

from crypto.canonical import canonical_bytes, decode_canonical
from crypto.sealing import new_master_key, open_sealed, record_aad
from node.domain.records import parse_record, to_json
from node.domain.validation import ValidationContext
from node.service.disclosure import commit_v2
from node.service.ingest import IngestKeys, ingest, prepare, prepare_many
from node.store import open_store

KEYS = IngestKeys(new_master_key(), b"t" * 32)


def test_a_batch_is_committed_and_sealed_record_by_record(tmp_path: Path) -> None:
    lines = synth_lines(40, seed=3)
    bad = json.loads(lines[5])
    bad["record_no"] = ""
    lines[5] = json.dumps(bad).encode()
    lines[9] = b"{not json"
    store = open_store(f"sqlite:///{tmp_path}/n.db", f"sqlite:///{tmp_path}/k.db")
    outcome = ingest(lines, submitter_province="JS", store=store, keys=KEYS,
                     validation=ValidationContext(today=dt.date.today()))
    assert sorted(r.position for r in outcome.rejected) == [5, 9]
    assert [a.position for a in outcome.accepted] == [i for i in range(40) if i not in (5, 9)]
    assert [a.leaf_index for a in outcome.accepted] == list(range(38))
    stored = store.records_by_leaf_range("JS", 0, 38)
    assert len({r.salt for r in stored}) == 38  # one fresh seed per record
    for record, accepted in zip(stored, outcome.accepted, strict=True):
        payload = open_sealed(record.sealed_payload, KEYS.master_key,
                              record_aad(record.province, record.record_no))
        source = parse_record(json.loads(lines[accepted.position]))
        assert payload == canonical_bytes(to_json(source))
        assert record.commitment == accepted.commitment == commit_v2(
            decode_canonical(payload), record.salt)


def test_prepare_is_prepare_many_of_one() -> None:
    records = [parse_record(json.loads(line)) for line in synth_lines(3, seed=4)]
    assert prepare_many([], KEYS) == []
    rows = [*prepare_many(records, KEYS), prepare(records[0], KEYS)]
    for row, record in zip(rows, [*records, records[0]], strict=True):
        payload = open_sealed(row.sealed_payload, KEYS.master_key,
                              record_aad(row.province, row.record_no))
        assert row.record_no == record.record_no
        assert row.commitment == commit_v2(decode_canonical(payload), row.salt)
    assert rows[0].salt != rows[3].salt and rows[0].commitment != rows[3].commitment
