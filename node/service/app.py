"""``NodeApp``: everything a running node holds — config, keys, store, trust, ledger.

Usage::

    app = NodeApp.open(load_config(Path("var/js/node.toml")))
    ...                      # node.runtime hands it to the servicers and the loops
    app.close()

Opening reads the key files, migrates and opens the store, loads the trust store and,
when the consortium's contract addresses are configured, connects the ledger client
(the ledger may still be down: the client connects lazily and the anchor loop retries).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import nacl.signing

from crypto.keys import load_master_key, load_signing_key
from ledger.client import LedgerClient
from node.audit import AuditLog, audit_origin
from node.config import NodeConfig, ca_files
from node.identity import IdentityCache, TrustStore, load_trust_store
from node.identity.files import load_ledger_account_key
from node.service.access_log import AccessLogWriter, make_audit_metrics
from node.service.ingest import IngestKeys
from node.service.keys import derive_token_key
from node.service.metrics import NodeMetrics, make_metrics
from node.service.nonces import StoreNonceLedger
from node.store import SqlStore, open_store
from node.store.sql_audit import AuditStore

log = logging.getLogger(__name__)


@dataclass
class NodeApp:
    """The running node's state, shared by every servicer thread (all members thread-safe)."""

    config: NodeConfig
    store: SqlStore
    signing_key: nacl.signing.SigningKey
    keys: IngestKeys
    trust: TrustStore
    identities: IdentityCache
    ledger: LedgerClient | None
    nonces: StoreNonceLedger
    metrics: NodeMetrics
    access_log: AccessLogWriter
    """Writes the access audit log (every servicer call goes through it)."""

    @property
    def province(self) -> str:
        return self.config.node.province

    @property
    def data_dir(self) -> Path:
        return self.config.node.data_dir

    @classmethod
    def open(cls, config: NodeConfig, *, metrics: NodeMetrics | None = None) -> NodeApp:
        """Open the node described by ``config`` (paths absolute, as ``load_config`` gives).

        Raises ``KeyFileError``/``IdentityFileError`` for unreadable key or certificate
        files and ``StoreError`` when the database cannot be opened.
        """
        master = load_master_key(config.node.master_key_file)
        trust = load_trust_store(config.node.province, ca_files(config),
                                 config.tls.auditor_cas)
        store = open_store(config.database.url, config.keystore.url)
        metrics = metrics or make_metrics()
        signing_key = load_signing_key(config.node.signing_key_file)
        keys = IngestKeys(master_key=master, token_key=derive_token_key(master))
        audit_log = AuditLog(store, AuditStore(store.engine), signing_key,
                             audit_origin(config.node.province))
        return cls(
            config=config,
            store=store,
            signing_key=signing_key,
            keys=keys,
            trust=trust,
            identities=IdentityCache(trust),
            ledger=connect_ledger(config),
            nonces=StoreNonceLedger(store),
            metrics=metrics,
            access_log=AccessLogWriter(audit_log, token_key=keys.token_key,
                                  province=config.node.province,
                                  metrics=make_audit_metrics(metrics.registry)),
        )

    def close(self) -> None:
        self.store.engine.dispose()


def connect_ledger(config: NodeConfig) -> LedgerClient | None:
    """A ledger client for the configured contracts, or None (with a warning) without them."""
    if not config.ledger.contracts:
        log.warning("no contract addresses in [ledger] contracts: records will not be anchored")
        return None
    return LedgerClient(
        config.ledger.rpc_url,
        dict(config.ledger.contracts),
        account_key=load_ledger_account_key(config.ledger.account_key_file),
        timeout=config.ledger.timeout_seconds,
        confirmations=config.ledger.confirmations,
    )
