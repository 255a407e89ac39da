"""node.toml: defaults, round trip, and refusals that name the key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from node.config import (
    ConfigError,
    NodeConfig,
    ca_files,
    config_to_dict,
    load_config,
    write_config,
)
from node.config_schema import (
    DatabaseSection,
    LedgerSection,
    NodeSection,
    PeerConfig,
    PurposePolicy,
    TlsSection,
)

FULL = """
[node]
province = "JS"
listen = "127.0.0.1:50051"

[database]
url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

[ledger]
rpc_url = "http://127.0.0.1:8545"
chain_id = 1337
confirmations = 0
timeout_seconds = 5

[ledger.contracts]
Governance = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
RecordAnchors = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"

[tls]
ca = "tls/ca.pem"
trusted_cas = { SH = "peers/sh-ca.pem", ZJ = "/etc/yrd/zj-ca.pem" }

[[peers]]
province = "SH"
address = "127.0.0.1:50052"

[[peers]]
province = "ZJ"
address = "node.zj.example:443"
ca = "/etc/yrd/zj-ca.pem"

[batch]
interval_seconds = 0.5
max_records = 1000

[policy.purposes.credit_report]
fields = ["CF_XDR_MC", "CF_XDR_ZJHM"]
description = "信用报告"

[policy.purposes.supervision]
fields = ["CF_XDR_MC"]
id_numbers = true
grant_for_non_public = false

[metrics]
listen = "127.0.0.1:9464"

[audit]
checkpoint_interval_seconds = 30
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "node.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_gets_the_defaults(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, '[node]\nprovince = "SH"\n'))
    base = tmp_path.resolve()
    assert cfg.node == NodeSection(
        province="SH", data_dir=base, listen="127.0.0.1:0",
        signing_key_file=base / "keys/node_signing.key",
        master_key_file=base / "keys/master.key",
    )
    assert cfg.database.url == f"sqlite:///{base}/node.db"
    assert cfg.ledger == LedgerSection(account_key_file=base / "keys/ledger_account.key")
    assert cfg.tls == TlsSection(ca=base / "tls/ca.pem", cert=base / "tls/node.pem",
                                 key=base / "tls/node.key")
    assert cfg.batch.interval_seconds == 1.0 and cfg.batch.max_records == 50000
    assert cfg.batch.target_records == 10000 and cfg.batch.max_delay_seconds == 30.0
    assert cfg.metrics.listen == "" and cfg.audit.checkpoint_interval_seconds == 60.0
    assert {"credit_report", "lending_review"} <= set(cfg.policy.purposes)
    assert cfg.peers == ()


def test_full_file(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, FULL))
    base = tmp_path.resolve()
    assert cfg.ledger.chain_id == 1337 and cfg.ledger.timeout_seconds == 5.0
    assert isinstance(cfg.ledger.timeout_seconds, float)
    assert cfg.ledger.contracts["RecordAnchors"].endswith("0512")
    assert cfg.tls.trusted_cas == {"SH": base / "peers/sh-ca.pem",
                                   "ZJ": Path("/etc/yrd/zj-ca.pem")}
    assert cfg.peers == (
        PeerConfig("SH", "127.0.0.1:50052", base / "peers/sh-ca.pem"),  # from trusted_cas
        PeerConfig("ZJ", "node.zj.example:443", Path("/etc/yrd/zj-ca.pem")),
    )
    assert cfg.policy.purposes == {
        "credit_report": PurposePolicy(("CF_XDR_MC", "CF_XDR_ZJHM"), False, True, "信用报告"),
        "supervision": PurposePolicy(("CF_XDR_MC",), True, False, ""),
    }
    assert ca_files(cfg) == {"JS": base / "tls/ca.pem", "SH": base / "peers/sh-ca.pem",
                             "ZJ": Path("/etc/yrd/zj-ca.pem")}


def test_round_trip(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, FULL))
    out = tmp_path / "copy" / "node.toml"
    out.parent.mkdir()
    write_config(cfg, out)
    assert load_config(out) == cfg
    text = out.read_text(encoding="utf-8")
    assert str(tmp_path.resolve() / "tls") in text  # outside copy/: stays absolute


def test_written_paths_are_relative_and_default_url_omitted(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, '[node]\nprovince = "AH"\n'))
    doc = config_to_dict(cfg, tmp_path)
    assert doc["node"]["data_dir"] == "."
    assert doc["tls"]["cert"] == "tls/node.pem"
    assert "url" not in doc["database"]
    moved = tmp_path / "moved"
    moved.mkdir()
    write_config(cfg, moved / "node.toml")  # paths now outside: written absolute
    assert load_config(moved / "node.toml") == cfg


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    path = _write(tmp_path, '[node]\nprovince = "AH"\n')
    cfg = load_config(path)
    with pytest.raises(ConfigError, match=r"node\.toml: already exists; refusing to overwrite"):
        write_config(cfg, path)
    write_config(dataclasses.replace(cfg, database=DatabaseSection("sqlite:////x.db")), path,
                 overwrite=True)
    assert load_config(path).database.url == "sqlite:////x.db"


def test_constructed_config_writes_and_loads(tmp_path: Path) -> None:
    cfg = NodeConfig(node=NodeSection(province="ZJ", data_dir=tmp_path.resolve()))
    write_config(cfg, tmp_path / "node.toml")
    loaded = load_config(tmp_path / "node.toml")
    assert loaded.node.province == "ZJ"
    assert loaded.database.url == f"sqlite:///{tmp_path.resolve()}/node.db"


