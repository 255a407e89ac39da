"""The consortium demo's steps, in order (``STEPS``); the last one is in :mod:`.demo_summary`.

reset → up → synthesize → submit → anchor → query → verify → exchange → audit → read back.
Each step is a plain function of the shared :class:`~node.devnet.demo.DemoRun`.
"""

from __future__ import annotations

import hashlib
import shutil
import time

from ledger.client import LedgerClient
from node.devnet.agency import Queried, query_subject, verify_answer, write_grant
from node.devnet.demo import DemoFailed, DemoRun, Step
from node.devnet.demo_audit import audit_step
from node.devnet.demo_database import drop_earlier_schemas, refuse_used_schemas
from node.devnet.demo_exchange import exchange
from node.devnet.demo_lifecycle import lifecycle
from node.devnet.demo_matching import matching_step
from node.devnet.demo_membership import membership_step
from node.devnet.demo_report import report_step
from node.devnet.demo_summary import read_back
from node.devnet.lifecycle import consortium_down, consortium_up, load_doc
from node.devnet.progress import Progress
from node.devnet.readback import wait_anchored
from node.devnet.workload import submit_all, synthesize
from node.domain.identifiers import mask

__all__ = ["STEPS", "purpose_for"]

_KIND_EN = {"法人及非法人组织": "organisation", "自然人": "natural person",
            "个体工商户": "sole trader"}


def reset(run: DemoRun) -> list[str]:
    """Stop a consortium left in the directory by an earlier run, then wipe the directory."""
    layout = run.layout
    lines = []
    if layout.doc.exists():
        outcome = consortium_down(layout.root)
        lines.append("stopped what an earlier run left: " +
                     ", ".join(f"{k} {v}" for k, v in outcome.items()))
        dropped = drop_earlier_schemas(load_doc(layout.root))
        if dropped:
            lines.append(f"dropped its PostgreSQL schemas {', '.join(dropped)}")
    if layout.root.exists():
        if any(layout.root.iterdir()) and not (layout.doc.exists() or layout.lock.exists()):
            raise DemoFailed(f"{layout.root} is not empty and holds no consortium; "
                             "refusing to wipe it (choose another --dir)")
        shutil.rmtree(layout.root)
        lines.append(f"wiped {run.options.directory} (every demo starts from scratch)")
    else:
        lines.append(f"{run.options.directory} is new")
    return lines


def up(run: DemoRun) -> list[str]:
    """``consortium up``: keys, certificates, anvil, contracts, catalog, four nodes."""
    options = run.options
    said: list[str] = []
    if options.database_url:
        schemas = refuse_used_schemas(options.database_url, options.schema_prefix,
                                      options.provinces)
        said.append(f"stores: PostgreSQL, a schema per node ({', '.join(schemas)})")
    result = consortium_up(options.directory, provinces=options.provinces,
                           database_url=options.database_url,
                           schema_prefix=options.schema_prefix,
                           timeout=options.timeout, say=said.append)
    run.doc = doc = result.doc
    ledger = LedgerClient(doc.ledger.rpc_url, doc.ledger.contracts, timeout=10.0)
    members = ledger.members()
    version = ledger.current_catalog_version()
    return [
        *said,
        f"ledger: anvil (a real EVM JSON-RPC node) at {doc.ledger.rpc_url}, state saved in "
        f"{run.options.directory}/ledger/state.json",
        f"on-chain members (read back from Governance): {', '.join(m.province for m in members)}"
        f"; governance threshold {ledger.threshold()}",
        f"shared catalog version adopted on-chain: {version} "
        f"(hash {ledger.catalog_hash(version).hex()[:16]}…)",
        *(f"node {p}: gRPC + mutual TLS on {e.grpc}, pid {e.pid}, log {e.log}, "
          f"store {e.database}" for p, e in doc.provinces.items()),
    ]


def synthesize_step(run: DemoRun) -> list[str]:
    """Realistic records per province: penalties, dishonesty-list entries, commitments."""
    count = run.options.records_per_province
    run.workloads = synthesize(list(run.consortium().provinces), count, run.options.seed)
    return [f"{count:,} synthetic records for each of {', '.join(run.workloads)} "
            "(about 70% administrative penalties, 15% serious-dishonesty list entries, "
            "15% credit commitments; valid identifiers, real division codes)"]


