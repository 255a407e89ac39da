"""CatalogState: the adopted version follows the chain; ingest never races the first read."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from node.devnet.synth import generate_records
from node.domain.catalog import packaged_catalogs, packaged_mappings
from node.domain.records import parse_record
from node.service.catalog_state import CatalogState
from node.store import open_store

ZERO = bytes(32)


class FakeChain:
    """The Catalog contract's reads, with adoption and an outage switch."""

    def __init__(self) -> None:
        self.adopted: dict[int, bytes] = {}
        self.down = False
        self.reads = 0

    def current_catalog_version(self) -> int:
        self.reads += 1
        if self.down:
            raise ConnectionError("ledger unreachable")
        return max(self.adopted, default=0)

    def catalog_hash(self, version: int) -> bytes:
        return self.adopted.get(version, ZERO)

    def mapping_hash(self, province: str, version: int) -> bytes:
        return ZERO


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(seed: int = 3):  # type: ignore[no-untyped-def]
    return parse_record(json.loads(json.dumps(next(iter(generate_records("JS", 1, seed))))))


def _state(chain: FakeChain, clock: Clock, store_path: Path) -> CatalogState:
    return CatalogState(chain, open_store(f"sqlite:///{store_path}"), packaged_catalogs(),
                        packaged_mappings(), refresh_seconds=2.0, clock=clock)


def test_follows_adoption_and_upgrade(tmp_path: Path) -> None:
    chain, clock = FakeChain(), Clock()
    state = _state(chain, clock, tmp_path / "n.db")
    refused = state.categorize(_record())
    assert not isinstance(refused, tuple)
    assert (refused.code, refused.field) == ("CATALOG_NOT_ADOPTED", "local_category")
    assert state.version() == 0

    catalogs = packaged_catalogs()
    chain.adopted[1] = catalogs[1].document_hash
    assert state.version() == 0  # read again only after refresh_seconds
    clock.now += 2.0
    assert state.version() == 1
    shared, version = state.categorize(_record())  # type: ignore[misc]
    assert version == 1 and shared.startswith("YRD-")

    chain.adopted[2] = catalogs[2].document_hash
    clock.now += 2.0
    assert state.version() == 2
    assert state.categorize(_record())[1] == 2  # type: ignore[index]


def test_a_wrong_adopted_document_refuses_everything(tmp_path: Path) -> None:
    chain, clock = FakeChain(), Clock()
    chain.adopted[1] = b"\x01" * 32
    state = _state(chain, clock, tmp_path / "n.db")
    refused = state.categorize(_record())
    assert not isinstance(refused, tuple) and refused.code == "CATALOG_NOT_ADOPTED"
    assert "hash" in refused.message.lower()


def test_keeps_the_last_version_when_the_ledger_is_down_even_after_restart(
        tmp_path: Path) -> None:
    chain, clock = FakeChain(), Clock()
    chain.adopted[1] = packaged_catalogs()[1].document_hash
    assert _state(chain, clock, tmp_path / "n.db").version() == 1
    chain.down = True
    restarted = _state(chain, clock, tmp_path / "n.db")
    assert restarted.version() == 1
    assert isinstance(restarted.categorize(_record()), tuple)


def test_concurrent_first_calls_all_wait_for_the_first_read(tmp_path: Path) -> None:
    chain, clock = FakeChain(), Clock()
    chain.adopted[1] = packaged_catalogs()[1].document_hash
    state = _state(chain, clock, tmp_path / "n.db")
    record = _record()
    results: list[object] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(state.categorize(record))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 8 and all(isinstance(r, tuple) for r in results)
    assert chain.reads == 2  # one refresh: our version read, then recognizer_from_chain's


@pytest.mark.parametrize("seed", [1, 2])
def test_every_synthetic_record_is_recognized(tmp_path: Path, seed: int) -> None:
    chain, clock = FakeChain(), Clock()
    chain.adopted[1] = packaged_catalogs()[1].document_hash
    state = _state(chain, clock, tmp_path / "n.db")
    for raw in generate_records("AH", 300, seed):
        assert isinstance(state.categorize(parse_record(raw)), tuple)
