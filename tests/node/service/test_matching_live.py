"""Private list matching against real nodes: mTLS gRPC on 127.0.0.1, anvil, SQLite.

SH's node matches subjects against JS's serious-dishonesty list. Shown here: exact
answers with the shared category; afterwards JS's database (every table, every column),
its log output and its audit log hold none of SH's subject IDs, blinded elements or
unblinded values, and the audit log has the evaluations as counts only; a responder
evaluating with a key other than the one on-chain is caught by the proof check; an agency
without the purpose is refused.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from multinode_net import Network, build_network, records_of, running, submit, wait_for
from sqlalchemy import MetaData, Table, create_engine, inspect, select

from crypto import oprf
from crypto.oprf_group import hash_to_group, mult
from crypto.oprf_keys import create_oprf_key_file, load_oprf_key
from ledger.devchain import DevChain
from node._proto.credit.v1 import matching_pb2
from node.domain.records import DishonestyEntry, parse_record, subject_identifier
from node.grpc.calls import CallFailed, MatchingCalls, TlsTarget
from node.grpc.stubs import matching_stub
from node.service.matching_requester import MatchResult, MatchVerificationFailed, match_subjects
from node.service.matching_tokens import oprf_input
from node.store.sql_oprf_tokens import TokenSetStore

PURPOSE = "credit_review"


def _target(net: Network, caller: str, target: str) -> TlsTarget:
    who = net[caller].layout
    return TlsTarget(f"localhost:{net[target].port}", who.node_cert, who.node_key,
                     net[target].layout.ca_cert)


def _listed(records: list[dict[str, object]]) -> dict[str, str]:
    """record_no -> subject id of the dishonesty entries among ``records``."""
    out = {}
    for obj in records:
        record = parse_record(obj)
        if isinstance(record, DishonestyEntry):
            out[record.record_no] = subject_identifier(record)
    return out


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory, anvil_module: DevChain) -> Iterator[Network]:
    built = build_network(tmp_path_factory.mktemp("match"), anvil_module.rpc_url, ("JS", "SH"))
    with running(built):
        yield built


@pytest.fixture(scope="module")
def anvil_module(anvil_launcher):  # type: ignore[no-untyped-def]
    with anvil_launcher.start() as chain:
        yield chain


class _Recording:
    """SH's side of the wire: every blinded element sent and evaluated element received."""

    def __init__(self, inner: MatchingCalls) -> None:
        self.inner = inner
        self.sent: list[bytes] = []
        self.received: list[bytes] = []

    def evaluate(self, batches, *, purpose, request_id):  # type: ignore[no-untyped-def]
        def recorded():  # type: ignore[no-untyped-def]
            for batch in batches:
                self.sent.extend(batch)
                yield batch
        for answer in self.inner.evaluate(recorded(), purpose=purpose, request_id=request_id):
            self.received.extend(answer.evaluated)
            yield answer

    def token_set(self, *, purpose, request_id):  # type: ignore[no-untyped-def]
        return self.inner.token_set(purpose=purpose, request_id=request_id)


def _match(net: Network, subjects: list[str], committed: bytes,
           recorder: list[_Recording] | None = None) -> MatchResult:
    with MatchingCalls(_target(net, "SH", "JS"), timeout=60.0) as calls:
        peer = _Recording(calls)
        if recorder is not None:
            recorder.append(peer)
        return match_subjects(subjects, peer, committed, purpose=PURPOSE,
                              request_id=uuid.uuid4().hex, batch_size=4)


def _db_strings(url: str) -> list[bytes]:
    """Every value of every row of every table, as bytes (text UTF-8 encoded)."""
    engine = create_engine(url)
    values: list[bytes] = []
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                reflected = Table(table, MetaData(), autoload_with=conn)
                for row in conn.execute(select(reflected)):
                    for value in row:
                        if isinstance(value, bytes | bytearray | memoryview):
                            values.append(bytes(value))
                        elif value is not None:
                            values.append(str(value).encode("utf-8"))
    finally:
        engine.dispose()
    return values


