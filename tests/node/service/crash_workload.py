"""What the crash rounds do to a JS node (a ``serve`` process) and its peer SH (in this
process), and what they remember having been acknowledged.

Each phase starts its load in threads, waits a random short delay, SIGKILLs JS, stops the
load and restarts JS; only answers that reached the caller count as acknowledged. A
lifecycle request cut off by the kill is sent again after the restart, as a platform
would: "already done" / "already open" then counts as its acknowledgement.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import grpc
from crash_victim import Victim
from multinode_net import Network, records_of, wait_for
from repair_records import repair_commitment, repairable_penalty

from node._proto.credit.v1 import common_pb2, ingest_pb2, lifecycle_pb2, query_pb2
from node.grpc.stubs import ingest_stub, lifecycle_stub, query_stub

PHASES = ("ingest", "anchoring", "exchange", "repair", "witnessing")
CHUNK = 20
# Refusals that say a request cut off by the kill had in fact been done before it.
ALREADY = {"repair": "REPAIR_ALREADY_DONE", "objection": "OBJECTION_ALREADY_OPEN"}
STATUS_AFTER = {"repair": "repaired", "objection": "objection"}


def repair_request(penalty: dict[str, Any], today: date) -> lifecycle_pb2.FileRepairRequest:
    return lifecycle_pb2.FileRepairRequest(
        record_no=str(penalty["record_no"]), basis="已整改并履行处罚",
        commitment_json=repair_commitment(penalty, today),
        decision_ref="宁信修〔2026〕1号", evidence_sha256=bytes(32))


@dataclass
class Workload:
    net: Network
    victim: Victim
    rng: random.Random
    acked: dict[str, dict[str, bytes]] = field(
        default_factory=lambda: {"JS": {}, "SH": {}})
    """province -> record_no -> commitment, for every record whose submission was answered."""
    lifecycle: dict[str, str] = field(default_factory=dict)
    """record_no -> the status an acknowledged repair or objection gives it."""
    pending: list[tuple[str, str]] = field(default_factory=list)
    """(record_no, "repair" | "objection") cut off by a kill, to send again."""
    targets: list[dict[str, Any]] = field(default_factory=list)
    """Repairable penalties at JS not yet used by a repair or objection round."""
    serial: int = 0
    kills: dict[str, int] = field(default_factory=lambda: {p: 0 for p in PHASES})
    mid_batch: dict[str, int] = field(default_factory=dict)
    """log name -> kills that left a batch of that log signed or sent, not yet recorded as
    anchored (the restart's recovery path: ask the chain, never anchor twice)."""

    def _pending_batches(self) -> set[str]:
        """The logs with a batch signed or submitted in the killed node's database."""
        path = self.net["JS"].database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
            rows = db.execute("SELECT DISTINCT log_name FROM batches "
                              "WHERE status IN ('signed', 'submitted')").fetchall()
        return {str(row[0]) for row in rows}

    # --- records -----------------------------------------------------------------------
    def lines(self, province: str, count: int = CHUNK) -> list[bytes]:
        self.serial += 1
        out = []
        for index, record in enumerate(records_of(province, count, seed=1000 + self.serial)):
            record["record_no"] = f"{province}-CR-{self.serial:04d}-{index:03d}"
            out.append(json.dumps(record, ensure_ascii=False).encode())
        return out

    def submit(self, province: str, lines: list[bytes]) -> bool:
        """Submit at ``province``; False when the call failed (the node was killed)."""
        with self.net.channel(province, "platform", province) as ch:
            try:
                answer = ingest_stub(ch).SubmitRecords(
                    ingest_pb2.SubmitRecordsRequest(records=lines), timeout=10)
            except grpc.RpcError:
                return False
        assert not answer.rejected, answer.rejected
        for accepted in answer.accepted:
            self.acked[province][accepted.record_no] = accepted.commitment
        return True

    def seed(self, repair_targets: int) -> None:
        """Records at both nodes, and penalties to repair or object to later."""
        today = datetime.now(UTC).date()
        self.targets = [repairable_penalty(f"JS-REPAIR-{n:06d}", today)
                        for n in range(repair_targets)]
        assert self.submit("JS", [json.dumps(t, ensure_ascii=False).encode()
                                  for t in self.targets])
        assert self.submit("JS", self.lines("JS")) and self.submit("SH", self.lines("SH"))
        # SH holds the penalties before any is repaired (a repaired record is not sent).
        sh = self.net["SH"].node.app.store
        wait_for(lambda: all(sh.get_record("JS", str(t["record_no"])) for t in self.targets),
                 timeout=60)

    # --- the rounds ----------------------------------------------------------------------
    def round(self, phase: str) -> None:
        """Load for ``phase``, SIGKILL JS after a random delay, restart it."""
        stop = threading.Event()
        loads: list[Callable[[threading.Event], None]] = []
        delay = self.rng.uniform(0.02, 0.5)
        if phase == "ingest":
            loads.append(lambda s: self._keep_submitting("JS", s))
        elif phase == "anchoring":  # batches sealed every 0.2 s: mid-seal or mid-anchor
            assert self.submit("JS", self.lines("JS"))
            delay = self.rng.uniform(0.0, 0.45)
        elif phase == "exchange":  # JS pulls SH's new records while SH pulls JS's
            assert self.submit("JS", self.lines("JS"))
            loads.append(lambda s: self._keep_submitting("SH", s))
        elif phase == "repair":
            loads.append(lambda s: self._lifecycle(self._next_lifecycle()))
            delay = self.rng.uniform(0.0, 0.3)
        elif phase == "witnessing":  # audit entries at both, heads every 0.3 s
            loads.append(lambda s: self._keep_querying("JS", s))
            loads.append(lambda s: self._keep_querying("SH", s))
            delay = self.rng.uniform(0.1, 0.8)
        threads = [threading.Thread(target=load, args=(stop,)) for load in loads]
        for thread in threads:
            thread.start()
        stop.wait(delay)
        self.victim.kill()
        self.kills[phase] += 1
        for log_name in self._pending_batches():
            self.mid_batch[log_name] = self.mid_batch.get(log_name, 0) + 1
        stop.set()
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive()
        self.victim.start()
        for _attempt in range(3):  # what the kill cut off, sent again (a loaded machine
            for request in list(self.pending):  # may miss a deadline: up to three times)
                self.pending.remove(request)
                self._lifecycle(request)
        assert not self.pending, f"lifecycle requests failing after a restart: {self.pending}"

    def _keep_submitting(self, province: str, stop: threading.Event) -> None:
        while not stop.is_set() and self.submit(province, self.lines(province)):
            pass

    def _keep_querying(self, province: str, stop: threading.Event) -> None:
        subject = common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC,
                                        id=str(self.targets[0]["CF_XDR_SHXYM"]))
        with self.net.channel(province, "agency", province) as ch:
            stub = query_stub(ch)
            while not stop.is_set():
                try:
                    stub.Query(query_pb2.QueryRequest(purpose="credit_report", subject=subject),
                               timeout=10)
                except grpc.RpcError:
                    return

    def _next_lifecycle(self) -> tuple[str, str]:
        target = self.targets.pop()
        kind = self.rng.choice(("repair", "objection"))
        return str(target["record_no"]), kind

    def _lifecycle(self, request: tuple[str, str]) -> None:
        """File ``request``; acknowledged, or kept in ``pending`` when cut off."""
        record_no, kind = request
        today = datetime.now(UTC).date()
        try:
            with self.net.channel("JS", "platform", "JS") as ch:
                stub = lifecycle_stub(ch)
                if kind == "repair":
                    stub.FileRepair(repair_request(repairable_penalty(record_no, today),
                                                    today), timeout=10)
                else:
                    stub.FileObjection(lifecycle_pb2.FileObjectionRequest(
                        record_no=record_no, applicant="某某", reason="处罚金额登记有误",
                        evidence_sha256=bytes(range(32)), received_on="2026-09-30"),
                        timeout=10)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT and \
                    ALREADY[kind] in str(exc.details()):
                self.lifecycle[record_no] = STATUS_AFTER[kind]
                return
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise AssertionError(f"{kind} of {record_no} refused: {exc.details()}") from exc
            self.pending.append(request)
            return
        self.lifecycle[record_no] = STATUS_AFTER[kind]
