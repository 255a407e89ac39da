"""``credit-node repair``: file a credit repair (信用修复) for one of the platform's records.

    credit-node repair --consortium var/consortium --province JS --record-no JS-2025-000123 \
        --basis "已整改并履行处罚" --commitment commitment.json --decision-ref "宁信修〔2026〕1号" \
        [--evidence FILE]

The node checks the rules (own record, not repaired yet, the minimum publicity period
passed — a refusal names the first day repair is possible — and a valid 信用修复型
commitment by the record's subject); an accepted repair ends the record at every node
(its data key destroyed) through an anchored revocation. Prints JSON:
``{"ok": true, "record_no", "request_id", "revocation_index", "repair_from"}`` or
``{"ok": false, "code", "error"}``.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from node.cli.platform_call import add_platform_arguments, run_platform_call


def register(subparsers: Any) -> None:
    """Add the ``repair`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "repair", help="file a credit repair for one of the platform's records",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_platform_arguments(parser)
    parser.add_argument("--basis", required=True, help="what was corrected (stays at the node)")
    parser.add_argument("--commitment", type=Path, required=True,
                        help="the 信用修复型 credit commitment, a JSON object (CN_* fields)")
    parser.add_argument("--decision-ref", required=True,
                        help="the deciding authority's decision number")
    parser.add_argument("--evidence", type=Path,
                        help="evidence file; only its SHA-256 is sent")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node repair`` (exit codes: ``node.cli.platform_call``)."""
    from node.grpc.calls import file_repair

    def call(target: Any) -> dict[str, Any]:
        evidence = (hashlib.sha256(args.evidence.read_bytes()).digest()
                    if args.evidence is not None else b"")
        return file_repair(target, record_no=args.record_no, basis=args.basis,
                           commitment_json=args.commitment.read_bytes(),
                           decision_ref=args.decision_ref, evidence_sha256=evidence,
                           timeout=args.timeout)
    return run_platform_call("repair", args, call)
