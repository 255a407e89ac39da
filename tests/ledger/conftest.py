"""A fresh contract suite per test that asks for it, on the run's shared anvil.

Members SH, JS, ZJ, AH use anvil dev accounts 1..4; account 0 deploys; account 5 is a
non-member. A deployment costs ~0.1 s, so each test gets its own and tests stay independent.
"""

from __future__ import annotations

import pytest
from ledger_helpers import KEYS, MEMBERS, OUTSIDER_KEY, PROVINCES, adopt_catalog

from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy_suite
from ledger.devchain import DevChain
from ledger.devkeys import DEV_KEYS


@pytest.fixture
def deployment(anvil: DevChain) -> Deployment:
    return deploy_suite(anvil.rpc_url, DEV_KEYS[0], MEMBERS, timeout=10.0)


@pytest.fixture
def clients(anvil: DevChain, deployment: Deployment) -> dict[str, LedgerClient]:
    """A client per province, plus "XX" for the non-member account 5."""
    found = {
        p: LedgerClient(anvil.rpc_url, deployment.addresses, KEYS[p], timeout=10.0)
        for p in PROVINCES
    }
    found["XX"] = LedgerClient(anvil.rpc_url, deployment.addresses, OUTSIDER_KEY, timeout=10.0)
    return found


@pytest.fixture
def adopted(clients: dict[str, LedgerClient]) -> dict[str, LedgerClient]:
    """`clients` with catalog version 1 adopted."""
    adopt_catalog(clients, 1)
    return clients
