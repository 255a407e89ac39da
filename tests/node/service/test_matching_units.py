"""Matching handlers without servers: the evaluation budget, batch checks, the token-set
keeper fed by ingest (listing and removal), the requester's checks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence

import pytest
from sqlalchemy import Engine

from crypto import oprf
from crypto.sealing import MasterKey
from node.devnet.synth.generator import generate_records
from node.domain.validation import ValidationContext
from node.identity import Identity, Role
from node.service.errors import BadRequest, RateLimited, Refused
from node.service.ingest import IngestKeys, ingest
from node.service.matching import EvaluationBudget, MatchingResponder
from node.service.matching_requester import (
    EvaluatedBatch,
    MatchVerificationFailed,
    match_subjects,
)
from node.service.matching_tokens import TokenSetKeeper, oprf_input
from node.store import SqlStore
from node.store.sql_oprf_tokens import TokenSetStore

KEY = oprf.derive_key_pair(bytes(32))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _identity(role: Role, purposes: frozenset[str] = frozenset()) -> Identity:
    return Identity(role=role, province="SH", name="x", purposes=purposes,
                    organisation="x", fingerprint="ab" * 32)


def test_budget_refuses_beyond_burst_and_refills() -> None:
    clock = Clock()
    budget = EvaluationBudget(burst=100, per_second=10, clock=clock)
    assert budget.take("a", 60) == 40
    with pytest.raises(RateLimited, match="asked 50, 40 left"):
        budget.take("a", 50)
    assert budget.take("b", 100) == 0  # another caller has its own bucket
    clock.now = 1.0
    assert budget.take("a", 50) == 0


def test_responder_checks_batches_and_agency_purpose(store_engine: Engine) -> None:
    responder = MatchingResponder(KEY, TokenSetStore(store_engine),
                                  EvaluationBudget(burst=10, per_second=0))
    peer = _identity(Role.PEER)
    with pytest.raises(BadRequest, match=r"blinded_elements\[0\]: got 31 bytes"):
        responder.evaluate(peer, [bytes(31)])
    with pytest.raises(RateLimited):
        responder.evaluate(peer, oprf.blind_batch([b"x"] * 11)[1])
    with pytest.raises(Refused, match="purpose 'match'"):
        responder.check_caller(_identity(Role.AGENCY, frozenset({"lending"})), "match")
    responder.check_caller(_identity(Role.AGENCY, frozenset({"lending"})), "lending")


def test_ingest_feeds_the_token_set_and_removal_stops_matching(sql_store: SqlStore) -> None:
    tokens = TokenSetStore(sql_store.engine)
    keeper = TokenSetKeeper(KEY, tokens)
    records = list(generate_records("JS", 60, 5))
    keys = IngestKeys(master_key=MasterKey(bytes(32)), token_key=bytes(32))
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in records]
    outcome = ingest(lines, submitter_province="JS", store=sql_store, keys=keys,
                     validation=ValidationContext(today=dt.date.today()), on_listed=keeper.listed)
    assert not outcome.rejected
    dishonesty = [r for r in records if r["kind"] == "dishonesty"]
    assert tokens.count() == len(dishonesty) > 0
    # Submitting again stores nothing new and lists nothing twice.
    ingest(lines, submitter_province="JS", store=sql_store, keys=keys,
           validation=ValidationContext(today=dt.date.today()), on_listed=keeper.listed)
    assert tokens.count() == len(dishonesty)
    first = dishonesty[0]
    subject = str(first.get("SX_SHXYM") or first.get("SX_ZJHM"))
    token = oprf.evaluate(KEY, oprf_input(subject))
    assert any(t == token for t, _ in tokens.page(0, 1000).entries)
    assert keeper.remove_listing(str(first["record_no"]))
    assert not any(t == token for t, _ in tokens.page(0, 1000).entries)


class _Peer:
    def __init__(self, key: oprf.OprfKeyPair, claimed: bytes, drop: bool = False) -> None:
        self.key, self.claimed, self.drop = key, claimed, drop

    def evaluate(self, batches: Iterable[Sequence[bytes]], *, purpose: str,
                 request_id: str) -> Iterator[EvaluatedBatch]:
        for i, batch in enumerate(batches):
            if self.drop and i == 1:
                return
            reply = oprf.blind_evaluate_batch(self.key, batch)
            yield EvaluatedBatch(reply.evaluated, reply.proof, self.claimed)

    def token_set(self, *, purpose: str, request_id: str) -> Iterator[tuple[bytes, str, bytes]]:
        yield oprf.evaluate(self.key, oprf_input("91350100M000100Y43")), "SX02", self.claimed


def test_requester_answers_and_refuses() -> None:
    ok = match_subjects(["91350100m000100y43", "11010519491231002X"],
                        _Peer(KEY, KEY.public_key), KEY.public_key, purpose="p",
                        request_id="r", batch_size=1)
    assert ok.listed == [("SX02",), ()] and ok.batches == 2
    other = oprf.derive_key_pair(bytes([7]) * 32)
    with pytest.raises(MatchVerificationFailed, match="committed on-chain"):
        match_subjects(["a"], _Peer(other, other.public_key), KEY.public_key, purpose="p",
                       request_id="r")
    with pytest.raises(MatchVerificationFailed, match="does not verify"):
        match_subjects(["a"], _Peer(other, KEY.public_key), KEY.public_key, purpose="p",
                       request_id="r")
    with pytest.raises(MatchVerificationFailed, match="answered 1 of 3"):
        match_subjects(["a", "b", "c"], _Peer(KEY, KEY.public_key, drop=True), KEY.public_key,
                       purpose="p", request_id="r", batch_size=1)
