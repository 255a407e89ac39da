"""Pure parts of the ledger package: provinces, proposal data, artifacts, events, files."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from eth_account import Account
from ledger_helpers import MEMBERS, digest

from crypto.errors import KeyFileError
from ledger.artifacts import CONTRACT_NAMES, load_artifact, parse_artifact
from ledger.deploy import Deployment
from ledger.errors import ArtifactError
from ledger.event_types import EVENT_CLASSES, Event, snake_case
from ledger.files import create_account_key_file, member_to_json, read_key_file, read_members_file
from ledger.proposals import (
    decode_proposal_data,
    encode_adopt_catalog,
    encode_member,
    encode_remove_member,
)
from ledger.report import jsonable
from ledger.types import ProposalKind, province_from_bytes, province_to_bytes


def test_province_codes() -> None:
    assert province_to_bytes("JS") == b"JS"
    assert province_from_bytes(b"AH") == "AH"
    for bad in ("js", "J", "JSX", "上海"):
        with pytest.raises(ValueError, match="bad province code"):
            province_to_bytes(bad)
    with pytest.raises(ValueError, match="0x0000"):
        province_from_bytes(bytes(2))


def test_proposal_data_round_trips() -> None:
    member = MEMBERS[2]
    params = decode_proposal_data(ProposalKind.ADD_MEMBER, encode_member(member))
    assert params == {
        "province": "ZJ", "account": member.account, "node_key": member.node_key,
        "oprf_key_commitment": member.oprf_key_commitment,
        "tls_ca_fingerprint": member.tls_ca_fingerprint,
    }
    assert len(encode_member(member)) == 160  # INTERFACE.md data lengths
    assert decode_proposal_data(ProposalKind.REMOVE_MEMBER, encode_remove_member("AH")) == {
        "province": "AH"}
    adopt = encode_adopt_catalog(7, digest("doc"))
    assert len(adopt) == 64
    assert decode_proposal_data(ProposalKind.ADOPT_CATALOG, adopt)["version"] == 7
    with pytest.raises(ValueError, match="catalog version must be in 1"):
        encode_adopt_catalog(0, digest("doc"))
    with pytest.raises(ValueError, match="must be 32 bytes, got 31"):
        encode_adopt_catalog(1, digest("doc")[:31])
    with pytest.raises(ValueError, match="does not decode"):
        decode_proposal_data(ProposalKind.ADD_MEMBER, b"\x01" * 10)


def test_every_abi_event_has_a_matching_dataclass() -> None:
    seen = set()
    for name in CONTRACT_NAMES:
        for entry in load_artifact(name).abi:
            if entry.get("type") != "event":
                continue
            cls = EVENT_CLASSES[entry["name"]]
            own = [f.name for f in fields(cls)][len(fields(Event)):]
            assert own == [snake_case(i["name"]) for i in entry["inputs"]], entry["name"]
            seen.add(entry["name"])
    assert seen == set(EVENT_CLASSES)


def test_artifact_errors_name_the_defect(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"Nope.json not found: build the contracts"):
        load_artifact("Nope", tmp_path)
    (tmp_path / "Bad.json").write_text("{")
    with pytest.raises(ArtifactError, match="not JSON"):
        load_artifact("Bad", tmp_path)
    with pytest.raises(ArtifactError, match="'abi' must be a list"):
        parse_artifact("X", {"bytecode": "0x6000"}, "x")
    with pytest.raises(ArtifactError, match="contractName is 'Y', want 'X'"):
        parse_artifact("X", {"contractName": "Y", "abi": [], "bytecode": "0x6000"}, "x")
    with pytest.raises(ArtifactError, match="not hex"):
        parse_artifact("X", {"abi": [], "bytecode": "0xzz00"}, "x")


def test_key_file_must_be_private(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("0x" + "ab" * 32 + "\n")
    key.chmod(0o644)
    with pytest.raises(KeyFileError, match=r"mode 0644: .*Fix with: chmod 600"):
        read_key_file(key)
    key.chmod(0o600)
    assert read_key_file(key) == "0x" + "ab" * 32
    key.write_text("0x1234")
    with pytest.raises(KeyFileError, match="want 0x followed by 64 hex digits") as bad:
        read_key_file(key)
    assert "1234" not in str(bad.value)
    with pytest.raises(KeyFileError, match="does not exist"):
        read_key_file(tmp_path / "missing")
    key.write_text("0x" + "00" * 32)
    with pytest.raises(KeyFileError, match="not a valid secp256k1 key"):
        read_key_file(key)


def test_account_key_file_created_0600_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "acct.key"
    address = create_account_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert Account.from_key(read_key_file(path)).address == address
    with pytest.raises(KeyFileError, match="already exists; refusing to overwrite"):
        create_account_key_file(path)


def test_members_file(tmp_path: Path) -> None:
    path = tmp_path / "members.json"
    path.write_text(json.dumps([member_to_json(m) for m in MEMBERS]))
    assert read_members_file(path) == MEMBERS
    path.write_text(json.dumps({"members": [{**member_to_json(MEMBERS[0]), "node_key": "0x12"}]}))
    with pytest.raises(ValueError, match=r"members.json\[0\].node_key: want 32 bytes, got 1"):
        read_members_file(path)
    path.write_text("[]")
    with pytest.raises(ValueError, match="non-empty JSON list"):
        read_members_file(path)


def test_deployment_file_round_trip(tmp_path: Path) -> None:
    addresses = {name: "0x" + f"{i + 1:040x}" for i, name in enumerate(CONTRACT_NAMES)}
    deployment = Deployment.from_json({"addresses": addresses, "block": 3, "chain_id": 31337})
    deployment.save(tmp_path / "d.json")
    assert Deployment.load(tmp_path / "d.json") == deployment
    with pytest.raises(ValueError, match=r"addresses\.Catalog is not an address"):
        Deployment.from_json({"addresses": {**addresses, "Catalog": "0x12"}, "block": 1,
                              "chain_id": 1})


def test_jsonable() -> None:
    assert jsonable({"k": [MEMBERS[0]], "kind": ProposalKind.ADOPT_CATALOG}) == {
        "k": [member_to_json(MEMBERS[0])], "kind": "ADOPT_CATALOG"}
