"""Decode revert data into `ContractRevert`: custom errors from the ABIs, `Error(string)`
and `Panic(uint256)`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import (
    abi_to_signature,
    function_signature_to_4byte_selector,
    get_abi_input_names,
    get_abi_input_types,
)
from eth_utils.address import to_checksum_address

from ledger.errors import ContractRevert

_ERROR_STRING = bytes.fromhex("08c379a0")
_PANIC = bytes.fromhex("4e487b71")


@dataclass(frozen=True)
class _ErrorAbi:
    name: str
    names: tuple[str, ...]
    types: tuple[str, ...]


def display_value(abi_type: str, value: object) -> object:
    """Make a decoded value readable: a printable `bytes2` as text ('JS'), addresses
    checksummed, other bytes kept as bytes (rendered as hex by the error message)."""
    if abi_type == "bytes2" and isinstance(value, bytes):
        text = value.decode("ascii", errors="replace")
        if text.isascii() and text.isprintable() and "\x00" not in text:
            return text
        return value
    if abi_type == "address" and isinstance(value, str):
        return to_checksum_address(value)
    return value


def revert_bytes(data: object) -> bytes | None:
    """Revert data as bytes from what web3 attaches to an error (0x-hex str or bytes)."""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    return None


class RevertDecoder:
    """Maps 4-byte selectors of every custom error in the given ABIs to their signature."""

    def __init__(self, abis: Iterable[Iterable[Mapping[str, Any]]]) -> None:
        self._errors: dict[bytes, _ErrorAbi] = {}
        for abi in abis:
            for entry in abi:
                if entry.get("type") != "error":
                    continue
                element: Any = entry
                signature = abi_to_signature(element)
                names = tuple(
                    name or f"arg{i}" for i, name in enumerate(get_abi_input_names(element))
                )
                self._errors[function_signature_to_4byte_selector(signature)] = _ErrorAbi(
                    name=str(entry["name"]),
                    names=names,
                    types=tuple(get_abi_input_types(element)),
                )

    def decode(self, contract: str, data: object, tx_hash: str | None = None) -> ContractRevert:
        """A `ContractRevert` for revert `data` from a call to `contract`; unknown or
        missing data gives name "Unknown" with the raw data attached."""
        raw = revert_bytes(data)
        if raw is None or len(raw) < 4:
            return ContractRevert(contract, "Unknown", {}, tx_hash)
        selector, body = raw[:4], raw[4:]
        try:
            if selector == _ERROR_STRING:
                (reason,) = abi_decode(["string"], body)
                return ContractRevert(contract, "Error", {"reason": reason}, tx_hash)
            if selector == _PANIC:
                (code,) = abi_decode(["uint256"], body)
                return ContractRevert(contract, "Panic", {"code": hex(code)}, tx_hash)
            spec = self._errors.get(selector)
            if spec is None:
                return ContractRevert(contract, "Unknown", {"data": raw}, tx_hash)
            values = abi_decode(list(spec.types), body)
        except DecodingError:
            return ContractRevert(contract, "Unknown", {"data": raw}, tx_hash)
        args = {
            name: display_value(t, v)
            for name, t, v in zip(spec.names, spec.types, values, strict=True)
        }
        return ContractRevert(contract, spec.name, args, tx_hash)
