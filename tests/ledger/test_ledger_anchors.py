"""Record-batch anchoring and the catalog against a real anvil."""

from __future__ import annotations

import pytest
from ledger_helpers import KEYS, SIG, address_of, adopt_catalog, digest
from web3.exceptions import Web3RPCError

from ledger.client import LedgerClient
from ledger.errors import ContractRevert

Clients = dict[str, LedgerClient]
ZERO = bytes(32)


def test_consecutive_batches_anchor(adopted: Clients) -> None:
    js = adopted["JS"]
    first = js.anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    assert first.gas_used > 21_000 and first.tx_hash.startswith("0x")
    js.anchor_batch(2, digest("js-2"), 25, digest("js-1"), 1, SIG)
    latest = adopted["SH"].latest_batch("JS")
    assert (latest.seq, latest.root, latest.size) == (2, digest("js-2"), 25)
    assert adopted["SH"].is_anchored("JS", 1, digest("js-1"))
    assert adopted["SH"].is_anchored("JS", 2, digest("js-2"))
    assert not adopted["SH"].is_anchored("JS", 2, digest("js-1"))
    assert not adopted["SH"].is_anchored("JS", 3, digest("js-2"))
    assert adopted["SH"].anchor_sender("JS", 2) == address_of(KEYS["JS"])
    assert adopted["SH"].anchor_sender("JS", 3) is None
    root, size, block = adopted["SH"].batch("JS", 1)
    assert (root, size, block) == (digest("js-1"), 10, first.block_number)
    assert adopted["SH"].anchor_tx("JS", 1) == (bytes.fromhex(first.tx_hash[2:]),
                                                first.block_number)
    assert adopted["SH"].anchor_tx("JS", 3) is None


def test_wrong_seq_refused(adopted: Clients) -> None:
    js = adopted["JS"]
    with pytest.raises(ContractRevert) as refused:
        js.anchor_batch(2, digest("js-1"), 10, ZERO, 1, SIG)
    assert str(refused.value) == "RecordAnchors reverted WrongSeq(province='JS', got=2, want=1)"
    js.anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    with pytest.raises(ContractRevert, match=r"WrongSeq\(province='JS', got=3, want=2\)"):
        js.anchor_batch(3, digest("js-3"), 30, digest("js-1"), 1, SIG)


def test_wrong_prev_root_refused(adopted: Clients) -> None:
    js = adopted["JS"]
    js.anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    with pytest.raises(ContractRevert) as refused:
        js.anchor_batch(2, digest("js-2"), 20, digest("not-js-1"), 1, SIG)
    assert refused.value.name == "WrongPrevRoot"
    assert refused.value.error_args == {
        "province": "JS", "seq": 2, "got": digest("not-js-1"), "want": digest("js-1")
    }
    assert f"want=0x{digest('js-1').hex()}" in str(refused.value)
    with pytest.raises(ContractRevert, match=r"SizeNotIncreasing\(got=10, last=10\)"):
        js.anchor_batch(2, digest("js-2"), 10, digest("js-1"), 1, SIG)


def test_replayed_anchor_refused(adopted: Clients) -> None:
    js = adopted["JS"]
    args = (1, digest("js-1"), 10, ZERO, 1, SIG)
    receipt = js.anchor_batch(*args)
    # the same call again: refused by the simulation before sending
    with pytest.raises(ContractRevert, match=r"WrongSeq\(province='JS', got=1, want=2\)"):
        js.anchor_batch(*args)
    # the same call forced onto the chain (no simulation): mined, failed, decoded by replay
    assert js.sender is not None
    anchors = js.contracts["RecordAnchors"]
    data = bytes.fromhex(anchors.encode_abi("anchorBatch", args=list(args))[2:])
    with pytest.raises(ContractRevert, match=r"WrongSeq\(province='JS', got=1, want=2\)") as mined:
        js.sender.transact("RecordAnchors", str(anchors.address), data, gas=300_000)
    assert mined.value.tx_hash is not None
    # the very same signed transaction re-broadcast: the node refuses the used nonce
    raw = js.w3.eth.get_raw_transaction(receipt.tx_hash)  # type: ignore[arg-type]
    with pytest.raises(Web3RPCError, match=r"(?i)nonce"):
        js.w3.eth.send_raw_transaction(raw)
    assert js.latest_batch("JS").seq == 1


