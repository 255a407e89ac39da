"""`credit-node`: the command-line entry point.

Each subcommand lives in its own module under ``node.cli`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a callable
taking the parsed arguments and returning the process exit code. Only the module of
the command being run is imported (some pull in web3 or grpc, which take a second to
load); ``--help`` and unknown commands import them all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence

# Command name -> module; keep sorted.
COMMANDS: dict[str, str] = {
    "audit": "node.cli.audit_cmd",
    "catalog": "node.cli.catalog_cmd",
    "consortium": "node.cli.consortium_cmd",
    "demo": "node.cli.demo_cmd",
    "grant": "node.cli.grant_cmd",
    "init": "node.cli.init_cmd",
    "ledger": "node.cli.ledger_cmd",
    "match": "node.cli.match_cmd",
    "objection": "node.cli.objection_cmd",
    "query": "node.cli.query_cmd",
    "record": "node.cli.record_cmd",
    "repair": "node.cli.repair_cmd",
    "report": "node.cli.report_cmd",
    "serve": "node.cli.serve_cmd",
    "submit": "node.cli.submit_cmd",
    "synth": "node.cli.synth_cmd",
    "validate": "node.cli.validate_cmd",
    "verify-answer": "node.cli.verify_answer_cmd",
}


def build_parser(modules: Iterable[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="credit-node",
        description="Yangtze River Delta credit-sharing node (长三角征信链节点).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in sorted(set(COMMANDS.values()) if modules is None else modules):
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    chosen = COMMANDS.get(args_list[0]) if args_list else None
    parser = build_parser(None if chosen is None else [chosen])
    args = parser.parse_args(args_list)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
