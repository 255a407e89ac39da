"""The membership follower: keeps the node's membership view in step with the ledger.

Usage (``node.runtime.node.start_node`` does this)::

    follower = open_membership(app)            # None without a ledger
    follower.refresh()                         # one read now (start-up; may raise)
    follower.start()                           # then every ``interval`` s
    gated = gate_peers(peers, follower.view, app.trust.fingerprints())

Each step asks the ledger's event indexer for new events (one ``eth_blockNumber`` and,
when blocks were mined, one ``eth_getLogs``) and re-reads the whole member table, the
appointed auditor CAs and the revoked certificates only when such an event arrived, so
an idle node costs the chain almost nothing while a removal is seen within about
``interval`` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from ledger.client import LedgerClient
from ledger.event_types import (
    AuditorCaAppointed,
    CertificateRevoked,
    KeysRotated,
    MemberAdded,
    MemberRemoved,
)
from ledger.events import EventIndexer, MemoryCursor
from node.identity import MembershipView, MemberStanding
from node.service.app import NodeApp
from node.service.background import BackgroundLoop, Backoff, Failed, Idle

__all__ = ["DEFAULT_INTERVAL", "MembershipFollower", "open_membership"]

log = logging.getLogger(__name__)

DEFAULT_INTERVAL: Final = 1.0
"""Seconds between polls: removal must take effect within a few seconds (target 5)."""

_CHANGES: Final = (MemberAdded, MemberRemoved, KeysRotated, AuditorCaAppointed,
                   CertificateRevoked)


class MembershipFollower:
    """Reads the member registry into ``view`` now and after every membership event."""

    def __init__(self, reader: LedgerClient, view: MembershipView, held: Mapping[str, str],
                 *, interval: float = DEFAULT_INTERVAL) -> None:
        self._reader = reader
        self.view = view
        self._held = dict(held)
        self._interval = interval
        self._indexer: EventIndexer | None = None
        self._loop = BackgroundLoop(self._step, self._failed, name="membership",
                                    logger=log)

    def refresh(self) -> None:
        """Read the whole member table, auditor CAs and revocations now; raises
        ``LedgerError``."""
        head = self._reader.head_block()
        members = self._reader.members(include_inactive=True)
        auditor_cas = self._reader.auditor_cas()
        revoked = {m.province: [fp.hex() for fp in self._reader.revoked_certificates(m.province)]
                   for m in members}
        self.view.replace(
            (MemberStanding(m.province, m.active, m.tls_ca_fingerprint.hex()) for m in members),
            (fp.hex() for fp in auditor_cas), revoked)
        # Events after the head read here are seen by the next poll (and re-read again).
        self._indexer = EventIndexer(self._reader, MemoryCursor(head))
        active = sorted(m.province for m in members if m.active)
        log.info("membership read from the ledger",
                 extra={"active": ",".join(active), "auditor_cas": len(auditor_cas),
                        "block": head})
        for province, (held, chain) in self.view.mismatches(self._held).items():
            log.warning("CA held for a province differs from its on-chain fingerprint: "
                        "its certificates are refused",
                        extra={"province": province, "held": held, "on_chain": chain})

    def _step(self) -> float:
        if self._indexer is None:
            self.refresh()
        elif any(isinstance(e, _CHANGES) for e in self._indexer.poll()):
            self.refresh()
        else:
            # No membership event: idle, polled less often up to IDLE_CAP (2 s), which
            # keeps a removal in force within the 5 s target.
            return Idle(self._interval)
        return self._interval

    def _failed(self, exc: Exception) -> Failed:
        return Failed("membership refresh failed; keeping the last view",
                      Backoff(self._interval, 5 * self._interval))

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()


def open_membership(app: NodeApp, *, interval: float = DEFAULT_INTERVAL
                    ) -> MembershipFollower | None:
    """A follower for ``app`` with its view installed in ``app.identities`` (not started,
    nothing read yet), or None without contract addresses: then the CA files alone
    decide, as on a node with no ledger."""
    cfg = app.config
    if not cfg.ledger.contracts:
        return None
    reader = LedgerClient(cfg.ledger.rpc_url, dict(cfg.ledger.contracts),
                          timeout=cfg.ledger.timeout_seconds)
    view = MembershipView(app.province)
    app.identities.membership = view
    return MembershipFollower(reader, view, app.trust.fingerprints(), interval=interval)
