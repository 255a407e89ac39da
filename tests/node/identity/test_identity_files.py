"""Key and certificate files: modes, no overwrite, refusal of readable keys."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crypto.errors import KeyFileError
from node.identity import IdentityFileError, TrustStore
from node.identity.certs import LeafSpec, issue_leaf, make_ca, new_tls_key
from node.identity.files import (
    create_ledger_account_file,
    load_certificate,
    load_ledger_account_key,
    load_tls_private_key,
    write_certificate,
    write_tls_private_key,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_private_key_round_trip_and_no_overwrite(tmp_path: Path) -> None:
    key = new_tls_key()
    path = tmp_path / "k.key"
    write_tls_private_key(path, key)
    assert load_tls_private_key(path).private_numbers() == key.private_numbers()
    with pytest.raises(KeyFileError, match=r"k\.key already exists; refusing to overwrite"):
        write_tls_private_key(path, new_tls_key())
    assert [p.name for p in tmp_path.iterdir()] == ["k.key"]  # no temp file left behind


def test_readable_private_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    write_tls_private_key(path, new_tls_key())
    os.chmod(path, 0o640)
    with pytest.raises(KeyFileError, match=r"has mode 0640: .*want 0600\. Fix with: chmod 600"):
        load_tls_private_key(path)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(IdentityFileError, match=r"nope\.pem does not exist"):
        load_certificate(tmp_path / "nope.pem")
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(IdentityFileError, match=r"junk\.pem is not a PEM certificate"):
        load_certificate(tmp_path / "junk.pem")
    (tmp_path / "junk.key").write_text("junk")
    os.chmod(tmp_path / "junk.key", 0o600)
    with pytest.raises(IdentityFileError, match=r"junk\.key is not an unencrypted PEM private key"):
        load_tls_private_key(tmp_path / "junk.key")


def test_certificate_written_0644_never_overwritten(tmp_path: Path) -> None:
    key = new_tls_key()
    path = tmp_path / "sub" / "ca.pem"
    write_certificate(path, make_ca(key, "JS", NOW))
    assert path.stat().st_mode & 0o777 == 0o644
    with pytest.raises(IdentityFileError, match=r"ca\.pem already exists; refusing to overwrite"):
        write_certificate(path, make_ca(key, "JS", NOW))
    assert sorted(p.name for p in path.parent.iterdir()) == ["ca.pem"]


def test_ledger_account_file(tmp_path: Path) -> None:
    from eth_account import Account

    path = tmp_path / "acct.key"
    address = create_ledger_account_file(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = load_ledger_account_key(path)
    assert Account.from_key(key).address == address
    (tmp_path / "bad.key").write_text("0x1234\n")
    os.chmod(tmp_path / "bad.key", 0o600)
    with pytest.raises(KeyFileError, match=r"want 0x followed by 64 hex digits"):
        load_ledger_account_key(tmp_path / "bad.key")


def test_trust_store_refuses_misfiled_and_non_ca_certificates(tmp_path: Path) -> None:
    key = new_tls_key()
    js_ca = make_ca(key, "JS", NOW)
    leaf = issue_leaf(key, js_ca, new_tls_key().public_key(),
                      LeafSpec("JS", "admin", "a", "o"), NOW)
    with pytest.raises(ValueError, match=r"trust store has no CA for its own province SH"):
        TrustStore("SH", {"JS": js_ca})
    with pytest.raises(ValueError, match=r"filed under SH names province\(s\) \['JS'\]"):
        TrustStore("SH", {"SH": js_ca})
    with pytest.raises(ValueError, match=r"filed as the JS CA is not a CA"):
        TrustStore("JS", {"JS": leaf})
    write_certificate(tmp_path / "ca.pem", js_ca)
    assert load_certificate(tmp_path / "ca.pem") == js_ca
