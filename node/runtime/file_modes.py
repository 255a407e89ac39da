"""What a running node keeps private on disk, checked and tightened at start.

SQLite creates ``node.db`` with the process umask (usually 0644): anyone on the host
could read sealed payloads' metadata, subject tokens and the access log. The node makes
the file (and its ``-wal``/``-shm`` companions, which SQLite then creates with the
database's own mode) 0600 as soon as the store is open. A CA private key found in the
node directory is reported: ``credit-node init`` keeps it outside (offline), and a node
never needs it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Final

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["PRIVATE_MODE", "check_no_ca_key", "restrict_database_files"]

log = logging.getLogger(__name__)

PRIVATE_MODE: Final = 0o600
_COMPANIONS: Final = ("", "-wal", "-shm", "-journal")


def restrict_database_files(url: str) -> list[Path]:
    """Make a SQLite database file and its companions 0600; the files changed. Other
    backends (PostgreSQL) keep their data in the server's own files: nothing to do."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return []
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return []
    changed = []
    database = Path(parsed.database)
    for suffix in _COMPANIONS:
        path = database.with_name(database.name + suffix)
        if path.exists() and (path.stat().st_mode & 0o777) != PRIVATE_MODE:
            os.chmod(path, PRIVATE_MODE)
            changed.append(path)
    return changed


def check_no_ca_key(data_dir: Path) -> Path | None:
    """The CA private key left in the node directory (logged as a warning), else None."""
    found = Path(data_dir) / "tls" / "ca.key"
    if found.exists():
        log.warning("a CA private key is in the node directory; move it offline",
                    extra={"path": str(found)})
        return found
    return None
