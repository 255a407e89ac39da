"""`credit-node ledger ...`: deploy the contracts, inspect them, propose and approve,
and run a local dev chain.

Exit codes: 0 ok; 1 the ledger refused (a contract revert or a refused transaction);
2 bad usage, bad files or the ledger unreachable / not confirming in time.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy_suite
from ledger.devchain import DevChain
from ledger.devkeys import DEV_KEYS
from ledger.errors import ContractRevert, LedgerError, LedgerUnavailable, TxTimeout
from ledger.files import parse_hash32, read_key_file, read_members_file
from ledger.report import jsonable
from ledger.types import MemberSpec
from node.domain.catalog import document_hash, read_json_object

Result = tuple[object, str]
Handler = Callable[[argparse.Namespace], Result]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--timeout", type=float, default=10.0,
        help="deadline in seconds for each JSON-RPC request and receipt wait (default 10)",
    )


def _deployed(parser: argparse.ArgumentParser, key: bool) -> None:
    _common(parser)
    parser.add_argument("--deployment", type=Path, required=True, help="deployment JSON file")
    parser.add_argument("--rpc-url", help="JSON-RPC URL (default: the one in the deployment)")
    if key:
        parser.add_argument("--key-file", type=Path, required=True,
                            help="file holding the member account's 0x-hex key (mode 0600)")


def open_client(args: argparse.Namespace, with_key: bool) -> LedgerClient:
    """A client for ``--deployment`` (and ``--rpc-url``, ``--key-file``, ``--timeout``),
    refusing an endpoint that serves another chain than the deployment's."""
    deployment = Deployment.load(args.deployment)
    rpc_url = args.rpc_url or deployment.rpc_url
    if not rpc_url:
        raise ValueError(f"no --rpc-url given and none recorded in {args.deployment}")
    key = read_key_file(args.key_file) if with_key else None
    client = LedgerClient(rpc_url, deployment.addresses, key, timeout=args.timeout)
    chain_id = client.chain_id()
    if chain_id != deployment.chain_id:
        raise LedgerUnavailable(
            f"{rpc_url} serves chain id {chain_id}, but {args.deployment} is for chain id "
            f"{deployment.chain_id}"
        )
    return client


def _deploy(args: argparse.Namespace) -> Result:
    if args.dev == (args.key_file is not None):
        raise ValueError("give exactly one of --key-file FILE or --dev")
    key = DEV_KEYS[0] if args.dev else read_key_file(args.key_file)
    members = read_members_file(args.members)
    deployment = deploy_suite(args.rpc_url, key, members, timeout=args.timeout)
    deployment.save(args.out)
    lines = [f"deployed on chain {deployment.chain_id} at block {deployment.block}"]
    lines += [f"  {name:<14} {addr}" for name, addr in deployment.addresses.items()]
    lines.append(f"written to {args.out}")
    return deployment.to_json(), "\n".join(lines)


def _status(args: argparse.Namespace) -> Result:
    client = open_client(args, with_key=False)
    members = client.members()
    batches = [client.latest_batch(m.province) for m in members]
    heads = [client.latest_audit_head(m.province) for m in members]
    status = {
        "rpc_url": client.rpc_url, "chain_id": client.chain_id(), "head_block": client.head_block(),
        "addresses": client.addresses, "members": len(members), "threshold": client.threshold(),
        "catalog_version": client.current_catalog_version(),
        "proposals": client.proposal_count(), "latest_batches": batches, "audit_heads": heads,
    }
    lines = [
        f"ledger {client.rpc_url} chain {status['chain_id']} block {status['head_block']}",
        f"members {len(members)}, threshold {status['threshold']}, catalog version "
        f"{status['catalog_version']}, proposals {status['proposals']}",
    ]
    for batch, head in zip(batches, heads, strict=True):
        lines.append(f"  {batch.province}: batch seq {batch.seq} size {batch.size}, "
                     f"audit head size {head.tree_size}")
    return status, "\n".join(lines)


def _members(args: argparse.Namespace) -> Result:
    client = open_client(args, with_key=False)
    members = client.members(include_inactive=True)
    lines = [f"{m.province} {m.account} {'active' if m.active else 'removed'} "
             f"node_key=0x{m.node_key.hex()}" for m in members]
    return members, "\n".join(lines) or "no members"


