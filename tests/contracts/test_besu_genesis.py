"""The production Besu QBFT files in deploy/besu agree with each other and with Besu's format."""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import rlp  # type: ignore[import-untyped]
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

BESU = Path(__file__).resolve().parents[2] / "deploy" / "besu"
PROVINCES = ["SH", "JS", "ZJ", "AH"]

# The extraData of the example genesis in Besu's QBFT documentation
# (besu-docs, private-networks/how-to/configure/consensus/qbft.md) and its four validators.
BESU_DOC_EXTRA_DATA = (
    "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e626"
    "3b7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f4"
    "33e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0"
)
BESU_DOC_VALIDATORS = [
    "0x64a702e6263b7297a96638cac6ae65e6541f4169",
    "0x3923390ad55e90c237593b3b0e401f3b08a03185",
    "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
    "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78",
]


def _load_make_genesis() -> ModuleType:
    spec = importlib.util.spec_from_file_location("besu_make_genesis", BESU / "make_genesis.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


mg = _load_make_genesis()


def _json(name: str) -> Any:
    return json.loads((BESU / name).read_text(encoding="utf-8"))


def _validators_doc() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _json("validators.json")["validators"]
    return entries


def test_genesis_has_qbft_config_chain_id_and_free_gas() -> None:
    genesis = _json("genesis.json")
    config = genesis["config"]
    qbft = config["qbft"]
    assert set(qbft) == {"blockperiodseconds", "epochlength", "requesttimeoutseconds"}
    assert all(isinstance(v, int) and v > 0 for v in qbft.values())
    assert qbft["requesttimeoutseconds"] > qbft["blockperiodseconds"]
    assert isinstance(config["chainId"], int) and config["chainId"] not in (0, 1, 1337, 31337)
    assert config["londonBlock"] == 0 and config["zeroBaseFee"] is True
    assert genesis["alloc"] == {}
    assert 10_000_000 <= int(genesis["gasLimit"], 16) <= 2**53
    assert genesis["mixHash"] == mg.BFT_MIX_HASH
    assert bytes.fromhex(mg.BFT_MIX_HASH[2:]) == b"ctical byzantine fault tolerance"
    assert genesis["difficulty"] == "0x1"


def test_extra_data_decodes_to_the_documented_validators() -> None:
    extra = bytes.fromhex(_json("genesis.json")["extraData"][2:])
    vanity, validators, vote, round_, seals = rlp.decode(extra)

    assert vanity == bytes(32)
    assert (vote, round_, seals) == ([], b"", [])
    addresses = [to_checksum_address(a) for a in validators]
    assert len(addresses) == 4
    documented = _validators_doc()
    assert [v["province"] for v in documented] == PROVINCES
    assert addresses == [to_checksum_address(v["address"]) for v in documented]


def test_documented_addresses_belong_to_their_node_public_keys() -> None:
    for entry in _validators_doc():
        public_key = bytes.fromhex(entry["nodePublicKey"][2:])
        assert len(public_key) == 64
        derived = to_checksum_address(keccak(public_key)[-20:])
        assert derived == entry["address"], entry["province"]


def test_encoder_reproduces_besu_documented_extra_data() -> None:
    assert mg.qbft_extra_data(BESU_DOC_VALIDATORS) == BESU_DOC_EXTRA_DATA


def test_committed_files_are_what_make_genesis_builds() -> None:
    validators = mg.parse_validators(_json("validators.json"), "validators.json")
    for name, text in mg.outputs(validators, mg.ChainParams()).items():
        assert (BESU / name).read_text(encoding="utf-8") == text, f"{name}: rerun make_genesis.py"
    assert mg.main(["--check"]) == 0


def test_static_nodes_dial_every_validator() -> None:
    enodes = _json("static-nodes.json")
    expected = [
        f"enode://{v['nodePublicKey'][2:]}@{v['host']}:{v['p2pPort']}" for v in _validators_doc()
    ]
    assert enodes == expected


def test_mismatched_address_is_refused_naming_the_entry() -> None:
    document = _json("validators.json")
    document["validators"][2]["address"] = document["validators"][3]["address"]
    with pytest.raises(ValueError, match=r"validators\[2\]\.address is 0x456E.* belongs to 0x8240"):
        mg.parse_validators(document, "v.json")


def test_duplicate_province_is_refused() -> None:
    document = _json("validators.json")
    document["validators"].append(dict(document["validators"][0]))
    with pytest.raises(ValueError, match="duplicate province SH"):
        mg.parse_validators(document, "v.json")


@pytest.mark.parametrize("province", PROVINCES)
def test_node_config_is_a_full_sync_free_gas_tls_validator(province: str) -> None:
    p = province.lower()
    config = tomllib.loads((BESU / "nodes" / p / "config.toml").read_text(encoding="utf-8"))
    entry = next(v for v in _validators_doc() if v["province"] == province)

    assert config["genesis-file"] == "/etc/besu/genesis.json"
    assert config["data-path"] == f"/var/lib/besu/{p}"
    assert config["node-private-key-file"] == f"/etc/besu/{p}/key"
    assert config["sync-mode"] == "FULL"
    assert config["min-gas-price"] == 0 and config["tx-pool-min-gas-price"] == 0
    assert config["rpc-http-enabled"] is True and config["rpc-http-tls-enabled"] is True
    assert config["rpc-http-api"] == ["ETH", "NET", "QBFT", "WEB3"]
    assert config["host-allowlist"] and "*" not in config["host-allowlist"]
    assert config["discovery-enabled"] is False
    assert config["static-nodes-file"] == "/etc/besu/static-nodes.json"
    assert (config["p2p-host"], config["p2p-port"]) == (entry["host"], entry["p2pPort"])


def test_systemd_unit_starts_the_instance_config() -> None:
    unit = (BESU / "besu-validator@.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/besu/bin/besu --config-file=/etc/besu/%i/config.toml" in unit
    assert "User=besu" in unit
