"""Figures read back from the running consortium: nodes' GetStatus and the ledger's events.

Nothing here echoes an input: counts come from the nodes (records, log and anchored
sizes) and from the chain (BatchAnchored events per province, block height).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ledger.client import LedgerClient
from ledger.errors import LedgerError
from ledger.event_types import BatchAnchored
from ledger.events import EventIndexer, MemoryCursor
from node.devnet.errors import ConsortiumError
from node.devnet.layout import ConsortiumDoc
from node.devnet.status import ledger_status, node_status

__all__ = ["anchor_events", "node_figures", "wait_anchored"]


def node_figures(doc: ConsortiumDoc, *, timeout: float = 5.0) -> dict[str, dict[str, Any]]:
    """GetStatus of every node; ConsortiumError when one does not answer."""
    figures = {p: node_status(doc, p, timeout=timeout) for p in doc.provinces}
    for province, node in figures.items():
        if not node["healthy"] or "error" in node:
            raise ConsortiumError(f"the {province} node does not answer GetStatus: "
                                  f"{node.get('error', 'not healthy')}")
    return figures


def anchor_events(doc: ConsortiumDoc, *, timeout: float = 10.0) -> dict[str, Any]:
    """BatchAnchored events per province since deployment, block height and tx count."""
    try:
        client = LedgerClient(doc.ledger.rpc_url, doc.ledger.contracts, timeout=timeout)
        events = EventIndexer(client, MemoryCursor(),
                              start_block=doc.ledger.deployment_block).poll()
    except LedgerError as exc:
        raise ConsortiumError(f"reading the ledger's events failed: {exc}") from exc
    anchors = [e for e in events if isinstance(e, BatchAnchored)]
    ledger = ledger_status(doc, timeout=timeout)
    if "error" in ledger or not ledger["running"]:
        raise ConsortiumError(f"the ledger does not answer: {ledger.get('error', 'stopped')}")
    anchored_size: dict[str, int] = {}
    for event in anchors:  # a batch's size is the record log's size it covers
        anchored_size[event.province] = max(anchored_size.get(event.province, 0), event.size)
    return {
        "anchor_transactions": dict(Counter(e.province for e in anchors)),
        "anchored_size": anchored_size,
        "block_height": ledger["block_height"],
        "transactions": ledger["transactions"],
        "events": len(events),
    }


def wait_anchored(doc: ConsortiumDoc, expected: Mapping[str, int], *,
                  timeout: float) -> dict[str, dict[str, Any]]:
    """Poll GetStatus until every node holds ``expected[p]`` records, all anchored.

    Returns the final figures; ConsortiumError naming the lagging nodes after ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        figures = node_figures(doc)
        lagging = [p for p, n in figures.items()
                   if n["records"] < expected.get(p, 0) or n["backlog"] != 0]
        if not lagging:
            return figures
        if time.monotonic() >= deadline:
            detail = ", ".join(f"{p}: {figures[p]['anchored_size']:,}/"
                               f"{figures[p]['log_size']:,} anchored" for p in lagging)
            raise ConsortiumError(f"anchoring not finished after {timeout:g} s ({detail})")
        time.sleep(0.5)
