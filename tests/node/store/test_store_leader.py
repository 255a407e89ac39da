"""The leader lock (``node.store.leader``): one holder per job and schema; the lead passes
on when the holder gives it up or its database session dies; SQLite has no lock."""

from __future__ import annotations

from sqlalchemy import text

from node.store import make_engine
from node.store.leader import leader_lock


def test_one_leader_per_job_and_the_lead_passes_on(postgres_url: str) -> None:
    engines = [make_engine(postgres_url) for _ in range(2)]
    try:
        first, second = (leader_lock(e, "anchor") for e in engines)
        other_job = leader_lock(engines[1], "audit-checkpoints")
        assert first is not None and second is not None and other_job is not None
        assert first.held() and first.held()  # taken, then confirmed
        assert not second.held()
        assert other_job.held()  # another job's lock is its own
        first.release()
        assert second.held() and not first.held()
        with engines[0].connect() as conn:  # one process's jobs share one session
            holders = conn.execute(text(
                "SELECT count(DISTINCT pid), count(*) FROM pg_locks WHERE locktype = 'advisory'"
                " AND granted AND objid::int = hashtext(current_schema())")).one()
        assert tuple(holders) == (1, 2)

        # The holder's session dies (as when its process is SIGKILLed): the lead passes.
        with engines[0].connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                " AND granted AND objid::int = hashtext(current_schema())"
                " AND classid::int = hashtext('credit-node.leader:anchor')"))
        assert not second.held()  # it notices it lost the session
        assert first.held()
        for lock in (first, second, other_job):
            lock.release()
    finally:
        for engine in engines:
            engine.dispose()


def test_sqlite_needs_no_leader() -> None:
    engine = make_engine("sqlite://")
    try:
        assert leader_lock(engine, "anchor") is None
        assert leader_lock(None, "anchor") is None
    finally:
        engine.dispose()
