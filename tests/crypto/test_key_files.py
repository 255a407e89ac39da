"""crypto.key_files: the one private-key file I/O, with one error type for every format."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import ledger.files
from crypto.errors import CryptoError, KeyFileError
from crypto.key_files import create_new_file, read_private_key_file, write_private_key_file


def test_written_0600_read_back_and_no_temp_file_left(tmp_path: Path) -> None:
    path = tmp_path / "any.key"
    write_private_key_file(path, b"secret-bytes\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_private_key_file(path) == b"secret-bytes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["any.key"]


def test_existing_file_kept_and_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "any.key"
    write_private_key_file(path, b"first")
    with pytest.raises(
        KeyFileError, match=r"any\.key already exists; refusing to overwrite it \(move it away"
    ):
        write_private_key_file(path, b"second")
    assert read_private_key_file(path) == b"first"


def test_unwritable_directory_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match=r"cannot write key file .*: No such file"):
        write_private_key_file(tmp_path / "absent" / "any.key", b"x")


def test_bad_mode_names_mode_and_fix_without_content(tmp_path: Path) -> None:
    path = tmp_path / "any.key"
    write_private_key_file(path, b"do-not-show")
    path.chmod(0o640)
    with pytest.raises(
        KeyFileError, match=rf"has mode 0640: group or others may access it; want 0600\. "
                            rf"Fix with: chmod 600 {path}"
    ) as info:
        read_private_key_file(path)
    assert "do-not-show" not in str(info.value)


def test_size_limit_missing_and_non_regular(tmp_path: Path) -> None:
    path = tmp_path / "big.key"
    write_private_key_file(path, b"x" * 101)
    assert read_private_key_file(path, max_size=101) == b"x" * 101
    with pytest.raises(KeyFileError, match=r"larger than 100 bytes; not a key file"):
        read_private_key_file(path, max_size=100)
    with pytest.raises(KeyFileError, match=r"missing\.key does not exist"):
        read_private_key_file(tmp_path / "missing.key")
    with pytest.raises(KeyFileError, match="is not a regular file"):
        read_private_key_file(tmp_path)


def test_one_error_type_for_every_private_key_file() -> None:
    """Every caller (crypto.keys, ledger.files, node.identity.files) raises this one type;
    it is a ValueError too because the ledger's former KeyFileError was one."""
    assert issubclass(KeyFileError, CryptoError)
    assert issubclass(KeyFileError, ValueError)
    assert ledger.files.KeyFileError is KeyFileError


def test_public_file_created_with_its_mode_and_never_overwritten(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        create_new_file(tmp_path / "cert.pem", b"pem", 0o644)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "cert.pem").stat().st_mode) == 0o644
    with pytest.raises(FileExistsError):
        create_new_file(tmp_path / "cert.pem", b"other", 0o644)
    assert (tmp_path / "cert.pem").read_bytes() == b"pem"