def test_match_is_exact_and_leaves_nothing_of_the_subjects_at_the_responder(
        net: Network, caplog: pytest.LogCaptureFixture) -> None:
    js_records = records_of("JS", 120, seed=11)
    assert not submit(net, "JS", js_records).rejected
    listed = _listed(js_records)
    assert len(listed) >= 5
    tokens = TokenSetStore(net["JS"].node.app.store.engine)
    wait_for(lambda: tokens.count() == len(listed))
    store = net["JS"].node.app.store
    # SH's review list: five listed subjects and five of its own, not listed at JS.
    on_list = sorted(set(listed.values()))[:5]
    expected = {}
    for record_no, subject in listed.items():
        if subject in on_list:
            row = store.get_record("JS", record_no)
            assert row is not None and row.shared_category
            expected.setdefault(subject, set()).add(row.shared_category)
    off_list = [s for s in _listed(records_of("SH", 120, seed=12)).values()
                if s not in listed.values()][:5]
    subjects = on_list + [s.lower() for s in off_list]  # case differs: same subject
    committed = net.ledger().member("JS").oprf_key_commitment
    audit_before = net["JS"].node.app.access_log.log.size()

    caplog.set_level(logging.DEBUG)
    wire: list[_Recording] = []
    result = _match(net, subjects, committed, wire)

    assert result.listed == [tuple(sorted(expected[s])) for s in on_list] + [()] * 5
    assert result.evaluations == 10 and result.batches == 3
    assert result.token_set_size == len(listed)
    # What the responder must not keep: the IDs (as typed and normalized), the blinded
    # elements it saw and what it sent back, the unblinded elements k·H1(x), and the
    # outputs of the subjects that are not on its list.
    key = load_oprf_key(net["JS"].layout.root / "keys" / "oprf.key")
    inputs = [oprf_input(s) for s in subjects]
    unblinded = [mult(key.private_key, hash_to_group(i, b"HashToGroup-" + oprf.CONTEXT))
                 for i in inputs]
    outputs_unlisted = [oprf.evaluate(key, i) for i in inputs[5:]]
    values = [*wire[0].sent, *wire[0].received, *unblinded, *outputs_unlisted]
    assert len(wire[0].sent) == len(subjects)
    ids = [s.encode() for s in subjects] + inputs
    secrets_hex = [v.hex() for v in values]
    # (a) every table, every column of the responder's database.
    for value in _db_strings(net["JS"].database_url):
        for secret in [*ids, *values]:
            assert secret not in value
        for secret in secrets_hex:
            assert secret.encode() not in value
    # (b) every log line written while matching, with its structured extras.
    for record in caplog.records:
        text = record.getMessage() + json.dumps(
            {k: str(v) for k, v in vars(record).items()}, ensure_ascii=False)
        for secret_id in ids:
            assert secret_id.decode() not in text
        for secret in secrets_hex:
            assert secret not in text
    # (c) the audit log: evaluations as counts, nothing else about them.
    log = net["JS"].node.app.access_log.log
    entries = [json.loads(data) for _, data in log.iter_entries(audit_before)]
    evals = [e for e in entries if e["action"] == "oprf_eval"]
    assert [e["records_returned"] for e in evals] == [4, 4, 2]
    assert all(e.get("subject") in (None, "") and not e.get("records") for e in evals)


def test_responder_with_another_key_than_on_chain_is_caught(
        tmp_path: Path, anvil_module: DevChain) -> None:
    built = build_network(tmp_path, anvil_module.rpc_url, ("JS", "SH"))
    # JS's operator swaps its OPRF key after registering the commitment: a per-requester
    # tagging key looks exactly like this to the requester.
    key_file = built["JS"].layout.root / "keys" / "oprf.key"
    key_file.unlink()
    create_oprf_key_file(key_file)
    with running(built):
        assert not submit(built, "JS", records_of("JS", 40, seed=3)).rejected
        committed = built.ledger().member("JS").oprf_key_commitment
        with pytest.raises(MatchVerificationFailed, match="committed on-chain"):
            _match(built, ["91350100M000100Y43"], committed)
        # The claimed key is not trusted either: checking the proof against the
        # committed key catches it even if the answer names the committed key.
        with MatchingCalls(_target(built, "SH", "JS"), timeout=30.0) as peer:
            honest_looking = _RewriteKey(peer, committed)
            with pytest.raises(MatchVerificationFailed, match="does not verify"):
                match_subjects(["91350100M000100Y43"], honest_looking, committed,
                               purpose=PURPOSE, request_id=uuid.uuid4().hex)


class _RewriteKey:
    """A responder that names the committed key in its answers but evaluates with another."""

    def __init__(self, inner: MatchingCalls, key: bytes) -> None:
        self._inner, self._key = inner, key

    def evaluate(self, batches, *, purpose, request_id):  # type: ignore[no-untyped-def]
        for answer in self._inner.evaluate(batches, purpose=purpose, request_id=request_id):
            yield type(answer)(answer.evaluated, answer.proof, self._key)

    def token_set(self, *, purpose, request_id):  # type: ignore[no-untyped-def]
        for token, category, _ in self._inner.token_set(purpose=purpose, request_id=request_id):
            yield token, category, self._key


def test_agency_without_the_purpose_and_malformed_elements_are_refused(net: Network) -> None:
    with net.channel("JS", "agency", "JS") as ch:
        with pytest.raises(grpc.RpcError) as refused:
            list(matching_stub(ch).Evaluate(iter([matching_pb2.EvaluateRequest(
                blinded_elements=[oprf.blind_batch([b"x"])[1][0]], purpose="not_a_purpose")]),
                timeout=15))
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(CallFailed, match=r"INVALID_ARGUMENT.*blinded element 0"):
        with MatchingCalls(_target(net, "SH", "JS"), timeout=15.0) as peer:
            list(peer.evaluate([[bytes([1]) + bytes(31)]], purpose=PURPOSE, request_id="r1"))
