"""The catalog's sharing policy: v3 writes it down, older versions get the same default."""

from __future__ import annotations

import copy

import pytest

from node.domain.catalog import Catalog, MalformedCatalog, parse_catalog
from node.domain.catalog.sharing import DEFAULT_POLICY, subject_type


@pytest.mark.parametrize(("kind", "subject", "public", "want"), [
    ("penalty", "natural_person", False, "origin_only"),
    ("dishonesty", "natural_person", False, "origin_only"),
    ("penalty", "organisation", True, "replicate"),
    ("penalty", "organisation", False, "replicate"),
    ("dishonesty", "organisation", True, "replicate"),
    ("commitment", "organisation", True, "on_request"),
    ("commitment", "natural_person", False, "origin_only"),
])
def test_v3_policy_per_kind_subject_and_visibility(catalogs: dict[int, Catalog], kind: str,
                                                   subject: str, public: bool,
                                                   want: str) -> None:
    v3 = catalogs[3]
    code = next(c for c, cat in v3.categories.items() if cat.kind == kind)
    assert v3.sharing.decide(category=code, kind=kind, subject=subject, public=public) == want
    # Older versions carry no policy: the default is the rules v3 writes down.
    assert catalogs[1].sharing == DEFAULT_POLICY == v3.sharing
    assert "sharing" not in catalogs[1].document and "sharing" in v3.document


def test_subject_type_of_the_record_kinds() -> None:
    assert subject_type("自然人") == "natural_person"
    assert subject_type("法人及非法人组织") == subject_type("个体工商户") == "organisation"


def test_a_malformed_policy_is_refused_naming_the_rule(catalogs: dict[int, Catalog]) -> None:
    doc = copy.deepcopy(dict(catalogs[3].document))
    doc["sharing"] = {"default": "replicate", "rules": [
        {"category": "YRD-SX-XX-999", "kind": "*", "subject": "*", "visibility": "*",
         "sharing": "replicate"}]}
    with pytest.raises(MalformedCatalog, match=r"sharing\.rules\[0\]: category "
                                               r"'YRD-SX-XX-999' is not a category"):
        parse_catalog(doc)
    doc["sharing"] = {"default": "broadcast", "rules": []}
    with pytest.raises(MalformedCatalog, match=r"sharing: 'default'"):
        parse_catalog(doc)
