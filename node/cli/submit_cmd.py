"""``credit-node submit``: stream a JSON Lines file of records to a node.

    credit-node submit --endpoint localhost:PORT --cert platform.pem --key platform.key
                       --ca ca.pem FILE|-
    credit-node submit --consortium var/consortium --province JS FILE|-

With ``--consortium DIR --province P`` the endpoint is P's node and the identity P's
provincial platform (``platform.P`` in ``DIR/consortium.json``); an explicit
``--endpoint``/``--cert``/``--key``/``--ca`` still wins.

Records go in chunks (``--chunk``, default 2,000) over one SubmitStream call; the summary
``{"accepted": n, "rejected": m, "errors": [...]}`` goes to stdout (errors name the line
and the defect, never the value).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from node.cli.consortium_flags import FlagError, add_consortium_arguments, resolve_tls
from node.domain.lines import line_chunks
from node.grpc.calls import CallFailed, TlsTarget, submit_stream


def add_tls_arguments(parser: argparse.ArgumentParser) -> None:
    """``--endpoint --cert --key --ca`` (each needed unless ``--consortium`` supplies it)
    and ``--timeout``."""
    parser.add_argument("--endpoint", help="host:port of the node")
    parser.add_argument("--cert", type=Path, help="client certificate (PEM)")
    parser.add_argument("--key", type=Path, help="client private key (PEM)")
    parser.add_argument("--ca", type=Path, help="CA certificate of the node")
    parser.add_argument("--timeout", type=float, default=600.0, help="call deadline, seconds")


def with_target(args: argparse.Namespace, target: TlsTarget) -> argparse.Namespace:
    """``args`` with the resolved endpoint and identity in ``--endpoint --cert --key --ca``."""
    return argparse.Namespace(**{**vars(args), "endpoint": target.endpoint,
                                 "cert": target.cert, "key": target.key, "ca": target.ca})


def register(subparsers: Any) -> None:
    """Add the ``submit`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "submit", help="submit JSON Lines records to a node (platform role)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_tls_arguments(parser)
    add_consortium_arguments(parser, who="province",
                             what="P's node, as P's provincial platform (platform.P)")
    parser.add_argument("--chunk", type=int, default=2000, help="records per request")
    parser.add_argument("file", help="JSON Lines file, or - for stdin")
    parser.set_defaults(func=run)


def submit_file(stream: TextIO, source: str, args: argparse.Namespace) -> dict[str, Any]:
    accepted = rejected = 0
    errors: list[dict[str, object]] = []
    progress = sys.stderr.isatty()
    target = TlsTarget(args.endpoint, args.cert, args.key, args.ca)
    for answer in submit_stream(target, line_chunks(stream, args.chunk), source,
                                timeout=args.timeout):
        accepted += answer.accepted
        rejected += len(answer.rejected)
        for r in answer.rejected:
            errors.append({"line": r.line, "record_no": r.record_no, "errors": [
                {"code": code, "field": name, "message": message}
                for code, name, message in r.errors]})
        if progress:
            print(f"\r{accepted} accepted, {rejected} rejected", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    return {"accepted": accepted, "rejected": rejected, "errors": errors}


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node submit``: 0 when all records were accepted, 1 when
    some were not or the call failed, 2 when a flag is missing."""
    try:
        args = with_target(args, resolve_tls(args, who="province",
                                             label=lambda p: f"platform.{p}"))
    except FlagError as exc:
        print(f"credit-node submit: error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.file == "-":
            summary = submit_file(sys.stdin, "-", args)
        else:
            with open(args.file, encoding="utf-8") as handle:
                summary = submit_file(handle, Path(args.file).name, args)
    except CallFailed as exc:
        print(f"credit-node submit: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"credit-node submit: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if summary["rejected"] == 0 else 1
