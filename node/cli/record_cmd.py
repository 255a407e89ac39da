"""``credit-node record status``: a record's lifecycle as its own node sees it.

    credit-node record status --consortium var/consortium --province JS \
        --record-no JS-2025-000123

Prints JSON: status (active, objection, repaired, corrected), publicity dates (decision,
repair possible from, publicity end), whether it is publicly answered today, whether its
data key is still held, and the revocation notices naming it (index in the province's
revocation log, anchored batch).
"""

from __future__ import annotations

import argparse
from typing import Any

from node.cli.platform_call import add_platform_arguments, run_platform_call


def register(subparsers: Any) -> None:
    """Add ``record status`` to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "record", help="a record's lifecycle status at its own node",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    status = actions.add_parser("status", help="dates, flags, repair state, key held")
    add_platform_arguments(status)
    status.set_defaults(func=run_status)


def run_status(args: argparse.Namespace) -> int:
    from node.grpc.calls import record_status

    def call(target: Any) -> dict[str, Any]:
        return record_status(target, record_no=args.record_no, timeout=args.timeout)
    return run_platform_call("record status", args, call)