def _member_spec(args: argparse.Namespace) -> MemberSpec:
    return MemberSpec(
        province=args.province, account=args.account,
        node_key=parse_hash32(args.node_key, "--node-key"),
        oprf_key_commitment=parse_hash32(args.oprf_key_commitment, "--oprf-key-commitment"),
        tls_ca_fingerprint=parse_hash32(args.tls_ca_fingerprint, "--tls-ca-fingerprint"),
    )


def _propose(args: argparse.Namespace) -> Result:
    client = open_client(args, with_key=True)
    kind = args.kind
    if kind == "add-member":
        pid = client.propose_add_member(_member_spec(args))
    elif kind == "rotate-keys":
        pid = client.propose_rotate_keys(_member_spec(args))
    elif kind == "remove-member":
        pid = client.propose_remove_member(args.province)
    elif kind == "adopt-catalog":
        if (args.document_hash is None) == (args.document is None):
            raise ValueError("give exactly one of --document-hash HEX or --document FILE")
        digest = (parse_hash32(args.document_hash, "--document-hash") if args.document_hash
                  else document_hash(read_json_object(args.document)))
        pid = client.propose_adopt_catalog(args.version, digest)
    elif kind == "appoint-auditor-ca":
        pid = client.propose_appoint_auditor_ca(
            parse_hash32(args.fingerprint, "--fingerprint"), appointed=not args.dismiss)
    else:
        pid = client.propose_change_threshold(args.threshold)
    proposal = client.proposal(pid)
    state = "executed" if proposal.executed else f"needs {client.threshold()} approvals"
    return proposal, f"proposal {pid} ({kind}): {proposal.approvals} approval(s), {state}"


def _revoke_cert(args: argparse.Namespace) -> Result:
    if (args.cert is None) == (args.fingerprint is None):
        raise ValueError("give exactly one of --cert FILE or --fingerprint HEX")
    if args.cert is not None:
        from node.identity import IdentityError, certs, files  # only this action needs them
        try:
            digest = bytes.fromhex(certs.fingerprint(files.load_certificate(args.cert)))
        except IdentityError as exc:
            raise ValueError(f"--cert {args.cert}: {exc}") from exc
    else:
        digest = parse_hash32(args.fingerprint, "--fingerprint")
    client = open_client(args, with_key=True)
    result = client.revoke_certificate(digest)
    return {"fingerprint": digest.hex(), "tx_hash": result.tx_hash,
            "block_number": result.block_number}, (
        f"certificate {digest.hex()} revoked in block {result.block_number}; every node "
        "refuses it within seconds")


def _approve(args: argparse.Namespace) -> Result:
    client = open_client(args, with_key=True)
    result = client.approve(args.id)
    state = "executed" if result.executed else "not executed yet"
    return result, f"proposal {args.id}: {result.approvals} approval(s), {state}"


def _devchain(args: argparse.Namespace) -> int:
    def _terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Installed explicitly: a shell starting us in the background leaves SIGINT ignored.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    chain: DevChain | None = None
    try:
        chain = DevChain.start(state_path=args.state, timeout=args.timeout)
        info = {"rpc_url": chain.rpc_url, "chain_id": chain.chain_id,
                "state": str(args.state) if args.state else None}
        print(json.dumps(info) if args.json else
              f"anvil dev chain on {chain.rpc_url} (chain id {chain.chain_id}); Ctrl-C to stop",
              flush=True)
        while chain.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        if chain is not None:
            chain.stop()
    print(f"anvil exited unexpectedly with code {chain.process.returncode}", file=sys.stderr)
    return 2


def _run(handler: Handler) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            payload, text = handler(args)
        except ContractRevert as exc:
            return _fail(args, 1, exc, {"revert": exc.name, "args": exc.error_args})
        except (LedgerUnavailable, TxTimeout) as exc:
            return _fail(args, 2, exc)
        except (ValueError, OSError) as exc:  # before LedgerError: bad input exits 2
            return _fail(args, 2, exc)
        except LedgerError as exc:
            return _fail(args, 1, exc)
        print(json.dumps(jsonable(payload), indent=2) if args.json else text)
        return 0
    return run


