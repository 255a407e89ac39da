"""seal_by_version: a batch never names a catalog version its records were not committed under."""

from __future__ import annotations

import hashlib

import nacl.signing
import pytest

from crypto.batch_header import BatchHeader
from crypto.sealing import new_master_key, seal
from node.service.version_sealing import run_end, seal_by_version
from node.store import NewRecord, open_store
from node.store.contract import Store

KEY = nacl.signing.SigningKey(b"\x07" * 32)


def _row(i: int, version: int | None) -> NewRecord:
    digest = hashlib.sha256(str(i).encode()).digest()
    return NewRecord(province="JS", record_no=f"JS-{i}", kind="penalty", local_category="X",
                     shared_category=None if version is None else "YRD-SX-SC-001",
                     catalog_version=version, severity="general", rule_version="2023",
                     commitment=digest, salt=digest, subject_token=digest,
                     sealed_payload=seal(b"{}", new_master_key(), b"").to_bytes(),
                     is_public=True, publicity_end=None)


def _store(versions: list[int | None]) -> Store:
    store = open_store("sqlite://")
    store.add_records([_row(i, v) for i, v in enumerate(versions)])
    return store


def _batches(store: Store) -> list[tuple[int, int, int]]:
    """(start, end, header version) of every batch, in seq order."""
    out = []
    for batch in store.batches_by_status("signed"):
        header = BatchHeader.from_json(batch.header_json)
        out.append((batch.start_size, batch.end_size, header.catalog_version))
    return out


def test_growth_under_one_version_is_one_batch_under_it() -> None:
    store = _store([2, 2, 2, 2])
    assert seal_by_version(store, province="JS", signing_key=KEY, in_force=2,
                           max_records=100) == 1
    assert _batches(store) == [(0, 4, 2)]


def test_growth_across_an_upgrade_is_cut_where_the_version_changes() -> None:
    # Three records recognized under v1, sealed after v2 took effect, then two under v2.
    store = _store([1, 1, 1, 2, 2])
    assert seal_by_version(store, province="JS", signing_key=KEY, in_force=2,
                           max_records=100) == 2
    assert _batches(store) == [(0, 3, 1), (3, 5, 2)]


def test_a_record_recognized_just_before_the_switch_gets_its_own_batch() -> None:
    store = _store([2, 1, 2])
    seal_by_version(store, province="JS", signing_key=KEY, in_force=2, max_records=100)
    assert _batches(store) == [(0, 1, 2), (1, 2, 1), (2, 3, 2)]


def test_records_without_a_version_take_the_one_in_force_and_max_records_holds() -> None:
    store = _store([None, None, None, 1, 1])
    seal_by_version(store, province="JS", signing_key=KEY, in_force=1, max_records=2)
    assert _batches(store) == [(0, 2, 1), (2, 4, 1), (4, 5, 1)]


def test_nothing_to_seal_seals_nothing_and_bad_arguments_are_refused() -> None:
    store = _store([])
    assert seal_by_version(store, province="JS", signing_key=KEY, in_force=1,
                           max_records=10) == 0
    with pytest.raises(ValueError, match="want in_force > 0 and max_records > 0, got 0 and 10"):
        seal_by_version(store, province="JS", signing_key=KEY, in_force=0, max_records=10)
    with pytest.raises(ValueError, match="got start 3, end 3"):
        run_end(store, "JS", 3, 3, 1)


def test_run_end_scans_past_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    import node.service.version_sealing as version_sealing

    monkeypatch.setattr(version_sealing, "SCAN_CHUNK", 2)
    store = _store([1, 1, 1, 1, 1, 2, 2])
    assert run_end(store, "JS", 0, 7, 2) == (5, 1)
    assert run_end(store, "JS", 5, 7, 2) == (7, 2)


def test_once_settled_the_growth_is_judged_by_its_first_and_last_leaf() -> None:
    store = _store([2, 2])
    seal_by_version(store, province="JS", signing_key=KEY, in_force=2, max_records=100)
    store.add_records([_row(i, 2) for i in range(2, 5)])
    assert run_end(store, "JS", 2, 5, 2, settled=True) == (5, 2)
    seal_by_version(store, province="JS", signing_key=KEY, in_force=2, max_records=100)
    assert _batches(store) == [(0, 2, 2), (2, 5, 2)]
