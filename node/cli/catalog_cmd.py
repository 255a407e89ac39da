"""`credit-node catalog ...`: the shared dishonesty catalog (失信行为标准互认目录).

    catalog show [--version N] [--json]          a catalog version (default: the latest held)
    catalog hash FILE                            sha256 of a document's canonical form
    catalog check-mapping [--province P] --version N
    catalog propose-adoption --deployment F --key-file K --version N
    catalog publish-mapping --deployment F --key-file K --province P --version N
    catalog verify-mapping --deployment F --province P --version N

Documents come from ``--catalog-dir``, else ``$YRD_CATALOG_DIR``, else ``deploy/catalog``.
Exit codes: 0 ok; 1 refused (inconsistent mapping, the ledger disagrees or a contract
reverted); 2 bad usage, bad files, or the ledger unreachable / not confirming in time.
Ledger modules are imported only by the commands that talk to the ledger.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node.domain.catalog import (
    Catalog,
    CatalogVerificationError,
    InconsistentMapping,
    ProvinceMapping,
    catalog_path,
    check_mapping,
    check_published,
    document_hash,
    load_catalog,
    load_mapping,
    mapping_path,
    packaged_catalogs,
    propose_adoption,
    publish_mapping,
    read_json_object,
)
from node.domain.catalog.render import catalog_summary, describe_catalog
from node.domain.fields import PROVINCES
from node.domain.local_categories import load_local_categories

if TYPE_CHECKING:
    from ledger.client import LedgerClient

Result = tuple[object, str]
Handler = Callable[[argparse.Namespace], Result]


def _hex(digest: bytes) -> str:
    return "0x" + digest.hex()


def _catalog(args: argparse.Namespace, version: int) -> Catalog:
    return load_catalog(catalog_path(version, args.catalog_dir))


def _mapping(args: argparse.Namespace, province: str, version: int) -> ProvinceMapping:
    return load_mapping(mapping_path(province, version, args.catalog_dir))


def _show(args: argparse.Namespace) -> Result:
    if args.version is None:
        held = packaged_catalogs(args.catalog_dir)
        if not held:
            raise ValueError("no catalog-vN.json in the catalog directory")
        catalog = held[max(held)]
    else:
        catalog = _catalog(args, args.version)
    return catalog_summary(catalog), describe_catalog(catalog)


def _hash(args: argparse.Namespace) -> Result:
    digest = document_hash(read_json_object(args.file))
    return {"file": str(args.file), "sha256": _hex(digest)}, _hex(digest)


def _check_mapping(args: argparse.Namespace) -> Result:
    catalog = _catalog(args, args.version)
    table = load_local_categories()
    provinces = args.province or list(PROVINCES)
    found: list[dict[str, object]] = []
    problems: list[str] = []
    for province in provinces:
        mapping = _mapping(args, province, args.version)
        mine = check_mapping(mapping, catalog, table.by_code.get(province, {}))
        problems += mine
        found.append({"province": province, "version": args.version,
                      "mapped": len(mapping.mappings), "problems": list(mine),
                      "sha256": _hex(mapping.document_hash)})
    if problems:
        raise InconsistentMapping(tuple(problems))
    lines = [f"{e['province']} v{e['version']}: {e['mapped']} local codes mapped, kinds and "
             f"severities consistent, sha256 {e['sha256']}" for e in found]
    return found, "\n".join(lines)


def _open_client(args: argparse.Namespace, with_key: bool) -> LedgerClient:
    # Imported here: the offline subcommands must not pay for loading web3.
    from node.cli.ledger_cmd import open_client

    return open_client(args, with_key)


def _propose(args: argparse.Namespace) -> Result:
    catalog = _catalog(args, args.version)
    client = _open_client(args, with_key=True)
    pid = propose_adoption(client, catalog)
    proposal = client.proposal(pid)
    threshold = client.threshold()
    payload = {"proposal_id": pid, "version": catalog.version,
               "document_hash": _hex(catalog.document_hash), "approvals": proposal.approvals,
               "threshold": threshold, "executed": proposal.executed}
    state = "executed" if proposal.executed else f"needs {threshold} approvals"
    return payload, (f"proposal {pid}: adopt catalog v{catalog.version} "
                     f"({_hex(catalog.document_hash)}): {proposal.approvals} approval(s), {state}")


def _publish(args: argparse.Namespace) -> Result:
    catalog = _catalog(args, args.version)
    mapping = _mapping(args, args.province, args.version)
    table = load_local_categories()
    problems = check_mapping(mapping, catalog, table.by_code.get(args.province, {}))
    if problems:
        raise InconsistentMapping(problems)
    client = _open_client(args, with_key=True)
    tx = publish_mapping(client, mapping, catalog)
    payload = {"province": mapping.province, "version": mapping.catalog_version,
               "mapping_hash": _hex(mapping.document_hash), "tx": tx}
    return payload, (f"published {mapping.province}'s mapping onto catalog "
                     f"v{mapping.catalog_version}: {_hex(mapping.document_hash)}")


def _verify(args: argparse.Namespace) -> Result:
    mapping = _mapping(args, args.province, args.version)
    client = _open_client(args, with_key=False)
    check_published(client, mapping)
    payload = {"province": mapping.province, "version": mapping.catalog_version,
               "mapping_hash": _hex(mapping.document_hash), "published": True}
    return payload, (f"{mapping.province}'s mapping onto v{mapping.catalog_version} matches "
                     f"the ledger: {_hex(mapping.document_hash)}")


def _run(handler: Handler, chain: bool = False) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        refused: tuple[type[Exception], ...] = (InconsistentMapping, CatalogVerificationError)
        unavailable: tuple[type[Exception], ...] = ()
        if chain:
            from ledger.errors import LedgerError, LedgerUnavailable, TxTimeout

            unavailable = (LedgerUnavailable, TxTimeout)
            refused = (*refused, LedgerError)
        try:
            payload, text = handler(args)
        except unavailable as exc:
            return _fail(args, 2, exc)
        except refused as exc:
            return _fail(args, 1, exc)
        except (ValueError, OSError) as exc:
            return _fail(args, 2, exc)
        if args.json and chain:
            from ledger.report import jsonable

            payload = jsonable(payload)
        print(json.dumps(payload, ensure_ascii=False, indent=2) if args.json else text)
        return 0
    return run


def _fail(args: argparse.Namespace, code: int, exc: Exception) -> int:
    if args.json:
        doc: dict[str, Any] = {"ok": False, "error": type(exc).__name__, "message": str(exc)}
        for attr, key in (("reason", "reason"), ("problems", "problems")):
            if hasattr(exc, attr):
                doc[key] = getattr(exc, attr)
        if hasattr(exc, "error_args"):  # a ContractRevert: ledger is loaded already
            from ledger.report import jsonable

            doc["revert"] = getattr(exc, "name", None)
            doc["args"] = jsonable(exc.error_args)
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print(f"credit-node catalog: {exc}", file=sys.stderr)
    return code


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--catalog-dir", type=Path,
                        help="catalog directory (default: $YRD_CATALOG_DIR or deploy/catalog)")


def _ledger(parser: argparse.ArgumentParser, key: bool) -> None:
    parser.add_argument("--deployment", type=Path, required=True, help="deployment JSON file")
    parser.add_argument("--rpc-url", help="JSON-RPC URL (default: the one in the deployment)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="deadline in seconds for each JSON-RPC request and receipt wait")
    if key:
        parser.add_argument("--key-file", type=Path, required=True,
                            help="file holding the member account's 0x-hex key (mode 0600)")


def register(subparsers: Any) -> None:
    """Add `catalog` and its actions to the credit-node parser."""
    parser = subparsers.add_parser("catalog", help="shared dishonesty catalog and mappings")
    actions = parser.add_subparsers(dest="catalog_action", metavar="ACTION")
    actions.required = True
    provinces = sorted(PROVINCES)

    show = actions.add_parser("show", help="show a catalog version")
    _common(show)
    show.add_argument("--version", type=int, help="catalog version (default: latest held)")
    show.set_defaults(func=_run(_show))

    hashed = actions.add_parser("hash", help="sha256 of a JSON document's canonical form")
    _common(hashed)
    hashed.add_argument("file", type=Path)
    hashed.set_defaults(func=_run(_hash))

    check = actions.add_parser("check-mapping", help="every local code mapped, consistently")
    _common(check)
    check.add_argument("--province", action="append", choices=provinces,
                       help="province (repeatable; default: all)")
    check.add_argument("--version", type=int, required=True)
    check.set_defaults(func=_run(_check_mapping))

    propose = actions.add_parser("propose-adoption", help="propose adopting catalog-vN.json")
    _common(propose)
    _ledger(propose, key=True)
    propose.add_argument("--version", type=int, required=True)
    propose.set_defaults(func=_run(_propose, chain=True))

    for name, handler, key, helptext in (
        ("publish-mapping", _publish, True, "publish a province's mapping hash"),
        ("verify-mapping", _verify, False, "check a mapping file against the ledger"),
    ):
        sub = actions.add_parser(name, help=helptext)
        _common(sub)
        _ledger(sub, key=key)
        sub.add_argument("--province", required=True, choices=provinces)
        sub.add_argument("--version", type=int, required=True)
        sub.set_defaults(func=_run(handler, chain=True))


def main(argv: list[str] | None = None) -> int:
    """Run `credit-node catalog ARGV...` on its own (`python -m node.cli.catalog_cmd ...`)."""
    parser = argparse.ArgumentParser(prog="credit-node")
    register(parser.add_subparsers(dest="command", metavar="COMMAND"))
    args = parser.parse_args(["catalog", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
