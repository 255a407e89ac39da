"""``credit-node init``: create a new node directory (keys, CA, certificates, node.toml).

    credit-node init --province JS --dir var/js [--listen 127.0.0.1:0]
                     [--database-url URL] [--ledger-url URL] [--chain-id N] [--ca-dir DIR]

The CA private key is written outside the node directory (default ``<dir>-ca-offline/``,
or ``--ca-dir``): move it offline; a running node never reads it.

Nothing is overwritten: a directory that already holds a node.toml or any key or
certificate is refused before anything is written. The files made are listed in
:mod:`node.identity.provision`; the summary printed at the end names what the consortium
needs on-chain (ledger account, node public key, CA fingerprint) and no secret.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crypto.errors import KeyFileError
from node.config import ConfigError
from node.config_build import init_node
from node.identity.errors import IdentityError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``init`` subcommand to ``subparsers`` (an argparse subparsers action)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "init", help="create a node directory: keys, CA, TLS certificates, node.toml",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--province", required=True, help="SH, JS, ZJ or AH")
    parser.add_argument("--dir", required=True, type=Path, help="node directory to create")
    parser.add_argument("--listen", default="127.0.0.1:0",
                        help="gRPC host:port (default 127.0.0.1:0, a free port)")
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default sqlite:///<dir>/node.db)")
    parser.add_argument("--ledger-url", default="http://127.0.0.1:8545",
                        help="ledger JSON-RPC URL (default http://127.0.0.1:8545)")
    parser.add_argument("--chain-id", type=int, default=31337,
                        help="ledger chain id (default 31337, anvil's)")
    parser.add_argument("--ca-dir", type=Path, default=None,
                        help="where the CA private key goes (default <dir>-ca-offline, "
                             "never inside --dir)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node init``; returns the exit code."""
    try:
        facts = init_node(
            args.dir, args.province, listen=args.listen, database_url=args.database_url,
            ledger_url=args.ledger_url, chain_id=args.chain_id, ca_dir=args.ca_dir,
        )
    except (ConfigError, IdentityError, KeyFileError) as exc:
        print(f"credit-node init: error: {exc}", file=sys.stderr)
        return 1
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        print(f"{key:<{width}}  {value}")
    return 0
