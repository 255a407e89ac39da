"""The token-set updater: from the durable cursor, after a crash, with ended records, and
the responder's catch-up before the first page."""

from __future__ import annotations

import datetime as dt
import json

from crypto import oprf
from crypto.sealing import MasterKey
from node.devnet.synth.generator import generate_records
from node.domain.lifecycle import REPAIRED
from node.domain.validation import ValidationContext
from node.service.ingest import IngestKeys, ingest
from node.service.matching import EvaluationBudget, MatchingResponder
from node.service.matching_tokens import TokenSetKeeper, oprf_input
from node.service.token_updater import CURSOR_KEY, TokenSetUpdater
from node.store import SqlStore
from node.store.rows import RECORDS_LOG
from node.store.sql_oprf_tokens import TokenSetStore

KEY = oprf.derive_key_pair(bytes(32))
KEYS = IngestKeys(master_key=MasterKey(bytes(32)), token_key=bytes(32))


def _ingest(store: SqlStore, count: int, seed: int, skip: int = 0) -> list[dict[str, object]]:
    records = list(generate_records("JS", skip + count, seed))[skip:]
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in records]
    outcome = ingest(lines, submitter_province="JS", store=store, keys=KEYS,
                     validation=ValidationContext(today=dt.date.today()))
    assert not outcome.rejected
    return [r for r in records if r["kind"] == "dishonesty"]


def _updater(store: SqlStore) -> tuple[TokenSetUpdater, TokenSetStore]:
    tokens = TokenSetStore(store.engine)
    return TokenSetUpdater(TokenSetKeeper(KEY, tokens), store, province="JS",
                           master_key=KEYS.master_key), tokens


def _token(entry: dict[str, object]) -> bytes:
    return oprf.evaluate(KEY, oprf_input(str(entry.get("SX_SHXYM") or entry.get("SX_ZJHM"))))


def test_updater_adds_each_dishonesty_entry_once_from_the_cursor(sql_store: SqlStore) -> None:
    dishonesty = _ingest(sql_store, 80, 5)
    updater, tokens = _updater(sql_store)
    assert tokens.count() == 0  # ingest itself evaluates nothing
    updater.catch_up()
    entries = {t for t, _ in tokens.page(0, 1000).entries}
    assert len(entries) == tokens.count() == len(dishonesty) > 0
    assert {_token(e) for e in dishonesty} == entries
    assert updater.cursor() == sql_store.log_size(RECORDS_LOG) == 80
    more = _ingest(sql_store, 40, 5, skip=80)
    assert updater.round() == 0  # 40 new leaves, one round, none left
    assert tokens.count() == len(dishonesty) + len(more) > len(dishonesty)


def test_a_crash_before_or_during_the_update_loses_no_listing(sql_store: SqlStore) -> None:
    dishonesty = _ingest(sql_store, 60, 7)
    # Killed after the ingest commit, before any update: a new process resumes.
    first, tokens = _updater(sql_store)
    # Killed after adding tokens, before moving the cursor: the re-run adds nothing twice.
    first.catch_up()
    sql_store.set_meta(CURSOR_KEY, "0")
    again, _ = _updater(sql_store)
    again.catch_up()
    assert tokens.count() == len(dishonesty) > 0
    assert again.cursor() == 60


def test_an_entry_ended_before_the_update_is_never_listed(sql_store: SqlStore) -> None:
    dishonesty = _ingest(sql_store, 60, 8)
    ended = dishonesty[0]
    sql_store.set_status("JS", str(ended["record_no"]), REPAIRED, shred_payload=True)
    updater, tokens = _updater(sql_store)
    updater.catch_up()
    listed = {t for t, _ in tokens.page(0, 1000).entries}
    assert tokens.count() == len(dishonesty) - 1
    assert _token(dishonesty[1]) in listed
    assert updater.remove_listing(str(dishonesty[1]["record_no"]))
    assert tokens.count() == len(dishonesty) - 2


def test_the_first_page_waits_for_every_acknowledged_entry(sql_store: SqlStore) -> None:
    dishonesty = _ingest(sql_store, 60, 9)
    updater, tokens = _updater(sql_store)
    responder = MatchingResponder(KEY, tokens, EvaluationBudget(burst=10, per_second=0),
                                  catch_up=updater.catch_up)
    page = responder.token_page("", 1000)
    assert page.total == len(page.entries) == len(dishonesty) > 0
    assert _token(dishonesty[-1]) in {t for t, _ in page.entries}
