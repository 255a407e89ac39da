"""`credit-node init` creates every file, with the right modes, chained to the new CA."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.keys import load_master_key, load_signing_key
from crypto.oprf_keys import load_oprf_key
from node.cli.main import main
from node.config import ConfigError, load_config
from node.config_build import init_node
from node.identity import IdentityFileError, Layout
from node.identity.files import load_certificate, load_ledger_account_key, load_tls_private_key
from node.identity.provision import LOCAL_IDENTITIES

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # the instant conftest's nodes were made

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_keys_0600_and_certs_0644(js_dir: Path) -> None:
    layout = Layout(js_dir)
    assert len(layout.private_files()) == 6 + len(LOCAL_IDENTITIES)  # oprf.key included
    for path in layout.private_files():
        assert _mode(path) == 0o600, path
    for path in layout.public_files():
        assert _mode(path) == 0o644, path
    assert _mode(js_dir / "node.toml") == 0o644
    made = {p for p in js_dir.rglob("*") if p.is_file()}
    assert made == {*layout.private_files(), *layout.public_files(),
                    js_dir / "node.toml"} - {layout.ca_key}


def test_the_ca_key_is_kept_out_of_the_node_directory(js_dir: Path, tmp_path: Path) -> None:
    """A running node never needs its CA key; a node directory must not carry it."""
    layout = Layout(js_dir)
    assert layout.ca_key == js_dir.parent / "node-ca-offline" / "ca.key"
    assert not layout.ca_key.is_relative_to(js_dir)
    assert _mode(layout.ca_key) == 0o600 and _mode(layout.ca_key.parent) == 0o700
    assert not (js_dir / "tls" / "ca.key").exists()
    chosen = tmp_path / "vault"
    facts = init_node(tmp_path / "sh", "SH", ca_dir=chosen, now=NOW)
    assert facts["ca_key_offline"] == str(chosen / "ca.key") and (chosen / "ca.key").exists()
    with pytest.raises(IdentityFileError, match="inside the node directory"):
        init_node(tmp_path / "zj", "ZJ", ca_dir=tmp_path / "zj" / "ca", now=NOW)


def test_init_keys_load(js_dir: Path) -> None:
    layout = Layout(js_dir)
    assert len(bytes(load_signing_key(layout.signing_key))) == 32
    assert len(load_master_key(layout.master_key)) == 32
    account = load_ledger_account_key(layout.ledger_account)
    assert account.startswith("0x") and len(account) == 66
    assert isinstance(load_tls_private_key(layout.node_key).curve, ec.SECP256R1)
    assert len(load_oprf_key(layout.oprf_key).public_key) == 32


def test_every_certificate_chains_to_the_ca(js_dir: Path) -> None:
    layout = Layout(js_dir)
    ca = load_certificate(layout.ca_cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ca.verify_directly_issued_by(ca)
    leaves = [layout.node_cert, *(layout.identity_cert(label) for label in LOCAL_IDENTITIES)]
    for path in leaves:
        cert = load_certificate(path)
        cert.verify_directly_issued_by(ca)
        assert cert.not_valid_before_utc <= NOW <= cert.not_valid_after_utc
        # each certificate matches its own key
        key_path = path.with_suffix(".key")
        assert load_tls_private_key(key_path).public_key() == cert.public_key()


def test_init_config_points_at_the_files(js_dir: Path) -> None:
    cfg = load_config(js_dir / "node.toml")
    layout = Layout(js_dir.resolve())
    assert cfg.node.province == "JS"
    assert cfg.node.data_dir == js_dir.resolve()
    assert cfg.node.signing_key_file == layout.signing_key
    assert cfg.ledger.account_key_file == layout.ledger_account
    assert (cfg.tls.ca, cfg.tls.cert, cfg.tls.key) == (
        layout.ca_cert, layout.node_cert, layout.node_key)
    assert cfg.database.url == f"sqlite:///{js_dir.resolve()}/node.db"
    agency = load_certificate(layout.identity_cert("agency"))
    san = agency.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    purposes = [u.rsplit(":", 1)[1] for u in san.get_values_for_type(
        x509.UniformResourceIdentifier) if ":purpose:" in u]
    assert purposes and set(purposes) <= set(cfg.policy.purposes)


def test_init_refuses_an_existing_directory(js_dir: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in js_dir.rglob("*") if p.is_file()}
    with pytest.raises(ConfigError, match=r"node\.toml: already exists; refusing to overwrite"):
        init_node(js_dir, "JS", now=NOW)
    assert {p: p.stat().st_mtime_ns for p in js_dir.rglob("*") if p.is_file()} == before


def test_init_refuses_existing_key_files_before_writing(tmp_path: Path) -> None:
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "node.key").write_text("old")
    with pytest.raises(IdentityFileError, match=r"already holds node files .*node\.key"):
        init_node(tmp_path, "ZJ", now=NOW)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["node.key"]


def test_init_bad_province_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "n"
    with pytest.raises(ConfigError, match=r"node\.province: got 'XX', expected one of AH, JS"):
        init_node(target, "XX", now=NOW)
    assert not target.exists()


def test_init_bad_listen_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"node\.listen: got '127\.0\.0\.1', expected host:port"):
        init_node(tmp_path / "n", "AH", listen="127.0.0.1", now=NOW)


def test_cli_init_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "ah"
    code = main([
        "init", "--province", "AH", "--dir", str(target), "--listen", "127.0.0.1:50071",
        "--database-url", "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "--ledger-url", "http://127.0.0.1:9545",
    ])
    assert code == 0
    out = capsys.readouterr().out
    assert "ca_fingerprint_sha256" in out and "ledger_account" in out
    assert "PRIVATE" not in out
    cfg = load_config(target / "node.toml")
    assert cfg.node.listen == "127.0.0.1:50071"
    assert cfg.database.url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert cfg.ledger.rpc_url == "http://127.0.0.1:9545"
    assert main(["init", "--province", "AH", "--dir", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
