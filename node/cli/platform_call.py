"""What the lifecycle commands (``repair``, ``objection``, ``record``) share: the platform
identity and endpoint flags, one call, JSON out, and the exit codes.

Exit status: 0 the node took the request, 1 it refused it (the rule is named in the
error, e.g. ``REPAIR_TOO_EARLY``) or the call failed, 2 a flag is missing or a file
cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from node.cli.consortium_flags import FlagError, add_consortium_arguments, resolve_tls

if TYPE_CHECKING:
    from node.grpc.calls import TlsTarget

__all__ = ["add_platform_arguments", "run_platform_call"]


def add_platform_arguments(parser: argparse.ArgumentParser) -> None:
    """``--consortium DIR --province P`` (or explicit ``--endpoint --cert --key --ca``),
    ``--record-no`` and ``--timeout``."""
    parser.add_argument("--endpoint", help="host:port of the node")
    parser.add_argument("--cert", help="platform client certificate (PEM)")
    parser.add_argument("--key", help="platform client private key (PEM)")
    parser.add_argument("--ca", help="CA certificate of the node")
    parser.add_argument("--timeout", type=float, default=30.0, help="call deadline, seconds")
    add_consortium_arguments(parser, who="province",
                             what="P's node, as P's provincial platform (platform.P)")
    parser.add_argument("--record-no", required=True, help="the province's record number")


def run_platform_call(command: str, args: argparse.Namespace,
                      call: Callable[[TlsTarget], dict[str, Any]]) -> int:
    """Resolve the target, make the call, print its JSON answer (exit codes: module doc)."""
    from node.grpc.calls import CallFailed

    try:
        target = resolve_tls(args, who="province", label=lambda p: f"platform.{p}")
    except FlagError as exc:
        print(f"credit-node {command}: error: {exc}", file=sys.stderr)
        return 2
    try:
        answer = call(target)
    except CallFailed as exc:
        print(json.dumps({"ok": False, "code": exc.code, "error": exc.details},
                         ensure_ascii=False))
        return 1
    except OSError as exc:
        print(f"credit-node {command}: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"ok": True, **answer}, ensure_ascii=False))
    return 0
