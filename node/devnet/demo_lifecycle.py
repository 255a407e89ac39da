"""The demo's lifecycle step: a credit repair and an objection reach all four provinces.

1. the origin's platform (JS when present) submits two fresh penalties of one
   organisation, decided six months ago under the 2023 rules (repair possible after
   three months), and waits until every node answers both;
2. a credit repair (信用修复) of the first, with the subject's 信用修复型 commitment, is
   filed at the origin (``credit-node repair``); each node is queried by the agency
   accredited there until it no longer answers the record: the time from the origin's
   acknowledgement is the figure shown;
3. an objection (异议) against the second is filed (``credit-node objection file``) and
   each node is queried until its answer carries the objection flag; the objection is
   then decided "upheld" and each node until the flag is gone;
4. read back from the nodes: each node's answer (record held, flag) and the origin's
   ``RecordStatus`` of both records (status, data key held, anchored revocation notices).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node.devnet.agency import agency_at
from node.devnet.demo_summary import cli_name
from node.devnet.exchange_watch import submit_entry
from node.devnet.nodes import identity_target
from node.devnet.synth import generate_records
from node.domain.identifiers import mask
from node.domain.publicity import add_months
from node.grpc.calls import (
    CallFailed,
    file_objection,
    file_repair,
    query,
    record_status,
    resolve_objection,
)

if TYPE_CHECKING:
    from node.devnet.demo import DemoRun
    from node.devnet.layout import ConsortiumDoc

__all__ = ["lifecycle"]

PURPOSE = "credit_report"
POLL = 0.05


def _penalties(origin: str, seed: int, today: date) -> list[dict[str, Any]]:
    base = next(r for r in generate_records(origin, 400, seed)
                if r["kind"] == "penalty" and r.get("CF_XDR_LB") == "法人及非法人组织"
                and "罚款" in r["CF_CFLB"])  # type: ignore[operator]
    decided = add_months(today, -6)
    end = add_months(decided, 12)
    return [{**base, "record_no": f"{origin}-LIFECYCLE-00000{i}", "severity": "general",
             "rule_version": "2023", "CF_JDRQ": decided.isoformat(),
             "CF_YXQ": end.isoformat(), "CF_GSJZQ": end.isoformat(),
             "publish_date": (decided + timedelta(days=3)).isoformat()} for i in (1, 2)]


def _commitment(origin: str, seed: int, penalty: dict[str, Any], today: date) -> bytes:
    base = next(r for r in generate_records(origin, 400, seed)
                if r["kind"] == "commitment" and r.get("CN_CNRLB") == "法人及非法人组织")
    return json.dumps({**base, "CN_LX": "信用修复型", "CN_SHXYM": penalty["CF_XDR_SHXYM"],
                       "CN_CNRMC": penalty["CF_XDR_MC"], "CN_RQ": today.isoformat(),
                       "CN_YXQ": add_months(today, 12).isoformat(),
                       "CN_BM": "320100" + today.strftime("%Y%m%d") + "000001",
                       "record_no": f"{origin}-LIFECYCLE-CN-1"}, ensure_ascii=False).encode()


def _answered(doc: ConsortiumDoc, node: str, subject: str) -> dict[str, bool]:
    """record_no -> objection flag of what ``node`` answers about ``subject`` (no grant:
    the records are public), asked by the agency accredited in ``node``."""
    target = identity_target(agency_at(doc, node), doc.provinces[node].grpc)
    answer = query(target, PURPOSE, subject, include_foreign=True, timeout=10.0)
    return {str(r["record_no"]): bool(r.get("objection_flagged")) for r in answer["records"]}


def _until(doc: ConsortiumDoc, nodes: list[str], subject: str, started: float,
           timeout: float, holds: Callable[[dict[str, bool]], bool], what: str
           ) -> dict[str, float]:
    """Seconds from ``started`` until each node's answer satisfies ``holds``."""
    reached: dict[str, float] = {}
    deadline = started + timeout
    while len(reached) < len(nodes):
        for node in nodes:
            if node not in reached and holds(_answered(doc, node, subject)):
                reached[node] = time.monotonic() - started
        if time.monotonic() > deadline:
            missing = ", ".join(n for n in nodes if n not in reached)
            raise ValueError(f"{what}: not seen at {missing} within {timeout:g} s")
        time.sleep(POLL)
    return reached


