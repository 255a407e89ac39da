"""`credit-node`: the command-line entry point.

Each subcommand lives in its own module under ``node.cli`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a callable
taking the parsed arguments and returning the process exit code. Only the module of
the command being run is imported (some pull in web3 or grpc, which take a second to
load); ``--help``, no command and an unknown command import none of them: the list of
commands is drawn from :data:`SUMMARIES` (a test keeps it equal to each module's own help).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence
from typing import Any

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


# Command name -> its one-line help, as the module registers it; keep sorted.
SUMMARIES: dict[str, str] = {
    "audit": "verify a node's access audit log against the ledger",
    "catalog": "shared dishonesty catalog and mappings",
    "consortium": "run a local four-province consortium (up, status, down)",
    "demo": "run the four-province consortium demo (make demo)",
    "grant": "sign a subject authorization (授权) for agency queries",
    "init": "create a node directory: keys, CA, TLS certificates, node.toml",
    "ledger": "contracts on the 征信链: deploy, inspect, govern",
    "match": "privately match subjects against other provinces' dishonesty lists",
    "objection": "file or resolve an objection (异议) against a record",
    "query": "query a node about a subject (agency role)",
    "record": "a record's lifecycle status at its own node",
    "repair": "file a credit repair for one of the platform's records",
    "report": "write a verifiable credit report (report.json and report.html)",
    "serve": "run the node's gRPC server and anchoring loop",
    "submit": "submit JSON Lines records to a node (platform role)",
    "synth": "write synthetic valid records (JSON Lines) for a province",
    "validate": "validate a JSON Lines file of records",
    "verify-answer": "verify a query answer's proofs against the ledger",
}


def _root_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(
        prog="credit-node",
        description="Yangtze River Delta credit-sharing node (长三角征信链节点).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    return parser, subparsers


def build_parser(modules: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the commands of ``modules`` (default: every command's module)."""
    parser, subparsers = _root_parser()
    for name in sorted(set(COMMANDS.values()) if modules is None else modules):
        importlib.import_module(name).register(subparsers)
    return parser


def summary_parser() -> argparse.ArgumentParser:
    """The parser listing every command by its summary, importing none of them: what
    ``credit-node --help``, no command and an unknown command need."""
    parser, subparsers = _root_parser()
    for name, summary in SUMMARIES.items():
        subparsers.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    chosen = COMMANDS.get(args_list[0]) if args_list else None
    parser = summary_parser() if chosen is None else build_parser([chosen])
    args = parser.parse_args(args_list)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
