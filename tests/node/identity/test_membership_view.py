"""The membership view decides every call: unit tests, no servers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from node.identity import (
    IdentityCache,
    Layout,
    MembershipView,
    MemberStanding,
    UntrustedCertificate,
    load_trust_store,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SH_FP = "ab" * 32


def test_before_the_first_read_only_the_own_province_is_admitted() -> None:
    view = MembershipView("JS")
    assert not view.read
    view.check("JS", "anything")
    with pytest.raises(UntrustedCertificate, match="member registry has not been read"):
        view.check("SH", SH_FP)


def test_inactive_unknown_and_mismatched_provinces_refused() -> None:
    view = MembershipView("JS")
    view.replace([MemberStanding("JS", True, "cd" * 32), MemberStanding("SH", False, SH_FP)])
    assert view.read and view.generation == 1
    with pytest.raises(UntrustedCertificate, match="province SH is not an active member"):
        view.check("SH", SH_FP)
    with pytest.raises(UntrustedCertificate, match="province ZJ is not registered"):
        view.check("ZJ", SH_FP)
    with pytest.raises(UntrustedCertificate, match=r"the JS CA held here \(ee"):
        view.check("JS", "ee" * 32)
    view.check("JS", ("cd" * 32).upper())  # hex case does not matter
    view.replace([MemberStanding("SH", True, SH_FP)], auditor_cas=["AA" * 32])
    view.check("SH", SH_FP)
    assert view.admits("SH", SH_FP) and not view.admits("JS", "cd" * 32)
    assert view.auditor_ca_appointed("aa" * 32) and not view.auditor_ca_appointed(SH_FP)


def test_the_cache_consults_the_view_on_every_call_even_a_hit(js_dir: Path) -> None:
    trust = load_trust_store("JS", {"JS": Layout(js_dir).ca_cert})
    view = MembershipView("JS")
    cache = IdentityCache(trust, membership=view)
    pem = Layout(js_dir).identity_cert("agency").read_bytes()
    own_fp = trust.fingerprints()["JS"]
    view.replace([MemberStanding("JS", True, own_fp)])
    assert cache.identity(pem, now=NOW).province == "JS"
    view.replace([MemberStanding("JS", False, own_fp)])
    with pytest.raises(UntrustedCertificate, match="not an active member"):
        cache.identity(pem, now=NOW)
    view.replace([MemberStanding("JS", True, own_fp)])
    assert cache.identity(pem, now=NOW).role.value == "agency"


def test_a_revoked_certificate_is_refused_only_for_its_province(js_dir: Path) -> None:
    trust = load_trust_store("JS", {"JS": Layout(js_dir).ca_cert})
    view = MembershipView("JS")
    cache = IdentityCache(trust, membership=view)
    pem = Layout(js_dir).identity_cert("agency").read_bytes()
    identity = cache.identity(pem, now=NOW)
    own = MemberStanding("JS", True, trust.fingerprints()["JS"])
    view.replace([own], revoked={"SH": [identity.fingerprint]})  # SH cannot revoke JS's
    assert cache.identity(pem, now=NOW) == identity
    view.replace([own], revoked={"JS": [identity.fingerprint.upper()]})
    with pytest.raises(UntrustedCertificate, match="revoked on the ledger by JS"):
        cache.identity(pem, now=NOW)
