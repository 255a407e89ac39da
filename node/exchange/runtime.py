"""The exchange of one running node: receiver, callee side, federation, puller threads.

Usage (``node.service.server.start_node`` does this)::

    app.exchange = open_exchange(app)          # None without contract addresses
    ...                                        # servicers use app.exchange
    app.exchange.start()                       # one puller thread per [[peers]] entry
    app.close()                                # stops the pullers, closes the channels

``categories`` defaults to the shared catalog's documents in the catalog directory
(``deploy/catalog`` or ``$YRD_CATALOG_DIR``) judged against the ledger
(:class:`~node.exchange.categories.CatalogCategories`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ledger.client import LedgerClient
from node.exchange.categories import CatalogCategories, CategoryCheck
from node.exchange.chain_facts import ChainFacts
from node.exchange.federate import OnFetched, PeerFederation
from node.exchange.fetch import FetchDeps
from node.exchange.links import PeerLink
from node.exchange.puller import OnReceived, Puller
from node.exchange.receive import Receiver
from node.exchange.serve import ServeDeps
from node.exchange.transit import AnchorTarget, Proven
from node.service.access_log import record_refs
from node.service.query import QueryDeps, QueryInput
from node.store.sql_foreign_proofs import ForeignProofs
from node.store.sql_quarantine import QuarantineLog

if TYPE_CHECKING:
    from node.service.app import NodeApp

MIN_POLL = 0.25


@dataclass
class Exchange:
    """Everything the exchange of a node holds (thread-safe to share)."""

    receiver: Receiver
    serve: ServeDeps
    fetch: FetchDeps
    federation: PeerFederation
    links: dict[str, PeerLink]
    pullers: list[Puller] = field(default_factory=list)

    def start(self) -> None:
        """Start one puller thread per peer."""
        for puller in self.pullers:
            puller.start()

    def wake(self) -> None:
        """Ask every puller to pull now."""
        for puller in self.pullers:
            puller.wake()

    def stop(self) -> None:
        """Stop the pullers (all asked at once) and close the peer channels."""
        for puller in self.pullers:
            puller.signal_stop()
        for puller in self.pullers:
            puller.stop()
        for link in self.links.values():
            link.close()


def open_exchange(app: NodeApp, categories: CategoryCheck | None = None, *,
                  poll: float | None = None) -> Exchange | None:
    """The exchange of ``app``, or None when no contracts are configured (nothing to
    verify against). ``poll`` defaults to the batch interval (at least ``MIN_POLL`` s).

    Raises ``CatalogFileError`` when, without ``categories``, the catalog documents
    cannot be read.
    """
    cfg = app.config
    if not cfg.ledger.contracts:
        return None
    reader = LedgerClient(cfg.ledger.rpc_url, dict(cfg.ledger.contracts),
                          timeout=cfg.ledger.timeout_seconds)
    chain = ChainFacts(reader)
    check = categories or CatalogCategories.packaged(chain)
    target = AnchorTarget.from_config(cfg.ledger.chain_id, dict(cfg.ledger.contracts))
    engine = app.store.engine
    receiver = Receiver(store=app.store, keys=app.keys, quarantine=QuarantineLog(engine),
                        proofs=ForeignProofs(engine), chain=chain, categories=check,
                        target=target)
    serve = ServeDeps(store=app.store, keys=app.keys, province=app.province, categories=check,
                      target=target)
    query = QueryDeps(store=app.store, keys=app.keys, purposes=cfg.policy.purposes,
                      nonces=app.nonces, chain_id=cfg.ledger.chain_id,
                      anchor_contract="0x" + target.contract.hex())
    links = {
        peer.province: PeerLink(peer.province, peer.address, cert=cfg.tls.cert,
                                key=cfg.tls.key, ca=peer.ca or cfg.tls.ca)
        for peer in cfg.peers
    }
    every = max(MIN_POLL, poll if poll is not None else cfg.batch.interval_seconds)
    return Exchange(
        receiver=receiver, serve=serve,
        fetch=FetchDeps(serve=serve, query=query, trust=app.trust, chain=chain),
        federation=PeerFederation(receiver=receiver, proofs=receiver.proofs,
                                  links=list(links.values()),
                                  on_fetched=_fetched_audit(app)),
        links=links,
        pullers=[Puller(link, receiver, app.store, poll=every, on_received=_pulled_audit(app))
                 for link in links.values()],
    )


def _pulled_audit(app: NodeApp) -> OnReceived:
    """Log a pulled page as ``exchange_in`` (the peer logged ``exchange_out``)."""
    def on_received(peer: str, request_id: str, items: Sequence[Proven]) -> None:
        app.access_log.exchange_in(peer=peer, request_id=request_id, count=len(items),
                                refs=record_refs((i.province, i.record_no) for i in items))
    return on_received


def _fetched_audit(app: NodeApp) -> OnFetched:
    """Log a peer's FetchOnRequest answer as ``exchange_in`` under the query's request id."""
    def on_fetched(peer: str, query: QueryInput, items: Sequence[Proven]) -> None:
        app.access_log.exchange_in(peer=peer, request_id=query.request_id, count=len(items),
                                refs=record_refs((i.province, i.record_no) for i in items),
                                purpose=query.purpose,
                                subject=app.access_log.token(query.subject_id))
    return on_fetched
