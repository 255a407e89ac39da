"""A repair or an objection cut off by a crash is whole or absent, never half done.

Found by the crash rounds (``test_crash_rounds.py``): an objection's row, its notice and
the record's flag were three transactions. A SIGKILL after the notice left every peer
flagging a record its origin still showed as active, and the platform's retry was refused
as ``OBJECTION_ALREADY_OPEN`` — the origin never flagged it (a repair likewise left the
record answered at the origin while peers had ended it). Here the process "dies" where
the status used to be written on its own (the store's ``set_status`` raises
:class:`Killed`), on a real SQLite store; what is left must agree with itself, and the
platform's retry must find the request done — with the data key gone for a repair.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from crash_workload import repair_request
from repair_records import repairable_penalty

from crypto.sealing import new_master_key
from node.domain.validation import ValidationContext
from node.service.ingest import IngestKeys, ingest
from node.service.lifecycle import LifecycleDeps, LifecycleRefused, RepairRequest, file_repair
from node.service.objections import ObjectionRequest, file_objection
from node.store import SqlStore, open_store
from node.store.sql_objections import ObjectionStore
from node.store.sql_revocations import RevocationStore

RECORD = "JS-REPAIR-000001"


class Killed(BaseException):
    """The process died here (nothing after it runs)."""


class DiesOnSetStatus:
    """The node's store, except that writing a status on its own kills the process."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def set_status(self, *args: Any, **kwargs: Any) -> None:
        raise Killed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def stored(tmp_path: Path) -> tuple[SqlStore, IngestKeys, date]:
    store = open_store(f"sqlite:///{tmp_path / 'node.db'}")
    keys = IngestKeys(master_key=new_master_key(), token_key=new_master_key())
    today = datetime.now(UTC).date()
    outcome = ingest([json.dumps(repairable_penalty(RECORD, today), ensure_ascii=False)],
                     submitter_province="JS", store=store, keys=keys,
                     validation=ValidationContext(today=today))
    assert [a.record_no for a in outcome.accepted] == [RECORD], outcome.rejected
    return store, keys, today


def _deps(store: Any, keys: IngestKeys) -> LifecycleDeps:
    return LifecycleDeps(store=store, revocations=RevocationStore(store.engine), keys=keys,
                         province="JS")


def _state(store: SqlStore) -> tuple[str, list[str], bool]:
    record = store.get_record("JS", RECORD)
    assert record is not None
    reasons = [json.loads(n.notice)["reason"]
               for n in RevocationStore(store.engine).of_record("JS", RECORD)]
    return record.status, reasons, ObjectionStore(store.engine).open_objection(
        "JS", RECORD) is not None


def test_an_objection_cut_off_is_flagged_everywhere_or_nowhere(
        stored: tuple[SqlStore, IngestKeys, date]) -> None:
    store, keys, today = stored
    request = ObjectionRequest(record_no=RECORD, applicant="某某", reason="处罚金额登记有误",
                               received_on=today)
    now = datetime.now(UTC)
    try:
        file_objection(request, caller_province="JS", deps=_deps(DiesOnSetStatus(store), keys),
                       objections=ObjectionStore(store.engine), now=now)
    except Killed:
        pass
    assert _state(store) in [("active", [], False), ("objection", ["objection"], True)]
    try:  # the platform sends it again after the restart
        file_objection(request, caller_province="JS", deps=_deps(store, keys),
                       objections=ObjectionStore(store.engine), now=now)
    except LifecycleRefused as refused:
        assert refused.rule == "OBJECTION_ALREADY_OPEN"
    assert _state(store) == ("objection", ["objection"], True)


def test_a_repair_cut_off_is_ended_everywhere_or_nowhere_and_its_key_goes(
        stored: tuple[SqlStore, IngestKeys, date]) -> None:
    store, keys, today = stored
    key_id = store.get_record("JS", RECORD).key_id  # type: ignore[union-attr]
    assert key_id is not None and store.keys is not None and store.keys.get([key_id])
    sent = repair_request(repairable_penalty(RECORD, today), today)
    request = RepairRequest(record_no=RECORD, basis=sent.basis,
                            commitment_json=sent.commitment_json,
                            decision_ref=sent.decision_ref)
    now = datetime.now(UTC)
    try:
        file_repair(request, caller_province="JS", deps=_deps(DiesOnSetStatus(store), keys),
                    now=now)
    except Killed:
        pass
    assert _state(store)[:2] in [("active", []), ("repaired", ["repair"])]
    with pytest.raises(LifecycleRefused, match="REPAIR_ALREADY_DONE") if \
            _state(store)[0] == "repaired" else nullcontext():
        file_repair(request, caller_province="JS", deps=_deps(store, keys), now=now)
    assert _state(store)[:2] == ("repaired", ["repair"])
    assert store.keys.get([key_id]) == {}
