"""``credit-node consortium up|status|down``: a local four-province consortium, one command each.

    credit-node consortium up --dir var/consortium [--provinces SH,JS,ZJ,AH]
                              [--database-url postgresql+psycopg://USER@HOST:PORT/DB]
    credit-node consortium status --dir var/consortium [--json]
    credit-node consortium down --dir var/consortium

``up`` creates the directory on first use (keys, certificates, node.toml per province,
an agency and an auditor identity), starts anvil with a persistent state file, deploys
the contracts with every province as a member, adopts the shared catalog by governance
and starts every node detached, returning once all answer health checks. Run again, it
restarts only what is not running and keeps all data; with everything running it
changes nothing. ``D/consortium.json`` says what runs where. ``down`` stops the nodes
and anvil (which saves its state); ``up`` brings them back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from node.config import ConfigError
from node.devnet.errors import ConsortiumError
from node.devnet.layout import DEFAULT_PROVINCES
from node.devnet.lifecycle import consortium_down, consortium_up, load_doc
from node.devnet.status import consortium_status, format_status
from node.domain.fields import PROVINCES

__all__ = ["register", "run_down", "run_status", "run_up"]


def _provinces(text: str) -> list[str]:
    chosen = [p.strip().upper() for p in text.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PROVINCES]
    if not chosen or unknown or len(set(chosen)) != len(chosen):
        raise argparse.ArgumentTypeError(
            f"want distinct codes from {','.join(DEFAULT_PROVINCES)}, got {text!r}")
    return chosen


def register(subparsers: Any) -> None:
    """Add the ``consortium`` command and its ``up``, ``status``, ``down`` subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "consortium", help="run a local four-province consortium (up, status, down)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    def common(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        sub.add_argument("--dir", type=Path, default=Path("var/consortium"),
                         help="consortium directory (default var/consortium)")
        sub.add_argument("--json", action="store_true", help="print JSON")
        return sub

    up = common("up", "create (first use) and start the consortium; no-op when running")
    up.add_argument("--provinces", type=_provinces, default=None,
                    help="comma-separated provinces when creating (default SH,JS,ZJ,AH)")
    up.add_argument("--database-url", default="",
                    help="PostgreSQL URL when creating: one schema per node (default: SQLite)")
    up.add_argument("--schema-prefix", default="credit",
                    help="PostgreSQL schema prefix: <prefix>_<province> (default credit)")
    up.add_argument("--timeout", type=float, default=60.0,
                    help="seconds to wait for the nodes to become healthy (default 60)")
    up.set_defaults(func=run_up)
    status = common("status", "each node's figures (GetStatus) and the ledger's")
    status.add_argument("--timeout", type=float, default=5.0, help="deadline per call")
    status.set_defaults(func=run_status)
    down = common("down", "stop the nodes and anvil (SIGTERM, SIGKILL after --timeout)")
    down.add_argument("--timeout", type=float, default=15.0, help="seconds before SIGKILL")
    down.set_defaults(func=run_down)


def _fail(action: str, exc: Exception) -> int:
    print(f"credit-node consortium {action}: error: {exc}", file=sys.stderr)
    return 1


def run_up(args: argparse.Namespace) -> int:
    """Entry point of ``consortium up``; 0 once every node is healthy."""
    def say(line: str) -> None:
        print(f"consortium: {line}", file=sys.stderr, flush=True)

    try:
        result = consortium_up(args.dir, provinces=args.provinces,
                               database_url=args.database_url,
                               schema_prefix=args.schema_prefix, timeout=args.timeout, say=say)
    except (ConsortiumError, ConfigError, ValueError, OSError) as exc:
        code = _fail("up", exc)
        if (args.dir / "consortium.json").exists():
            print(f"what was started keeps running: `credit-node consortium down --dir "
                  f"{args.dir}` stops it, `up` tries again", file=sys.stderr)
        return code
    doc = result.doc
    if args.json:
        print(json.dumps(doc.to_json(), indent=2, sort_keys=True))
    elif result.already_running:
        print(f"already running: {len(doc.provinces)} nodes and the ledger in {args.dir}")
    else:
        print(f"consortium running in {args.dir} (started: {', '.join(result.started)})")
        print(f"  ledger  {doc.ledger.rpc_url}  pid {doc.ledger.pid}")
        for province, entry in doc.provinces.items():
            print(f"  {province}      {entry.grpc}  pid {entry.pid}  ({entry.database})")
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Entry point of ``consortium status``; 0 when the ledger and every node are healthy."""
    try:
        status = consortium_status(load_doc(args.dir), timeout=args.timeout)
    except ConsortiumError as exc:
        return _fail("status", exc)
    print(json.dumps(status, indent=2) if args.json else format_status(status))
    ok = status["ledger"].get("running") and all(
        n["healthy"] and "error" not in n for n in status["provinces"].values())
    return 0 if ok else 1


def run_down(args: argparse.Namespace) -> int:
    """Entry point of ``consortium down``; 0 once nothing of the consortium runs."""
    try:
        outcome = consortium_down(args.dir, timeout=args.timeout)
    except ConsortiumError as exc:
        return _fail("down", exc)
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        for name, what in outcome.items():
            print(f"{name}: {what}")
    return 0
