"""The shared catalog on a real anvil: adoption through governance, mapping publication,
and verification of a peer's category claim against the chain."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import KEYS, PROVINCES

from ledger.client import LedgerClient
from ledger.deploy import Deployment
from node.cli.catalog_cmd import main as catalog_main
from node.domain.catalog import (
    Catalog,
    CatalogVerificationError,
    ForeignCategoryRejected,
    ProvinceMapping,
    check_adopted,
    check_published,
    packaged_catalogs,
    packaged_mappings,
    parse_mapping,
    propose_adoption,
    publish_mapping,
    read_snapshot,
    recognizer_from_chain,
)

Clients = dict[str, LedgerClient]
ZERO = bytes(32)
CATALOGS: dict[int, Catalog] = packaged_catalogs()
MAPPINGS: dict[tuple[str, int], ProvinceMapping] = packaged_mappings()


def _adopt(clients: Clients, version: int) -> None:
    pid = propose_adoption(clients["SH"], CATALOGS[version])
    clients["JS"].approve(pid)
    assert clients["ZJ"].approve(pid).executed


def test_adoption_needs_three_of_four_approvals(clients: Clients) -> None:
    catalog = CATALOGS[1]
    assert clients["SH"].threshold() == 3
    pid = propose_adoption(clients["SH"], catalog)
    second = clients["JS"].approve(pid)
    assert (second.approvals, second.executed) == (2, False)
    for reader in clients.values():
        assert reader.current_catalog_version() == 0
        assert reader.catalog_hash(1) == ZERO
    with pytest.raises(CatalogVerificationError) as early:
        check_adopted(clients["AH"], catalog)
    assert early.value.reason == "NOT_ADOPTED"

    third = clients["ZJ"].approve(pid)
    assert (third.approvals, third.executed) == (3, True)
    for reader in clients.values():   # every member, and a non-member reader
        assert reader.current_catalog_version() == 1
        assert reader.catalog_hash(1) == catalog.document_hash
        check_adopted(reader, catalog)
    recognizer = recognizer_from_chain(clients["XX"], CATALOGS, MAPPINGS)
    assert recognizer.adopted_version == 1 and sorted(recognizer.catalogs) == [1]


def test_publish_mappings_and_verify_foreign(clients: Clients) -> None:
    _adopt(clients, 1)
    with pytest.raises(CatalogVerificationError) as wrong:
        publish_mapping(clients["ZJ"], MAPPINGS[("JS", 1)], CATALOGS[1])
    assert wrong.value.reason == "WRONG_PROVINCE"
    for province in PROVINCES:
        publish_mapping(clients[province], MAPPINGS[(province, 1)], CATALOGS[1])
    for province in PROVINCES:
        assert clients["XX"].mapping_hash(province, 1) == MAPPINGS[(province, 1)].document_hash
        check_published(clients["AH"], MAPPINGS[(province, 1)])

    receiver = recognizer_from_chain(clients["SH"], CATALOGS, MAPPINGS)
    receiver.verify_foreign("JS", "JSXY0203", "YRD-SX-FY-001", 1, chain=clients["SH"],
                            kind="dishonesty")
    snapshot = read_snapshot(clients["SH"], PROVINCES)
    receiver.verify_foreign("ZJ", "ZJ.SJ.004", "YRD-SX-SP-002", 1, chain=snapshot)

    forged_doc: dict[str, Any] = copy.deepcopy(dict(MAPPINGS[("JS", 1)].document))
    forged_doc["mappings"]["JSXY0203"] = "YRD-SX-SC-003"
    with pytest.raises(ForeignCategoryRejected) as forged:
        receiver.verify_foreign("JS", "JSXY0203", "YRD-SX-SC-003", 1, chain=clients["SH"],
                                mapping=parse_mapping(forged_doc))
    assert forged.value.reason == "MAPPING_HASH_MISMATCH"
    with pytest.raises(ForeignCategoryRejected) as elsewhere:
        receiver.verify_foreign("JS", "JSXY0203", "YRD-SX-SC-003", 1, chain=clients["SH"])
    assert elsewhere.value.reason == "MAPPED_ELSEWHERE"
    with pytest.raises(CatalogVerificationError) as not_yet:
        publish_mapping(clients["JS"], MAPPINGS[("JS", 2)], CATALOGS[2])
    assert not_yet.value.reason == "NOT_ADOPTED"


def test_upgrade_to_v2_keeps_v1_records_answerable(clients: Clients) -> None:
    _adopt(clients, 1)
    _adopt(clients, 2)
    recognizer = recognizer_from_chain(clients["AH"], CATALOGS, MAPPINGS)
    assert recognizer.adopted_version == 2 and sorted(recognizer.catalogs) == [1, 2]
    v1 = [m.id for m in recognizer.measures_for("YRD-SX-SP-002", 1)]
    v2 = [m.id for m in recognizer.measures_for("YRD-SX-SP-002", 2)]
    assert "M-A-10" in v2 and "M-A-10" not in v1


def _key_file(tmp_path: Path, province: str) -> Path:
    path = tmp_path / f"{province}.key"
    path.write_text(KEYS[province] + "\n")
    path.chmod(0o600)
    return path


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = catalog_main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_cli_propose_publish_verify(clients: Clients, deployment: Deployment, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    deployment_file = tmp_path / "deployment.json"
    deployment.save(deployment_file)
    base = ["--deployment", str(deployment_file), "--timeout", "10"]
    code, answer = _cli(capsys, "propose-adoption", *base, "--key-file",
                        str(_key_file(tmp_path, "SH")), "--version", "1")
    assert code == 0
    assert answer == {"proposal_id": 1, "version": 1,
                      "document_hash": "0x" + CATALOGS[1].document_hash.hex(),
                      "approvals": 1, "threshold": 3, "executed": False}
    clients["JS"].approve(1)
    clients["AH"].approve(1)
    code, answer = _cli(capsys, "publish-mapping", *base, "--key-file",
                        str(_key_file(tmp_path, "ZJ")), "--province", "JS", "--version", "1")
    assert (code, answer["reason"]) == (1, "WRONG_PROVINCE")
    code, answer = _cli(capsys, "verify-mapping", *base, "--province", "JS", "--version", "1")
    assert (code, answer["reason"]) == (1, "MAPPING_NOT_PUBLISHED")
    code, answer = _cli(capsys, "publish-mapping", *base, "--key-file",
                        str(_key_file(tmp_path, "JS")), "--province", "JS", "--version", "1")
    assert code == 0
    assert answer["mapping_hash"] == "0x" + MAPPINGS[("JS", 1)].document_hash.hex()
    code, answer = _cli(capsys, "verify-mapping", *base, "--province", "JS", "--version", "1")
    assert (code, answer["published"]) == (0, True)
    code, answer = _cli(capsys, "propose-adoption", *base, "--key-file",
                        str(_key_file(tmp_path, "SH")), "--version", "1")
    assert (code, answer["revert"]) == (1, "VersionNotIncreasing")
