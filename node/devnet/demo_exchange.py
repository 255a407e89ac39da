"""The demo's exchange step: records cross provinces, each answered by the province's own
agency with proofs that verify against the ledger (节点互通, 失信行为标准互认).

1. replication caught up: every node holds, as foreign records, every replicated record
   of the other provinces (read from GetStatus, checked against what was submitted);
2. a fresh serious-dishonesty entry of an organisation is submitted at one province
   (JS when present) and, from that node's acknowledgement, each other node is queried by
   the agency accredited in its own province until the entry is answered: that is the
   latency measured (batching, signing, anchoring, pulling, six-step verification,
   storing, answering);
3. at each of those nodes the agency then signs a grant and queries again; the answer's
   proofs are verified against the ledger (inclusion → header signed by the origin's
   registered key → anchored root), and the entry carries its origin's shared category;
4. another province's agency certificate is refused by a node (each node takes only
   agencies its own CA accredited);
5. per node, read back: foreign records held, quarantined records, catalog version.
"""

from __future__ import annotations

import shlex
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node.devnet.agency import (
    agency_at,
    consent_pdf,
    query_subject,
    verify_answer,
    write_grant,
)
from node.devnet.demo_summary import cli_name
from node.devnet.exchange_watch import (
    Arrival,
    fresh_entry,
    replicated_count,
    submit_entry,
    wait_replicated,
    watch_arrivals,
)
from node.devnet.readback import node_figures
from node.domain.identifiers import mask
from node.grpc.calls import CallFailed, TlsTarget, query
from node.identity import Layout

if TYPE_CHECKING:
    from node.devnet.demo import DemoRun
    from node.devnet.layout import ConsortiumDoc

__all__ = ["RECORD_NO_SUFFIX", "exchange"]

RECORD_NO_SUFFIX = "XCHG-000001"
PURPOSE = "credit_report"


def _origin(provinces: list[str]) -> str:
    return "JS" if "JS" in provinces else provinces[-1]


def _refused_elsewhere(doc: ConsortiumDoc, holder: str, node: str, subject: str) -> str:
    """Query ``node`` with the certificate of the agency accredited in ``holder``."""
    agency = agency_at(doc, holder)
    ca = Layout(Path(doc.provinces[node].data_dir)).ca_cert
    target = TlsTarget(doc.provinces[node].grpc, Path(agency.cert), Path(agency.key), ca)
    try:
        query(target, PURPOSE, subject, timeout=10.0)
    except CallFailed as exc:
        return exc.code
    return "ANSWERED"


def _granted(run: DemoRun, node: str, subject: str, record_no: str) -> tuple[int, str]:
    """A grant signed by ``node``'s agency, a query with it, the answer verified; the
    number of records verified and the entry's shared category."""
    doc = run.consortium()
    grant = write_grant(doc, subject, PURPOSE, run.layout.demo_dir /
                        f"exchange-grant-{node}.json", node=node)
    answer = query_subject(doc, subject, PURPOSE, grant, node=node, include_foreign=True)
    entry = [r for r in answer.records if r["record_no"] == record_no]
    if len(entry) != 1:
        raise ValueError(f"the {node} node answered the granted query without the entry")
    problems = verify_answer(doc, answer)
    if problems:
        raise ValueError(f"{node}: answer does not verify: {'; '.join(problems[:3])}")
    return len(answer.records), str(entry[0]["shared_category"])


