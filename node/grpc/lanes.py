"""Named lanes: the calls of chosen services run on workers of their own.

Calls between nodes. An agency's federated query holds a server worker while it asks the
peers (``FetchOnRequest``, ``node.exchange.federate``). With one pool for every call, two
busy nodes end with all their workers waiting on each other's ``FetchOnRequest``, which
sit in the queue behind those very queries: nothing moves until the fetch deadline fires
(a partial answer), and the agencies queued behind time out. Measured with
``tests/node/service/test_load.py`` (50 agencies at three nodes, 20 s, same loaded
machine): 176 on-request fetches failed their deadline without the peer lane, 1 with it.

Platform submissions. ``IngestService`` shared the server pool with agency queries, so
on one busy node the platforms' submissions waited behind every queued query (starved,
``tests/node/service/test_load.py``); on a lane of their own they wait only for each
other.

:class:`Lanes` is a server interceptor that hands the calls of each lane's services to
that lane's pool (grpc's ``experimental_thread_pool`` attribute of a handler's
behaviour); every other call stays on the server's pool. A lane's threads are named
``grpc-<lane>``. :class:`PeerLane` is the one-lane form for the exchange between nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc

__all__ = ["Lane", "Lanes", "PeerLane"]

_KINDS = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")


@dataclass(frozen=True)
class Lane:
    """``services`` (full names, e.g. ``credit.v1.IngestService``) served by ``workers``
    threads named ``grpc-<name>``."""

    name: str
    services: Sequence[str]
    workers: int


def _on_pool(behavior: Callable[..., Any], pool: futures.ThreadPoolExecutor
             ) -> Callable[..., Any]:
    def on_lane(*args: Any) -> Any:
        return behavior(*args)

    on_lane.experimental_thread_pool = pool  # type: ignore[attr-defined]
    return on_lane


class Lanes(grpc.ServerInterceptor):  # type: ignore[misc]
    """Run each lane's methods on its own pool; every other call stays on the server's
    pool. Put it first among the interceptors, so its handler is the one the server runs.
    ``shutdown`` after the server stopped. A service named by two lanes: ``ValueError``."""

    def __init__(self, lanes: Sequence[Lane]) -> None:
        seen: set[str] = set()
        for lane in lanes:
            if lane.workers < 1:
                raise ValueError(f"lane {lane.name!r}: workers must be >= 1")
            if seen & set(lane.services):
                raise ValueError(f"lane {lane.name!r}: a service is already on another lane")
            seen |= set(lane.services)
        self.pools = {lane.name: futures.ThreadPoolExecutor(
            max_workers=lane.workers, thread_name_prefix=f"grpc-{lane.name}")
            for lane in lanes}
        self._routes = tuple((tuple(f"/{name}/" for name in lane.services),
                              self.pools[lane.name]) for lane in lanes)

    def _pool_for(self, method: str) -> futures.ThreadPoolExecutor | None:
        for prefixes, pool in self._routes:
            if method.startswith(prefixes):
                return pool
        return None

    def intercept_service(self, continuation: Callable[[Any], Any],
                          handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return handler
        pool = self._pool_for(handler_call_details.method)
        if pool is None:
            return handler
        return handler._replace(**{kind: _on_pool(getattr(handler, kind), pool)
                                   for kind in _KINDS if getattr(handler, kind) is not None})

    def shutdown(self) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=False, cancel_futures=True)


class PeerLane(Lanes):
    """The calls of the peer-facing ``services`` on ``workers`` threads of their own
    (``grpc-peer``); their handlers never call out to peers, so no cycle of waits can
    form across nodes."""

    def __init__(self, services: Sequence[str], *, workers: int) -> None:
        super().__init__([Lane("peer", services, workers)])
        self.pool = self.pools["peer"]
