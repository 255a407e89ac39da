"""The key store: each record's wrapped data key, in a database apart from the payloads.

Why apart: crypto-shredding a repaired record means destroying its data key. If the key
sat next to the ciphertext, every backup of the node database would still hold both and
"destroyed" would be a lie. Here ``node.db`` holds ciphertext and a 16-byte key id only
(``crypto.sealing.detach_key``); the wrapped key lives in this store — SQLite ``keys.db``
next to ``node.db``, or a PostgreSQL URL of its own (``[keystore] url``) — with its own,
short backup retention. Shredding deletes the key row; on SQLite the connection runs with
``secure_delete`` on and the WAL is checkpointed and truncated after a shred, so the key's
bytes are overwritten in the file rather than left in a free page.

A backup of THIS store taken before a shred still holds the key: that is the key store's
own retention problem (keep its backups short-lived and encrypted; docs/lifecycle.md).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Engine, bindparam, delete, event, select
from sqlalchemy.pool import ConnectionPoolEntry

from crypto.errors import SealingError
from crypto.sealing import attach_key, detach_key
from node.store.bulk import bulk_insert
from node.store.rows import NewRecord, StoredRecord
from node.store.schema import data_keys, keystore_metadata
from node.store.sql_common import IN_CHUNK, chunked, in_chunk, one_of, utc, utc_now
from node.store.transactions import read_tx, write_tx

SHREDDED: Final = "shredded"
"""The status a record reads with when its key is gone but its row not yet updated."""
_ANSWERED: Final = frozenset({"active", "objection"})

__all__ = ["KEY_ID_SIZE", "SHREDDED", "Detached", "KeyStore", "detach_rows", "keystore_url_for",
           "new_key_id"]

Detached = tuple[bytes, bytes]
"""A record's payload as stored in the node database: (ciphertext body, key id)."""

KEY_ID_SIZE: Final = 16


def new_key_id() -> bytes:
    """A fresh random key id (16 bytes: no collision in any realistic number of records)."""
    return secrets.token_bytes(KEY_ID_SIZE)


def keystore_url_for(database_url: str) -> str:
    """The default key-store URL for a node database URL.

    SQLite file ``…/node.db`` → ``…/keys.db`` in the same directory; SQLite in memory →
    another in-memory database; anything else (PostgreSQL) must be configured explicitly
    (``ValueError``), because a default inside the same database would defeat the point.
    """
    if database_url in ("sqlite://", "sqlite:///:memory:"):
        return "sqlite://"
    if database_url.startswith("sqlite:///"):
        path = database_url[len("sqlite:///"):]
        head, _, _ = path.rpartition("/")
        return f"sqlite:///{head + '/' if head else ''}keys.db"
    raise ValueError("[keystore] url: required for a non-SQLite database, and it must name "
                     "a database apart from [database] url (rule: keys live apart)")


def detach_rows(rows: Sequence[NewRecord]) -> tuple[list[Detached], dict[bytes, bytes]]:
    """Split each row's sealed payload: what the node database keeps, and the keys by id.

    Raises ``ValueError`` naming the row whose payload is not a sealed payload.
    """
    kept: list[Detached] = []
    keys: dict[bytes, bytes] = {}
    for position, row in enumerate(rows):
        try:
            body, wrapped = detach_key(row.sealed_payload)
        except SealingError as exc:
            raise ValueError(f"record #{position}: sealed_payload is not a sealed payload "
                             f"({exc})") from exc
        key_id = new_key_id()
        keys[key_id] = wrapped
        kept.append((body, key_id))
    return kept, keys


class KeyStore:
    """Wrapped data keys by key id, in their own database (created on open)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._clock = clock
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _secure_delete)
            engine.dispose()  # connections opened before the listener get it too
        keystore_metadata.create_all(engine)

    @property
    def engine(self) -> Engine:
        """The key store's own engine."""
        return self._engine

    def put(self, keys: Mapping[bytes, bytes]) -> None:
        """Store wrapped keys by id, in one transaction (a repeated id is a conflict)."""
        if not keys:
            return
        now = utc(self._clock())
        rows = [(k, w, now) for k, w in keys.items()]
        # Straight to the driver (executemany / COPY): Core's per-row binding cost more
        # than the insert itself at one key per record.
        with write_tx(self._engine, "keystore.put") as conn:
            bulk_insert(conn, data_keys, ("key_id", "wrapped_key", "created_at"), rows)

    def get(self, key_ids: Iterable[bytes]) -> dict[bytes, bytes]:
        """The wrapped keys that exist among ``key_ids`` (a shredded id is simply absent)."""
        wanted = list(dict.fromkeys(key_ids))
        found: dict[bytes, bytes] = {}
        if not wanted:
            return found
        with read_tx(self._engine, "keystore.get") as conn:
            if len(wanted) <= IN_CHUNK:  # a query's few records: a statement built once
                rows = conn.execute(_KEYS_AMONG, {"ids": wanted})
                found.update((bytes(r.key_id), bytes(r.wrapped_key)) for r in rows)
                return found
            for part in chunked(wanted, in_chunk(conn)):
                rows = conn.execute(select(data_keys.c.key_id, data_keys.c.wrapped_key)
                                    .where(one_of(conn, data_keys.c.key_id, part)))
                found.update((bytes(r.key_id), bytes(r.wrapped_key)) for r in rows)
        return found

    def attach(self, found: Sequence[StoredRecord]) -> list[StoredRecord]:
        """``found`` with each detached payload whole again where its key still exists.

        A record whose key was shredded keeps its detached body: opening it fails with a
        ``SealingError`` that says the key is gone. Read while its shredding is under way
        (the row still says it is answered), it reads as ``SHREDDED``, so no caller tries
        to answer a record whose content no longer exists.
        """
        keys = self.get(r.key_id for r in found if r.key_id is not None)
        whole: list[StoredRecord] = []
        for record in found:
            if record.key_id is not None and record.sealed_payload:
                wrapped = keys.get(record.key_id)
                if wrapped is not None:
                    record = replace(record, sealed_payload=attach_key(record.sealed_payload,
                                                                       wrapped))
                elif record.status in _ANSWERED:
                    record = replace(record, status=SHREDDED)
            whole.append(record)
        return whole

    def shred(self, key_ids: Iterable[bytes]) -> int:
        """Destroy keys for good; returns how many existed. Idempotent."""
        ids = list(dict.fromkeys(key_ids))
        if not ids:
            return 0
        with write_tx(self._engine, "keystore.shred") as conn:
            gone = 0
            for part in chunked(ids, in_chunk(conn)):
                gone += conn.execute(delete(data_keys).where(
                    one_of(conn, data_keys.c.key_id, part))).rowcount
        if self._engine.dialect.name == "sqlite":
            # The deleted page's old image may still sit in the WAL: fold it in, truncate.
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return gone


_KEYS_AMONG: Final = select(data_keys.c.key_id, data_keys.c.wrapped_key).where(
    data_keys.c.key_id.in_(bindparam("ids", expanding=True)))


def _secure_delete(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