BAD = [
    ('[node]\nprovince = "JS"\nprovnce = "x"\n',
     r"unknown key 'node\.provnce'; expected one of province, data_dir, listen"),
    ('[node]\nprovince = "JS"\n[nodes]\n', r"unknown key 'nodes'; expected one of node, "),
    ('[node]\nprovince = "JS"\n[[peers]]\nprovince = "SH"\naddress = "h:1"\nca = "c"\nport = 1\n',
     r"unknown key 'peers\[0\]\.port'"),
    ('[node]\nprovince = "JS"\n[ledger.contracts]\n'
     'Governor = "0x5FbDB2315678afecb367f032d93F642f64180aa3"\n',
     r"ledger\.contracts: unknown contract 'Governor'; expected Governance, Catalog"),
    ("[database]\nurl = \"\"\n", r"missing required key 'node\.province'"),
    ("[node]\nlisten = \"127.0.0.1:1\"\n", r"missing required key 'node\.province'"),
    ('[node]\nprovince = "XX"\n', r"node\.province: got 'XX', expected one of AH, JS, SH, ZJ"),
    ('[node]\nprovince = 32\n', r"node\.province: got int 32, expected str"),
    ('[node]\nprovince = "JS"\nlisten = "127.0.0.1:70000"\n',
     r"node\.listen: got '127\.0\.0\.1:70000', expected host:port with a port 0-65535"),
    ('[node]\nprovince = "JS"\n[database]\nurl = "mysql://x"\n',
     r"database\.url: got 'mysql://x', expected sqlite:///PATH or postgresql"),
    ('[node]\nprovince = "JS"\n[ledger]\nrpc_url = "127.0.0.1:8545"\n',
     r"ledger\.rpc_url: got '127\.0\.0\.1:8545', expected an http\(s\)://"),
    ('[node]\nprovince = "JS"\n[ledger]\nchain_id = true\n',
     r"ledger\.chain_id: got bool True, expected int"),
    ('[node]\nprovince = "JS"\n[ledger]\nconfirmations = -1\n',
     r"ledger\.confirmations: got -1, expected an integer >= 0"),
    ('[node]\nprovince = "JS"\n[ledger.contracts]\nCatalog = "0x1234"\n',
     r"ledger\.contracts: contract Catalog: expected a 0x-prefixed 40-hex-digit address"),
    ('[node]\nprovince = "JS"\n[batch]\ninterval_seconds = 0\n',
     r"batch\.interval_seconds: got 0\.0, expected a number > 0"),
    ('[node]\nprovince = "JS"\n[batch]\nmax_records = 2000000\n',
     r"batch\.max_records: got 2000000, expected an integer from 1 to 1000000"),
    ('[node]\nprovince = "JS"\n[batch]\ninterval_seconds = "1s"\n',
     r"batch\.interval_seconds: got str '1s', expected float"),
    ('[node]\nprovince = "JS"\n[tls]\ncert = ""\n',
     r"tls\.cert: got '', expected a non-empty path string"),
    ('[node]\nprovince = "JS"\n[tls.trusted_cas]\nXX = "a.pem"\n',
     r"tls\.trusted_cas: unknown province 'XX'"),
    ('[node]\nprovince = "JS"\n[tls.trusted_cas]\nJS = "a.pem"\n',
     r"tls\.trusted_cas\.JS: the own province's CA is tls\.ca"),
    ('peers = "SH"\n[node]\nprovince = "JS"\n', r"peers: got str, expected an array"),
    ('[node]\nprovince = "JS"\n[[peers]]\nprovince = "SH"\naddress = "h:0"\nca = "c"\n',
     r"peers\[0\]\.address: got 'h:0', expected a port 1-65535 to dial"),
    ('[node]\nprovince = "JS"\n[[peers]]\nprovince = "JS"\naddress = "h:1"\nca = "c"\n',
     r"peers\[0\]\.province: got 'JS', a peer must be another province"),
    ('[node]\nprovince = "JS"\n[[peers]]\nprovince = "SH"\naddress = "h:1"\n',
     r"peers\[0\]\.ca: missing, and tls\.trusted_cas has no CA for SH"),
    ('[node]\nprovince = "JS"\n[[peers]]\nprovince = "SH"\naddress = "h:1"\nca = "c"\n'
     '[[peers]]\nprovince = "SH"\naddress = "h:2"\nca = "c"\n',
     r"peers\[1\]\.province: 'SH' is listed twice"),
    ('[node]\nprovince = "JS"\n[tls.trusted_cas]\nSH = "a.pem"\n'
     '[[peers]]\nprovince = "SH"\naddress = "h:1"\nca = "b.pem"\n',
     r"peers\[0\]\.ca: .*b\.pem differs from tls\.trusted_cas\.SH"),
    ('[node]\nprovince = "JS"\n[policy.purposes.credit_report]\nfields = ["CF_NOPE"]\n',
     r"policy\.purposes\.credit_report\.fields: unknown field code\(s\) CF_NOPE"),
    ('[node]\nprovince = "JS"\n[policy.purposes.credit_report]\nid_numbers = true\n',
     r"missing required key 'policy\.purposes\.credit_report\.fields'"),
    ('[node]\nprovince = "JS"\n[policy.purposes."Credit Report"]\nfields = []\n',
     r"policy\.purposes: purpose name 'Credit Report': expected lowercase"),
    ('[node]\nprovince = "JS"\n[policy.purposes.x]\nfields = []\nid_numbers = "yes"\n',
     r"policy\.purposes\.x\.id_numbers: got str 'yes', expected bool"),
    ('[node]\nprovince = "JS"\n[metrics]\nlisten = "nope"\n',
     r"metrics\.listen: got 'nope', expected host:port"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_files_are_refused_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ")


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"node\.toml: not valid TOML"):
        load_config(_write(tmp_path, "[node\n"))
    with pytest.raises(ConfigError, match=r"absent\.toml: no such config file"):
        load_config(tmp_path / "absent.toml")
