"""The node's persistent store: records, Merkle logs, batches (SQLite or PostgreSQL).

Usage::

    from node.store import NewRecord, open_store

    store = open_store("sqlite:///var/node.db")        # migrates on open
    refs = store.add_records([record])                  # one transaction, idempotent
    start, end = store.unbatched_range()                # leaves waiting for a batch
    root = store.log_root("records", end)

Tables live in ``schema.py`` and the Alembic revisions in ``migrations/``; ``SqlStore``
implements the ``Store`` contract. Every error is a ``StoreError`` (``errors.py``).
"""

from __future__ import annotations

from node.store.contract import Store
from node.store.engine import make_engine, migrate
from node.store.errors import (
    StoreConflictError,
    StoreCorruptionError,
    StoreError,
    StoreNotFoundError,
    StoreUnavailableError,
)
from node.store.keystore import KeyStore, keystore_url_for
from node.store.rows import (
    AUDIT_LOG,
    FIRST_BATCH_SEQ,
    RECORDS_LOG,
    Batch,
    BatchStatus,
    ForeignRecord,
    LogHead,
    NewBatch,
    NewRecord,
    NodeRef,
    Origin,
    StoredRecord,
    StoredRef,
)
from node.store.sql_store import SqlStore

__all__ = [
    "AUDIT_LOG",
    "FIRST_BATCH_SEQ",
    "RECORDS_LOG",
    "Batch",
    "BatchStatus",
    "ForeignRecord",
    "KeyStore",
    "LogHead",
    "NewBatch",
    "NewRecord",
    "NodeRef",
    "Origin",
    "SqlStore",
    "Store",
    "StoreConflictError",
    "StoreCorruptionError",
    "StoreError",
    "StoreNotFoundError",
    "StoreUnavailableError",
    "StoredRecord",
    "StoredRef",
    "keystore_url_for",
    "make_engine",
    "migrate",
    "open_store",
]


def open_store(url: str, keystore_url: str | None = None) -> SqlStore:
    """Open the database at ``url``, bring its schema to the newest revision, wrap it.

    Data keys go to the key store at ``keystore_url`` (default ``keystore_url_for(url)``:
    ``keys.db`` next to a SQLite ``node.db``; required for PostgreSQL). Raises
    ``ValueError`` for a malformed or unsupported URL (or a key store URL equal to ``url``)
    and ``StoreUnavailableError`` when a database cannot be reached.
    """
    from sqlalchemy.exc import OperationalError

    engine = make_engine(url)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise StoreUnavailableError(
            f"cannot migrate the store ({type(exc.orig).__name__}): is the database reachable?"
        ) from exc
    keys_url = keystore_url if keystore_url is not None else keystore_url_for(url)
    if keys_url == url and url not in ("sqlite://", "sqlite:///:memory:"):
        raise ValueError("[keystore] url: must name a database apart from [database] url "
                         "(rule: data keys live apart from ciphertext)")
    try:
        keys = KeyStore(make_engine(keys_url))
    except OperationalError as exc:
        engine.dispose()
        raise StoreUnavailableError(
            f"cannot open the key store ({type(exc.orig).__name__}): is it reachable?"
        ) from exc
    return SqlStore(engine, keys=keys)
