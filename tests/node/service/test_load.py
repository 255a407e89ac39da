"""Load (issue 16, item 5): 50 agency clients for 60 s while platforms ingest and peers pull.

Three provinces on an anvil of their own (JS, SH, ZJ), each node with a realistic
agency rate limit (``PER_MINUTE``, ``BURST``: every agency certificate its own bucket).
For ``LOAD_SECONDS``: 40 clients query JS, 5 SH and 4 ZJ, every one its own agency
(certificate issued by that node's CA) on its own mutual-TLS channel, with a fresh grant
and consent evidence per query, asking about the seeded subjects with foreign records
included (so every query also fetches the on-request categories from both peers, who
check the forwarded grant again, charging the agency one token per query whatever the
number of categories). They pace themselves at half their limit. One more agency, the
50th client, at ZJ (a node with room to reach its bucket quickly whatever the machine),
floods: local-only queries as concurrent futures at four times its limit, so its
RESOURCE_EXHAUSTED refusals are intended. Meanwhile the platforms of JS and ZJ submit
records continuously and every node pulls the others' replicated records.

Asserted: the only errors are the flooding agency's RESOURCE_EXHAUSTED; no answer is
partial; every kept answer (one in ``KEEP_EVERY``) verifies offline as ``verify-answer``
checks it; every acknowledged record ends anchored at its origin exactly once and every
replicated one is held exactly once by every peer (and nothing else of the origin's is).
Printed: answered requests, qps, p50/p99 latency, refusals. About 90 s (setup 10 s, load
and drain 68 s) on a 2-core machine at load average 20.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import reliability_counts
from agency_load import (
    Agency,
    LoadLog,
    agency_channel,
    flooding_client,
    mint_agency,
    paced_client,
    percentile,
)
from anvil_chains import AnvilLauncher
from multinode_net import Network, anchored, build_network, records_of, running, submit, wait_for

from node.config import config_from_dict, config_to_dict, load_config, write_config
from node.domain.records import parse_record, subject_identifier
from node.exchange.answers import AnswerVerifier, check_record
from node.exchange.serve import shareable
from node.service.status import read_backlog

pytestmark = pytest.mark.slow

PROVINCES = ("JS", "SH", "ZJ")
FLOODED = "ZJ"
FEEDS = ("JS", "ZJ")
CLIENTS = {"JS": 40, "SH": 5, "ZJ": 4}  # and the flooding agency at ZJ
LOAD_SECONDS = 60.0
PER_MINUTE, BURST = 240.0, 10
HONEST_PER_SECOND = PER_MINUTE / 60 / 2
FLOOD_PER_SECOND, FLOOD_IN_FLIGHT = 4 * PER_MINUTE / 60, 32
SEEDED, FEED_CHUNK, FEED_PAUSE = 150, 25, 0.5
FEED_RECORDS = SEEDED + int(LOAD_SECONDS / FEED_PAUSE + 20) * FEED_CHUNK
KEEP_EVERY = 5
LIMITED = "flooding-agency"


@dataclass
class LoadNet:
    net: Network
    subjects: list[str]
    pending: dict[str, list[dict[str, object]]]
    acked: dict[str, dict[str, int]] = field(default_factory=dict)


def limit_agencies(net: Network, per_minute: float, burst: int) -> None:
    """Every node: ``per_minute`` queries a minute and ``burst`` per agency certificate."""
    for member in net.members.values():
        raw = config_to_dict(load_config(member.config), member.root)
        raw["policy"]["agency_queries_per_minute"] = per_minute
        raw["policy"]["agency_burst"] = burst
        write_config(config_from_dict(raw, member.root), member.config, overwrite=True)


def feed(net: Network, province: str, records: list[dict[str, object]],
         acked: dict[str, int], log: LoadLog, until: float) -> None:
    """The platform of ``province``: a chunk every ``FEED_PAUSE`` s until ``until``;
    accepted record numbers (with their leaves) go to ``acked``."""
    for start in range(0, len(records), FEED_CHUNK):
        if time.monotonic() >= until:
            return
        try:
            ack: Any = submit(net, province, records[start:start + FEED_CHUNK])
        except Exception as exc:
            log.failed(f"platform {province}", exc)
        else:
            if ack.rejected or any(a.duplicate for a in ack.accepted):
                log.failed(f"platform {province}", ValueError(f"refused {ack}"))
            acked.update({a.record_no: a.leaf_index for a in ack.accepted})
        time.sleep(FEED_PAUSE)
    log.failed(f"platform {province}", RuntimeError("ran out of records to submit"))


def local_nos(net: Network, holder: str, origin: str) -> Counter[str]:
    """How often each of ``origin``'s record numbers is stored at ``holder``."""
    store = net[holder].node.app.store
    size = read_backlog(net[origin].node.app.store).log_size
    return Counter(r.record_no for r in store.records_by_leaf_range(origin, 0, size + 1))


