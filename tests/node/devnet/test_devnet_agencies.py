"""One agency identity per province: issued by that province's CA, so each node takes its
own province's agency and no other; ``agency`` stays the home province's; a consortium
made before these identities existed gets them (nothing started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.devnet.identities import AGENCY_PURPOSES, agency_label, ensure_agencies
from node.devnet.layout import ConsortiumDoc, ConsortiumLayout
from node.devnet.provision import create_consortium
from node.identity import Layout, Role, load_trust_store, peer_identity_from_cert
from node.identity.errors import UnknownRole

PROVINCES = ["SH", "JS", "ZJ", "AH"]


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory) -> tuple[ConsortiumLayout, ConsortiumDoc]:
    layout = ConsortiumLayout(tmp_path_factory.mktemp("agencies"))
    return layout, create_consortium(layout, PROVINCES)


def trust(layout: ConsortiumLayout, own: str):  # type: ignore[no-untyped-def]
    return load_trust_store(own, {p: Layout(layout.node_dir(p)).ca_cert for p in PROVINCES})


def test_each_province_has_an_agency_its_node_takes_and_no_other_does(
        created: tuple[ConsortiumLayout, ConsortiumDoc]) -> None:
    layout, doc = created
    assert set(ConsortiumDoc.load(layout.doc).identities) >= {
        "agency", "auditor", *(agency_label(p) for p in PROVINCES)}
    for province in PROVINCES:
        entry = doc.identity(agency_label(province))
        assert entry.province == province and entry.purposes == list(AGENCY_PURPOSES)
        assert entry.ca == str(Layout(layout.node_dir(province)).ca_cert)
        pem = Path(entry.cert).read_bytes()
        identity = peer_identity_from_cert(pem, trust(layout, province))
        assert (identity.role, identity.province) == (Role.AGENCY, province)
        assert identity.purposes == frozenset(AGENCY_PURPOSES)
        for other in PROVINCES:
            if other != province:
                with pytest.raises(UnknownRole):
                    peer_identity_from_cert(pem, trust(layout, other))


def test_agency_is_an_alias_of_the_home_provinces(
        created: tuple[ConsortiumLayout, ConsortiumDoc]) -> None:
    _, doc = created
    assert doc.identity("agency") == doc.identity("agency.SH")
    assert doc.identity("agency").cert.endswith("identities/agency.pem")
    assert doc.identity("agency.ZJ").cert.endswith("identities/agency.ZJ.pem")


def test_an_older_consortium_gets_the_missing_agencies_and_keeps_the_rest(
        created: tuple[ConsortiumLayout, ConsortiumDoc]) -> None:
    layout, doc = created
    older = ConsortiumDoc.load(layout.doc)
    for province in PROVINCES:
        del older.identities[agency_label(province)]
    home_cert = Path(older.identity("agency").cert).read_bytes()
    js_cert = layout.identity_cert("agency.JS").read_bytes()
    for path in (layout.identity_cert("agency.ZJ"), layout.identity_key("agency.ZJ")):
        path.unlink()  # made before per-province agencies: ZJ's were never written
    assert ensure_agencies(layout, older, "SH") == PROVINCES
    assert older.identity("agency.SH") == older.identity("agency")
    assert Path(older.identity("agency").cert).read_bytes() == home_cert
    assert layout.identity_cert("agency.JS").read_bytes() == js_cert  # left by a crash: kept
    for province in ("JS", "ZJ", "AH"):
        pem = Path(older.identity(agency_label(province)).cert).read_bytes()
        assert peer_identity_from_cert(pem, trust(layout, province)).role == Role.AGENCY
    assert ensure_agencies(layout, older, "SH") == []
    assert older.identities == doc.identities