def test_non_member_cannot_anchor(adopted: Clients) -> None:
    with pytest.raises(ContractRevert) as refused:
        adopted["XX"].anchor_batch(1, digest("x-1"), 10, ZERO, 1, SIG)
    assert refused.value.name == "NotMember"
    assert refused.value.error_args["account"] == adopted["XX"].account
    assert all(adopted["SH"].latest_batch(p).seq == 0 for p in ("SH", "JS", "ZJ", "AH"))


def test_anchors_stay_under_the_senders_province(adopted: Clients) -> None:
    adopted["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    assert adopted["SH"].latest_batch("SH").seq == 0
    assert not adopted["SH"].is_anchored("SH", 1, digest("js-1"))
    # SH's sequence is its own: it starts at 1 too, and never shows under JS
    adopted["SH"].anchor_batch(1, digest("sh-1"), 3, ZERO, 1, SIG)
    assert adopted["ZJ"].latest_batch("SH").root == digest("sh-1")
    assert adopted["ZJ"].latest_batch("JS").root == digest("js-1")
    assert not adopted["ZJ"].is_anchored("JS", 1, digest("sh-1"))
    assert adopted["ZJ"].anchor_sender("SH", 1) == address_of(KEYS["SH"])


def test_bad_signature_and_zero_root_refused(adopted: Clients) -> None:
    with pytest.raises(ContractRevert, match=r"BadSignatureLength\(length=63\)"):
        adopted["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG[:63])
    with pytest.raises(ContractRevert, match=r"ZeroRoot\(\)"):
        adopted["JS"].anchor_batch(1, ZERO, 10, ZERO, 1, SIG)


def test_revocations_have_their_own_sequence(adopted: Clients) -> None:
    js = adopted["JS"]
    js.anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    js.anchor_revocations(1, digest("rev-1"), 2, ZERO, SIG)
    assert js.latest_revocation("JS").seq == 1
    assert js.is_revocation_anchored("JS", 1, digest("rev-1"))
    assert not js.is_anchored("JS", 1, digest("rev-1"))
    with pytest.raises(ContractRevert, match=r"WrongSeq\(province='JS', got=1, want=2\)"):
        js.anchor_revocations(1, digest("rev-1"), 2, ZERO, SIG)


def test_catalog_adopted_by_proposal_then_usable(clients: Clients) -> None:
    assert clients["JS"].current_catalog_version() == 0
    with pytest.raises(ContractRevert, match=r"CatalogVersionNotAdopted\(version=1\)"):
        clients["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    document_hash = adopt_catalog(clients, 1)
    assert clients["JS"].current_catalog_version() == 1
    assert clients["JS"].catalog_hash(1) == document_hash
    assert clients["JS"].catalog_hash(2) == ZERO
    clients["JS"].anchor_batch(1, digest("js-1"), 10, ZERO, 1, SIG)
    with pytest.raises(ContractRevert) as refused:
        clients["JS"].anchor_batch(2, digest("js-2"), 20, digest("js-1"), 2, SIG)
    assert refused.value.name == "CatalogVersionNotAdopted"
    with pytest.raises(ContractRevert, match="VersionNotIncreasing"):
        clients["SH"].propose_adopt_catalog(1, digest("catalog-again"))


def test_catalog_only_changes_through_governance(clients: Clients) -> None:
    sh = clients["SH"]
    assert sh.sender is not None
    catalog = sh.contracts["Catalog"]
    data = bytes.fromhex(catalog.encode_abi("adopt", args=[1, digest("sneaky")])[2:])
    with pytest.raises(ContractRevert, match=r"Catalog reverted NotGovernance\(\)"):
        sh.sender.transact("Catalog", str(catalog.address), data)
    assert sh.current_catalog_version() == 0


def test_mapping_published_for_adopted_version_only(adopted: Clients) -> None:
    with pytest.raises(ContractRevert, match="VersionNotAdopted"):
        adopted["ZJ"].publish_mapping(2, digest("zj-map"))
    adopted["ZJ"].publish_mapping(1, digest("zj-map"))
    assert adopted["SH"].mapping_hash("ZJ", 1) == digest("zj-map")
    assert adopted["SH"].mapping_hash("JS", 1) == ZERO
    with pytest.raises(ContractRevert, match="NotMember"):
        adopted["XX"].publish_mapping(1, digest("xx-map"))
