"""The catalog's sharing policy: per shared category and subject type, what leaves the origin.

Three answers (``Sharing``):

* ``replicate`` — handed to every member's puller, with its proof;
* ``on_request`` — handed out only for one subject under a forwarded grant
  (``FetchOnRequest``), after the origin's own checks;
* ``origin_only`` — never leaves the origin (answered there only).

A policy is an ordered list of rules and a default; the first rule that matches the
record's shared category (or ``*``), kind (or ``*``), subject type (``natural_person``,
``organisation``, or ``*``) and visibility (``public``, ``non_public`` or ``*``) decides.
Catalog documents from v3 on carry the policy (a ``sharing`` object, adopted on-chain with
the rest of the document); for older versions :data:`DEFAULT_POLICY` applies, which is the
same rules v3 writes down: natural persons' non-public information never leaves the origin
(domain.md §2: shared between authorities, not published), credit commitments go on
request, everything else is replicated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from node.domain.catalog import shape
from node.domain.catalog.errors import MalformedCatalog
from node.domain.fields import KINDS

__all__ = ["DEFAULT_POLICY", "SHARINGS", "Sharing", "SharingPolicy", "SharingRule",
           "parse_sharing", "subject_type"]

Sharing = Literal["replicate", "on_request", "origin_only"]
SHARINGS: Final = ("replicate", "on_request", "origin_only")
SUBJECTS: Final = ("natural_person", "organisation", "*")
VISIBILITIES: Final = ("public", "non_public", "*")
RULE_FIELDS: Final = ("category", "kind", "subject", "visibility", "sharing")
POLICY_FIELDS: Final = ("default", "rules")
NATURAL_PERSON_KINDS: Final = frozenset({"自然人"})


def subject_type(subject_kind: str | None) -> str:
    """``natural_person`` for 自然人, else ``organisation`` (legal persons, 个体工商户)."""
    return "natural_person" if subject_kind in NATURAL_PERSON_KINDS else "organisation"


@dataclass(frozen=True)
class SharingRule:
    category: str
    kind: str
    subject: str
    visibility: str
    sharing: Sharing

    def matches(self, category: str, kind: str, subject: str, public: bool) -> bool:
        visibility = "public" if public else "non_public"
        return (self.category in ("*", category) and self.kind in ("*", kind)
                and self.subject in ("*", subject) and self.visibility in ("*", visibility))


@dataclass(frozen=True)
class SharingPolicy:
    rules: tuple[SharingRule, ...]
    default: Sharing

    def decide(self, *, category: str, kind: str, subject: str | None,
               public: bool) -> Sharing:
        """The sharing of one record (first matching rule, else the default). ``subject``
        is ``natural_person`` or ``organisation`` (None, unknown: ``organisation``)."""
        subject = subject if subject in ("natural_person", "organisation") else "organisation"
        for rule in self.rules:
            if rule.matches(category, kind, subject, public):
                return rule.sharing
        return self.default

    def to_document(self) -> dict[str, Any]:
        return {"default": self.default, "rules": [
            {name: getattr(rule, name) for name in RULE_FIELDS} for rule in self.rules]}


DEFAULT_POLICY: Final = SharingPolicy(rules=(
    SharingRule("*", "*", "natural_person", "non_public", "origin_only"),
    SharingRule("*", "commitment", "*", "*", "on_request"),
), default="replicate")


def parse_sharing(raw: object, categories: frozenset[str]) -> SharingPolicy:
    """The ``sharing`` object of a catalog document; ``MalformedCatalog`` names the defect."""
    where = "malformed catalog: sharing"
    obj = shape.exact_fields(raw, POLICY_FIELDS, where, MalformedCatalog)
    default = shape.choice(obj, "default", SHARINGS, where, MalformedCatalog)
    rules_raw = obj["rules"]
    if not isinstance(rules_raw, list):
        raise MalformedCatalog(f"{where}: 'rules' must be a list, got "
                               f"{shape.type_name(rules_raw)}")
    rules: list[SharingRule] = []
    for i, entry in enumerate(rules_raw):
        at = f"{where}.rules[{i}]"
        rule = shape.exact_fields(entry, RULE_FIELDS, at, MalformedCatalog)
        category = rule["category"]
        if category != "*" and category not in categories:
            raise MalformedCatalog(f"{at}: category {shape.shown(category)} is not a category "
                                   "of this catalog (or '*')")
        kind = shape.choice(rule, "kind", (*KINDS, "*"), at, MalformedCatalog)
        rules.append(SharingRule(
            category=str(category), kind=kind,
            subject=shape.choice(rule, "subject", SUBJECTS, at, MalformedCatalog),
            visibility=shape.choice(rule, "visibility", VISIBILITIES, at, MalformedCatalog),
            sharing=_sharing(shape.choice(rule, "sharing", SHARINGS, at, MalformedCatalog))))
    return SharingPolicy(tuple(rules), _sharing(default))


def _sharing(value: str) -> Sharing:
    if value == "replicate":
        return "replicate"
    if value == "on_request":
        return "on_request"
    return "origin_only"