def _table(figures: dict[str, dict[str, Any]], arrivals: dict[str, Arrival], origin: str
           ) -> list[str]:
    header = ("node", "foreign held", "quarantined", "catalog", "entry answered after")
    rows = [header]
    for province, node in figures.items():
        latency = (f"{arrivals[province].seconds * 1000:,.0f} ms" if province in arrivals
                   else "(origin)" if province == origin else "-")
        rows.append((province, f"{node['foreign_records']:,}", f"{node['quarantined']:,}",
                     f"v{node['catalog_version']}", latency))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return ["  ".join(v.rjust(w) if i else v.ljust(w)
                      for i, (v, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows]


def _commands(run: DemoRun, node: str, origin: str) -> list[str]:
    layout = run.layout
    q = shlex.quote
    cli = cli_name()
    directory = q(str(run.options.directory))
    subject = q(str(run.options.directory / "demo" / "exchange-subject.txt"))
    consent = q(str(run.options.directory / "demo" / "consent.pdf"))
    (layout.demo_dir / "consent.pdf").write_bytes(
        consent_pdf(f"agency.{node}", PURPOSE, "(the subject)", datetime.now(UTC)))
    return [
        "", f"do it yourself (the {origin} entry, asked at the {node} node by the agency "
        f"accredited in {node}):",
        f"  {cli} grant --consortium {directory} --node {node} --subject \"$(cat {subject})\" "
        f"--purpose {PURPOSE} --evidence {consent} --out grant-{node.lower()}.json",
        f"  {cli} query --consortium {directory} --node {node} --purpose {PURPOSE} "
        f"--subject \"$(cat {subject})\" --grant grant-{node.lower()}.json --evidence {consent} "
        f"--include-foreign --json > answer-{node.lower()}.json",
        f"  {cli} verify-answer answer-{node.lower()}.json --consortium {directory}",
    ]


def exchange(run: DemoRun) -> list[str]:
    """Replication, one entry's latency to every other node, granted answers verified."""
    doc = run.consortium()
    provinces = list(doc.provinces)
    origin = _origin(provinces)
    others = [p for p in provinces if p != origin]
    if len(others) < 2:
        return [f"only {', '.join(provinces)} in this consortium: no exchange to show"]
    shares = {p: replicated_count(w.lines) for p, w in run.workloads.items()}
    expected = {p: sum(n for q, n in shares.items() if q != p) for p in provinces}
    started = time.monotonic()
    wait_replicated(doc, expected, timeout=run.options.timeout)
    caught_up = time.monotonic() - started

    record_no = f"{origin}-{RECORD_NO_SUFFIX}"
    entry = fresh_entry(origin, run.options.seed + 1, record_no, datetime.now(UTC).date())
    subject = str(entry["SX_SHXYM"])
    run.layout.demo_dir.mkdir(parents=True, exist_ok=True)
    (run.layout.demo_dir / "exchange-subject.txt").write_text(subject + "\n", encoding="utf-8")
    acked = submit_entry(doc, origin, entry)
    if origin in run.submitted:
        run.submitted[origin].accepted += 1
    arrivals = watch_arrivals(doc, others, subject, record_no, purpose=PURPOSE, acked=acked,
                              timeout=min(run.options.timeout, 120.0))
    verified = {node: _granted(run, node, subject, record_no) for node in others}
    categories = {category for _, category in verified.values()}
    refused = _refused_elsewhere(doc, others[0], others[-1], subject)
    if refused == "ANSWERED":
        raise ValueError(f"the {others[-1]} node answered an agency accredited in {others[0]}")
    figures = node_figures(doc)
    run.facts["exchange_latency_s"] = {p: a.seconds for p, a in arrivals.items()}
    slowest = max(a.seconds for a in arrivals.values())
    return [
        f"replication: every node holds the other provinces' replicated records "
        f"({', '.join(f'{p} {expected[p]:,}' for p in provinces)}); caught up "
        f"{caught_up:.1f} s into this step (commitments go on request only)",
        f"{origin} platform submitted a fresh serious-dishonesty entry ({record_no}, "
        f"organisation {mask(subject)}, shared category {', '.join(sorted(categories))})",
        f"answered at {', '.join(others)} by each province's own agency, at most "
        f"{slowest * 1000:,.0f} ms after {origin}'s acknowledgement (batch → sign → anchor → "
        "pull → verify in 6 steps → store → answer)",
        *(f"  {p}: {arrivals[p].seconds * 1000:,.0f} ms ({arrivals[p].polls} queries "
          f"polled); then with a grant signed by agency.{p}: {verified[p][0]} record(s), "
          "every proof verified against the ledger" for p in others),
        f"agency.{others[0]}'s certificate at the {others[-1]} node: refused ({refused}) — a "
        "node takes only agencies its own province's CA accredited",
        "", "read back from each node (NodeService.GetStatus):", "",
        *_table(figures, arrivals, origin),
        *_commands(run, others[1], origin),
    ]