def submit(run: DemoRun) -> list[str]:
    """Each provincial platform submits its records to its own node, all at once."""
    doc = run.consortium()
    total = sum(len(w.lines) for w in run.workloads.values())
    progress = Progress("submitting", total, run.err)
    run.submitted = submit_all(doc, run.workloads, progress, timeout=run.options.timeout * 2)
    progress.finish()
    lines = []
    for province, outcome in run.submitted.items():
        if outcome.rejected:
            raise DemoFailed(f"the {province} node rejected {outcome.rejected} records, e.g. "
                             f"{'; '.join(outcome.errors[:3])}")
        lines.append(f"{province}: node accepted {outcome.accepted:,} records in "
                     f"{outcome.seconds:.1f} s ({outcome.accepted / outcome.seconds:,.0f}/s) — "
                     "validated, committed, sealed, appended to its record log")
    return lines


def anchor(run: DemoRun) -> list[str]:
    """Wait until every node has anchored its whole record log on the ledger."""
    expected = {p: o.accepted for p, o in run.submitted.items()}
    started = time.monotonic()
    figures = wait_anchored(run.consortium(), expected, timeout=run.options.timeout)
    run.facts["anchor_wait_s"] = time.monotonic() - started
    return [f"{p}: {n['anchored_size']:,} of {n['log_size']:,} log entries anchored, "
            f"backlog {n['backlog']}" for p, n in figures.items()]


def purpose_for(kind: str) -> str:
    """Lending review for a natural person (needs the ID), credit report otherwise."""
    return "lending_review" if kind == "自然人" else "credit_report"


def query(run: DemoRun) -> list[str]:
    """The agency queries subjects at its home node, each with a grant it signed."""
    doc = run.consortium()
    agency = doc.identity("agency")
    subjects = run.workloads[agency.province].subjects
    lines = [f"agency {agency.name!r} (accredited by {agency.province}, purposes "
             f"{', '.join(agency.purposes)}) asks the {agency.province} node:"]
    for number, subject in enumerate(subjects, start=1):
        purpose = purpose_for(subject.kind)
        grant = write_grant(doc, subject.identifier, purpose,
                            run.layout.demo_dir / f"grant-{number}.json")
        answer = query_subject(doc, subject.identifier, purpose, grant)
        if len(answer.records) != subject.records:
            raise DemoFailed(f"query {number} returned {len(answer.records)} records, "
                             f"want the subject's {subject.records}")
        run.answers.append(Queried(mask(subject.identifier), subject.kind, purpose, answer))
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(answer.kinds().items()))
        lines.append(f"{mask(subject.identifier)} ({_KIND_EN.get(subject.kind, subject.kind)}), "
                     f"purpose {purpose}, with a signed grant and its consent form deposited "
                     f"({len(grant.evidence):,}-byte PDF, sha256 "
                     f"{hashlib.sha256(grant.evidence).hexdigest()[:12]}…): "
                     f"{len(answer.records)} records "
                     f"({kinds}) in {answer.seconds * 1000:.0f} ms")
    if not subjects:
        raise DemoFailed(f"no subjects in the {agency.province} records to query")
    return lines


def verify(run: DemoRun) -> list[str]:
    """Check every answered record's proofs against the ledger, as a third party would."""
    doc = run.consortium()
    checked = 0
    for entry in run.answers:
        problems = verify_answer(doc, entry.answer)
        if problems:
            raise DemoFailed(f"answer for {entry.masked_subject}: {'; '.join(problems[:3])}")
        checked += len(entry.answer.records)
    return [f"{checked} answered records verified: Merkle inclusion proof → batch header "
            "signed with the node key registered on-chain → root anchored on the ledger"]


STEPS: list[Step] = [
    Step("reset: stop and wipe any earlier demo consortium", reset, "reset"),
    Step("consortium up: four provinces, one ledger", up, "up"),
    Step("synthesize realistic records", synthesize_step, "synthesize"),
    Step("submit through each provincial platform", submit, "submit"),
    Step("anchor every record log on the ledger", anchor, "anchor"),
    Step("authorized agency queries (授权查询)", query, "query"),
    Step("verify the answers against the ledger", verify, "verify"),
    Step("exchange across provinces, answered by each province's own agency (互通互认)",
         exchange, "exchange"),
    Step("a verifiable credit report (信用报告) for one subject", report_step, "report"),
    Step("record lifecycle: a repair (信用修复) and an objection (异议) reach every province",
         lifecycle, "lifecycle"),
    Step("private list matching against the other provinces' lists (匿踪查询)",
         matching_step, "matching"),
    Step("audit: verify every node's access audit log against the ledger", audit_step, "audit"),
    Step("membership from the ledger: ZJ removed by a 3-of-4 vote, refused, readmitted",
         membership_step, "membership"),
    Step("read back from the nodes and the ledger", read_back, "read_back"),
]
