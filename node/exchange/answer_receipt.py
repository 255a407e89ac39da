"""Checking an answer's receipt: the node logged this query in its access audit log.

The answering node returns, with every answer, a receipt it signed over a checkpoint of its
audit log that holds the query's entry, the entry's inclusion proof and the entry itself
(``node.audit.receipts``). Anyone with the ledger can check it offline: the checkpoint and
receipt are signed by the node key the ledger registers for the province the checkpoint
names; the entry is in that tree at the receipt's index; the entry was logged under the
answer's request id. The receipt does not prove the checkpoint was anchored yet (that is
the auditors' job, ``credit-node audit verify``); it is the node's signed word, which the
anchored log must later agree with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crypto.canonical import canonical_bytes
from crypto.signed_note import NoteVerifier
from node.audit.errors import InvalidReceipt
from node.audit.heads import audit_origin
from node.audit.receipts import decode_receipt, verify_receipt
from node.exchange.chain_facts import ChainFacts

__all__ = ["check_receipt"]

_ORIGIN_PREFIX = audit_origin("")


def check_receipt(receipt: Mapping[str, Any], chain: ChainFacts) -> dict[str, Any]:
    """The verdict on an answer's ``receipt`` JSON: ``{"ok", "province", "request_id",
    "audit_leaf_index", "problems"}``. Raises ``ChainUnavailable``."""
    verdict: dict[str, Any] = {"request_id": receipt.get("request_id"),
                               "audit_leaf_index": receipt.get("audit_leaf_index"),
                               "province": None}
    try:
        signed = decode_receipt(canonical_bytes(receipt["signed_receipt"]))
        proof = [bytes.fromhex(h) for h in receipt["audit_inclusion_proof"]]
        entry = str(receipt["audit_entry"]).encode("utf-8")
    except (KeyError, TypeError, ValueError, InvalidReceipt) as exc:
        return {**verdict, "ok": False, "problems": [f"no usable signed receipt: {exc}"]}
    origin = signed.checkpoint.split("\n", 1)[0]
    province = origin.removeprefix(_ORIGIN_PREFIX)
    verdict["province"] = province
    problems = []
    if not origin.startswith(_ORIGIN_PREFIX):
        problems.append(f"receipt checkpoint names log {origin[:60]!r}, not a node's audit log")
    elif signed.request_id != receipt.get("request_id"):
        problems.append("the signed receipt is for another request than the answer's")
    elif signed.leaf_index != receipt.get("audit_leaf_index"):
        problems.append("the signed receipt names another audit entry than the answer's")
    else:
        key = chain.origin_key(province)
        if key is None:
            problems.append(f"{province[:8]!r} is not an active member on the ledger")
        else:
            try:
                verify_receipt(signed, proof, NoteVerifier(origin, key.node_key), entry=entry)
            except InvalidReceipt as exc:
                problems.append(str(exc))
    return {**verdict, "ok": not problems, "problems": problems}
