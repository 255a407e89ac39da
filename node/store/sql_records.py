"""The ``records`` table: idempotent bulk inserts, lookups, lifecycle updates.

Functions run inside the caller's transaction. Inserts are executemany batches of plain
dicts (one round trip per few thousand rows), which is what keeps 100k records in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.engine import Connection

from node.store.bulk import bulk_insert
from node.store.errors import StoreNotFoundError
from node.store.rows import NewRecord, Origin, StoredRecord
from node.store.schema import records
from node.store.sql_common import chunked, in_chunk, one_of, utc

__all__ = [
    "RECORD_COLUMNS",
    "Key",
    "RecordRow",
    "count_records",
    "existing_refs",
    "insert_rows",
    "key_id_of",
    "record_row",
    "select_records",
    "set_publicity",
    "set_status",
    "to_stored",
    "validate_record",
]

Key = tuple[str, str]
"""The idempotency key of a record: (province, record_no)."""

_HASH_FIELDS: Final = ("commitment", "salt", "subject_token")


def validate_record(position: int, record: NewRecord) -> None:
    """Refuse a record whose fixed-size fields cannot be stored (``ValueError``).

    ``position`` is the record's place in the caller's batch, named in the message; no
    field value is quoted.
    """
    for name in _HASH_FIELDS:
        value = getattr(record, name)
        if not isinstance(value, bytes) or len(value) != 32:
            got = len(value) if isinstance(value, bytes) else type(value).__name__
            raise ValueError(f"record #{position}: {name} has {got} bytes, want 32")
    if len(record.province) != 2:
        raise ValueError(f"record #{position}: province has {len(record.province)} chars, want 2")
    if not 0 < len(record.record_no) <= 64:
        raise ValueError(
            f"record #{position}: record_no has {len(record.record_no)} chars, want 1..64"
        )


def existing_refs(conn: Connection, keys: Sequence[Key]) -> dict[Key, tuple[bytes, int]]:
    """The (commitment, leaf_index) of every key already stored."""
    by_province: dict[str, list[str]] = {}
    for province, record_no in dict.fromkeys(keys):
        by_province.setdefault(province, []).append(record_no)
    found: dict[Key, tuple[bytes, int]] = {}
    for province, numbers in by_province.items():
        for part in chunked(numbers, in_chunk(conn)):
            rows = conn.execute(
                select(records.c.record_no, records.c.commitment, records.c.leaf_index).where(
                    records.c.province == province, one_of(conn, records.c.record_no, part)
                )
            )
            for row in rows:
                found[(province, row.record_no)] = (bytes(row.commitment), row.leaf_index)
    return found


RECORD_COLUMNS: Final = (
    "province", "record_no", "kind", "local_category", "shared_category", "catalog_version",
    "severity", "rule_version", "commitment", "salt", "leaf_index", "subject_token",
    "sealed_payload", "is_public", "publicity_end", "status", "origin", "batch_seq",
    "created_at", "key_id", "subject_type",
)
"""The columns ``record_row`` fills, in its order (every column but the generated id)."""

RecordRow = tuple[Any, ...]


def record_row(
    record: NewRecord,
    *,
    leaf_index: int,
    origin: Origin,
    batch_seq: int | None,
    created_at: datetime,
    payload: bytes | None = None,
    key_id: bytes | None = None,
) -> RecordRow:
    """The insert values of one record, in ``RECORD_COLUMNS`` order.

    ``payload`` and ``key_id``: the detached ciphertext and its key's id in the key store
    (default: the record's own sealed payload, key inline).
    """
    r = record
    return (
        r.province, r.record_no, r.kind, r.local_category, r.shared_category,
        r.catalog_version, r.severity, r.rule_version, r.commitment, r.salt, leaf_index,
        r.subject_token, r.sealed_payload if payload is None else payload, r.is_public,
        r.publicity_end, r.status, origin, batch_seq, created_at, key_id, r.subject_type,
    )


def insert_rows(conn: Connection, rows: Sequence[RecordRow]) -> None:
    """Insert rows made by ``record_row`` in bulk (see ``bulk.bulk_insert``)."""
    bulk_insert(conn, records, RECORD_COLUMNS, rows)


def to_stored(row: Row[Any]) -> StoredRecord:
    """Map a full ``records`` row to its dataclass."""
    origin: Origin = "foreign" if row.origin == "foreign" else "local"
    return StoredRecord(
        id=row.id,
        province=row.province,
        record_no=row.record_no,
        kind=row.kind,
        local_category=row.local_category,
        shared_category=row.shared_category,
        catalog_version=row.catalog_version,
        severity=row.severity,
        rule_version=row.rule_version,
        commitment=bytes(row.commitment),
        salt=bytes(row.salt),
        leaf_index=row.leaf_index,
        subject_token=bytes(row.subject_token),
        sealed_payload=bytes(row.sealed_payload),
        is_public=bool(row.is_public),
        publicity_end=row.publicity_end,
        status=row.status,
        origin=origin,
        batch_seq=row.batch_seq,
        created_at=utc(row.created_at),
        key_id=None if row.key_id is None else bytes(row.key_id),
        subject_type=row.subject_type,
    )


def select_records(conn: Connection, *where: Any, order: Any = None, limit: int | None = None
                   ) -> list[StoredRecord]:
    """Records matching every condition, ordered by ``order`` (default: insertion)."""
    query = select(records).where(*where).order_by(order if order is not None else records.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [to_stored(row) for row in conn.execute(query)]


_OF_SUBJECT: Final = (select(records).where(records.c.subject_token == bindparam("token"))
                      .order_by(records.c.id))
"""Built once: SQLAlchemy then keys it from its memo instead of building it per query."""


def records_of_subject(conn: Connection, subject_token: bytes) -> list[StoredRecord]:
    """Every record of one subject token, in insertion order (``select_records`` with one
    condition, through a statement built once: it runs on every agency query)."""
    return [to_stored(row) for row in conn.execute(_OF_SUBJECT, {"token": subject_token})]


def count_records(conn: Connection, origin: Origin | None) -> int:
    """Number of records, of one origin or all."""
    query = select(func.count()).select_from(records)
    if origin is not None:
        query = query.where(records.c.origin == origin)
    return int(conn.execute(query).scalar_one())


def _update_one(conn: Connection, key: Key, values: dict[str, Any]) -> None:
    result = conn.execute(
        update(records)
        .where(records.c.province == key[0], records.c.record_no == key[1])
        .values(**values)
    )
    if result.rowcount != 1:
        raise StoreNotFoundError(f"no record numbered as given in province {key[0]!r}")


def set_status(conn: Connection, key: Key, status: str, shred_payload: bool) -> None:
    """Set a record's status; with ``shred_payload`` also erase its sealed payload."""
    if not 0 < len(status) <= 16:
        raise ValueError(f"record status has {len(status)} chars, want 1..16")
    values: dict[str, Any] = {"status": status}
    if shred_payload:
        values["sealed_payload"] = b""
    _update_one(conn, key, values)


def set_publicity(conn: Connection, key: Key, is_public: bool, end: date | None) -> None:
    """Set whether a record is published and until when."""
    _update_one(conn, key, {"is_public": is_public, "publicity_end": end})


def key_id_of(conn: Connection, key: Key) -> bytes | None:
    """The key-store id of a record's data key (None: inline key or no such record)."""
    found = conn.execute(select(records.c.key_id).where(
        records.c.province == key[0], records.c.record_no == key[1])).scalar_one_or_none()
    return None if found is None else bytes(found)
