"""``credit-node audit``: verify a node's access audit log against the ledger, as an auditor.

    credit-node audit verify --consortium DIR --node JS
    credit-node audit verify --endpoint HOST:PORT --cert C --key K --ca CA \\
        --rpc-url URL --deployment deployment.json
    credit-node audit head  --consortium DIR --node JS
    credit-node audit proof --consortium DIR --node JS --request-id ID

``verify`` reads every entry (a progress bar on stderr when it is a terminal), the heads
anchored on-chain with their witness cosignatures, the node's key registered on-chain
and the head the node serves, and recomputes everything (``node.audit.verify_log``);
with ``--consortium`` the other nodes' logs are read too, to match each exchange with
its other end (request id, record count and references). By default it can fail in
time: the latest heads need ⌈2n/3⌉−1 valid witness cosignatures (n = active members on
the chain), entries past the latest anchored or witnessed head may be at most 3
checkpoint intervals old, and the head the node served must be covered by a witnessed
head within that time (the command waits for it), so a node that stops anchoring or
shows an auditor a head its peers never saw fails. A cosignature that does not verify
is listed under ``witness_faults`` against the witness that posted it.
It prints ``{"ok": ..., "checked_entries": n, "anchored_heads": k, "policy": {...},
"unanchored_tail": {...}, "unwitnessed_tail": {...}, "served_head_witnessed": {...},
"problems": [{"code", "detail"}], "witness_faults": [...], ...}`` and exits 0 when the
log verifies, 1 when a problem was found, 2 when the input is unusable (options, files,
a node or ledger that cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crypto.checkpoint import verify_checkpoint
from crypto.errors import CryptoError, MalformedNote
from crypto.merkle import MerkleError, hash_leaf, verify_inclusion
from crypto.signed_note import NoteVerifier
from ledger.errors import LedgerError
from node.audit import audit_origin
from node.auditor import AuditOptions, UnknownLog, audit_node
from node.auditor.retries import RETRY_WINDOW
from node.auditor.run import DEFAULT_CHECKPOINT_INTERVAL, NodeAudit
from node.cli.audit_targets import Targets, UsageError, add_target_args, open_targets
from node.devnet.progress import Progress
from node.grpc.calls import CallFailed
from node.grpc.convert import head_note


def register(subparsers: Any) -> None:
    """Add the ``audit`` command and its ``verify``, ``head`` and ``proof`` subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "audit", help="verify a node's access audit log against the ledger",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    commands.required = True
    verify = commands.add_parser("verify", help="check every entry, head, anchor and witness")
    add_target_args(verify)
    verify.add_argument("--min-witnesses", type=int, default=None,
                        help="valid witness cosignatures the latest heads need (default "
                        "⌈2n/3⌉−1, n = active members on the chain)")
    verify.add_argument("--checkpoint-interval", type=float, default=None, metavar="S",
                        help="the node's audit checkpoint interval in seconds (default "
                        f"{DEFAULT_CHECKPOINT_INTERVAL:g}; with --consortium, the "
                        "consortium's); tails may last 3 intervals")
    verify.add_argument("--max-tail-age", type=float, default=None, metavar="S",
                        help="seconds an unanchored or unwitnessed tail may last, and the "
                        "served head may wait for its witnesses (default 3 intervals)")
    verify.add_argument("--no-wait", action="store_true",
                        help="do not wait for the served head to be witnessed (weaker: a "
                        "head shown to this auditor alone is then not caught)")
    verify.add_argument("--max-unanchored", type=int, default=None,
                        help="entries allowed past the latest anchored head (default: any "
                        "count, if young enough)")
    verify.add_argument("--exchange-slack", type=float, default=30.0,
                        help="seconds: newer exchange entries are not matched (default 30)")
    verify.add_argument("--retry-window", type=float, default=RETRY_WINDOW.total_seconds(),
                        metavar="S", help="seconds after a lone exchange_out within which "
                        "the receiver logging the same records again (a retry after a "
                        f"crash) excuses it (default {RETRY_WINDOW.total_seconds():g})")
    verify.set_defaults(func=run_verify)
    head = commands.add_parser("head", help="the node's signed head, checked with its key")
    add_target_args(head)
    head.set_defaults(func=run_head)
    proof = commands.add_parser("proof", help="an entry and its inclusion proof, checked")
    add_target_args(proof)
    which = proof.add_mutually_exclusive_group(required=True)
    which.add_argument("--index", type=int, help="leaf index of the entry")
    which.add_argument("--request-id", help="every entry logged under this request id")
    proof.set_defaults(func=run_proof)


