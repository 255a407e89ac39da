"""Calls between nodes run on workers of their own, never queued behind agency queries.

An agency's federated query holds a server worker while it asks the peers
(``FetchOnRequest``, ``node.exchange.federate``). With one pool for every call, two busy
nodes end with all their workers waiting on each other's ``FetchOnRequest``, which sit
in the queue behind those very queries: nothing moves until the fetch deadline fires (a
partial answer), and the agencies queued behind time out. Measured with
``tests/node/service/test_load.py`` (50 agencies at three nodes, 20 s, same loaded
machine): 176 on-request fetches failed their deadline without the lane, 1 with it.

:class:`PeerLane` is a server interceptor that hands the calls of the peer-facing
services to a pool of their own (grpc's ``experimental_thread_pool`` attribute of a
handler's behaviour). Their handlers never call out to peers themselves, so no cycle of
waits can form across nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent import futures
from typing import Any

import grpc

__all__ = ["PeerLane"]

_KINDS = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")


def _on_pool(behavior: Callable[..., Any], pool: futures.ThreadPoolExecutor
             ) -> Callable[..., Any]:
    def on_peer_lane(*args: Any) -> Any:
        return behavior(*args)

    on_peer_lane.experimental_thread_pool = pool  # type: ignore[attr-defined]
    return on_peer_lane


class PeerLane(grpc.ServerInterceptor):  # type: ignore[misc]
    """Run the methods of ``services`` (full names) on ``workers`` threads of their own;
    every other call stays on the server's pool. Put it first among the interceptors, so
    its handler is the one the server runs. ``shutdown`` after the server stopped."""

    def __init__(self, services: Sequence[str], *, workers: int) -> None:
        self._prefixes = tuple(f"/{name}/" for name in services)
        self.pool = futures.ThreadPoolExecutor(max_workers=workers,
                                               thread_name_prefix="grpc-peer")

    def intercept_service(self, continuation: Callable[[Any], Any],
                          handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not method.startswith(self._prefixes):
            return handler
        return handler._replace(**{kind: _on_pool(getattr(handler, kind), self.pool)
                                   for kind in _KINDS if getattr(handler, kind) is not None})

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
