"""What every ledger operation shares: the connection, the contracts, reads with decoded
reverts, and sends through one `TxSender`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.logs import DISCARD
from web3.types import EventData, TxReceipt

from ledger.artifacts import CONTRACT_NAMES, load_artifact
from ledger.errors import LedgerError
from ledger.revert import RevertDecoder
from ledger.rpc import connect, rpc_error_message, transport_guard
from ledger.tx import FeePolicy, TxSender
from ledger.types import TxResult


def suite_decoder() -> RevertDecoder:
    """A decoder knowing the custom errors of all four suite contracts."""
    return RevertDecoder(load_artifact(name).abi for name in CONTRACT_NAMES)


def tx_result(receipt: TxReceipt) -> TxResult:
    """The hash, block and gas of a receipt."""
    return TxResult(
        tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
        block_number=int(receipt["blockNumber"]),
        gas_used=int(receipt["gasUsed"]),
    )


class ClientCore:
    """Connection and contract handles.

    Preconditions: `contracts` maps each of Governance, Catalog, RecordAnchors and
    AuditAnchors to its deployed address. `account_key` (0x-hex) is needed only to send
    transactions. `timeout` bounds every JSON-RPC request and each receipt wait.
    """

    def __init__(
        self,
        rpc_url: str,
        contracts: Mapping[str, str],
        account_key: str | None = None,
        timeout: float = 10.0,
        confirmations: int = 1,
        fees: FeePolicy | None = None,
    ) -> None:
        missing = [name for name in CONTRACT_NAMES if name not in contracts]
        if missing:
            raise ValueError(f"contract addresses missing for {', '.join(missing)}")
        self.rpc_url = rpc_url
        self.timeout = timeout
        self.w3: Web3 = connect(rpc_url, timeout)
        self.decoder = suite_decoder()
        self.contracts: dict[str, Contract] = {
            name: self.w3.eth.contract(
                address=to_checksum_address(contracts[name]),
                abi=list(load_artifact(name).abi),
            )
            for name in CONTRACT_NAMES
        }
        self.sender: TxSender | None = None
        if account_key is not None:
            self.sender = TxSender(
                self.w3,
                account_key,
                self.decoder,
                fees=fees,
                timeout=timeout,
                confirmations=confirmations,
            )

    @property
    def addresses(self) -> dict[str, str]:
        """Contract name -> checksummed address."""
        return {name: str(c.address) for name, c in self.contracts.items()}

    @property
    def account(self) -> str:
        """The sending account's address; raises LedgerError for a read-only client."""
        return self._sender().address

    def _sender(self) -> TxSender:
        if self.sender is None:
            raise LedgerError("this LedgerClient has no account key: it can only read")
        return self.sender

    def call(self, contract: str, function: str, *args: Any) -> Any:
        """A read-only call; a revert raises the decoded `ContractRevert`."""
        fn = self.contracts[contract].functions[function](*args)
        with transport_guard(self.rpc_url, f"{contract}.{function}"):
            try:
                return fn.call()
            except ContractLogicError as exc:
                raise self.decoder.decode(contract, exc.data) from exc
            except Web3RPCError as exc:
                detail = rpc_error_message(exc)
                raise LedgerError(f"{contract}.{function} failed: {detail}") from exc

    def send(self, contract: str, function: str, *args: Any) -> TxReceipt:
        """Simulate, sign, send and confirm `contract.function(*args)`."""
        target = self.contracts[contract]
        data = bytes.fromhex(target.encode_abi(function, args=list(args))[2:])
        return self._sender().transact(contract, str(target.address), data)

    def events_in(self, receipt: TxReceipt, contract: str, event: str) -> list[EventData]:
        """Decoded `event` logs emitted by `contract` in `receipt`."""
        target = self.contracts[contract]
        logs = target.events[event]().process_receipt(receipt, errors=DISCARD)
        return [log for log in logs if log["address"] == target.address]

    def head_block(self) -> int:
        """The chain's latest block number."""
        with transport_guard(self.rpc_url, "eth_blockNumber"):
            return int(self.w3.eth.block_number)

    def chain_id(self) -> int:
        """The chain id the endpoint reports."""
        with transport_guard(self.rpc_url, "eth_chainId"):
            return int(self.w3.eth.chain_id)