def _ms(figures: dict[str, float]) -> str:
    return ", ".join(f"{p} {s * 1000:,.0f} ms" for p, s in figures.items())


def lifecycle(run: DemoRun) -> list[str]:
    """Steps (1)-(4) of the module doc."""
    doc = run.consortium()
    provinces = list(doc.provinces)
    origin = "JS" if "JS" in provinces else provinces[-1]
    today = datetime.now(UTC).date()
    repaired, objected = _penalties(origin, run.options.seed + 7, today)
    subject = str(repaired["CF_XDR_SHXYM"])
    platform = identity_target(doc.identity(f"platform.{origin}"), doc.provinces[origin].grpc)
    timeout = min(run.options.timeout, 120.0)
    # (1)
    for entry in (repaired, objected):
        acked = submit_entry(doc, origin, entry)
        if origin in run.submitted:
            run.submitted[origin].accepted += 1
    numbers = (str(repaired["record_no"]), str(objected["record_no"]))
    _until(doc, provinces, subject, acked, timeout,
           lambda a: all(n in a for n in numbers), "the two penalties")
    # (2)
    commitment = _commitment(origin, run.options.seed + 7, repaired, today)
    run.layout.demo_dir.mkdir(parents=True, exist_ok=True)
    (run.layout.demo_dir / "repair-commitment.json").write_bytes(commitment)
    try:
        filed = file_repair(platform, record_no=numbers[0], basis="已整改并履行处罚 (demo)",
                            commitment_json=commitment, decision_ref="宁信修〔2026〕1号",
                            timeout=30.0)
    except CallFailed as exc:
        raise ValueError(f"the {origin} node refused the repair: {exc}") from exc
    started = time.monotonic()
    stopped = _until(doc, provinces, subject, started, timeout,
                     lambda a: numbers[0] not in a, "the repair")
    # (3)
    objection = file_objection(platform, record_no=numbers[1], applicant="演示申请人",
                               reason="处罚金额登记有误 (demo)", received_on="",
                               timeout=30.0)
    flagged = _until(doc, provinces, subject, time.monotonic(), timeout,
                     lambda a: a.get(numbers[1]) is True, "the objection flag")
    resolve_objection(platform, record_no=numbers[1], result="upheld", timeout=30.0)
    cleared = _until(doc, provinces, subject, time.monotonic(), timeout,
                     lambda a: a.get(numbers[1]) is False, "the upheld decision")
    # (4)
    answers = {p: _answered(doc, p, subject) for p in provinces}
    status = {n: record_status(platform, record_no=n, timeout=10.0) for n in numbers}
    run.facts["repair_propagation_s"] = stopped
    q = str(run.options.directory)
    return [
        f"{origin} submitted two penalties of organisation {mask(subject)} decided "
        f"{repaired['CF_JDRQ']} (2023 rules: repair possible from "
        f"{filed['repair_from']}); answered at {', '.join(provinces)}",
        f"repair of {numbers[0]} filed at {origin} (request {filed['request_id'][:12]}…); "
        f"no longer answered at: {_ms(stopped)} after the acknowledgement",
        f"objection against {numbers[1]} filed (verify deadline "
        f"{objection['verify_deadline']}); flag seen in answers at: {_ms(flagged)}",
        f"objection decided upheld; flag cleared at: {_ms(cleared)}",
        "", "read back from the nodes:",
        *(f"  {p}: answers {numbers[0]}: {'yes' if numbers[0] in a else 'no'}; "
          f"{numbers[1]}: {'flagged' if a.get(numbers[1]) else 'answered, no flag'}"
          for p, a in answers.items()),
        *(f"  {origin} RecordStatus {n}: status {s['status']}, data key held "
          f"{s['data_key_held']}, notices in the revocation log: "
          + ", ".join(f"{r['reason']} (leaf {r['index']}, batch {r['batch_seq']})"
                      for r in s["revocations"]) for n, s in status.items()),
        "", "do it yourself:",
        f"  {cli_name()} record status --consortium {q} --province {origin} "
        f"--record-no {numbers[0]}",
        f"  {cli_name()} repair --consortium {q} --province {origin} --record-no "
        f"{numbers[1]} --basis … --commitment {Path(q) / 'demo' / 'repair-commitment.json'} "
        "--decision-ref …   (a commitment by that record's subject)",
    ]