def replicated_nos(net: Network, origin: str) -> set[str]:
    """``origin``'s records its peers must hold (replicated under the catalog policy)."""
    node = net[origin].node
    assert node.exchange is not None
    store, categories = node.app.store, node.exchange.serve.categories
    size = read_backlog(store).log_size
    return {r.record_no for r in store.records_by_leaf_range(origin, 0, size)
            if shareable(r, categories, ())}


def holds_all(net: Network, holder: str, wanted: set[str], origin: str) -> bool:
    return wanted <= set(local_nos(net, holder, origin))


@pytest.fixture(scope="module")
def load_net(tmp_path_factory: pytest.TempPathFactory,
             anvil_launcher: AnvilLauncher) -> Iterator[LoadNet]:
    """The three running nodes with the agency limit set; JS and ZJ hold ``SEEDED``
    anchored records each, replicated to both peers; the queried subjects are theirs."""
    base: Path = tmp_path_factory.mktemp("load")
    with anvil_launcher.start() as chain:
        net = build_network(base, chain.rpc_url, PROVINCES)
        limit_agencies(net, PER_MINUTE, BURST)
        with running(net):
            pending: dict[str, list[dict[str, object]]] = {}
            subjects: set[str] = set()
            for n, province in enumerate(FEEDS):
                records = records_of(province, FEED_RECORDS, seed=160 + n)
                ack: Any = submit(net, province, records[:SEEDED])
                assert len(ack.accepted) == SEEDED, ack.rejected
                anchored(net, province, SEEDED)
                pending[province] = records[SEEDED:]
                subjects |= {subject_identifier(parse_record(r)) for r in records[:SEEDED]}
            for origin in FEEDS:
                wanted = replicated_nos(net, origin)
                for holder in PROVINCES:
                    if holder != origin:
                        wait_for(lambda h=holder, w=wanted, o=origin: holds_all(net, h, w, o),
                                 timeout=60)
            yield LoadNet(net, sorted(subjects), pending)


def agencies(load: LoadNet, base: Path) -> tuple[dict[str, list[Agency]], Agency]:
    """One agency per client (``CLIENTS`` per province), and the flooding one."""
    minted = {p: [mint_agency(load.net[p].layout, p, f"agency-{p.lower()}-{i:02d}", base)
                  for i in range(n)] for p, n in CLIENTS.items()}
    return minted, mint_agency(load.net[FLOODED].layout, FLOODED, LIMITED, base)


def run_load(load: LoadNet, base: Path) -> tuple[LoadLog, float]:
    """The clients and the platforms for ``LOAD_SECONDS``; what they saw and the seconds
    from start until the last client stopped."""
    net, log = load.net, LoadLog(keep_every=KEEP_EVERY)
    honest, flooder = agencies(load, base)
    until = time.monotonic() + LOAD_SECONDS
    channels: list[Any] = []
    threads: list[threading.Thread] = []
    for province, group in honest.items():
        ca = net[province].layout.ca_cert
        origins = [p for p in PROVINCES if p != province]
        for i, agency in enumerate(group):
            channel = agency_channel(agency, net[province].port, ca)
            channels.append(channel)
            threads.append(threading.Thread(target=paced_client, name=agency.name, args=(
                agency, channel, load.subjects, origins, log),
                kwargs={"per_second": HONEST_PER_SECOND, "until": until, "first": 7 * i}))
    channel = agency_channel(flooder, net[FLOODED].port, net[FLOODED].layout.ca_cert)
    channels.append(channel)
    threads.append(threading.Thread(target=flooding_client, name=LIMITED, args=(
        flooder, channel, load.subjects, log), kwargs={
            "per_second": FLOOD_PER_SECOND, "in_flight": FLOOD_IN_FLIGHT, "until": until}))
    for province in FEEDS:
        load.acked[province] = {}
        threads.append(threading.Thread(target=feed, name=f"platform-{province}", args=(
            net, province, load.pending[province], load.acked[province], log, until)))
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=LOAD_SECONDS + 90)
            assert not thread.is_alive(), f"{thread.name} still running after the load"
    finally:
        for channel in channels:
            channel.close()
    return log, time.monotonic() - started


