"""node.protogen generates importable modules under node._proto with every service."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from node import protogen

SERVICES = {
    "ingest": ("IngestService", {"SubmitRecords", "SubmitStream", "GetBacklog"}),
    "exchange": ("ExchangeService", {"PullRecords", "PushRecords", "FetchOnRequest", "Nudge"}),
    "query": ("QueryService", {"Query", "GetConsentEvidence", "WithdrawGrant"}),
    "audit": ("AuditService", {
        "GetLatestHead", "GetHeadAtSize", "GetInclusionProof", "GetConsistencyProof",
        "ListEntries",
    }),
    "matching": ("MatchingService", {"Evaluate", "GetTokenSet"}),
    "node": ("NodeService", {"GetStatus"}),
    "lifecycle": ("LifecycleService", {
        "FileRepair", "RecordStatus", "FileObjection", "ResolveObjection", "PullRevocations",
    }),
}


@pytest.fixture(scope="module", autouse=True)
def _generated() -> None:
    protogen.ensure_generated()


@pytest.mark.parametrize("module", sorted(SERVICES))
def test_generated_service_is_present(module: str) -> None:
    service, methods = SERVICES[module]
    pb2 = importlib.import_module(f"node._proto.credit.v1.{module}_pb2")
    grpc_mod = importlib.import_module(f"node._proto.credit.v1.{module}_pb2_grpc")
    descriptor = pb2.DESCRIPTOR.services_by_name[service]
    assert descriptor.full_name == f"credit.v1.{service}"
    assert {m.name for m in descriptor.methods} == methods
    assert hasattr(grpc_mod, f"{service}Stub")
    assert hasattr(grpc_mod, f"add_{service}Servicer_to_server")


def test_cross_file_messages_resolve() -> None:
    from node._proto.credit.v1 import common_pb2, exchange_pb2, ingest_pb2

    rec = common_pb2.ProvenRecord(canonical_payload=b"{}", salt=b"\x00" * 32, leaf_index=7)
    rec.inclusion_proof.append(b"\x01" * 32)
    rec.anchor.seq = 3
    resp = exchange_pb2.PullRecordsResponse(records=[rec], next_cursor="c2")
    again = exchange_pb2.PullRecordsResponse.FromString(resp.SerializeToString())
    assert again.records[0].leaf_index == 7
    assert again.records[0].anchor.seq == 3
    stream_req = ingest_pb2.SubmitStreamRequest(
        batch=ingest_pb2.SubmitRecordsRequest(records=[b'{"a":1}'], first_line=1)
    )
    assert stream_req.batch.records == [b'{"a":1}']


def test_generated_files_use_package_imports() -> None:
    for path in protogen.OUT_ROOT.rglob("*.py*"):
        if path.suffix in (".py", ".pyi"):
            text = path.read_text(encoding="utf-8")
            assert "from credit." not in text, path
            assert "import credit." not in text, path


def test_rewrite_imports_leaves_other_packages_alone() -> None:
    text = (
        "from credit.v1 import common_pb2 as c\n"
        "from google.protobuf import descriptor as d\n"
        "import credit.v1.x_pb2\n"
        "from credits import y\n"
    )
    assert protogen.rewrite_imports(text, ["credit"]) == (
        "from node._proto.credit.v1 import common_pb2 as c\n"
        "from google.protobuf import descriptor as d\n"
        "import node._proto.credit.v1.x_pb2\n"
        "from credits import y\n"
    )


def _copy_protos(dst: Path) -> Path:
    root = dst / "protos"
    for src in protogen.proto_sources(protogen.PROTO_ROOT):
        target = root / src
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((protogen.PROTO_ROOT / src).read_bytes())
    return root


def test_regenerates_only_when_a_proto_is_newer(tmp_path: Path) -> None:
    protos = _copy_protos(tmp_path)
    out = tmp_path / "gen" / "_proto"
    assert protogen.ensure_generated(protos, out) is True
    assert protogen.ensure_generated(protos, out) is False
    ingest = protos / "credit" / "v1" / "ingest.proto"
    for path in out.rglob("*"):
        if path.is_file():
            past = path.stat().st_mtime - 100
            os.utime(path, (past, past))
    os.utime(ingest)  # now: newer than every (back-dated) output
    assert protogen.is_stale(protos, out)
    assert protogen.ensure_generated(protos, out) is True
    assert not protogen.is_stale(protos, out)


def test_missing_output_is_stale_and_orphans_are_removed(tmp_path: Path) -> None:
    protos = _copy_protos(tmp_path)
    out = tmp_path / "gen" / "_proto"
    protogen.generate(protos, out)
    (out / "credit" / "v1" / "node_pb2.pyi").unlink()
    assert protogen.is_stale(protos, out)
    (protos / "credit" / "v1" / "matching.proto").unlink()
    protogen.generate(protos, out)
    assert not (out / "credit" / "v1" / "matching_pb2.py").exists()
    assert (out / "credit" / "v1" / "node_pb2.pyi").exists()


def test_protoc_error_names_the_file(tmp_path: Path) -> None:
    protos = tmp_path / "protos"
    (protos / "credit" / "v1").mkdir(parents=True)
    (protos / "credit" / "v1" / "broken.proto").write_text(
        'syntax = "proto3";\npackage credit.v1;\nmessage Broken { int32 = 1; }\n',
        encoding="utf-8",
    )
    with pytest.raises(protogen.ProtogenError, match=r"protoc failed .*broken\.proto"):
        protogen.generate(protos, tmp_path / "out")
