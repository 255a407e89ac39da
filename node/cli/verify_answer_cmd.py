"""``credit-node verify-answer``: check a query answer against the ledger, offline from the node.

    credit-node verify-answer answer.json --rpc-url URL --deployment deployment.json
    credit-node verify-answer answer.json --rpc-url URL --contracts Governance=0x..,...
    credit-node verify-answer answer.json --consortium var/consortium

With ``--consortium DIR`` the ledger URL and the contracts come from
``DIR/consortium.json``; an explicit ``--rpc-url``/``--deployment``/``--contracts``
still wins.

Each record goes through numbered steps (``node.exchange.answers``; (2)-(5) are the
same code that checks records pulled from peers): (1) the shown fields are the disclosed
ones and the record shows the answer's subject; (2) the origin province is an active
member and its node key is registered on-chain; (3) the batch header names that
province and its signature verifies with that key; (4) the commitment recomputed from the
disclosed fields, their salts and the withheld digests is the one named, and the
inclusion proof leads from its leaf to the root of a tree of the header's size (the size
the answer names); (5) the anchor reference names this ledger, and the origin's account
anchored exactly that root and size. A record committed under scheme v1 proves its
commitment only (steps 2-5; ``fields_bound`` counts the others). When the answer carries
the node's signed receipt, it is checked too (``node.exchange.answer_receipt``): signed by
the node key the ledger registers, its audit entry in the signed checkpoint, logged under
the answer's request id. Prints a JSON report
naming each failing record and its step; exit 0 only when every record passes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ledger.client import LedgerClient
from ledger.deploy import Deployment
from ledger.errors import LedgerError
from node.cli.consortium_flags import FlagError, add_consortium_arguments, load_consortium
from node.exchange.answers import AnswerVerifier, check_record
from node.exchange.errors import ChainUnavailable


def register(subparsers: Any) -> None:
    """Add the ``verify-answer`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "verify-answer", help="verify a query answer's proofs against the ledger",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="JSON printed by `credit-node query`, or "
                        "report.json written by `credit-node report`")
    parser.add_argument("--rpc-url", help="the ledger's JSON-RPC URL")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--deployment", type=Path, help="deployment JSON file")
    group.add_argument("--contracts", help="Name=0xADDR,... for the four contracts")
    add_consortium_arguments(parser, who=None, what="the ledger URL and the contracts")
    parser.add_argument("--subject", help="the subject asked about (default: the file's "
                        "\"subject\"); every record must show this subject's identifier")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.set_defaults(func=run)


def ledger_flags(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    """The ledger URL and contract addresses: explicit flags, else (with ``--consortium``)
    ``consortium.json``'s. FlagError names a missing flag; OSError/ValueError for an
    unreadable deployment file or malformed ``--contracts``."""
    rpc_url: str | None = args.rpc_url
    contracts: dict[str, str] | None = None
    if args.deployment is not None or args.contracts is not None:
        contracts = _contracts(args)
    if args.consortium is not None:
        doc = load_consortium(args.consortium)
        rpc_url = rpc_url or doc.ledger.rpc_url
        contracts = contracts if contracts is not None else dict(doc.ledger.contracts)
    if not rpc_url:
        raise FlagError("--rpc-url is required (or give --consortium DIR)")
    if not contracts:
        raise FlagError("--deployment or --contracts is required (or give --consortium DIR)")
    return rpc_url, contracts


def _contracts(args: argparse.Namespace) -> dict[str, str]:
    if args.deployment is not None:
        return dict(Deployment.load(args.deployment).addresses)
    pairs = [p.split("=", 1) for p in args.contracts.split(",") if p.strip()]
    if any(len(p) != 2 for p in pairs):
        raise ValueError("--contracts: want Name=0xADDRESS pairs separated by commas")
    return {name.strip(): addr.strip() for name, addr in pairs}


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node verify-answer``: 0 when every record verifies, 1 when
    one does not or the check failed, 2 when a flag is missing."""
    try:
        rpc_url, contracts = ledger_flags(args)
    except FlagError as exc:
        print(f"credit-node verify-answer: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"credit-node verify-answer: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    try:
        answer = json.loads(args.file.read_text(encoding="utf-8"))
        ledger = LedgerClient(rpc_url, contracts, timeout=args.timeout)
        verifier = AnswerVerifier(ledger, chain_id=ledger.chain_id(), contracts=contracts)
        subject = args.subject or answer.get("subject") or None
        results = [check_record(r, verifier, subject) for r in answer["records"]]
        receipt = verifier.check_receipt(answer.get("receipt"))
    except (OSError, ValueError, KeyError, TypeError, LedgerError, ChainUnavailable) as exc:
        print(f"credit-node verify-answer: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    ok = all(not r["problems"] for r in results) and (receipt is None or receipt["ok"])
    print(json.dumps({"ok": ok, "records": len(results), "receipt": receipt,
                      "fields_bound": sum(1 for r in results if r["fields_bound"]),
                      "failed": [r for r in results if r["problems"]]}, ensure_ascii=False))
    return 0 if ok else 1
