"""Objections (异议) across four live nodes: filed at JS, the record is flagged in answers
at JS, SH, ZJ and AH; each outcome — upheld, unverifiable, corrected — reaches all four,
and "corrected" leaves exactly one answerable version (the old one's key destroyed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import grpc
import pytest
from exchange_helpers import Consortium, submit, wait_for
from lifecycle_helpers import answered, file_objection, resolve_objection
from repair_records import repairable_penalty

from node.store.sql_audit import AuditStore

ALL = ("JS", "SH", "ZJ", "AH")


def _everywhere(net: Consortium, subject: str, record_no: str, want: bool | None) -> None:
    """Wait until every node answers ``record_no`` with flag ``want`` (None: not at all)."""
    for province in ALL:
        wait_for(lambda p=province: answered(net, p, subject).get(record_no) is want,  # type: ignore[misc]
                 timeout=30)


def test_each_outcome_reaches_all_four(consortium: Consortium) -> None:
    today = datetime.now(UTC).date()
    records = [repairable_penalty(f"JS-OBJ-00000{i}", today, months_ago=2) for i in (1, 2, 3)]
    subject = str(records[0]["CF_XDR_SHXYM"])
    assert len(submit(consortium, "JS", records).accepted) == 3
    for record in records:
        _everywhere(consortium, subject, str(record["record_no"]), False)

    filed = {}
    for record in records:
        response = file_objection(consortium, str(record["record_no"]))
        assert date.fromisoformat(response.verify_deadline) > date(2026, 9, 30)
        filed[str(record["record_no"])] = response.request_id
    for record in records:
        _everywhere(consortium, subject, str(record["record_no"]), True)
    with pytest.raises(grpc.RpcError, match="OBJECTION_ALREADY_OPEN"):
        file_objection(consortium, "JS-OBJ-000001")

    resolve_objection(consortium, "JS-OBJ-000001", "upheld")
    resolve_objection(consortium, "JS-OBJ-000002", "unverifiable")
    corrected = dict(records[2], CF_NR_FK="0.5",
                     CF_NR="责令改正；罚款人民币5000元（异议核实后更正）")
    done = resolve_objection(consortium, "JS-OBJ-000003", "corrected", corrected)
    assert done.corrected_record_no == "JS-OBJ-000003-C1"
    _everywhere(consortium, subject, "JS-OBJ-000001", False)
    _everywhere(consortium, subject, "JS-OBJ-000002", False)
    _everywhere(consortium, subject, "JS-OBJ-000003", None)
    _everywhere(consortium, subject, "JS-OBJ-000003-C1", False)
    for province in ALL:
        versions = [n for n in answered(consortium, province, subject)
                    if n.startswith("JS-OBJ-000003")]
        assert versions == ["JS-OBJ-000003-C1"], province
        store = consortium[province].node.app.store
        old = store.get_record("JS", "JS-OBJ-000003")
        assert old is not None and old.status == "corrected", province
        assert store.keys is not None and old.key_id is not None
        assert store.keys.get([old.key_id]) == {}, province
        audit = AuditStore(store.engine)
        for request_id in filed.values():
            wait_for(lambda a=audit, r=request_id: bool(a.indexes_of(r)))  # type: ignore[misc]
    with pytest.raises(grpc.RpcError, match="OBJECTION_NOT_OPEN"):
        resolve_objection(consortium, "JS-OBJ-000001", "upheld")
