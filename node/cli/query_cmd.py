"""``credit-node query``: ask a node about one subject for one purpose (agency role).

    credit-node query --endpoint localhost:PORT --cert agency.pem --key agency.key
                      --ca ca.pem --purpose lending_review --subject ID [--grant grant.json]
    credit-node query --consortium var/consortium --node ZJ --purpose credit_report
                      --subject ID [--grant grant.json] [--include-foreign] --json

With ``--consortium DIR --node P`` the endpoint is P's node and the identity the agency
accredited in P (``agency.P`` in ``DIR/consortium.json``: a node takes only agency
certificates its own province's CA issued); an explicit ``--endpoint``/``--cert``/
``--key``/``--ca`` still wins. ``--include-foreign`` adds the records of the other
provinces the node holds (replicated) or fetches from their origin (on request).

Prints ``{"records": [...], "receipt": {...}}``; each record carries its proof (leaf
index, inclusion proof, batch header, header signature, anchor), which
``credit-node verify-answer`` checks against the ledger.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import grpc

from node._proto.credit.v1 import common_pb2, query_pb2
from node.cli.consortium_flags import FlagError, add_consortium_arguments, resolve_tls
from node.cli.submit_cmd import add_tls_arguments
from node.grpc.client import tls_channel
from node.grpc.stubs import query_stub

_KIND = {v: k for k, v in common_pb2.RecordKind.items()}


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
    parser.add_argument("--include-foreign", action="store_true",
                        help="also answer the other provinces' records")
    parser.add_argument("--json", action="store_true", help="print JSON (the default)")
    parser.set_defaults(func=run, timeout=30.0)


def record_json(record: Any) -> dict[str, Any]:
    """One AnsweredRecord as JSON: bytes as hex, the header as its JSON text."""
    env = record.envelope
    return {
        "province": env.province,
        "kind": _KIND.get(env.kind, "").removeprefix("RECORD_KIND_").lower(),
        "record_no": env.record_no,
        "commitment": record.commitment.hex(),
        "shared_category": env.shared_category,
        "local_category": env.local_category,
        "payload": json.loads(record.minimized_payload or b"{}"),
        "withheld_fields": list(record.withheld_fields),
        "objection_flagged": record.objection_flagged,
        "proof": {
            "leaf_index": record.leaf_index,
            "inclusion_proof": [h.hex() for h in record.inclusion_proof],
            "batch_header": record.batch_header.decode("ascii"),
            "header_signature": record.header_signature.hex(),
            "anchor": {
                "chain_id": record.anchor.chain_id,
                "contract": "0x" + record.anchor.contract.hex(),
                "tx_hash": "0x" + record.anchor.tx_hash.hex(),
                "block_number": record.anchor.block_number,
                "seq": record.anchor.seq,
            },
        },
    }


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node query``: 0 answered, 1 refused or failed, 2 a flag is
    missing."""
    try:
        target = resolve_tls(args, who="node", label=lambda p: f"agency.{p}")
    except FlagError as exc:
        print(f"credit-node query: error: {exc}", file=sys.stderr)
        return 2
    request = query_pb2.QueryRequest(purpose=args.purpose, subject=common_pb2.SubjectRef(
        id_type=common_pb2.SUBJECT_ID_TYPE_UNSPECIFIED, id=args.subject),
        include_foreign=args.include_foreign)
    try:
        if args.grant is not None:
            request.grant.canonical_grant = args.grant.read_bytes().strip()
        with tls_channel(target.endpoint, cert=target.cert, key=target.key,
                         ca=target.ca) as channel:
            answer = query_stub(channel).Query(request, timeout=args.timeout)
    except grpc.RpcError as exc:
        print(f"credit-node query: error: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"credit-node query: error: {exc}", file=sys.stderr)
        return 1
    receipt = answer.receipt
    doc = {
        "records": [record_json(r) for r in answer.records],
        "receipt": {"request_id": receipt.request_id,
                    "audit_leaf_index": receipt.audit_leaf_index,
                    "answered_at": receipt.answered_at.ToJsonString()},
    }
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0
