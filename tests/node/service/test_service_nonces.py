"""Used and withdrawn grant nonces on every store backend; expired ones purged by a loop."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from node.service.nonces import NEVER, StoreNonceLedger, nonce_purge_loop
from node.store.sql_store import SqlStore

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_expired_nonces_are_purged_and_live_ones_kept(sql_store: SqlStore) -> None:
    ledger = StoreNonceLedger(sql_store)
    assert ledger.claim("a", "n-old", NOW - timedelta(hours=1))
    assert ledger.claim("a", "n-live", NOW + timedelta(days=30))
    assert ledger.claim("a", "n-just", NOW - timedelta(minutes=5))  # within the margin
    assert ledger.withdraw("a", "n-live", NOW)
    assert ledger.purge_expired(NOW) == 1
    assert sql_store.get_meta(ledger.key("a", "n-old")) is None
    assert not ledger.claim("a", "n-live", NOW + timedelta(days=30))  # still a replay
    assert not ledger.claim("a", "n-just", NOW)
    assert ledger.is_withdrawn("a", "n-live")  # withdrawals are not purged
    assert ledger.purge_expired(NOW) == 0


def test_the_purge_loop_runs_on_its_own(sql_store: SqlStore,
                                        request: pytest.FixtureRequest) -> None:
    if request.node.callspec.id.startswith("sqlite-memory"):
        pytest.skip("the in-memory database is one shared connection: not for threads")
    ledger = StoreNonceLedger(sql_store)
    assert ledger.claim("a", "n-old", NOW - timedelta(hours=1))
    loop = nonce_purge_loop(ledger, every=0.05, clock=lambda: NOW)
    loop.start()
    try:
        deadline = time.monotonic() + 30
        while sql_store.get_meta(ledger.key("a", "n-old")) is not None:
            assert time.monotonic() < deadline, "the loop never purged the expired nonce"
            time.sleep(0.05)
    finally:
        loop.stop()


def test_a_withdrawal_claims_the_grants_nonce_for_good(sql_store: SqlStore) -> None:
    ledger = StoreNonceLedger(sql_store)
    assert ledger.withdraw("a", "n-w", NOW)
    assert not ledger.withdraw("a", "n-w", NOW)
    assert not ledger.claim("a", "n-w", NOW + timedelta(days=1))  # the query path's claim
    assert ledger.purge_expired(datetime(9999, 1, 1, tzinfo=UTC)) == 0
    assert ledger.is_withdrawn("a", "n-w")
    assert ledger.claim("a", "n-other", NOW + timedelta(days=1))


def test_the_migration_claims_the_nonces_of_earlier_withdrawals(store_engine: Engine) -> None:
    from alembic import command

    from node.store.engine import WRITE, alembic_config, migrate

    ledger = StoreNonceLedger(SqlStore(store_engine))
    cfg = alembic_config()
    with store_engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "20261202_0005")
    # Recorded before the change: the withdrawal only.
    SqlStore(store_engine).claim_meta(ledger.withdrawn_key("a", "n-old"), NOW.isoformat())
    assert SqlStore(store_engine).claim_meta(ledger.key("a", "n-used"), "2026-12-03")
    migrate(store_engine)
    assert SqlStore(store_engine).get_meta(ledger.key("a", "n-old")) == NEVER
    assert not ledger.claim("a", "n-old", NOW + timedelta(days=1))
    assert SqlStore(store_engine).get_meta(ledger.key("a", "n-used")) == "2026-12-03"
