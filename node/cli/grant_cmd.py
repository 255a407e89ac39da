"""``credit-node grant``: sign a subject authorization with the agency's TLS key, or
withdraw one as the subject's provincial platform.

    credit-node grant --subject ID --agency NAME --purpose P --scope penalty,dishonesty
                      --days 30 --key identities/agency.key --evidence consent.pdf
                      --out grant.json
    credit-node grant --consortium var/consortium --node ZJ --subject ID --purpose P
                      --evidence consent.pdf --out grant.json

The grant names the hash of the consent evidence, never the evidence itself. With
``--consortium DIR --node P`` it is signed with the key of the agency accredited in P
(``agency.P`` in ``DIR/consortium.json``) and names that agency: use it for a query at
P's node (``credit-node query --consortium DIR --node P --grant FILE``). An explicit
``--key``/``--agency`` still wins.

The evidence must be the signed authorization itself (a PDF, PNG or JPEG of at least
1 KiB); send it with the query (``credit-node query --evidence FILE``): the node keeps it
sealed for auditors. The grant file is written with mode 0600 (it names the subject).

    credit-node grant withdraw --grant grant.json --consortium var/consortium --node ZJ
    credit-node grant withdraw --agency NAME --nonce HEX --endpoint H:P --cert platform.pem
                               --key platform.key --ca ca.pem

``withdraw`` records at P's node, as P's provincial platform (``platform.P``), that the
subject withdrew the grant; the node refuses it from then on. Prints
``{"withdrawn": true|false}`` (false: it was withdrawn before).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from node.authz.evidence import check_evidence
from node.authz.grants import KINDS, GrantError, make_grant, parse_grant
from node.cli.consortium_flags import (
    FlagError,
    add_consortium_arguments,
    consortium_identity,
    resolve_tls,
)
from node.identity.errors import IdentityError
from node.identity.files import load_tls_private_key


def register(subparsers: Any) -> None:
    """Add the ``grant`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "grant", help="sign a subject authorization (授权) for agency queries",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", choices=("sign", "withdraw"), default="sign",
                        help="sign a grant (the default) or withdraw one")
    parser.add_argument("--subject", help="the subject's USCC or ID number (sign)")
    parser.add_argument("--agency", help="agency name (its certificate CN)")
    parser.add_argument("--purpose", help="the purpose the grant covers (sign)")
    parser.add_argument("--scope", default=",".join(KINDS),
                        help=f"comma-separated record kinds from {', '.join(KINDS)}")
    parser.add_argument("--days", type=float, default=30.0, help="validity in days")
    parser.add_argument("--key", type=Path, help="the agency's TLS private key (sign); the "
                        "platform's (withdraw)")
    add_consortium_arguments(parser, who="node",
                             what="sign: the agency accredited in P (agency.P); withdraw: "
                             "P's node as P's platform (platform.P)")
    parser.add_argument("--evidence", type=Path,
                        help="consent evidence file: PDF, PNG or JPEG, at least 1 KiB (sign)")
    parser.add_argument("--out", type=Path, help="where to write the grant (sign)")
    parser.add_argument("--grant", type=Path, help="the grant file to withdraw (withdraw)")
    parser.add_argument("--nonce", help="the nonce of the grant to withdraw (withdraw)")
    parser.add_argument("--endpoint", help="host:port of the node (withdraw)")
    parser.add_argument("--cert", type=Path, help="platform certificate (withdraw)")
    parser.add_argument("--ca", type=Path, help="CA certificate of the node (withdraw)")
    parser.add_argument("--timeout", type=float, default=30.0, help="call deadline, seconds")
    parser.set_defaults(func=run)


def signer(args: argparse.Namespace) -> tuple[str, Path]:
    """The agency name and key file: ``--agency``/``--key``, each defaulting (with
    ``--consortium``) to identity ``agency.<--node>``. FlagError names a missing flag."""
    name, key = args.agency, args.key
    if args.consortium is not None:
        _, _, identity = consortium_identity(args, "node", lambda p: f"agency.{p}")
        name, key = name or identity.name, key or Path(identity.key)
    elif args.node:
        raise FlagError("--node applies only with --consortium DIR")
    for flag, value in (("--agency", name), ("--key", key)):
        if not value:
            raise FlagError(f"{flag} is required (or give --consortium DIR --node P)")
    return str(name), Path(key)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600, also when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def _sign(args: argparse.Namespace) -> int:
    scope = tuple(s.strip() for s in args.scope.split(",") if s.strip())
    missing = [f"--{n}" for n in ("subject", "purpose", "evidence", "out")
               if getattr(args, n) is None]
    if missing:
        print(f"credit-node grant: error: {', '.join(missing)} required to sign a grant",
              file=sys.stderr)
        return 2
    if not scope or any(s not in KINDS for s in scope) or args.days <= 0:
        print(f"credit-node grant: error: --scope must list kinds from {KINDS} and --days "
              "must be > 0", file=sys.stderr)
        return 2
    try:
        agency, key = signer(args)
    except FlagError as exc:
        print(f"credit-node grant: error: {exc}", file=sys.stderr)
        return 2
    try:
        evidence = args.evidence.read_bytes()
        check_evidence(evidence, hashlib.sha256(evidence).hexdigest())
        grant = make_grant(subject=args.subject, agency=agency, purpose=args.purpose,
                           scope=scope, consent_evidence=evidence,
                           private_key=load_tls_private_key(key),
                           now=datetime.now(UTC), valid_for=timedelta(days=args.days))
    except (OSError, IdentityError, ValueError) as exc:
        print(f"credit-node grant: error: {exc}", file=sys.stderr)
        return 1
    _write_private(args.out, grant.to_json() + "\n")
    print(f"grant written to {args.out} (expires {grant.expires_at.isoformat()})",
          file=sys.stderr)
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    from node.grpc.calls import CallFailed, withdraw_grant  # loads grpc: this action only

    try:
        agency, nonce = args.agency, args.nonce
        if args.grant is not None:
            grant = parse_grant(args.grant.read_bytes())
            agency, nonce = agency or grant.agency, nonce or grant.nonce
        if not agency or not nonce:
            raise FlagError("give --grant FILE, or --agency NAME and --nonce HEX")
        target = resolve_tls(args, who="node", label=lambda p: f"platform.{p}")
    except FlagError as exc:
        print(f"credit-node grant: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, GrantError) as exc:
        print(f"credit-node grant: error: {exc}", file=sys.stderr)
        return 1
    try:
        withdrawn = withdraw_grant(target, agency=agency, nonce=nonce, timeout=args.timeout)
    except (CallFailed, OSError) as exc:
        print(f"credit-node grant: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"withdrawn": withdrawn}))
    return 0


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node grant``; returns the exit code (0 done, 1 refused or
    failed, 2 a flag is missing)."""
    return _withdraw(args) if args.action == "withdraw" else _sign(args)
