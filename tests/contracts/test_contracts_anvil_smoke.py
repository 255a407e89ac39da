"""Smoke test: the committed artifacts deploy on anvil and the main paths work end to end.

The full contract logic is exercised through the Python client in tests/ledger; this only proves
the artifacts are wired as contracts/INTERFACE.md says, and pins anchor gas loosely.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anvil_chains import AnvilLauncher
from eth_abi.abi import encode
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

REPO = Path(__file__).resolve().parents[2]
PROVINCES = [b"SH", b"JS", b"ZJ", b"AH"]
SIG = b"\x01" * 64


@pytest.fixture(scope="module")
def w3(anvil_launcher: AnvilLauncher) -> Iterator[Web3]:
    """A chain of its own (anvil's default accounts, as the contracts' docs assume)."""
    with anvil_launcher.start() as chain:
        yield Web3(Web3.HTTPProvider(chain.rpc_url, request_kwargs={"timeout": 10}))


def _artifact(name: str) -> dict[str, Any]:
    path = REPO / "contracts" / "artifacts" / f"{name}.json"
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def _send(w3: Web3, fn: Any, sender: str) -> Any:
    return w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender}), timeout=10)


def _deploy(w3: Web3, name: str, *args: Any) -> Contract:
    art = _artifact(name)
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    receipt = _send(w3, factory.constructor(*args), _accounts(w3)[0])
    assert receipt.status == 1
    contract: Contract = w3.eth.contract(address=receipt.contractAddress, abi=art["abi"])
    return contract


def _accounts(w3: Web3) -> list[str]:
    return [str(a) for a in w3.eth.accounts]


def _selector(signature: str) -> str:
    return "0x" + Web3.keccak(text=signature)[:4].hex()


def _key(i: int, tag: int) -> bytes:
    return bytes([tag]) * 31 + bytes([i + 1])


@pytest.fixture(scope="module")
def suite(w3: Web3) -> dict[str, Contract]:
    members = _accounts(w3)[1:5]
    gov = _deploy(
        w3,
        "Governance",
        PROVINCES,
        members,
        [_key(i, 1) for i in range(4)],
        [_key(i, 2) for i in range(4)],
        [_key(i, 3) for i in range(4)],
    )
    cat = _deploy(w3, "Catalog", gov.address)
    _send(w3, gov.functions.bindCatalog(cat.address), _accounts(w3)[0])
    return {
        "gov": gov,
        "cat": cat,
        "rec": _deploy(w3, "RecordAnchors", gov.address, cat.address),
        "aud": _deploy(w3, "AuditAnchors", gov.address),
    }


def test_governance_adopts_catalog_at_default_threshold(
    w3: Web3, suite: dict[str, Contract]
) -> None:
    gov, cat = suite["gov"], suite["cat"]
    sh, js, zj = _accounts(w3)[1:4]
    assert (gov.functions.memberCount().call(), gov.functions.threshold().call()) == (4, 3)
    assert gov.functions.provinceOf(js).call() == b"JS"

    _send(w3, gov.functions.propose(3, encode(["uint32", "bytes32"], [1, b"\x11" * 32])), sh)
    _send(w3, gov.functions.approve(1), js)
    assert cat.functions.currentVersion().call() == 0
    receipt = _send(w3, gov.functions.approve(1), zj)

    assert cat.events.CatalogAdopted().process_receipt(receipt, errors=DISCARD)[0].args.version == 1
    assert cat.functions.documentHash(1).call() == b"\x11" * 32
    kind, _data, proposer, approvals, executed = gov.functions.proposal(1).call()
    assert (kind, proposer, approvals, executed) == (3, sh, 3, True)


def test_anchor_batches_chain_and_gas(w3: Web3, suite: dict[str, Contract]) -> None:
    rec, js = suite["rec"], _accounts(w3)[2]
    roots = [bytes([n]) * 32 for n in (1, 2, 3)]
    gas = []
    prev = b"\x00" * 32
    for seq, root in enumerate(roots, start=1):
        receipt = _send(w3, rec.functions.anchorBatch(seq, root, seq * 100, prev, 1, SIG), js)
        event = rec.events.BatchAnchored().process_receipt(receipt)[0].args
        assert (event.province, event.seq, event.root, event.prevRoot) == (b"JS", seq, root, prev)
        gas.append(receipt.gasUsed)
        prev = root

    assert rec.functions.latestBatch(b"JS").call() == [3, roots[2], 300]
    root2, size2, block2 = rec.functions.batch(b"JS", 2).call()
    assert (root2, size2, block2 > 0) == (roots[1], 200, True)
    assert rec.functions.isAnchored(b"JS", 2, roots[1]).call()
    assert not rec.functions.isAnchored(b"JS", 2, roots[0]).call()
    # Loose bounds (measured ~108k first, then 88k / 71k alternating): catches a storage blow-up.
    assert gas[0] < 120_000 and max(gas[1:]) < 95_000, gas


def test_anchor_refusals_carry_named_errors(w3: Web3, suite: dict[str, Contract]) -> None:
    rec, zj, outsider = suite["rec"], _accounts(w3)[3], _accounts(w3)[9]
    with pytest.raises(ContractCustomError) as wrong_seq:
        rec.functions.anchorBatch(2, b"\x05" * 32, 10, b"\x00" * 32, 1, SIG).call({"from": zj})
    assert str(wrong_seq.value.data).startswith(_selector("WrongSeq(bytes2,uint64,uint64)"))

    with pytest.raises(ContractCustomError) as not_member:
        rec.functions.anchorBatch(1, b"\x05" * 32, 10, b"\x00" * 32, 1, SIG).call(
            {"from": outsider}
        )
    assert str(not_member.value.data).startswith(_selector("NotMember(address)"))

    with pytest.raises(ContractCustomError) as not_adopted:
        rec.functions.anchorBatch(1, b"\x05" * 32, 10, b"\x00" * 32, 7, SIG).call({"from": zj})
    assert str(not_adopted.value.data).startswith(_selector("CatalogVersionNotAdopted(uint32)"))


def test_audit_head_is_witnessed_by_a_peer_only(w3: Web3, suite: dict[str, Contract]) -> None:
    aud = suite["aud"]
    sh, js = _accounts(w3)[1:3]
    root = b"\x42" * 32
    _send(w3, aud.functions.anchorHead(10, root, SIG), sh)
    with pytest.raises(ContractCustomError) as self_witness:
        aud.functions.witness(b"SH", 10, root, SIG).call({"from": sh})
    assert str(self_witness.value.data).startswith(_selector("CannotWitnessSelf()"))

    receipt = _send(w3, aud.functions.witness(b"SH", 10, root, SIG), js)

    assert aud.events.AuditHeadWitnessed().process_receipt(receipt)[0].args.witness == b"JS"
    assert aud.functions.latestHead(b"SH").call() == [10, root]
    assert aud.functions.witnessCount(b"SH", 10).call() == 1
    with pytest.raises(ContractCustomError) as conflict:
        aud.functions.anchorHead(10, b"\x43" * 32, SIG).call({"from": sh})
    assert str(conflict.value.data).startswith(_selector("ConflictingHead(bytes2,uint64)"))


def test_deployed_code_equals_artifact_outside_immutables(
    w3: Web3, suite: dict[str, Contract]
) -> None:
    names = {"gov": "Governance", "cat": "Catalog", "rec": "RecordAnchors", "aud": "AuditAnchors"}
    for key, name in names.items():
        art = _artifact(name)
        expected = bytearray(bytes.fromhex(art["deployedBytecode"][2:]))
        onchain = bytearray(w3.eth.get_code(suite[key].address))
        assert len(onchain) == len(expected), name
        for ranges in art["immutableReferences"].values():
            for r in ranges:
                span = slice(r["start"], r["start"] + r["length"])
                assert expected[span] == bytes(r["length"]), f"{name}: immutable not zeroed"
                onchain[span] = bytes(r["length"])
        assert onchain == expected, f"{name}: on-chain code differs from its artifact"
