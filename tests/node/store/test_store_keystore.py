"""Keys apart from ciphertext: a node database copied before a shred never opens again."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from crypto.errors import SealingError
from crypto.sealing import (
    Sealed,
    attach_key,
    detach_key,
    new_master_key,
    open_sealed,
    record_aad,
    seal,
)
from node.store import KeyStore, NewRecord, SqlStore, keystore_url_for, make_engine, open_store
from tests.node.store.conftest import new_record

MASTER = new_master_key()


def _sealed_record(i: int) -> tuple[bytes, NewRecord]:
    record = new_record(i)
    blob = seal(b'{"n":%d}' % i, MASTER, record_aad(record.province, record.record_no))
    return blob.wrapped_key, replace(record, sealed_payload=blob.to_bytes())


def _backup(src: Path, dst: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included), as an operator takes."""
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)


def _files_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_keystore_url_is_next_to_node_db_and_required_for_postgres(tmp_path: Path) -> None:
    assert keystore_url_for("sqlite:////var/n/node.db") == "sqlite:////var/n/keys.db"
    assert keystore_url_for("sqlite://") == "sqlite://"
    with pytest.raises(ValueError, match=r"\[keystore\] url: required"):
        keystore_url_for("postgresql+psycopg://u@h/db")
    with pytest.raises(ValueError, match="apart from"):
        open_store(f"sqlite:///{tmp_path / 'node.db'}", f"sqlite:///{tmp_path / 'node.db'}")


def test_copy_taken_before_repair_is_undecryptable_after(tmp_path: Path) -> None:
    node_db, keys_db = tmp_path / "node.db", tmp_path / "keys.db"
    store = open_store(f"sqlite:///{node_db}")
    made = [_sealed_record(i) for i in range(3)]
    wrapped_keys = [w for w, _ in made]
    rows = [r for _, r in made]
    store.add_records(rows)
    target = rows[1]
    aad = record_aad(target.province, target.record_no)
    live = store.get_record(target.province, target.record_no)
    assert live is not None and live.key_id is not None
    assert open_sealed(live.sealed_payload, MASTER, aad) == b'{"n":1}'
    # The node database never holds a wrapped key: only ciphertext and a key id.
    assert keys_db.exists()
    for wrapped in wrapped_keys:
        assert wrapped not in _files_bytes(node_db)
        assert wrapped in _files_bytes(keys_db)

    before_node, before_keys = tmp_path / "node-before.db", tmp_path / "keys-before.db"
    _backup(node_db, before_node)
    _backup(keys_db, before_keys)

    store.set_status(target.province, target.record_no, "repaired", shred_payload=True)

    # (1) the live key store has no key for it, and its bytes are gone from the files.
    assert store.keys is not None
    assert store.keys.get([live.key_id]) == {}
    assert wrapped_keys[1] not in _files_bytes(keys_db)
    # (2) the payload row in the pre-repair copy cannot be opened with the live key store...
    old = SqlStore(make_engine(f"sqlite:///{before_node}"), keys=store.keys)
    old_row = old.get_record(target.province, target.record_no)
    assert old_row is not None and old_row.sealed_payload
    with pytest.raises(SealingError, match="without its data key"):
        open_sealed(old_row.sealed_payload, MASTER, aad)
    # ... nor by itself: the copy holds no key material at all, only the detached body.
    with pytest.raises(SealingError):
        Sealed.from_bytes(old_row.sealed_payload)
    # The other records still open from the old copy with the live key store.
    other = old.get_record(rows[0].province, rows[0].record_no)
    assert other is not None
    assert open_sealed(other.sealed_payload, MASTER,
                       record_aad(other.province, other.record_no)) == b'{"n":0}'
    # Honest limit: a copy of the KEY STORE taken before the repair still opens it — that
    # copy is the key store's own retention problem (docs/lifecycle.md).
    stale = KeyStore(make_engine(f"sqlite:///{before_keys}"))
    reopened = SqlStore(make_engine(f"sqlite:///{before_node}"), keys=stale)
    again = reopened.get_record(target.province, target.record_no)
    assert again is not None
    assert open_sealed(again.sealed_payload, MASTER, aad) == b'{"n":1}'


def test_detached_body_refuses_to_open_and_reattaches() -> None:
    aad = record_aad("JS", "JS-1")
    blob = seal(b"payload", MASTER, aad).to_bytes()
    body, wrapped = detach_key(blob)
    assert wrapped not in body
    with pytest.raises(SealingError, match="without its data key"):
        open_sealed(body, MASTER, aad)
    assert open_sealed(attach_key(body, wrapped), MASTER, aad) == b"payload"
    with pytest.raises(SealingError, match="malformed detached payload"):
        attach_key(blob, wrapped)


def test_non_sealed_payload_is_refused_naming_the_row(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'node.db'}")
    bad = replace(new_record(7), sealed_payload=b"not sealed")
    with pytest.raises(ValueError, match=r"record #0: sealed_payload is not a sealed payload"):
        store.add_records([bad])
    assert store.count_records() == 0