def _fail(args: argparse.Namespace, code: int, exc: Exception,
          extra: dict[str, Any] | None = None) -> int:
    if args.json:
        doc = {"ok": False, "error": type(exc).__name__, "message": str(exc), **(extra or {})}
        print(json.dumps(jsonable(doc)))
    else:
        print(f"credit-node ledger: {exc}", file=sys.stderr)
    return code


def _add_member_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--province", required=True, help="two-letter code, e.g. JS")
    parser.add_argument("--account", required=True, help="the member's 0x account address")
    for name in ("--node-key", "--oprf-key-commitment", "--tls-ca-fingerprint"):
        parser.add_argument(name, required=True, help="32 bytes as 0x-hex")


def register(subparsers: Any) -> None:
    """Add `ledger` and its actions to the credit-node parser."""
    parser = subparsers.add_parser(
        "ledger", help="contracts on the 征信链: deploy, inspect, govern"
    )
    actions = parser.add_subparsers(dest="ledger_action", metavar="ACTION")
    actions.required = True

    deploy = actions.add_parser("deploy", help="deploy the four contracts")
    _common(deploy)
    deploy.add_argument("--rpc-url", required=True)
    deploy.add_argument("--key-file", type=Path, help="deployer key file (mode 0600)")
    deploy.add_argument("--dev", action="store_true", help="deploy with anvil dev account 0")
    deploy.add_argument("--members", type=Path, required=True, help="initial members JSON")
    deploy.add_argument("--out", type=Path, required=True, help="deployment JSON to write")
    deploy.set_defaults(func=_run(_deploy))

    for name, handler, helptext in (("status", _status, "chain, governance and anchor state"),
                                    ("members", _members, "list members")):
        sub = actions.add_parser(name, help=helptext)
        _deployed(sub, key=False)
        sub.set_defaults(func=_run(handler))

    propose = actions.add_parser("propose", help="submit a governance proposal")
    _deployed(propose, key=True)
    kinds = propose.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    _add_member_args(kinds.add_parser("add-member", help="add a province"))
    _add_member_args(kinds.add_parser("rotate-keys", help="new account/keys for a province"))
    kinds.add_parser("remove-member", help="remove a province").add_argument(
        "--province", required=True)
    adopt = kinds.add_parser("adopt-catalog", help="adopt a shared catalog version")
    adopt.add_argument("--version", type=int, required=True)
    adopt.add_argument("--document-hash", help="sha256 of the canonical catalog, 0x-hex")
    adopt.add_argument("--document", type=Path,
                       help="the catalog document (sha256 of its canonical form, as adopted)")
    kinds.add_parser("change-threshold", help="set the approval threshold (0 = default)"
                     ).add_argument("threshold", type=int)
    auditor = kinds.add_parser(
        "appoint-auditor-ca", help="appoint (or --dismiss) the consortium's auditor CA")
    auditor.add_argument("--fingerprint", required=True,
                         help="sha256 of the auditor CA certificate (DER), 0x-hex")
    auditor.add_argument("--dismiss", action="store_true", help="dismiss it instead")
    propose.set_defaults(func=_run(_propose))

    approve = actions.add_parser("approve", help="approve a proposal")
    _deployed(approve, key=True)
    approve.add_argument("id", type=int, help="proposal id")
    approve.set_defaults(func=_run(_approve))

    revoke = actions.add_parser(
        "revoke-cert", help="revoke a certificate your province's CA issued (no vote)")
    _deployed(revoke, key=True)
    revoke.add_argument("--cert", type=Path, help="the certificate (PEM) to revoke")
    revoke.add_argument("--fingerprint", help="or its sha256 (of the DER), 0x-hex")
    revoke.set_defaults(func=_run(_revoke_cert))

    devchain = actions.add_parser("devchain", help="run a local anvil until Ctrl-C")
    _common(devchain)
    devchain.add_argument("--state", type=Path, help="state file kept across restarts")
    devchain.set_defaults(func=_run_devchain)


def _run_devchain(args: argparse.Namespace) -> int:
    try:
        return _devchain(args)
    except LedgerError as exc:
        return _fail(args, 2, exc)


def main(argv: list[str] | None = None) -> int:
    """Run `credit-node ledger ARGV...` on its own (`python -m node.cli.ledger_cmd ...`)."""
    parser = argparse.ArgumentParser(prog="credit-node")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    register(commands)
    args = parser.parse_args(["ledger", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
