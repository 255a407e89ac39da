"""Key files: 0600 on create, never overwritten, refused when group/world accessible."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import nacl.signing
import pytest

from crypto.errors import KeyFileError
from crypto.keys import (
    MASTER_KEY_LABEL,
    SIGNING_KEY_LABEL,
    create_master_key_file,
    create_signing_key_file,
    load_master_key,
    load_signing_key,
    save_master_key,
    save_signing_key,
)
from crypto.sealing import MasterKey


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_signing_key_created_0600_and_loads(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "node.key"
    key = create_signing_key_file(path)
    assert _mode(path) == 0o600
    assert load_signing_key(path).encode() == key.encode()
    assert path.read_text("ascii") == f"{SIGNING_KEY_LABEL}:{bytes(key).hex()}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["node.key"]


def test_master_key_created_0600_and_loads(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "master.key"
    key = create_master_key_file(path)
    assert _mode(path) == 0o600 and len(key) == 32
    assert load_master_key(path) == key
    assert path.read_text("ascii").startswith(MASTER_KEY_LABEL + ":")


def test_mode_0600_even_under_a_strict_umask(tmp_path: Path) -> None:
    old = os.umask(0o277)
    try:
        create_master_key_file(tmp_path / "master.key")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "master.key") == 0o600


def test_existing_file_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    first = create_signing_key_file(path)
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match=r"node\.key already exists; refusing to overwrite"):
        create_signing_key_file(path)
    with pytest.raises(KeyFileError, match="already exists"):
        save_master_key(path, MasterKey(bytes(32)))
    assert path.read_bytes() == before
    assert load_signing_key(path).encode() == first.encode()


def test_dangling_symlink_not_followed_on_create(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    (tmp_path / "node.key").symlink_to(target)
    with pytest.raises(KeyFileError, match="already exists"):
        create_signing_key_file(tmp_path / "node.key")
    assert not target.exists()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o700 | 0o020])
def test_group_or_world_accessible_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "node.key"
    create_signing_key_file(path)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=rf"has mode {mode:04o}.*Fix with: chmod 600 {path}"):
        load_signing_key(path)


def test_master_key_0644_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    create_master_key_file(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_master_key(path)


def test_0400_accepted(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    key = create_signing_key_file(path)
    path.chmod(0o400)
    assert load_signing_key(path).encode() == key.encode()


def test_one_kind_not_loaded_as_the_other(tmp_path: Path) -> None:
    create_master_key_file(tmp_path / "master.key")
    with pytest.raises(
        KeyFileError, match=r"has 'yrd-credit-master-key-v1'; want a 'yrd-credit-ed25519-seed-v1'"
    ):
        load_signing_key(tmp_path / "master.key")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "has no label"),
        (b"\xff\xfe", "is not ASCII"),
        (SIGNING_KEY_LABEL.encode() + b":abc\n", "must hold 64 hex digits after the label, got 3"),
        (SIGNING_KEY_LABEL.encode() + b":" + b"g" * 64, "must hold 64 hex digits"),
        (b"x" * 5000, "larger than 4096 bytes"),
    ],
)
def test_malformed_content_refused(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "node.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, content)
    os.close(fd)
    with pytest.raises(KeyFileError, match=match) as info:
        load_signing_key(path)
    assert "g" * 64 not in str(info.value)


def test_missing_and_non_regular_files(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match=r"missing\.key does not exist"):
        load_master_key(tmp_path / "missing.key")
    sub = tmp_path / "dir.key"
    sub.mkdir(mode=0o700)
    with pytest.raises(KeyFileError, match="is not a regular file"):
        load_master_key(sub)


def test_save_round_trip_with_given_key(tmp_path: Path) -> None:
    key = nacl.signing.SigningKey(bytes(range(32)))
    save_signing_key(tmp_path / "k", key)
    assert bytes(load_signing_key(tmp_path / "k")) == bytes(range(32))
    with pytest.raises(ValueError, match="master key must be 32 bytes, got 16"):
        save_master_key(tmp_path / "m", MasterKey(bytes(16)))
    assert not (tmp_path / "m").exists()
