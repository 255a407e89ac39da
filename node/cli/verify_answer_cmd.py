"""``credit-node verify-answer``: check a query answer against the ledger, offline from the node.

    credit-node verify-answer answer.json --rpc-url URL --deployment deployment.json
    credit-node verify-answer answer.json --rpc-url URL --contracts Governance=0x..,...
    credit-node verify-answer answer.json --consortium var/consortium

With ``--consortium DIR`` the ledger URL and the contracts come from
``DIR/consortium.json``; an explicit ``--rpc-url``/``--deployment``/``--contracts``
still wins.

For each record: (1) the header parses and the inclusion proof leads from the
commitment's leaf to the header's root; (2) the header signature verifies with the
origin province's node key registered on-chain (Governance ``memberOf``); (3) the
ledger holds ``(province, seq, root)`` as anchored. Prints a JSON report; exit 0 only
when every record passes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crypto.batch_header import BatchHeader, verify_header
from crypto.errors import CryptoError
from crypto.merkle import MerkleError, hash_leaf, verify_inclusion
from crypto.signing import NodePublicKey
from ledger.client import LedgerClient
from ledger.deploy import Deployment
from ledger.errors import LedgerError
from node.cli.consortium_flags import FlagError, add_consortium_arguments, load_consortium


def register(subparsers: Any) -> None:
    """Add the ``verify-answer`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "verify-answer", help="verify a query answer's proofs against the ledger",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="JSON printed by `credit-node query`")
    parser.add_argument("--rpc-url", help="the ledger's JSON-RPC URL")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--deployment", type=Path, help="deployment JSON file")
    group.add_argument("--contracts", help="Name=0xADDR,... for the four contracts")
    add_consortium_arguments(parser, who=None, what="the ledger URL and the contracts")
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


def verify_record(record: dict[str, Any], ledger: LedgerClient,
                  keys: dict[str, NodePublicKey]) -> list[str]:
    """The problems found with one answered record (empty when it verifies)."""
    proof = record["proof"]
    try:
        header = BatchHeader.from_json(proof["batch_header"])
        # (1)
        verify_inclusion(int(proof["leaf_index"]), header.tree_size,
                         hash_leaf(bytes.fromhex(record["commitment"])),
                         [bytes.fromhex(h) for h in proof["inclusion_proof"]], header.root)
        # (2)
        if header.province != record["province"]:
            return [f"header province {header.province} is not the record's"]
        if header.province not in keys:
            keys[header.province] = NodePublicKey(ledger.member(header.province).node_key)
        verify_header(header, bytes.fromhex(proof["header_signature"]), keys[header.province])
    except (CryptoError, MerkleError, KeyError, ValueError, TypeError) as exc:
        return [f"{type(exc).__name__}: {exc}"]
    # (3)
    if not ledger.is_anchored(header.province, header.seq, header.root):
        return [f"batch {header.province}/{header.seq} is not anchored with this root"]
    return []


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
        keys: dict[str, NodePublicKey] = {}
        results = [{"record_no": r.get("record_no", ""), "province": r.get("province", ""),
                    "problems": verify_record(r, ledger, keys)}
                   for r in answer["records"]]
    except (OSError, ValueError, KeyError, TypeError, LedgerError) as exc:
        print(f"credit-node verify-answer: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    ok = all(not r["problems"] for r in results)
    print(json.dumps({"ok": ok, "records": len(results),
                      "failed": [r for r in results if r["problems"]]}, ensure_ascii=False))
    return 0 if ok else 1
