"""Edit the ``node.toml`` of a consortium's nodes: peers, trusted CAs, contract addresses.

Every edit loads the file through :func:`node.config.load_config` and writes it back
through :func:`node.config.write_config`, so the result is checked like any node.toml.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from node.config import config_from_dict, config_to_dict, load_config, write_config
from node.devnet.layout import ConsortiumLayout
from node.identity import Layout

__all__ = ["AUDIT_CHECKPOINT_SECONDS", "edit_config", "link_peers", "set_contracts"]

AUDIT_CHECKPOINT_SECONDS = 3.0
"""How often a consortium node anchors (and witnesses) audit heads: short, for the demo."""
AGENCY_QUERIES_PER_MINUTE = 3000.0
AGENCY_BURST = 200
"""The demo's agencies poll for a new entry many times a second (to measure its latency),
far above a production agency's rate limit."""


def edit_config(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``edit`` to the TOML document of ``path`` and write it back if it changed.

    Raises ConfigError when the file or the edited document is not a valid node.toml.
    """
    base = path.parent
    before = config_to_dict(load_config(path), base)
    doc = copy.deepcopy(before)
    edit(doc)
    if doc != before:
        write_config(config_from_dict(doc, base), path, overwrite=True)


def link_peers(layout: ConsortiumLayout, ports: Mapping[str, int]) -> None:
    """Make every node trust the other provinces' CAs and list them as peers, and anchor
    and witness audit heads every ``AUDIT_CHECKPOINT_SECONDS``.

    Precondition: each province of ``ports`` has a node directory made by
    ``credit-node init``; ``ports`` gives the fixed gRPC port of each.
    """
    provinces: Sequence[str] = list(ports)
    for own in provinces:
        others = [p for p in provinces if p != own]

        def edit(doc: dict[str, Any], others: Sequence[str] = others) -> None:
            doc["tls"]["trusted_cas"] = {
                p: str(Layout(layout.node_dir(p)).ca_cert.resolve()) for p in others
            }
            doc["peers"] = [{"province": p, "address": f"127.0.0.1:{ports[p]}"}
                            for p in others]
            doc["audit"] = {"checkpoint_interval_seconds": AUDIT_CHECKPOINT_SECONDS}
            policy = doc.setdefault("policy", {})
            policy["agency_queries_per_minute"] = AGENCY_QUERIES_PER_MINUTE
            policy["agency_burst"] = AGENCY_BURST

        edit_config(layout.config(own), edit)


def set_contracts(layout: ConsortiumLayout, provinces: Sequence[str],
                  contracts: Mapping[str, str]) -> None:
    """Write the deployed contract addresses into every node's ``[ledger] contracts``."""
    for province in provinces:
        def edit(doc: dict[str, Any]) -> None:
            doc["ledger"]["contracts"] = dict(contracts)

        edit_config(layout.config(province), edit)
