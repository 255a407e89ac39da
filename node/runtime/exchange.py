"""The exchange of one running node wired: receiver, callee side, federation, pullers.

Usage (``node.runtime.node.start_node`` does this)::

    exchange = open_exchange(app, peers)       # None without contract addresses
    ...                                        # the servicers get its parts
    exchange.start()                           # one puller thread per peer
    exchange.stop()

``categories`` defaults to the shared catalog's documents in the catalog directory
(``deploy/catalog`` or ``$YRD_CATALOG_DIR``) judged against the ledger
(:class:`~node.exchange.categories.CatalogCategories`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ledger.client import LedgerClient
from node.exchange.categories import CatalogCategories, CategoryCheck
from node.exchange.chain_facts import ChainFacts
from node.exchange.federate import OnFetched, PeerFederation
from node.exchange.fetch import FetchDeps
from node.exchange.parts import Exchange
from node.exchange.ports import ExchangePeer
from node.exchange.puller import OnReceived, Puller
from node.exchange.receive import Receiver
from node.exchange.serve import ServeDeps
from node.exchange.transit import AnchorTarget, Proven
from node.runtime.deps import query_deps
from node.service.access_log import record_refs
from node.service.app import NodeApp
from node.service.background import IDLE_CAP
from node.service.query import QueryInput
from node.store.sql_foreign_proofs import ForeignProofs
from node.store.sql_quarantine import QuarantineLog

__all__ = ["MIN_POLL", "open_exchange"]

MIN_POLL = 0.25


def open_exchange(app: NodeApp, peers: Mapping[str, ExchangePeer],
                  categories: CategoryCheck | None = None, *,
                  poll: float | None = None, idle_cap: float = IDLE_CAP) -> Exchange | None:
    """The exchange of ``app`` with ``peers`` (province -> client), or None when no
    contracts are configured (nothing to verify against). ``poll`` defaults to the batch
    interval (at least ``MIN_POLL`` s); ``idle_cap`` bounds an idle puller's wait (longer
    when the peers nudge this node: ``node.exchange.nudge``).

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
    every = max(MIN_POLL, poll if poll is not None else cfg.batch.interval_seconds)
    return Exchange(
        receiver=receiver, serve=serve,
        fetch=FetchDeps(serve=serve, query=query_deps(app), trust=app.trust, chain=chain,
                        foreign_purposes=cfg.policy.foreign_purposes),
        federation=PeerFederation(receiver=receiver, proofs=receiver.proofs,
                                  links=list(peers.values()),
                                  on_fetched=_fetched_audit(app)),
        pullers=[Puller(peer, receiver, app.store, poll=every, on_received=_pulled_audit(app),
                        idle_cap=idle_cap)
                 for peer in peers.values()],
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