def verify_kept(net: Network, log: LoadLog) -> tuple[list[str], Counter[str]]:
    """Every kept answer's records through ``verify-answer``'s checks: the problems, and
    how many records verified by origin province and by ``foreign`` (relayed by the
    node asked) or ``local``."""
    ledger = net.ledger()
    verifier = AnswerVerifier(ledger, chain_id=ledger.chain_id(),
                              contracts=net.deployment.addresses)
    problems: list[str] = []
    verified: Counter[str] = Counter()
    for answer in log.kept:
        for record in answer["records"]:
            found = check_record(record, verifier, answer["subject"])["problems"]
            problems.extend(found)
            if not found:
                verified[record["province"]] += 1
                verified["foreign" if record["foreign"] else "local"] += 1
    return problems, verified


def losses(load: LoadNet) -> tuple[int, int, list[str]]:
    """Records lost and duplicated (at origins and peers), and peer-held records the
    origin never replicates, after waiting for every acknowledged record to be anchored
    and pulled."""
    net, lost, duplicated, leaked = load.net, 0, 0, []
    for origin in FEEDS:
        size = read_backlog(net[origin].node.app.store).log_size
        anchored(net, origin, size)
        at_origin = local_nos(net, origin, origin)
        lost += len(set(load.acked[origin]) - set(at_origin))
        duplicated += sum(n - 1 for n in at_origin.values())
        wanted = replicated_nos(net, origin)
        for holder in PROVINCES:
            if holder == origin:
                continue
            try:
                wait_for(lambda h=holder, w=wanted, o=origin: holds_all(net, h, w, o),
                         timeout=120, step=0.2)
            except AssertionError:
                pass  # counted below as lost
            held = local_nos(net, holder, origin)
            lost += len(wanted - set(held))
            duplicated += sum(n - 1 for n in held.values())
            leaked += [f"{origin} {no} at {holder}" for no in sorted(set(held) - wanted)]
    return lost, duplicated, leaked


def test_fifty_agencies_for_a_minute_while_platforms_ingest_and_peers_pull(
        load_net: LoadNet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log, window = run_load(load_net, tmp_path / "agencies")
    refusals = sum(log.refusals.values())
    reliability_counts.add(reliability_counts.LOAD_REQUESTS, log.count)
    reliability_counts.add("intended rate-limit refusals", refusals)
    with capsys.disabled():
        print(f"\nload: {log.count} queries answered in {window:.1f} s "
              f"({log.count / window:.1f} qps) by {sum(CLIENTS.values())} paced agencies and 1 "
              f"flooding; p50 {1000 * percentile(log.latencies, 0.50):.0f} ms, "
              f"p99 {1000 * percentile(log.latencies, 0.99):.0f} ms; {refusals} refusals "
              f"{dict(log.refusals)}; "
              f"{sum(len(a) for a in load_net.acked.values())} records ingested")
    assert log.errors == []
    assert set(log.refusals) == {(LIMITED, "RESOURCE_EXHAUSTED")}, log.refusals
    assert log.partial == []
    assert len(log.by_agency) == sum(CLIENTS.values()) + 1, "an agency was never answered"
    problems, verified = verify_kept(load_net.net, log)
    assert problems == []
    assert set(verified) == {*FEEDS, "local", "foreign"}, verified
    reliability_counts.add("answered records verified", verified["local"] + verified["foreign"])
    lost, duplicated, leaked = losses(load_net)
    reliability_counts.add(reliability_counts.LOST, lost)
    reliability_counts.add(reliability_counts.DUPLICATED, duplicated)
    assert (lost, duplicated, leaked) == (0, 0, [])
