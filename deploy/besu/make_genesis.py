"""Build the Besu QBFT genesis file and static-nodes list of the 征信链 from validators.json.

    python deploy/besu/make_genesis.py           # rewrite genesis.json and static-nodes.json
    python deploy/besu/make_genesis.py --check   # exit 1 if the committed files differ
    python deploy/besu/make_genesis.py --validators v.json --out-dir /etc/besu --chain-id 3344

validators.json lists one validator per province: its node public key (what
`besu public-key export` prints), the validator address derived from it (what
`besu public-key export-address` prints; checked here, so a mismatched pair is refused),
and the host and port other validators dial. The genesis `extraData` is the RLP of
[32-byte vanity, [validator addresses], no vote, round 0, no seals], exactly what Besu's
`QbftExtraDataCodec.encodeFromAddresses` writes, in the order of the file.

Exit codes: 0 ok, 1 drift found (--check), 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rlp  # type: ignore[import-untyped]
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

HERE = Path(__file__).resolve().parent
# The mixHash Besu requires of BFT blocks (ASCII "ctical byzantine fault tolerance").
BFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"


@dataclass(frozen=True)
class Validator:
    """One province's validator node."""

    province: str
    region_code: str
    address: str
    node_public_key: bytes
    host: str
    p2p_port: int


@dataclass(frozen=True)
class ChainParams:
    """Network settings written into the genesis `config` object.

    chain_id differs from anvil's 31337 and the common dev 1337, so a transaction signed for
    a development chain cannot be replayed here (EIP-155). A 2 s block period with a 6 s round
    timeout leaves room for inter-province latency; 30 M gas per block is ~350 anchors.
    """

    chain_id: int = 3344
    block_period_seconds: int = 2
    request_timeout_seconds: int = 6
    epoch_length: int = 30000
    gas_limit: int = 30_000_000


def address_of(node_public_key: bytes) -> str:
    """The account address of a secp256k1 public key (64 bytes, no 0x04 prefix)."""
    if len(node_public_key) != 64:
        raise ValueError(f"node public key must be 64 bytes, got {len(node_public_key)}")
    return to_checksum_address(keccak(node_public_key)[-20:])


def _hex_bytes(value: object, where: str, length: int) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"{where}: want 0x-hex of {length} bytes")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError as exc:
        raise ValueError(f"{where}: not hex") from exc
    if len(raw) != length:
        raise ValueError(f"{where}: got {len(raw)} bytes, want {length}")
    return raw


def parse_validator(entry: object, where: str) -> Validator:
    """One validators.json entry; raises ValueError naming the defective field."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: want a JSON object")
    province = entry.get("province")
    if not isinstance(province, str) or len(province) != 2 or not province.isupper():
        raise ValueError(f"{where}.province: want a two-letter upper-case code, got {province!r}")
    region = entry.get("regionCode")
    if not isinstance(region, str) or len(region) != 6 or not region.isdigit():
        raise ValueError(f"{where}.regionCode: want six digits, got {region!r}")
    public_key = _hex_bytes(entry.get("nodePublicKey"), f"{where}.nodePublicKey", 64)
    _hex_bytes(entry.get("address"), f"{where}.address", 20)
    address = to_checksum_address(str(entry["address"]))
    derived = address_of(public_key)
    if address != derived:
        raise ValueError(
            f"{where}.address is {address} but nodePublicKey belongs to {derived}: "
            "take both from the same `besu public-key` run"
        )
    host = entry.get("host")
    if not isinstance(host, str) or not host or any(c in host for c in "@:/ "):
        raise ValueError(f"{where}.host: want an IP address, got {host!r}")
    port = entry.get("p2pPort")
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise ValueError(f"{where}.p2pPort: want 1..65535, got {port!r}")
    return Validator(province, region, address, public_key, host, port)


def parse_validators(document: object, where: str) -> list[Validator]:
    """The validators of a validators.json document: non-empty, provinces and addresses unique."""
    entries = document.get("validators") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: want an object with a non-empty 'validators' list")
    validators = [parse_validator(e, f"{where}.validators[{i}]") for i, e in enumerate(entries)]
    for field in ("province", "address"):
        values = [getattr(v, field) for v in validators]
        duplicates = sorted({x for x in values if values.count(x) > 1})
        if duplicates:
            raise ValueError(f"{where}: duplicate {field} {', '.join(duplicates)}")
    return validators


def qbft_extra_data(addresses: Sequence[str]) -> str:
    """The genesis extraData naming `addresses` as the initial QBFT validators."""
    raw = [bytes.fromhex(to_checksum_address(a)[2:]) for a in addresses]
    return "0x" + bytes(rlp.encode([bytes(32), raw, [], b"", []])).hex()


def genesis(validators: Sequence[Validator], params: ChainParams) -> dict[str, Any]:
    """The genesis document: QBFT, London rules with a zero base fee (free gas), no allocations."""
    return {
        "config": {
            "chainId": params.chain_id,
            "berlinBlock": 0,
            "londonBlock": 0,
            "zeroBaseFee": True,
            "qbft": {
                "blockperiodseconds": params.block_period_seconds,
                "epochlength": params.epoch_length,
                "requesttimeoutseconds": params.request_timeout_seconds,
            },
        },
        "nonce": "0x0",
        "timestamp": "0x0",
        "extraData": qbft_extra_data([v.address for v in validators]),
        "gasLimit": hex(params.gas_limit),
        "difficulty": "0x1",
        "mixHash": BFT_MIX_HASH,
        "coinbase": "0x" + "00" * 20,
        "alloc": {},
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": "0x" + "00" * 32,
    }


def static_nodes(validators: Sequence[Validator]) -> list[str]:
    """The enode URL of every validator, for each node's static-nodes.json."""
    return [f"enode://{v.node_public_key.hex()}@{v.host}:{v.p2p_port}" for v in validators]


def render(document: object) -> str:
    """The file text: 2-space JSON in construction order, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def outputs(validators: Sequence[Validator], params: ChainParams) -> dict[str, str]:
    """File name -> text of everything this script writes."""
    return {
        "genesis.json": render(genesis(validators, params)),
        "static-nodes.json": render(static_nodes(validators)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the Besu QBFT genesis and static-nodes list from validators.json."
    )
    parser.add_argument("--validators", type=Path, default=HERE / "validators.json")
    parser.add_argument("--out-dir", type=Path, default=HERE)
    parser.add_argument("--chain-id", type=int, default=ChainParams.chain_id)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    try:
        document = json.loads(args.validators.read_text(encoding="utf-8"))
        validators = parse_validators(document, str(args.validators))
    except (OSError, ValueError) as exc:
        print(f"make_genesis: {exc}", file=sys.stderr)
        return 2
    files = outputs(validators, ChainParams(chain_id=args.chain_id))
    if args.check:
        stale = [n for n, t in files.items() if not _same(args.out_dir / n, t)]
        for name in stale:
            print(f"make_genesis: {args.out_dir / name} differs from {args.validators}",
                  file=sys.stderr)
        return 1 if stale else 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out_dir / name).write_text(text, encoding="utf-8")
        print(f"wrote {args.out_dir / name}")
    return 0


def _same(path: Path, text: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == text


if __name__ == "__main__":
    sys.exit(main())
