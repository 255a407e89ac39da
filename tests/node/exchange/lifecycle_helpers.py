"""Records and requests for the lifecycle tests: a repairable penalty, its repair
commitment, a node's database copied or read directly (SQLite or PostgreSQL), and the
lifecycle calls over real gRPC."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from exchange_helpers import Consortium
from pg_schemas import copy_of_schema
from repair_records import repair_commitment
from sqlalchemy import text

from node._proto.credit.v1 import common_pb2, lifecycle_pb2, query_pb2
from node.grpc.stubs import lifecycle_stub, query_stub
from node.store import make_engine


def file_repair(net: Consortium, penalty: dict[str, Any], today: date, *,
                record_no: str | None = None) -> Any:
    request = lifecycle_pb2.FileRepairRequest(
        record_no=record_no or str(penalty["record_no"]), basis="已整改并履行处罚",
        commitment_json=repair_commitment(penalty, today),
        decision_ref="宁信修〔2026〕1号", evidence_sha256=bytes(32))
    with net.channel("JS", "platform", "JS") as ch:
        return lifecycle_stub(ch).FileRepair(request, timeout=20)


def answers(net: Consortium, province: str, subject: str, record_no: str) -> bool:
    """Whether ``province``'s node answers ``record_no`` about ``subject`` (foreign too)."""
    request = query_pb2.QueryRequest(
        purpose="credit_report", include_foreign=True,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject))
    with net.channel(province, "agency", province) as ch:
        answer = query_stub(ch).Query(request, timeout=10)
    return any(r.envelope.record_no == record_no for r in answer.records)


@contextmanager
def database_copy(database_url: str, into: Path) -> Iterator[str]:
    """URL of a consistent copy of a node's database (its key store stays out): a SQLite
    file under ``into``, or a PostgreSQL schema of its own, dropped at the end."""
    if database_url.startswith("postgresql"):
        with copy_of_schema(database_url) as url:
            yield url
        return
    into.mkdir(parents=True, exist_ok=True)
    target = into / "node.db"
    with (sqlite3.connect(database_url.removeprefix("sqlite:///")) as src,
          sqlite3.connect(target) as dst):
        src.backup(dst)
    yield f"sqlite:///{target}"


def held_rows(database_url: str, sql: str, **params: object) -> int:
    """The count ``sql`` (a ``SELECT count(*)``) finds in a node's database, read directly."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())
    finally:
        engine.dispose()


def answered(net: Consortium, province: str, subject: str) -> dict[str, bool]:
    """record_no -> objection_flagged of every record ``province``'s node answers about
    ``subject`` (its own and the other provinces')."""
    request = query_pb2.QueryRequest(
        purpose="credit_report", include_foreign=True,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject))
    with net.channel(province, "agency", province) as ch:
        answer = query_stub(ch).Query(request, timeout=10)
    return {r.envelope.record_no: r.objection_flagged for r in answer.records}


def file_objection(net: Consortium, record_no: str) -> Any:
    request = lifecycle_pb2.FileObjectionRequest(
        record_no=record_no, applicant="某某", reason="处罚金额登记有误",
        evidence_sha256=bytes(range(32)), received_on="2026-09-30")
    with net.channel("JS", "platform", "JS") as ch:
        return lifecycle_stub(ch).FileObjection(request, timeout=20)


def resolve_objection(net: Consortium, record_no: str, result: str,
                      corrected: dict[str, Any] | None = None) -> Any:
    request = lifecycle_pb2.ResolveObjectionRequest(
        record_no=record_no, result=result,
        corrected_json=json.dumps(corrected, ensure_ascii=False).encode() if corrected else b"")
    with net.channel("JS", "platform", "JS") as ch:
        return lifecycle_stub(ch).ResolveObjection(request, timeout=20)
