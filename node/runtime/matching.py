"""Private list matching at a running node: its OPRF key, token set and responder.

The OPRF key file sits next to the node's signing key (``keys/oprf.key``, written by
``credit-node init``; ``node.identity.provision``). A node made before matching existed
has none: it then serves no matching (calls end UNAVAILABLE) and keeps no token set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from crypto.oprf_keys import load_oprf_key
from node.service.app import NodeApp
from node.service.background import BackgroundLoop
from node.service.matching import EvaluationBudget, MatchingResponder
from node.service.matching_tokens import TokenSetKeeper
from node.service.token_updater import TokenSetUpdater, token_update_loop
from node.store.sql_oprf_tokens import TokenSetStore

__all__ = ["OPRF_KEY_NAME", "Matching", "open_matching", "oprf_key_file"]

log = logging.getLogger(__name__)

OPRF_KEY_NAME: Final = "oprf.key"
BURST: Final = 200_000
"""Evaluations a caller may ask for at once (a day's review of a province, about)."""
PER_SECOND: Final = 50.0


@dataclass(frozen=True)
class Matching:
    responder: MatchingResponder
    keeper: TokenSetKeeper
    updater: TokenSetUpdater
    """Adds new entries' tokens from a durable cursor (``node.service.token_updater``)."""
    loop: BackgroundLoop
    """The updater's thread, woken by ingest (``wake``); started and stopped by the node."""

    def listed(self, entries: object) -> None:
        """Ingest's hook: new dishonesty entries are stored, the updater has work."""
        self.loop.wake()


def oprf_key_file(signing_key_file: Path) -> Path:
    """Where a node's OPRF key is: beside its signing key."""
    return signing_key_file.parent / OPRF_KEY_NAME


def open_matching(app: NodeApp) -> Matching | None:
    """The node's matching parts, or None (with a warning) when it has no OPRF key."""
    path = oprf_key_file(app.config.node.signing_key_file)
    if not path.exists():
        log.warning("no OPRF key file: private matching is off", extra={"path": str(path)})
        return None
    key = load_oprf_key(path)
    tokens = TokenSetStore(app.store.engine)
    keeper = TokenSetKeeper(key, tokens)
    updater = TokenSetUpdater(keeper, app.store, province=app.province,
                              master_key=app.keys.master_key)
    budget = EvaluationBudget(burst=BURST, per_second=PER_SECOND)
    return Matching(MatchingResponder(key, tokens, budget, catch_up=updater.catch_up),
                    keeper, updater, token_update_loop(updater))
