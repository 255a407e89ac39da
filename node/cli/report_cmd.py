"""``credit-node report``: a verifiable credit report (信用报告) about one subject.

    credit-node report --consortium DIR --node P --purpose credit_report \\
        --subject ID [--grant F --evidence F] [--include-foreign] --out DIR

Queries P's node as the agency accredited in P (as ``credit-node query`` does), verifies
every answered record against the ledger with ``verify-answer``'s steps
(``node.exchange.answers``), and writes into ``--out``:

* ``report.json`` — the answer itself (every record with its disclosure proof: disclosed
  fields and salts, withheld digests, inclusion proof, signed batch header, anchor), the
  node's receipt (request id and the audit-log leaf index and hash of this query) and the
  verification verdict per record. ``credit-node verify-answer report.json`` checks it
  again, for anyone with the ledger, offline from the node;
* ``report.html`` — the same, readable: 双公示 labels, masked identifiers, a verification
  badge per record, publicity dates and flags (``node.cli.report_html``).

Prints ``{"ok", "records", "report_json", "report_html"}``; exit 0 when every record
verifies, 1 when one does not or the query failed, 2 when a flag is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger.client import LedgerClient
from ledger.errors import LedgerError
from node.cli.consortium_flags import FlagError, add_consortium_arguments, resolve_tls
from node.cli.report_html import render_report
from node.cli.submit_cmd import add_tls_arguments
from node.cli.verify_answer_cmd import ledger_flags
from node.exchange.answers import AnswerVerifier, check_record
from node.exchange.errors import ChainUnavailable
from node.grpc.calls import CallFailed, query

REPORT_FORMAT = "yrd-credit-report/v1"


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help="write a verifiable credit report (report.json and report.html)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_tls_arguments(parser)
    add_consortium_arguments(parser, who="node",
                             what="P's node, as the agency accredited in P (agency.P), and "
                                  "the ledger")
    parser.add_argument("--purpose", required=True)
    parser.add_argument("--subject", required=True, help="USCC or ID number")
    parser.add_argument("--grant", type=Path, help="grant file from `credit-node grant`")
    parser.add_argument("--evidence", type=Path,
                        help="the consent evidence file the grant was signed over")
    parser.add_argument("--include-foreign", action="store_true",
                        help="also report the other provinces' records")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--rpc-url", help="the ledger's JSON-RPC URL (default: consortium's)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--deployment", type=Path, help="deployment JSON file")
    group.add_argument("--contracts", help="Name=0xADDR,... for the four contracts")
    parser.set_defaults(func=run, timeout=30.0)


def build_report(answer: dict[str, Any], verifier: AnswerVerifier, *, node: str,
                 purpose: str) -> dict[str, Any]:
    """The report document: the answer, its receipt and every record's verdict.
    Raises ``ChainUnavailable``."""
    subject = str(answer["subject"])
    verdicts = [check_record(r, verifier, subject) for r in answer["records"]]
    receipt = verifier.check_receipt(answer["receipt"])
    return {
        "format": REPORT_FORMAT, "title": "信用报告", "node": node, "purpose": purpose,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "subject": subject, "records": answer["records"], "receipt": answer["receipt"],
        "provinces_unavailable": answer.get("provinces_unavailable", []),
        "records_not_anchored": answer.get("records_not_anchored", []),
        "verification": {"ok": all(not v["problems"] for v in verdicts)
                         and receipt is not None and receipt["ok"], "receipt": receipt,
                         "fields_bound": sum(1 for v in verdicts if v["fields_bound"]),
                         "records": verdicts},
    }


def write_report(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` into ``out`` (created if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    html_path.write_text(render_report(report), encoding="utf-8")
    return json_path, html_path


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node report``."""
    try:
        target = resolve_tls(args, who="node", label=lambda p: f"agency.{p}")
        rpc_url, contracts = ledger_flags(args)
    except FlagError as exc:
        print(f"credit-node report: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"credit-node report: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    try:
        grant = args.grant.read_bytes().strip() if args.grant is not None else None
        evidence = args.evidence.read_bytes() if args.evidence is not None else None
        answer = query(target, args.purpose, args.subject, grant=grant, evidence=evidence,
                       include_foreign=args.include_foreign, timeout=args.timeout)
        ledger = LedgerClient(rpc_url, contracts, timeout=10.0)
        verifier = AnswerVerifier(ledger, chain_id=ledger.chain_id(), contracts=contracts)
        report = build_report(answer, verifier, node=args.node or target.endpoint,
                              purpose=args.purpose)
        json_path, html_path = write_report(report, args.out)
    except (CallFailed, OSError, LedgerError, ChainUnavailable) as exc:
        print(f"credit-node report: error: {exc}", file=sys.stderr)
        return 1
    ok = bool(report["verification"]["ok"])
    print(json.dumps({"ok": ok, "records": len(report["records"]),
                      "report_json": str(json_path), "report_html": str(html_path)}))
    return 0 if ok else 1
