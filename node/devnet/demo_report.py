"""The demo's credit-report step: a verifiable 信用报告 for one subject, checked by a third party.

1. the agency signs a grant for the subject with the most records at its home node
   (purpose ``credit_report``: ID numbers masked);
2. ``credit-node report --consortium DIR --node P …`` writes ``report.json`` and
   ``report.html`` into ``DIR/demo/report/`` (it queries, then verifies every record);
3. ``credit-node verify-answer report.json --consortium DIR`` checks the file again, as
   anyone holding it and the ledger would: each shown field recomputed into the
   commitment, inclusion, the origin's signed header and the on-chain anchor, and the
   node's signed receipt for the query.

Both commands run as child processes, exactly as a user types them, with a deadline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from node.devnet.agency import write_grant
from node.devnet.demo import DemoFailed, DemoRun
from node.domain.identifiers import mask

__all__ = ["report_step"]

PURPOSE = "credit_report"


def _cli(*args: str, timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run(  # noqa: S603 - our own CLI, argv list, no shell
            [sys.executable, "-m", "node.cli.main", *args],
            capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise DemoFailed(f"credit-node {args[0]} took longer than {timeout:g} s") from exc
    try:
        result: dict[str, Any] = json.loads(done.stdout)
    except ValueError as exc:
        raise DemoFailed(f"credit-node {args[0]} exited {done.returncode}: "
                         f"{done.stderr.strip()[-400:]}") from exc
    if done.returncode != 0:
        raise DemoFailed(f"credit-node {args[0]} exited {done.returncode}: "
                         f"{json.dumps(result, ensure_ascii=False)[:400]}")
    return result


def report_step(run: DemoRun) -> list[str]:
    """Steps (1)-(3) of the module doc; DemoFailed when a record does not verify."""
    doc = run.consortium()
    agency = doc.identity("agency")
    subjects = sorted(run.workloads[agency.province].subjects, key=lambda s: -s.records)
    if not subjects:
        raise DemoFailed(f"no subject in the {agency.province} records to report on")
    subject = subjects[0]
    out: Path = run.layout.demo_dir / "report"
    grant = run.layout.demo_dir / "grant-report.json"
    signed = write_grant(doc, subject.identifier, PURPOSE, grant)
    directory = str(run.options.directory)
    written = _cli("report", "--consortium", directory, "--node", agency.province,
                   "--purpose", PURPOSE, "--subject", subject.identifier, "--grant", str(grant),
                   "--evidence", str(signed.evidence_path), "--out", str(out),
                   timeout=run.options.timeout)
    checked = _cli("verify-answer", written["report_json"], "--consortium", directory,
                   timeout=run.options.timeout)
    if not checked.get("ok") or checked.get("records") != written["records"]:
        raise DemoFailed(f"verify-answer on the report: {json.dumps(checked)[:400]}")
    run.facts["report_dir"] = str(out)
    entry = (checked.get("receipt") or {}).get("audit_leaf_index")
    return [f"credit report on {mask(subject.identifier)} from the {agency.province} node: "
            f"{written['records']} records, each with its disclosure proof",
            f"verify-answer report.json: ok, {checked['fields_bound']} of {checked['records']} "
            "records with every shown field bound to the commitment anchored on-chain; the "
            f"node's signed receipt (audit entry {entry}) verified with its key on the ledger",
            f"open {written['report_html']} (report.json beside it)"]
