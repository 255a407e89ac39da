"""Writers of one process on one SQLite file, and claims written together."""

from __future__ import annotations

import threading
from pathlib import Path

from node.store import SqlStore, make_engine, migrate

THREADS = 12
CLAIMS = 25


def test_concurrent_writers_never_meet_the_busy_timeout(tmp_path: Path) -> None:
    # A 1 ms busy timeout: without the process's write lock, threads starting BEGIN
    # IMMEDIATE while another holds the database's write lock fail with "database is
    # locked" almost at once; with it, each waits its turn and none fails.
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}", sqlite_busy_timeout_s=0.001)
    migrate(engine)
    store = SqlStore(engine)
    errors: list[BaseException] = []
    won: list[bool] = []

    def work(n: int) -> None:
        try:
            for i in range(CLAIMS):
                won.append(store.claim_meta(f"k:{n}:{i}", "v"))
                won.append(store.claim_meta("shared", str(n)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine.dispose()
    assert errors == []
    assert won.count(True) == THREADS * CLAIMS + 1  # every own key, "shared" once


def test_claim_metas_claims_each_key_once_in_order(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}")
    migrate(engine)
    store = SqlStore(engine)
    assert store.claim_meta("b", "0")
    assert store.claim_metas([("a", "1"), ("a", "2"), ("b", "3"), ("c", "4")]) == [
        True, False, False, True]
    assert store.claim_metas([]) == []
    assert (store.get_meta("a"), store.get_meta("b"), store.get_meta("c")) == ("1", "0", "4")
    engine.dispose()
