"""The retried-exchange rule (node/auditor/retries.py): a lone exchange_out whose records
the receiver logged receiving from the same sender soon after, in another exchange, is a
retry after a crash; every other one-sided entry stays a problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from node.audit import ExchangeSide
from node.audit.events import Action
from node.auditor.exchanges import TimedSide, one_sided
from node.auditor.retries import RETRY_SKEW, RETRY_WINDOW, Retry, retried

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CUTOFF = T0 + timedelta(hours=1)
OUT, IN = Action.EXCHANGE_OUT, Action.EXCHANGE_IN


def _side(province: str, action: Action, peer: str, request_id: str, index: int,
          refs: tuple[str, ...], *, after: float = 0.0, replication: bool = True,
          count: int | None = None) -> TimedSide:
    side = ExchangeSide(province, action, peer, request_id, index,
                        len(refs) if count is None else count, refs)
    return TimedSide(side, T0 + timedelta(seconds=after), replication)


SERVED = _side("SH", OUT, "JS", "r-killed", 4, ("SH:a", "SH:b"))
"""SH served a page of two records to JS, which was killed before logging it."""


def _pulled(request_id: str, index: int, refs: tuple[str, ...], *, after: float,
            replication: bool = True) -> tuple[TimedSide, TimedSide]:
    """A page JS pulled from SH, logged at both ends: (SH's exchange_out, JS's exchange_in)."""
    return (_side("SH", OUT, "JS", request_id, 100 + index, refs, after=after,
                  replication=replication),
            _side("JS", IN, "SH", request_id, index, refs, after=after,
                  replication=replication))


def _logs(*pairs: tuple[TimedSide, TimedSide], sh: tuple[TimedSide, ...] = (SERVED,),
          js: tuple[TimedSide, ...] = ()) -> dict[str, list[TimedSide]]:
    return {"SH": [*sh, *(out for out, _ in pairs)], "JS": [*js, *(in_ for _, in_ in pairs)]}


def _split(logs: dict[str, list[TimedSide]], **kwargs: timedelta
           ) -> tuple[list[Retry], list[ExchangeSide]]:
    return retried(one_sided(logs, "SH", CUTOFF), logs, **kwargs)


def test_a_page_pulled_again_after_the_crash_is_a_retry_not_a_problem() -> None:
    pair = _pulled("r-again", 9, ("SH:b", "SH:a"), after=3.0)
    again = pair[1]
    retries, problems = _split(_logs(pair))
    assert problems == []
    assert retries == [Retry(SERVED.side, (again.side,))]
    shown = retries[0].to_json()
    assert (shown["sender"], shown["receiver"], shown["request_id"], shown["entry"]) == (
        "SH", "JS", "r-killed", 4)
    assert shown["retried_as"] == [{"request_id": "r-again", "entry": 9}]
    assert "'r-again' (entry 9): a retry after a crash" in shown["detail"]


def test_records_received_again_over_several_exchanges_count_together() -> None:
    first = _pulled("r-2", 11, ("SH:a",), after=2.0)
    second = _pulled("r-3", 12, ("SH:b", "SH:c"), after=4.0)
    unrelated = _pulled("r-4", 13, ("SH:z",), after=5.0)
    [retry], problems = _split(_logs(first, second, unrelated))
    assert problems == [] and retry.by == (first[1].side, second[1].side)


def test_a_lone_out_whose_records_never_come_in_stays_a_problem() -> None:
    partly = _pulled("r-2", 11, ("SH:a",), after=2.0)  # SH:b never logged received
    assert _split(_logs(partly)) == ([], [SERVED.side])
    assert _split(_logs()) == ([], [SERVED.side])


def test_a_lone_exchange_in_is_never_excused() -> None:
    """JS logs receiving a page SH never logged sending, then a real one: the lone
    exchange_in stays a problem whatever JS logs around it."""
    invented = _side("JS", IN, "SH", "r-invented", 3, ("SH:a",))
    real = _pulled("r-real", 5, ("SH:a",), after=1.0)
    assert _split(_logs(real, sh=(), js=(invented,))) == ([], [invented.side])


def test_receipts_from_another_sender_or_before_the_out_do_not_count() -> None:
    from_zj = _side("JS", IN, "ZJ", "r-2", 11, ("SH:a", "SH:b"), after=2.0)
    earlier = _pulled("r-0", 2, ("SH:a", "SH:b"), after=-60.0)
    logs = _logs(earlier, js=(from_zj,))  # ZJ's log not read: its exchange is not judged
    assert _split(logs) == ([], [SERVED.side])


def test_the_retry_must_come_within_the_window_clocks_may_differ_by_the_skew() -> None:
    late = _pulled("r-late", 11, ("SH:a", "SH:b"), after=RETRY_WINDOW.total_seconds() + 1)
    assert _split(_logs(late)) == ([], [SERVED.side])
    assert _split(_logs(late), window=RETRY_WINDOW + timedelta(seconds=2))[1] == []
    skewed = _pulled("r-skewed", 11, ("SH:a", "SH:b"), after=-RETRY_SKEW.total_seconds())
    assert _split(_logs(skewed))[1] == []
    assert _split(_logs(skewed), skew=timedelta(0))[1] == [SERVED.side]


def test_a_querys_fetch_is_never_excused_nor_does_it_excuse() -> None:
    """A fetch names a subject: hiding its receipt hides a query, whatever came later."""
    fetched = _side("SH", OUT, "JS", "q-1", 4, ("SH:a",), replication=False)
    pulled = _pulled("r-2", 11, ("SH:a",), after=2.0)
    assert _split(_logs(pulled, sh=(fetched,))) == ([], [fetched.side])
    fetched_again = _pulled("q-2", 11, ("SH:a", "SH:b"), after=2.0, replication=False)
    assert _split(_logs(fetched_again)) == ([], [SERVED.side])


def test_an_out_that_does_not_name_its_records_is_not_excused() -> None:
    unnamed = _side("SH", OUT, "JS", "r-1", 4, ("SH:a",), count=2)  # 2 records, 1 named
    again = _pulled("r-2", 11, ("SH:a",), after=2.0)
    assert _split(_logs(again, sh=(unnamed,))) == ([], [unnamed.side])
    empty = _side("SH", OUT, "JS", "r-3", 5, ())
    assert _split(_logs(again, sh=(empty,))) == ([], [empty.side])


def test_an_invented_receipt_cannot_excuse_a_hidden_one() -> None:
    """JS hides the page it got and logs an exchange_in SH never sent, naming the same
    records: both stay problems (the invented one is itself one-sided)."""
    invented = _side("JS", IN, "SH", "r-invented", 11, ("SH:a", "SH:b"), after=2.0)
    assert _split(_logs(js=(invented,))) == ([], [invented.side, SERVED.side])
