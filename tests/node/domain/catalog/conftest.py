"""Fixtures for the catalog tests: the packaged documents and a minimal valid catalog."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from node.domain.catalog import Catalog, ProvinceMapping, packaged_catalogs, packaged_mappings

MINIMAL: dict[str, Any] = {
    "version": 1,
    "title": "测试目录",
    "effective": "2026-01-01",
    "categories": [
        {"code": "YRD-SX-SC-001", "name": "市场监管领域一般违法行为", "kind": "penalty",
         "severity_class": "general", "publicity_band": {"min_months": 3, "max_months": 12},
         "basic_catalog_class": "行政管理信息", "measures": ["M-B-01"]},
        {"code": "YRD-SX-SC-003", "name": "列入市场监督管理严重违法失信名单",
         "kind": "dishonesty", "severity_class": "serious",
         "publicity_band": {"min_months": 12, "max_months": 36},
         "basic_catalog_class": "严重失信主体名单信息", "measures": ["M-A-01", "M-B-01"]},
    ],
    "measures": [
        {"id": "M-A-01", "group": "a", "content": "限制参加政府采购活动", "target": "严重失信主体",
         "legal_basis": "《中华人民共和国政府采购法》第二十二条", "implementer": "财政部门"},
        {"id": "M-B-01", "group": "b", "content": "列为重点监管对象", "target": "失信主体",
         "legal_basis": "国发〔2016〕33号", "implementer": "行业主管部门"},
    ],
}


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh copy of a small valid catalog document."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture(scope="session")
def catalogs() -> dict[int, Catalog]:
    return packaged_catalogs()


@pytest.fixture(scope="session")
def mappings() -> dict[tuple[str, int], ProvinceMapping]:
    return packaged_mappings()
