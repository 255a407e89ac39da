"""IdentityCache answers like peer_identity_from_cert, within validity, bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from node.identity import (
    IdentityCache,
    Layout,
    UntrustedCertificate,
    load_trust_store,
    peer_identity_from_cert,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_cache_gives_the_same_identity(js_dir: Path) -> None:
    trust = load_trust_store("JS", {"JS": Layout(js_dir).ca_cert})
    cache = IdentityCache(trust)
    pem = Layout(js_dir).identity_cert("agency").read_bytes()
    first = cache.identity(pem, now=NOW)
    assert first == peer_identity_from_cert(pem, trust, now=NOW)
    assert cache.identity(pem, now=NOW) is first


def test_cached_certificate_is_refused_once_expired(js_dir: Path) -> None:
    cache = IdentityCache(load_trust_store("JS", {"JS": Layout(js_dir).ca_cert}))
    pem = Layout(js_dir).identity_cert("platform").read_bytes()
    cache.identity(pem, now=NOW)
    with pytest.raises(UntrustedCertificate, match=r"does not verify"):
        cache.identity(pem, now=NOW + timedelta(days=900))


def test_refusals_are_not_cached_and_size_is_bounded(js_dir: Path, sh_dir: Path) -> None:
    cache = IdentityCache(load_trust_store("JS", {"JS": Layout(js_dir).ca_cert}), max_entries=1)
    foreign = Layout(sh_dir).identity_cert("platform").read_bytes()
    for _ in range(2):
        with pytest.raises(UntrustedCertificate):
            cache.identity(foreign, now=NOW)
    a = cache.identity(Layout(js_dir).identity_cert("admin").read_bytes(), now=NOW)
    b = cache.identity(Layout(js_dir).identity_cert("auditor").read_bytes(), now=NOW)
    assert (a.name, b.name) == ("admin", "auditor")
    assert len(cache._entries) == 1
    with pytest.raises(ValueError, match=r"max_entries must be >= 1, got 0"):
        IdentityCache(cache.trusted, max_entries=0)
