"""The demo's last step: every figure read back from the nodes and the ledger, checked,
and the commands to explore the running consortium by hand."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node.devnet.agency import write_grant
from node.devnet.errors import ConsortiumError
from node.devnet.readback import anchor_events, node_figures

if TYPE_CHECKING:
    from node.devnet.demo import DemoRun

__all__ = ["cli_name", "explore_commands", "read_back"]


def _shown(path: str | Path) -> str:
    """``path`` relative to the working directory when under it (shorter to copy)."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def cli_name() -> str:
    """How to call ``credit-node`` from here: bare when on PATH, else the venv's script."""
    if shutil.which("credit-node"):
        return "credit-node"
    script = Path(sys.executable).parent / "credit-node"
    return _shown(script) if script.exists() else "credit-node"


def explore_commands(run: DemoRun) -> list[str]:
    """Write a fresh (unused) grant for the first queried subject; return the commands."""
    doc = run.consortium()
    layout = run.layout
    agency = doc.identity("agency")
    directory = shlex.quote(_shown(layout.root))
    cli = cli_name()
    lines = ["", "explore it yourself (the consortium keeps running):",
             f"  {cli} consortium status --dir {directory}"]
    subjects = run.workloads[agency.province].subjects if agency.province in run.workloads else []
    if subjects and run.answers:
        subject_file = layout.demo_dir / "example-subject.txt"
        subject_file.write_text(subjects[0].identifier + "\n", encoding="utf-8")
        grant = layout.demo_dir / "example-grant.json"
        purpose = run.answers[0].purpose
        evidence = write_grant(doc, subjects[0].identifier, purpose, grant).evidence_path
        answer = layout.demo_dir / "answer-1.json"
        answer.write_text(json.dumps({"records": run.answers[0].answer.records},
                                     ensure_ascii=False, indent=2), encoding="utf-8")
        q = shlex.quote
        lines += [
            f"  {cli} query --endpoint {doc.provinces[agency.province].grpc} "
            f"--cert {q(_shown(agency.cert))} --key {q(_shown(agency.key))} "
            f"--ca {q(_shown(agency.ca))} --purpose {purpose} "
            f"--subject \"$(cat {q(_shown(subject_file))})\" --grant {q(_shown(grant))} "
            f"--evidence {q(_shown(evidence))} > answer.json",
            f"  {cli} verify-answer answer.json --rpc-url {doc.ledger.rpc_url} "
            f"--deployment {q(_shown(layout.deployment))}",
            f"  (a grant's nonce is single-use: make another with `{cli} grant`)",
        ]
    lines += [f"stop it: {cli} consortium down --dir {directory}"]
    return lines


def _check(run: DemoRun, figures: dict[str, dict[str, Any]], ledger: dict[str, Any]) -> None:
    for province, node in figures.items():
        submitted = run.submitted[province].accepted if province in run.submitted else 0
        if node["records"] != submitted:
            raise ConsortiumError(f"the {province} node reports {node['records']:,} records, "
                                  f"its platform had {submitted:,} accepted")
        on_chain = ledger["anchored_size"].get(province, 0)
        if on_chain != node["log_size"] or node["backlog"] != 0:
            raise ConsortiumError(f"{province}: the ledger anchors {on_chain:,} log entries, "
                                  f"the node's log holds {node['log_size']:,}")


def read_back(run: DemoRun) -> list[str]:
    """Figures from GetStatus and the ledger's events, checked against each other."""
    doc = run.consortium()
    figures = node_figures(doc)
    ledger = anchor_events(doc)
    _check(run, figures, ledger)
    header = ("province", "records", "log size", "anchored", "backlog", "anchor txs",
              "ingest/s")
    rows: list[tuple[str, ...]] = [header]
    for province, node in figures.items():
        outcome = run.submitted.get(province)
        rate = f"{node['records'] / outcome.seconds:,.0f}" if outcome and outcome.seconds else "-"
        rows.append((province, f"{node['records']:,}", f"{node['log_size']:,}",
                     f"{node['anchored_size']:,}", f"{node['backlog']:,}",
                     f"{ledger['anchor_transactions'].get(province, 0):,}", rate))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    table = ["  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in
                       enumerate(zip(row, widths, strict=True))) for row in rows]
    total = sum(n["records"] for n in figures.values())
    anchors = sum(ledger["anchor_transactions"].values())
    submit_s = run.timings.get("submit", 0.0)
    return [
        "read back from each node (NodeService.GetStatus) and from the ledger:", "",
        *table, "",
        f"{total:,} records held by {len(figures)} nodes, anchored by {anchors} "
        f"BatchAnchored transactions (one per batch, not per record)",
        f"ledger: block height {ledger['block_height']:,}; {ledger['transactions']:,} "
        "transactions sent by the consortium's accounts (deployment, governance, anchors)",
        f"timings: submit {submit_s:.1f} s ({total / submit_s:,.0f} records/s over all nodes)"
        if submit_s else "timings: -",
        f"         anchoring finished {run.facts.get('anchor_wait_s', 0.0):.1f} s after the "
        f"last submission; {len(run.answers)} queries answered and verified",
        *explore_commands(run),
    ]
