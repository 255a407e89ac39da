"""Decoding revert data into ContractRevert, without a chain."""

from __future__ import annotations

import pickle

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector

from ledger.core import suite_decoder
from ledger.errors import ContractRevert
from ledger.revert import RevertDecoder


def _data(signature: str, types: list[str], values: list[object]) -> str:
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(types, values)).hex()


def test_custom_error_decoded_with_province_as_text() -> None:
    data = _data("WrongSeq(bytes2,uint64,uint64)", ["bytes2", "uint64", "uint64"], [b"JS", 3, 2])
    error = suite_decoder().decode("RecordAnchors", data)
    assert str(error) == "RecordAnchors reverted WrongSeq(province='JS', got=3, want=2)"
    assert (error.contract, error.name) == ("RecordAnchors", "WrongSeq")
    assert error.error_args == {"province": "JS", "got": 3, "want": 2}


def test_hashes_render_as_hex_and_addresses_checksummed() -> None:
    root = bytes(range(32))
    data = _data(
        "WrongPrevRoot(bytes2,uint64,bytes32,bytes32)",
        ["bytes2", "uint64", "bytes32", "bytes32"],
        [b"SH", 4, root, bytes(32)],
    )
    error = suite_decoder().decode("RecordAnchors", data)
    assert f"got=0x{root.hex()}" in str(error)
    assert error.error_args["got"] == root
    account = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
    data = _data("NotMember(address)", ["address"], [account])
    error = suite_decoder().decode("Governance", data)
    assert error.error_args == {"account": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}


def test_require_string_panic_and_unknown() -> None:
    decoder = RevertDecoder([])
    reason = decoder.decode("X", _data("Error(string)", ["string"], ["no way"]))
    assert str(reason) == "X reverted Error(reason='no way')"
    panic = decoder.decode("X", _data("Panic(uint256)", ["uint256"], [0x11]))
    assert (panic.name, panic.error_args) == ("Panic", {"code": "0x11"})
    unknown = decoder.decode("X", "0xdeadbeef00")
    assert unknown.name == "Unknown" and unknown.error_args == {"data": bytes.fromhex("deadbeef00")}
    assert decoder.decode("X", None).name == "Unknown"
    assert decoder.decode("X", "0x12").name == "Unknown"


def test_truncated_arguments_do_not_crash() -> None:
    data = _data("WrongSeq(bytes2,uint64,uint64)", ["bytes2", "uint64", "uint64"], [b"JS", 3, 2])
    error = suite_decoder().decode("RecordAnchors", data[:20])
    assert error.name == "Unknown"


def test_contract_revert_pickles() -> None:
    error = ContractRevert("AuditAnchors", "ConflictingHead", {"province": "SH", "treeSize": 3})
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.name, copy.error_args, str(copy)) == (error.name, error.error_args, str(error))
