"""``credit-node grant``: sign a subject authorization with the agency's TLS key.

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
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from node.authz.grants import KINDS, make_grant
from node.cli.consortium_flags import FlagError, add_consortium_arguments, consortium_identity
from node.identity.errors import IdentityError
from node.identity.files import load_tls_private_key


def register(subparsers: Any) -> None:
    """Add the ``grant`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "grant", help="sign a subject authorization (授权) for agency queries",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subject", required=True, help="the subject's USCC or ID number")
    parser.add_argument("--agency", help="agency name (its certificate CN)")
    parser.add_argument("--purpose", required=True)
    parser.add_argument("--scope", default=",".join(KINDS),
                        help=f"comma-separated record kinds from {', '.join(KINDS)}")
    parser.add_argument("--days", type=float, default=30.0, help="validity in days")
    parser.add_argument("--key", type=Path, help="the agency's TLS private key")
    add_consortium_arguments(parser, who="node",
                             what="the key and name of the agency accredited in P (agency.P)")
    parser.add_argument("--evidence", required=True, type=Path, help="consent evidence file")
    parser.add_argument("--out", required=True, type=Path, help="where to write the grant")
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


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node grant``; returns the exit code."""
    scope = tuple(s.strip() for s in args.scope.split(",") if s.strip())
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
        grant = make_grant(subject=args.subject, agency=agency, purpose=args.purpose,
                           scope=scope, consent_evidence=args.evidence.read_bytes(),
                           private_key=load_tls_private_key(key),
                           now=datetime.now(UTC), valid_for=timedelta(days=args.days))
    except (OSError, IdentityError, ValueError) as exc:
        print(f"credit-node grant: error: {exc}", file=sys.stderr)
        return 1
    args.out.write_text(grant.to_json() + "\n", encoding="utf-8")
    print(f"grant written to {args.out} (expires {grant.expires_at.isoformat()})",
          file=sys.stderr)
    return 0
