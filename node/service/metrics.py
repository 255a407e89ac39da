"""Prometheus metrics of one node (a registry per node, so tests can run several).

Counters and histograms carry ids and reasons only, never a subject or a payload.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import prometheus_client as prom

log = logging.getLogger(__name__)


@dataclass
class NodeMetrics:
    """The node's metrics, all in ``registry``."""

    registry: prom.CollectorRegistry
    ingested: prom.Counter
    rejected: prom.Counter
    backlog: prom.Gauge
    anchor_seconds: prom.Histogram
    anchored_batches: prom.Counter
    query_seconds: prom.Histogram
    refusals: prom.Counter


def make_metrics() -> NodeMetrics:
    """A fresh set of metrics in its own registry."""
    reg = prom.CollectorRegistry()
    return NodeMetrics(
        registry=reg,
        ingested=prom.Counter("credit_ingested_records", "Records accepted (new)",
                              registry=reg),
        rejected=prom.Counter("credit_rejected_records", "Records refused by validation",
                              registry=reg),
        backlog=prom.Gauge("credit_anchor_backlog", "Log leaves not yet anchored",
                           registry=reg),
        anchor_seconds=prom.Histogram("credit_anchor_seconds", "Seal + anchor of one batch",
                                      registry=reg),
        anchored_batches=prom.Counter("credit_anchored_batches", "Batches anchored",
                                      registry=reg),
        query_seconds=prom.Histogram("credit_query_seconds", "Agency query latency",
                                     registry=reg),
        refusals=prom.Counter("credit_refusals", "Refused calls by reason", ["reason"],
                              registry=reg),
    )


def serve_metrics(metrics: NodeMetrics, listen: str) -> int | None:
    """Start the HTTP endpoint on ``listen`` (host:port, port 0 allowed); its port, or None
    when ``listen`` is empty (metrics off)."""
    if not listen:
        return None
    host, port = listen.rsplit(":", 1)
    server, _thread = prom.start_http_server(int(port), addr=host.strip("[]"),
                                             registry=metrics.registry)
    return int(server.server_port)
