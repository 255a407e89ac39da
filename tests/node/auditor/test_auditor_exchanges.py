"""The auditor's cross-node exchange matching (node/auditor/exchanges.py): entries are
collected from a passing stream, and only old enough entries without a counterpart in any
log read are reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from node.audit import ExchangeSide
from node.audit.events import Action
from node.auditor.exchanges import SideCollector, TimedSide, mismatched, one_sided

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _entry(action: str, peer: str, request_id: str, when: datetime = T0) -> bytes:
    return json.dumps({"action": action, "peer": peer, "request_id": request_id,
                       "time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).encode()


def _side(province: str, action: Action, peer: str, request_id: str, index: int = 0,
          when: datetime = T0, *, replication: bool = False) -> TimedSide:
    return TimedSide(ExchangeSide(province, action, peer, request_id, index), when,
                     replication)


def test_the_collector_passes_every_entry_on_and_keeps_the_exchanges() -> None:
    entries = [
        (0, _entry("exchange_out", "SH", "r-1")),
        (1, _entry("query", "", "q-1")),
        (2, b'{"action": "exchange_in", "peer": "ZJ"}'),  # malformed: the verifier's job
        (3, b"not json, but mentions \"exchange_"),
        (4, _entry("exchange_in", "ZJ", "r-2", T0 + timedelta(seconds=1))),
    ]
    seen = SideCollector("JS")
    assert list(seen.watch(entries)) == entries
    assert seen.sides == [
        _side("JS", Action.EXCHANGE_OUT, "SH", "r-1", 0, replication=True),
        _side("JS", Action.EXCHANGE_IN, "ZJ", "r-2", 4, T0 + timedelta(seconds=1),
              replication=True),
    ]


def test_the_collector_tells_a_replication_page_from_a_querys_fetch() -> None:
    fetch = json.dumps({"action": "exchange_in", "peer": "SH", "request_id": "q-1",
                        "purpose": "credit_check", "subject": "ab" * 32,
                        "time": T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).encode()
    page = json.dumps({"action": "exchange_in", "peer": "SH", "request_id": "r-1",
                       "purpose": "", "subject": "",
                       "time": T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).encode()
    granted = json.dumps({"action": "exchange_in", "peer": "SH", "request_id": "r-2",
                          "purpose": "", "subject": "", "grant": "ab" * 8,
                          "time": T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).encode()
    kept = SideCollector("JS").read([(0, fetch), (1, page), (2, granted)])
    assert [t.replication for t in kept] == [False, True, False]


def test_read_consumes_the_stream_and_returns_the_sides() -> None:
    assert SideCollector("SH").read([(7, _entry("exchange_in", "JS", "r-1"))]) == [
        _side("SH", Action.EXCHANGE_IN, "JS", "r-1", 7, replication=True)]


def test_matched_exchanges_are_not_reported() -> None:
    logs = {"JS": [_side("JS", Action.EXCHANGE_OUT, "SH", "r-1")],
            "SH": [_side("SH", Action.EXCHANGE_IN, "JS", "r-1")]}
    assert one_sided(logs, "JS", T0) == []


def test_a_one_sided_exchange_is_reported_from_either_end() -> None:
    out = _side("JS", Action.EXCHANGE_OUT, "SH", "r-1", 3)
    stray = _side("SH", Action.EXCHANGE_IN, "JS", "r-other")
    logs = {"JS": [out], "SH": [stray]}
    assert one_sided(logs, "JS", T0) == [out.side, stray.side]
    assert one_sided(logs, "SH", T0) == [out.side, stray.side]
    assert one_sided(logs, "ZJ", T0) == []


def test_the_counterpart_must_mirror_the_direction() -> None:
    logs = {"JS": [_side("JS", Action.EXCHANGE_OUT, "SH", "r-1")],
            "SH": [_side("SH", Action.EXCHANGE_OUT, "JS", "r-1")]}
    assert len(one_sided(logs, "JS", T0)) == 2


def test_entries_after_the_cutoff_are_not_judged_yet() -> None:
    late = _side("JS", Action.EXCHANGE_OUT, "SH", "r-1", when=T0 + timedelta(seconds=1))
    assert one_sided({"JS": [late], "SH": []}, "JS", T0) == []
    assert one_sided({"JS": [late], "SH": []}, "JS", T0 + timedelta(seconds=1)) == [late.side]


def test_an_exchange_with_a_node_whose_log_was_not_read_is_not_judged() -> None:
    logs = {"JS": [_side("JS", Action.EXCHANGE_OUT, "AH", "r-1")], "SH": []}
    assert one_sided(logs, "JS", T0) == []


def test_other_provinces_exchanges_are_left_out_and_the_result_is_ordered() -> None:
    logs = {"SH": [_side("SH", Action.EXCHANGE_OUT, "ZJ", "r-9", 1)],
            "ZJ": [],
            "JS": [_side("JS", Action.EXCHANGE_OUT, "SH", "r-2", 5),
                   _side("JS", Action.EXCHANGE_OUT, "SH", "r-1", 2)]}
    assert [(s.province, s.index) for s in one_sided(logs, "JS", T0)] == [("JS", 2), ("JS", 5)]


def _with_records(side: TimedSide, *refs: str) -> TimedSide:
    s = side.side
    return TimedSide(ExchangeSide(s.province, s.action, s.peer, s.request_id, s.index,
                                  len(refs), refs), side.time)


def test_the_collector_keeps_the_record_count_and_references() -> None:
    data = json.dumps({"action": "exchange_out", "peer": "SH", "request_id": "r-1",
                       "records_returned": 2, "records": ["JS:a", "JS:b"],
                       "time": T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).encode()
    [kept] = SideCollector("JS").read([(0, data)])
    assert (kept.side.records, kept.side.refs) == (2, ("JS:a", "JS:b"))


def test_ends_naming_other_records_are_reported_once_old_enough() -> None:
    out = _with_records(_side("JS", Action.EXCHANGE_OUT, "SH", "r-1", 3), "JS:a", "JS:b")
    short = _with_records(_side("SH", Action.EXCHANGE_IN, "JS", "r-1", 9), "JS:a")
    same = _with_records(_side("SH", Action.EXCHANGE_IN, "JS", "r-1", 9), "JS:b", "JS:a")
    assert mismatched({"JS": [out], "SH": [same]}, "JS", T0) == []
    [found] = mismatched({"JS": [out], "SH": [short]}, "SH", T0)
    assert (found.sent, found.received) == ((out.side,), (short.side,))
    assert one_sided({"JS": [out], "SH": [short]}, "JS", T0) == []
    young = TimedSide(short.side, T0 + timedelta(seconds=1))
    assert mismatched({"JS": [out], "SH": [young]}, "JS", T0) == []
    assert mismatched({"JS": [out], "SH": [short]}, "ZJ", T0) == []
