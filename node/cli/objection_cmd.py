"""``credit-node objection file|resolve``: objections (异议) against a platform's record.

    credit-node objection file --consortium var/consortium --province JS \
        --record-no JS-2025-000123 --applicant NAME --reason TEXT [--received-on D] \
        [--evidence FILE]
    credit-node objection resolve --consortium var/consortium --province JS \
        --record-no JS-2025-000123 --result corrected|upheld|unverifiable \
        [--corrected FILE]

Filing flags the record (异议标注) in answers at every node until it is decided; the
answer names the verify deadline (working days, holiday calendar). ``upheld`` and
``unverifiable`` clear the flag everywhere; ``corrected`` commits the corrected record
(``--corrected``, a JSON object) as a new version and ends the old one at every node.
Prints one JSON object (``"ok"`` true or false with the refused rule).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from node.cli.platform_call import add_platform_arguments, run_platform_call


def register(subparsers: Any) -> None:
    """Add ``objection file`` and ``objection resolve`` to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "objection", help="file or resolve an objection (异议) against a record",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    filing = actions.add_parser("file", help="file an objection; the record is flagged")
    add_platform_arguments(filing)
    filing.add_argument("--applicant", required=True, help="who objects (stays at the node)")
    filing.add_argument("--reason", required=True, help="why")
    filing.add_argument("--received-on", default="", help="YYYY-MM-DD (default: today)")
    filing.add_argument("--evidence", type=Path, help="evidence file; only its SHA-256 is sent")
    filing.set_defaults(func=run_file)
    deciding = actions.add_parser("resolve", help="decide the record's open objection")
    add_platform_arguments(deciding)
    deciding.add_argument("--result", required=True,
                          choices=("corrected", "upheld", "unverifiable"))
    deciding.add_argument("--corrected", type=Path,
                          help="with --result corrected: the corrected record (JSON object)")
    deciding.set_defaults(func=run_resolve)


def run_file(args: argparse.Namespace) -> int:
    from node.grpc.calls import file_objection

    def call(target: Any) -> dict[str, Any]:
        evidence = (hashlib.sha256(args.evidence.read_bytes()).digest()
                    if args.evidence is not None else b"")
        return file_objection(target, record_no=args.record_no, applicant=args.applicant,
                              reason=args.reason, received_on=args.received_on,
                              evidence_sha256=evidence, timeout=args.timeout)
    return run_platform_call("objection file", args, call)


def run_resolve(args: argparse.Namespace) -> int:
    from node.grpc.calls import resolve_objection

    def call(target: Any) -> dict[str, Any]:
        corrected = args.corrected.read_bytes() if args.corrected is not None else b""
        return resolve_objection(target, record_no=args.record_no, result=args.result,
                                 corrected_json=corrected, timeout=args.timeout)
    return run_platform_call("objection resolve", args, call)
