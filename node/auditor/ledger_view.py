"""What the ledger says about the audit logs: anchored heads, cosignatures, member keys.

One scan of the suite's events from the deployment block (``EventIndexer``) gives every
``AuditHeadAnchored`` and ``AuditHeadWitnessed``; the members' node keys come from
``Governance``. Usage::

    chain = ChainView(LedgerClient(rpc_url, contracts, timeout=10.0), start_block=block)
    heads = chain.anchored("JS")          # [AnchoredHead] with witness cosignatures
    keys = chain.member_keys()            # {"JS": NodePublicKey, ...}
    chain.refresh()                       # read the events added since (waiting for witnesses)
"""

from __future__ import annotations

from crypto.signing import NodePublicKey, node_public_key
from ledger.client import LedgerClient
from ledger.event_types import AuditHeadAnchored, AuditHeadWitnessed, Event
from ledger.events import EventIndexer, MemoryCursor
from node.audit import AnchoredHead, anchored_heads_from_events

__all__ = ["ChainView"]


class ChainView:
    """A read-only view of the ledger for auditors (events read once, on first use)."""

    def __init__(self, client: LedgerClient, *, start_block: int = 0) -> None:
        self.client = client
        self._start = start_block
        self._events: list[Event] | None = None
        self._keys: dict[str, NodePublicKey] | None = None
        self._indexer = EventIndexer(client, MemoryCursor(), start_block=start_block)

    def events(self) -> list[Event]:
        """The audit events since ``start_block`` (raises ``LedgerError``)."""
        if self._events is None:
            self.refresh()
        return list(self._events or ())

    def refresh(self) -> None:
        """Read the audit events added to the chain since the last read."""
        if self._events is None:
            self._events = []
        self._events.extend(e for e in self._indexer.poll()
                            if isinstance(e, AuditHeadAnchored | AuditHeadWitnessed))

    def anchored(self, province: str) -> list[AnchoredHead]:
        """``province``'s anchored heads in chain order, with their witness cosignatures."""
        return anchored_heads_from_events(self.events(), province)

    def member_keys(self) -> dict[str, NodePublicKey]:
        """Every active member's registered node key."""
        if self._keys is None:
            self._keys = {m.province: node_public_key(m.node_key)
                          for m in self.client.members()}
        return self._keys
