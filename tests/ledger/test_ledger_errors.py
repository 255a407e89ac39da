"""One error base for ledger: every failure is a LedgerError, web3's errors do not leak."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from web3.exceptions import BadFunctionCallOutput, Web3RPCError

import ledger.errors
from ledger.deploy import Deployment
from ledger.errors import LedgerError, LedgerUnavailable, MalformedChainData, MalformedInput
from ledger.files import parse_hash32, read_members_file
from ledger.proposals import decode_proposal_data
from ledger.rpc import transport_guard
from ledger.types import ProposalKind, province_from_bytes


def test_every_error_class_is_a_ledger_error() -> None:
    errors = [obj for _, obj in inspect.getmembers(ledger.errors, inspect.isclass)
              if issubclass(obj, BaseException)]
    assert len(errors) >= 8
    assert [e.__name__ for e in errors if not issubclass(e, LedgerError)] == []


def test_bad_input_and_chain_data_stay_value_errors() -> None:
    # They replaced plain ValueErrors that callers (the ledger CLI) catch as such.
    assert issubclass(MalformedInput, ValueError) and issubclass(MalformedChainData, ValueError)


def test_malformed_operator_input_is_malformed_input(tmp_path: Path) -> None:
    with pytest.raises(MalformedInput, match="--node-key: not hex"):
        parse_hash32("0xzz", "--node-key")
    members = tmp_path / "members.json"
    members.write_text(json.dumps([{"province": "js", "account": "0x1"}]))
    with pytest.raises(MalformedInput, match=r"members\.json\[0\]\.province: bad province code"):
        read_members_file(members)
    members.write_text("{")
    with pytest.raises(MalformedInput, match="is not JSON"):
        read_members_file(members)
    with pytest.raises(MalformedInput, match="unreadable"):
        read_members_file(tmp_path / "missing.json")
    with pytest.raises(MalformedInput, match="malformed deployment: want a JSON object"):
        Deployment.from_json([])
    with pytest.raises(MalformedInput, match=r"deployment file .*missing\.json unreadable"):
        Deployment.load(tmp_path / "missing.json")


def test_undecodable_chain_data_is_malformed_chain_data() -> None:
    with pytest.raises(MalformedChainData, match="bad on-chain province code 0x0000"):
        province_from_bytes(b"\x00\x00")
    with pytest.raises(MalformedChainData, match="proposal data of kind ADD_MEMBER does not"):
        decode_proposal_data(ProposalKind.ADD_MEMBER, b"\x01" * 10)


def test_web3_errors_left_unhandled_become_ledger_errors() -> None:
    with pytest.raises(LedgerError, match=r"ledger at http://x refused eth_call: boom") as rpc:
        with transport_guard("http://x", "eth_call"):
            raise Web3RPCError("boom", rpc_response={"error": {"message": "boom"}})
    assert isinstance(rpc.value.__cause__, Web3RPCError)
    with pytest.raises(LedgerError, match="returned no data"):
        with transport_guard("http://x", "Governance.members"):
            raise BadFunctionCallOutput("empty")
    with pytest.raises(LedgerUnavailable, match="unavailable during eth_call"):
        with transport_guard("http://x", "eth_call"):
            raise ConnectionRefusedError("refused")
