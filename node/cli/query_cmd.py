"""``credit-node query``: ask a node about one subject for one purpose (agency role).

    credit-node query --endpoint localhost:PORT --cert agency.pem --key agency.key
                      --ca ca.pem --purpose lending_review --subject ID
                      [--grant grant.json --evidence consent.pdf]
    credit-node query --consortium var/consortium --node ZJ --purpose credit_report
                      --subject ID [--grant grant.json] [--include-foreign] --json

With ``--consortium DIR --node P`` the endpoint is P's node and the identity the agency
accredited in P (``agency.P`` in ``DIR/consortium.json``: a node takes only agency
certificates its own province's CA issued); an explicit ``--endpoint``/``--cert``/
``--key``/``--ca`` still wins. ``--include-foreign`` adds the records of the other
provinces the node holds (replicated) or fetches from their origin (on request); the
query then carries this agency's signature for each origin province, made with
``--key``, which the origin checks (a node cannot forward a query the agency did not
sign). ``--evidence`` sends the consent evidence the grant's hash names (the signed
授权书: PDF, PNG or JPEG, at least 1 KiB); the node keeps it sealed for auditors and
refuses a grant whose evidence it has never received. ``--request-id`` must be a UUID,
a ULID or a short ``[A-Za-z0-9_-]`` token (never an identifier).

Prints ``{"records": [...], "receipt": {...}, "provinces_unavailable": [...],
"records_not_anchored": [...]}``; each record carries its proof (leaf index, inclusion
proof, batch header, header signature, anchor), which ``credit-node verify-answer``
checks against the ledger. A non-empty ``provinces_unavailable`` means the answer is
partial: those peer provinces could not be asked (down, too slow, refusing); a
non-empty ``records_not_anchored`` names records held back until the ledger anchors
them (during a ledger outage). Both are also said on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from node.cli.consortium_flags import FlagError, add_consortium_arguments, resolve_tls
from node.cli.submit_cmd import add_tls_arguments
from node.grpc.calls import CallFailed, query


def register(subparsers: Any) -> None:
    """Add the ``query`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "query", help="query a node about a subject (agency role)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_tls_arguments(parser)
    add_consortium_arguments(parser, who="node",
                             what="P's node, as the agency accredited in P (agency.P)")
    parser.add_argument("--purpose", required=True)
    parser.add_argument("--subject", required=True, help="USCC or ID number")
    parser.add_argument("--grant", type=Path, help="grant file from `credit-node grant`")
    parser.add_argument("--evidence", type=Path,
                        help="the consent evidence file the grant was signed over")
    parser.add_argument("--request-id", default="", help="request id (default: the node's)")
    parser.add_argument("--include-foreign", action="store_true",
                        help="also answer the other provinces' records")
    parser.add_argument("--json", action="store_true", help="print JSON (the default)")
    parser.set_defaults(func=run, timeout=30.0)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node query``: 0 answered, 1 refused or failed, 2 a flag is
    missing."""
    try:
        target = resolve_tls(args, who="node", label=lambda p: f"agency.{p}")
    except FlagError as exc:
        print(f"credit-node query: error: {exc}", file=sys.stderr)
        return 2
    try:
        grant = args.grant.read_bytes().strip() if args.grant is not None else None
        evidence = args.evidence.read_bytes() if args.evidence is not None else None
        doc = query(target, args.purpose, args.subject, grant=grant, evidence=evidence,
                    include_foreign=args.include_foreign, request_id=args.request_id,
                    timeout=args.timeout)
    except CallFailed as exc:
        print(f"credit-node query: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"credit-node query: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    if doc["provinces_unavailable"]:
        print("credit-node query: partial answer: no records from "
              + ", ".join(doc["provinces_unavailable"]), file=sys.stderr)
    if doc["records_not_anchored"]:
        print(f"credit-node query: {len(doc['records_not_anchored'])} record(s) held back "
              "until anchored on the ledger", file=sys.stderr)
    return 0
