"""``credit-node serve``: run the node (gRPC over mutual TLS, ingest, anchoring, queries).

    credit-node serve --config var/js/node.toml

Logs are JSON lines on stderr (ids and counts only). The bound port is written to
``<data_dir>/serve.json``. SIGTERM or SIGINT stops the node gracefully.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from crypto.errors import KeyFileError
from node.config import ConfigError, load_config
from node.identity.errors import IdentityError
from node.runtime.node import start_node
from node.service.logs import configure_json_logging
from node.store.errors import StoreError


def register(subparsers: Any) -> None:
    """Add the ``serve`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the node's gRPC server and anchoring loop",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, type=Path, help="path to node.toml")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node serve``; returns when the node has stopped."""
    configure_json_logging()
    try:
        running = start_node(load_config(args.config))
    except (ConfigError, IdentityError, KeyFileError, StoreError, OSError) as exc:
        print(f"credit-node serve: error: {exc}", file=sys.stderr)
        return 1

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        running.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    running.wait()
    return 0
