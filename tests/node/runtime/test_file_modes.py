"""node.db is 0600 once a node runs; a CA key left in the node directory is reported."""

from __future__ import annotations

import logging
import sqlite3
import stat
from pathlib import Path

import pytest

from node.runtime.file_modes import check_no_ca_key, restrict_database_files


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_become_0600(tmp_path: Path) -> None:
    db = tmp_path / "node.db"
    with sqlite3.connect(db) as conn:
        conn.execute("pragma journal_mode=wal")
        conn.execute("create table t (x)")
        db.chmod(0o644)
        changed = restrict_database_files(f"sqlite:///{db}")
        assert db in changed and _mode(db) == 0o600
        assert all(_mode(p) == 0o600 for p in tmp_path.iterdir() if p.name.startswith("node"))
    assert restrict_database_files(f"sqlite:///{db}") == []  # already private
    assert restrict_database_files("postgresql+psycopg://u@127.0.0.1/db") == []


def test_a_ca_key_in_the_node_directory_is_reported(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    assert check_no_ca_key(tmp_path) is None
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "ca.key").write_text("x")
    with caplog.at_level(logging.WARNING):
        assert check_no_ca_key(tmp_path) == tmp_path / "tls" / "ca.key"
    assert "move it offline" in caplog.text
