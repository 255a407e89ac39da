"""Watching records cross the consortium: replication caught up, one fresh entry's way from
its origin's acknowledgement to an answer at every other node.

Used by the demo's exchange step (:mod:`node.devnet.demo_exchange`); every figure is
read from the nodes (GetStatus, Query), none is echoed from the inputs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from node.devnet.agency import Answer, query_subject
from node.devnet.errors import ConsortiumError
from node.devnet.layout import ConsortiumDoc
from node.devnet.nodes import identity_target
from node.devnet.readback import node_figures
from node.devnet.synth import generate_records
from node.domain.catalog.sharing import DEFAULT_POLICY, subject_type
from node.domain.records import is_public, parse_record
from node.grpc.calls import CallFailed, submit_records

__all__ = ["Arrival", "fresh_entry", "replicated_count", "submit_entry", "wait_replicated",
           "watch_arrivals"]


def replicated_count(lines: Sequence[str]) -> int:
    """How many of a province's records (JSON lines) every peer receives by replication
    under the catalog's sharing policy (the default the consortium's catalog carries):
    not credit commitments (on request), not natural persons' non-public records (never
    leave the origin)."""
    count = 0
    for line in lines:
        record = parse_record(json.loads(line))
        if DEFAULT_POLICY.decide(category="", kind=record.kind,
                                 subject=subject_type(record.subject_kind),
                                 public=is_public(record)) == "replicate":
            count += 1
    return count


def wait_replicated(doc: ConsortiumDoc, expected: Mapping[str, int], *, timeout: float
                    ) -> dict[str, dict[str, Any]]:
    """Poll GetStatus until each node holds at least ``expected[p]`` foreign records;
    the final figures. ConsortiumError naming the lagging nodes after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        figures = node_figures(doc)
        lagging = [p for p, n in figures.items() if n["foreign_records"] < expected.get(p, 0)]
        if not lagging:
            return figures
        if time.monotonic() >= deadline:
            detail = ", ".join(f"{p}: {figures[p]['foreign_records']:,} of {expected[p]:,}"
                               for p in lagging)
            raise ConsortiumError(f"replication not caught up after {timeout:g} s ({detail})")
        time.sleep(0.5)


def fresh_entry(province: str, seed: int, record_no: str, today: date) -> dict[str, object]:
    """A serious-dishonesty list entry of an organisation, still published on ``today``,
    synthesized for ``province`` and numbered ``record_no``. ConsortiumError if none."""
    for record in generate_records(province, 400, seed):
        if (record["kind"] == "dishonesty" and record.get("SX_ZTLB") == "法人及非法人组织"
                and str(record.get("SX_YXQ", "")) > today.isoformat()):
            return {**record, "record_no": record_no}
    raise ConsortiumError(f"no published serious-dishonesty entry of an organisation among "
                          f"400 synthetic {province} records (seed {seed})")


def submit_entry(doc: ConsortiumDoc, province: str, entry: Mapping[str, object], *,
                 timeout: float = 30.0) -> float:
    """Submit ``entry`` through ``province``'s platform; the monotonic time of the ack.

    ConsortiumError when the call fails or the node does not take it as new.
    """
    line = json.dumps(entry, ensure_ascii=False).encode("utf-8")
    target = identity_target(doc.identity(f"platform.{province}"), doc.provinces[province].grpc)
    try:
        ack = submit_records(target, [line], "demo-exchange", timeout=timeout)
    except CallFailed as exc:
        raise ConsortiumError(f"submitting to the {province} node failed: {exc}") from exc
    acked = time.monotonic()
    if ack.accepted != 1 or ack.duplicates:
        codes = [code for r in ack.rejected for code, _, _ in r.errors]
        raise ConsortiumError(f"the {province} node did not take the entry as new "
                              f"(rejected: {codes or 'none'}; a repeat of an earlier one?)")
    return acked


@dataclass(frozen=True)
class Arrival:
    """When the entry was first answered at one node, and that answer."""

    seconds: float
    answer: Answer
    polls: int


def _watch(doc: ConsortiumDoc, node: str, subject: str, record_no: str, purpose: str,
           acked: float, deadline: float, found: dict[str, Arrival],
           errors: dict[str, str]) -> None:
    polls = 0
    try:
        while time.monotonic() < deadline:
            polls += 1
            answer = query_subject(doc, subject, purpose, None, node=node,
                                   include_foreign=True, timeout=10.0)
            if any(r["record_no"] == record_no for r in answer.records):
                found[node] = Arrival(time.monotonic() - acked, answer, polls)
                return
            time.sleep(0.05)
    except ConsortiumError as exc:
        errors[node] = str(exc)


def watch_arrivals(doc: ConsortiumDoc, nodes: Sequence[str], subject: str, record_no: str,
                   *, purpose: str, acked: float, timeout: float) -> dict[str, Arrival]:
    """Query each of ``nodes`` (as the agency accredited there, peers' records included,
    no grant: the entry is public) until it answers ``record_no``; one thread per node.

    Returns the arrival at each node; ConsortiumError naming the nodes that did not answer
    it within ``timeout`` s of ``acked``, or refused.
    """
    found: dict[str, Arrival] = {}
    errors: dict[str, str] = {}
    deadline = acked + timeout
    threads = [threading.Thread(target=_watch, name=f"watch-{node}", daemon=True,
                                args=(doc, node, subject, record_no, purpose, acked, deadline,
                                      found, errors)) for node in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 15.0)
    missing = [n for n in nodes if n not in found]
    if missing:
        reasons = "; ".join(f"{n}: {errors.get(n, f'not answered in {timeout:g} s')}"
                            for n in missing)
        raise ConsortiumError(f"the entry did not reach every node ({reasons})")
    return found
