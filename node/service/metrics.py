"""Prometheus metrics of one node (a registry per node, so tests can run several).

Counters and histograms carry ids and reasons only, never a subject or a payload.
``prometheus_client`` is optional: without it every metric is a no-op and no endpoint
is served.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

try:  # pragma: no cover - exercised by whichever environment runs the tests
    import prometheus_client as _prom
except ImportError:  # pragma: no cover
    _prom = None  # type: ignore[assignment]


class _Noop:
    def labels(self, *_: object, **__: object) -> _Noop:
        return self

    def inc(self, amount: float = 1) -> None:
        del amount

    def set(self, value: float) -> None:
        del value

    def observe(self, value: float) -> None:
        del value


@dataclass
class NodeMetrics:
    """The node's metrics; every attribute has ``inc``/``set``/``observe`` as fits."""

    registry: Any
    ingested: Any
    rejected: Any
    backlog: Any
    anchor_seconds: Any
    anchored_batches: Any
    query_seconds: Any
    refusals: Any


def make_metrics() -> NodeMetrics:
    """A fresh set of metrics in its own registry (no-ops without prometheus_client)."""
    if _prom is None:
        noop = _Noop()
        return NodeMetrics(None, noop, noop, noop, noop, noop, noop, noop)
    reg = _prom.CollectorRegistry()
    return NodeMetrics(
        registry=reg,
        ingested=_prom.Counter("credit_ingested_records", "Records accepted (new)",
                               registry=reg),
        rejected=_prom.Counter("credit_rejected_records", "Records refused by validation",
                               registry=reg),
        backlog=_prom.Gauge("credit_anchor_backlog", "Log leaves not yet anchored",
                            registry=reg),
        anchor_seconds=_prom.Histogram("credit_anchor_seconds", "Seal + anchor of one batch",
                                       registry=reg),
        anchored_batches=_prom.Counter("credit_anchored_batches", "Batches anchored",
                                       registry=reg),
        query_seconds=_prom.Histogram("credit_query_seconds", "Agency query latency",
                                      registry=reg),
        refusals=_prom.Counter("credit_refusals", "Refused calls by reason", ["reason"],
                               registry=reg),
    )


def serve_metrics(metrics: NodeMetrics, listen: str) -> int | None:
    """Start the HTTP endpoint on ``listen`` (host:port, port 0 allowed); its port or None."""
    if _prom is None or metrics.registry is None or not listen:
        if listen:
            log.warning("metrics endpoint disabled: prometheus_client is not installed")
        return None
    host, port = listen.rsplit(":", 1)
    server, _thread = _prom.start_http_server(int(port), addr=host.strip("[]"),
                                              registry=metrics.registry)
    return int(server.server_port)