def _fail(error: Exception) -> int:
    if isinstance(error, CallFailed):
        detail = str(error)
    else:
        detail = f"{type(error).__name__}: {error}"
    print(f"credit-node audit: cannot audit: {detail}", file=sys.stderr)
    return 2


_UNUSABLE = (UsageError, UnknownLog, OSError, ValueError, LedgerError, CallFailed)


def verify_targets(targets: Targets, options: AuditOptions) -> NodeAudit:
    """Run the audit of ``targets.node`` (a progress bar on a terminal's stderr)."""
    bar = Progress("audit entries", 0, sys.stderr) if sys.stderr.isatty() else None
    verdict = audit_node(targets.node, targets.chain, province=targets.province,
                         peers=targets.peers, options=options,
                         progress=bar.add if bar is not None else None)
    if bar is not None:
        bar.finish()
    return verdict


def run_verify(args: argparse.Namespace) -> int:
    """Entry point of ``audit verify``: 0 ok, 1 problems, 2 unusable input."""
    try:
        with open_targets(args, with_peers=True) as targets:
            interval = next((i for i in (args.checkpoint_interval,
                                         targets.checkpoint_interval) if i is not None),
                            DEFAULT_CHECKPOINT_INTERVAL)
            options = AuditOptions(
                min_witnesses=args.min_witnesses, max_unanchored=args.max_unanchored,
                slack=args.exchange_slack, max_tail_age=args.max_tail_age,
                retry_window=args.retry_window,
                checkpoint_interval=interval,
                wait=not args.no_wait)
            verdict = verify_targets(targets, options)
    except _UNUSABLE as exc:
        return _fail(exc)
    print(json.dumps(verdict.to_json(), ensure_ascii=False))
    return 0 if verdict.report.ok else 1


def _log_key(targets: Targets, head: Any) -> NoteVerifier:
    province = targets.province or str(head.province)
    keys = targets.chain.member_keys()
    if province not in keys:
        raise UnknownLog(f"province {province!r} is no member on the chain")
    return NoteVerifier(audit_origin(province), keys[province])


def run_head(args: argparse.Namespace) -> int:
    """Entry point of ``audit head``: the served head, verified, and the chain's latest."""
    try:
        with open_targets(args, with_peers=False) as targets:
            head = targets.node.latest_head()
            key = _log_key(targets, head)
            note = head_note(head, key)
            checkpoint = verify_checkpoint(note, key.name, [key])
            province = key.name.rsplit("/", 1)[1]
            chain = targets.chain.client.latest_audit_head(province)
            witnesses = targets.chain.client.witness_count(province, chain.tree_size)
    except (*_UNUSABLE, CryptoError) as exc:
        return _fail(exc)
    print(json.dumps({"province": province, "tree_size": checkpoint.size,
                      "root": checkpoint.root.hex(), "note": note,
                      "anchored": {"tree_size": chain.tree_size, "root": chain.root.hex(),
                                   "witnesses": witnesses}}))
    return 0


def run_proof(args: argparse.Namespace) -> int:
    """Entry point of ``audit proof``: 0 when every entry shown is in the signed tree."""
    try:
        with open_targets(args, with_peers=False) as targets:
            head = targets.node.latest_head()
            key = _log_key(targets, head)
            checkpoint = verify_checkpoint(head_note(head, key), key.name, [key])
            if args.request_id is not None:
                answer = targets.node.inclusion_of(args.request_id, checkpoint.size)
                found = [(int(i.leaf_index), bytes(i.canonical_entry), list(i.proof))
                         for i in answer.inclusions]
            else:
                entries = list(targets.node.entries(start=args.index, end=args.index + 1))
                if not entries:
                    raise UsageError(f"the node serves no entry at index {args.index}")
                found = [(args.index, entries[0][1],
                          list(targets.node.inclusion(args.index, checkpoint.size)))]
    except (*_UNUSABLE, CryptoError, MalformedNote) as exc:
        return _fail(exc)
    shown, ok = [], True
    for index, entry, proof in found:
        try:
            verify_inclusion(index, checkpoint.size, hash_leaf(entry), proof, checkpoint.root)
            problem = ""
        except MerkleError as exc:
            problem, ok = str(exc), False
        shown.append({"leaf_index": index, "entry": entry.decode("utf-8", "replace"),
                      "in_tree": not problem,
                      **({"problem": problem} if problem else {})})
    print(json.dumps({"tree_size": checkpoint.size, "root": checkpoint.root.hex(),
                      "inclusions": shown}, ensure_ascii=False))
    return 0 if ok else 1
