"""The 征信链 ledger client: contracts, dev chain, anchoring (web3.py).

    from ledger import DevChain, LedgerClient, deploy_suite, EventIndexer, FileCursor

    with DevChain.start(state_path=data_dir / "chain.json") as chain:
        deployment = deploy_suite(chain.rpc_url, chain.accounts[0], members)
        client = LedgerClient(chain.rpc_url, deployment.addresses, account_key=key)
        receipt = client.anchor_batch(seq=1, root=root, size=10, prev_root=bytes(32),
                                      catalog_version=1, header_sig=sig)
        events = EventIndexer(client, FileCursor(data_dir / "cursor.json"),
                              start_block=deployment.block).poll()

Every failure is a `LedgerError`; a refusal by a contract is a `ContractRevert` naming the
decoded custom error ("RecordAnchors reverted WrongSeq(province='JS', got=3, want=2)").
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.client import LedgerClient
    from ledger.deploy import Deployment, deploy_suite
    from ledger.devchain import DevChain
    from ledger.errors import (
        ArtifactError,
        ChainReset,
        ContractRevert,
        DevChainError,
        LedgerError,
        LedgerUnavailable,
        MalformedChainData,
        MalformedInput,
        TxTimeout,
    )
    from ledger.events import CursorStore, EventIndexer, FileCursor, MemoryCursor
    from ledger.tx import FeePolicy
    from ledger.types import (
        AnchorReceipt,
        ApprovalResult,
        AuditHead,
        BatchInfo,
        Member,
        MemberSpec,
        Proposal,
        ProposalKind,
        TxResult,
    )

# Name -> submodule. The names load on first use (PEP 562): web3 and eth_account take
# about a second to import, and a client command that only reads ``ledger.errors`` or
# ``ledger.types`` (or ``consortium.json``) must not pay for them.
_WHERE: dict[str, str] = {
    "LedgerClient": "client",
    "Deployment": "deploy",
    "deploy_suite": "deploy",
    "DevChain": "devchain",
    **dict.fromkeys(("ArtifactError", "ChainReset", "ContractRevert", "DevChainError",
                     "LedgerError", "LedgerUnavailable", "MalformedChainData",
                     "MalformedInput", "TxTimeout"), "errors"),
    **dict.fromkeys(("CursorStore", "EventIndexer", "FileCursor", "MemoryCursor"), "events"),
    "FeePolicy": "tx",
    **dict.fromkeys(("AnchorReceipt", "ApprovalResult", "AuditHead", "BatchInfo", "Member",
                     "MemberSpec", "Proposal", "ProposalKind", "TxResult"), "types"),
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'ledger' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"ledger.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


__all__ = [
    "AnchorReceipt",
    "ApprovalResult",
    "ArtifactError",
    "AuditHead",
    "BatchInfo",
    "ChainReset",
    "ContractRevert",
    "CursorStore",
    "Deployment",
    "DevChain",
    "DevChainError",
    "EventIndexer",
    "FeePolicy",
    "FileCursor",
    "LedgerClient",
    "LedgerError",
    "LedgerUnavailable",
    "MalformedChainData",
    "MalformedInput",
    "Member",
    "MemberSpec",
    "MemoryCursor",
    "Proposal",
    "ProposalKind",
    "TxResult",
    "TxTimeout",
    "deploy_suite",
]
