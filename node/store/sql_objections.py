"""Objections (异议) at the origin: filed, open until decided, closed with their result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, Row, select, update
from sqlalchemy.engine import Connection

from node.store.errors import StoreConflictError
from node.store.schema import objections
from node.store.sql_common import utc, utc_now
from node.store.transactions import read_tx, write_tx

__all__ = ["NewObjection", "ObjectionStore", "StoredObjection"]

RESULTS = frozenset({"corrected", "upheld", "unverifiable"})


@dataclass(frozen=True)
class NewObjection:
    province: str
    record_no: str
    applicant: str
    reason: str
    evidence_sha256: bytes | None
    received_on: date
    verify_deadline: date
    request_id: str


@dataclass(frozen=True)
class StoredObjection:
    id: int
    province: str
    record_no: str
    received_on: date
    verify_deadline: date
    request_id: str
    result: str | None
    closed_at: datetime | None
    corrected_record_no: str | None


def _row(row: Row[Any]) -> StoredObjection:
    return StoredObjection(
        id=row.id, province=row.province, record_no=row.record_no,
        received_on=row.received_on, verify_deadline=row.verify_deadline,
        request_id=row.request_id, result=row.result,
        closed_at=None if row.closed_at is None else utc(row.closed_at),
        corrected_record_no=row.corrected_record_no)


def insert_open(conn: Connection, objection: NewObjection) -> int:
    """Inside ``conn``'s write transaction: a new open objection's id;
    ``StoreConflictError`` if the record has one open."""
    open_one = conn.execute(select(objections.c.id).where(
        objections.c.province == objection.province,
        objections.c.record_no == objection.record_no,
        objections.c.result.is_(None))).first()
    if open_one is not None:
        raise StoreConflictError("the record already has an open objection")
    return int(conn.execute(objections.insert().values(
        **objection.__dict__).returning(objections.c.id)).scalar_one())


class ObjectionStore:
    """The ``objections`` table over the node's migrated engine."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def file(self, objection: NewObjection) -> StoredObjection:
        """Store a new open objection; ``StoreConflictError`` if the record has one open."""
        with write_tx(self._engine, "file_objection") as conn:
            new_id = insert_open(conn, objection)
            row = conn.execute(select(objections).where(objections.c.id == new_id)).one()
        return _row(row)

    def open_objection(self, province: str, record_no: str) -> StoredObjection | None:
        with read_tx(self._engine, "open_objection") as conn:
            row = conn.execute(select(objections).where(
                objections.c.province == province, objections.c.record_no == record_no,
                objections.c.result.is_(None))).first()
        return None if row is None else _row(row)

    def of_record(self, province: str, record_no: str) -> list[StoredObjection]:
        with read_tx(self._engine, "objections_of_record") as conn:
            rows = conn.execute(select(objections).where(
                objections.c.province == province, objections.c.record_no == record_no)
                .order_by(objections.c.id))
            return [_row(r) for r in rows]

    def close(self, objection_id: int, result: str, corrected_record_no: str | None) -> None:
        """Close an open objection with ``result`` (``ValueError`` for an unknown one)."""
        with write_tx(self._engine, "close_objection") as conn:
            self.close_in(conn, objection_id, result, corrected_record_no)

    def close_in(self, conn: Connection, objection_id: int, result: str,
                 corrected_record_no: str | None) -> None:
        """:meth:`close` inside ``conn``'s write transaction (the caller's)."""
        if result not in RESULTS:
            raise ValueError(f"objection result {result!r}: want one of {sorted(RESULTS)}")
        done = conn.execute(update(objections).where(
            objections.c.id == objection_id, objections.c.result.is_(None)).values(
            result=result, closed_at=utc(self._clock()),
            corrected_record_no=corrected_record_no))
        if done.rowcount != 1:
            raise StoreConflictError("the objection is not open")
