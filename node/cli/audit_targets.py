"""Where ``credit-node audit`` finds the node(s), the auditor identity and the ledger.

Either a local consortium (``--consortium DIR --node P``: its auditor identity, every
node's endpoint, the ledger and deployment block from ``consortium.json``) or explicit
``--endpoint --cert --key --ca --rpc-url --deployment`` (or ``--contracts``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ledger.client import LedgerClient
from ledger.deploy import Deployment
from node.auditor import AuditClient, ChainView
from node.devnet.configs import AUDIT_CHECKPOINT_SECONDS
from node.devnet.layout import ConsortiumDoc, ConsortiumLayout
from node.grpc.calls import TlsTarget, call_failures, channel

__all__ = ["Targets", "UsageError", "add_target_args", "open_targets"]


class UsageError(ValueError):
    """The options do not name a usable node or ledger (exit status 2)."""


@dataclass(frozen=True)
class _Endpoint:
    address: str
    cert: Path
    key: Path
    ca: Path


@dataclass
class Targets:
    """The node to audit (``province`` when known), its peers and the chain."""

    node: AuditClient
    chain: ChainView
    province: str | None
    peers: dict[str, AuditClient] = field(default_factory=dict)
    checkpoint_interval: float | None = None
    """Seconds, when the target says (a local consortium's nodes)."""


def add_target_args(parser: argparse.ArgumentParser) -> None:
    """The options naming the node and the ledger (shared by every ``audit`` command)."""
    group = parser.add_argument_group("a local consortium")
    group.add_argument("--consortium", type=Path, metavar="DIR",
                       help="consortium directory (its auditor identity and ledger)")
    group.add_argument("--node", metavar="P", help="province of the node to audit (SH, ...)")
    explicit = parser.add_argument_group("or a node and a ledger named explicitly")
    explicit.add_argument("--endpoint", help="host:port of the node")
    explicit.add_argument("--cert", type=Path, help="auditor certificate (PEM)")
    explicit.add_argument("--key", type=Path, help="auditor private key (PEM)")
    explicit.add_argument("--ca", type=Path, help="CA certificate(s) to trust the node")
    explicit.add_argument("--rpc-url", help="ledger JSON-RPC URL")
    explicit.add_argument("--deployment", type=Path, help="deployment JSON file")
    explicit.add_argument("--contracts", help="Name=0xADDR,... for the four contracts")
    explicit.add_argument("--province", help="the node's province (default: as it says; its "
                          "signature must verify under that province's registered key)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="deadline of each call, seconds (default 30)")


def _contracts(args: argparse.Namespace) -> tuple[dict[str, str], int]:
    if args.deployment is not None:
        deployment = Deployment.load(args.deployment)
        return dict(deployment.addresses), deployment.block
    if not args.contracts:
        raise UsageError("give --deployment FILE or --contracts Name=0xADDR,...")
    pairs = [p.split("=", 1) for p in args.contracts.split(",") if p.strip()]
    if any(len(p) != 2 for p in pairs):
        raise UsageError("--contracts: want Name=0xADDRESS pairs separated by commas")
    return {name.strip(): addr.strip() for name, addr in pairs}, 0


def _consortium(args: argparse.Namespace) -> tuple[dict[str, _Endpoint], ChainView, str]:
    doc = ConsortiumDoc.load(ConsortiumLayout(args.consortium.resolve()).doc)
    if args.node not in doc.provinces:
        raise UsageError(f"--node: want one of {', '.join(doc.provinces)}, got {args.node!r}")
    auditor = doc.identity("auditor")
    files = (Path(auditor.cert), Path(auditor.key), Path(auditor.ca))
    endpoints = {p: _Endpoint(e.grpc, *files) for p, e in doc.provinces.items()}
    client = LedgerClient(doc.ledger.rpc_url, doc.ledger.contracts, timeout=args.timeout)
    return endpoints, ChainView(client, start_block=doc.ledger.deployment_block), args.node


@contextmanager
def open_targets(args: argparse.Namespace, *, with_peers: bool) -> Iterator[Targets]:
    """Channels to the node (and, from a consortium with ``with_peers``, to the others).

    Raises ``UsageError`` for options that name nothing usable, ``OSError`` /
    ``ValueError`` for unreadable files; a failed call inside surfaces as ``CallFailed``.
    """
    if args.consortium is not None:
        if not args.node:
            raise UsageError("--consortium needs --node P")
        endpoints, chain, province = _consortium(args)
        wanted: str | None = province
        interval: float | None = AUDIT_CHECKPOINT_SECONDS
    else:
        missing = [name for name in ("endpoint", "cert", "key", "ca", "rpc_url")
                   if getattr(args, name) is None]
        if missing:
            raise UsageError("give --consortium DIR --node P, or all of --endpoint --cert "
                             f"--key --ca --rpc-url (missing: {', '.join(missing)})")
        contracts, block = _contracts(args)
        client = LedgerClient(args.rpc_url, contracts, timeout=args.timeout)
        chain = ChainView(client, start_block=block)
        province = "node"
        endpoints = {province: _Endpoint(args.endpoint, args.cert, args.key, args.ca)}
        wanted = args.province
        with_peers = False
        interval = None
    with call_failures(), ExitStack() as stack:
        clients = {}
        for name, e in endpoints.items():
            if name != province and not with_peers:
                continue
            opened = stack.enter_context(channel(TlsTarget(e.address, e.cert, e.key, e.ca)))
            clients[name] = AuditClient(opened, timeout=args.timeout)
        node = clients.pop(province)
        yield Targets(node, chain, wanted, clients, interval)
