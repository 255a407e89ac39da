"""Outages make answers partial, and the answer says so (issue 16, items 2 and 3).

Three live nodes (SH, JS, ZJ) on an anvil of their own with a state file:

- **the ledger goes away** (anvil stopped, state dumped, restarted on the same port a few
  seconds later): SH keeps ingesting and answering; a record not anchored yet is held
  back and named in ``records_not_anchored``; a federated query names every peer it could
  not verify in ``provinces_unavailable``; after the restart the backlog is anchored, the
  record answered, and the audit log's checkpoints are anchored again past the outage.
  (The outage is kept to seconds here; a 30 s outage is a bench's job.)
- **a peer is down** (ZJ stopped): a federated query at SH still answers JS's records and
  names ZJ in ``provinces_unavailable`` — in the JSON ``credit-node query`` prints (the
  client call it uses) and in the credit report's page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from anvil_chains import AnvilLauncher
from consent_helpers import EVIDENCE
from exchange_helpers import (
    anchored,
    public_dishonesty,
    records_of,
    subject_with_on_request_record,
    submit,
    wait_for,
)
from multinode_net import Network, build_network, running

from ledger.devchain import DevChain
from node.authz.grants import make_grant
from node.cli.report_html import render_report
from node.grpc.calls import TlsTarget, query
from node.identity.files import load_tls_private_key
from node.service.status import read_backlog

PROVINCES = ("SH", "JS", "ZJ")
COMMITMENT_NO = "JS-PART-000001"


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory,
          anvil_launcher: AnvilLauncher) -> Iterator[tuple[AnvilLauncher, DevChain, Path]]:
    state = tmp_path_factory.mktemp("partial-chain") / "chain.json"
    started = anvil_launcher.start(state_path=state)
    yield anvil_launcher, started, state
    started.stop()


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory,
        chain: tuple[AnvilLauncher, DevChain, Path]) -> Iterator[Network]:
    """SH, JS and ZJ running, with an audit checkpoint every second."""
    built = build_network(tmp_path_factory.mktemp("partial"), chain[1].rpc_url, PROVINCES,
                          checkpoint=1.0)
    with running(built):
        yield built


@pytest.fixture(scope="module")
def js_subject(net: Network) -> str:
    """A JS subject with an on-request record (a credit commitment), anchored."""
    entry = subject_with_on_request_record(net, COMMITMENT_NO, count=40, seed=8)
    return str(entry["SX_SHXYM"])


def ask_sh(net: Network, subject: str, *, include_foreign: bool = True) -> dict[str, Any]:
    """The agency accredited by SH asks SH, with a fresh grant, as ``credit-node query``."""
    layout = net["SH"].layout
    grant = make_grant(subject=subject, agency="example-agency", purpose="lending_review",
                       scope=("penalty", "dishonesty", "commitment"), consent_evidence=EVIDENCE,
                       private_key=load_tls_private_key(layout.identity_key("agency")),
                       now=datetime.now(UTC), valid_for=timedelta(days=1))
    target = TlsTarget(f"localhost:{net['SH'].port}", layout.identity_cert("agency"),
                       layout.identity_key("agency"), layout.ca_cert)
    return query(target, "lending_review", subject, grant=grant.to_json().encode(),
                 evidence=EVIDENCE, include_foreign=include_foreign,
                 request_id=uuid.uuid4().hex, timeout=30)


def numbers(answer: dict[str, Any]) -> set[str]:
    return {str(r["record_no"]) for r in answer["records"]}


def test_a_ledger_outage_holds_unanchored_records_back_and_says_so(
        net: Network, js_subject: str, chain: tuple[AnvilLauncher, DevChain, Path]) -> None:
    launcher, started, state = chain
    sh = net["SH"].node.app
    ledger = net.ledger()
    seeded = records_of("SH", 40, seed=9)
    entry = public_dishonesty(seeded, datetime.now(UTC).date())
    subject, record_no = str(entry["SX_SHXYM"]), str(entry["record_no"])
    port = started.port

    started.stop()  # the ledger goes away (its state dumped to the file)
    ack: Any = submit(net, "SH", seeded)
    assert len(ack.accepted) == len(seeded) and not ack.rejected
    during = ask_sh(net, subject)
    assert record_no not in numbers(during)
    assert record_no in during["records_not_anchored"]
    assert during["provinces_unavailable"] == ["JS", "ZJ"]  # nothing could be verified
    assert read_backlog(sh.store).backlog == len(seeded)
    logged_during = sh.access_log.log.size()

    restarted = launcher.start(state_path=state, port=port)
    assert restarted.port == port
    anchored(net, "SH", len(seeded))
    after = ask_sh(net, subject)
    assert record_no in numbers(after)
    assert after["records_not_anchored"] == [] and after["provinces_unavailable"] == []
    assert COMMITMENT_NO not in numbers(after)  # another subject's record
    # The audit log's checkpoints are anchored again, past the entries of the outage.
    wait_for(lambda: ledger.latest_audit_head("SH").tree_size >= logged_during, timeout=60)


def test_a_federated_answer_with_a_peer_down_names_it(net: Network, js_subject: str) -> None:
    both = ask_sh(net, js_subject)
    assert COMMITMENT_NO in numbers(both) and both["provinces_unavailable"] == []

    zj = net["ZJ"]
    assert zj.running is not None
    zj.running.stop(grace=1.0)
    zj.running = None
    partial = ask_sh(net, js_subject)
    assert COMMITMENT_NO in numbers(partial)  # JS still answered
    assert partial["provinces_unavailable"] == ["ZJ"]
    page = render_report({"subject": js_subject, "records": [],
                          "provinces_unavailable": partial["provinces_unavailable"]})
    assert "id='partial'" in page and "ZJ" in page
