"""Typed records: frozen dataclasses for the three record kinds, built from a validated
JSON object and turned back into one.

Each attribute carries its field code in ``metadata["code"]``, so the mapping to the
JSON Lines form is data, checked against :mod:`node.domain.fields` by the tests.

Normal form (what :func:`to_json` produces): absent and blank optional fields omitted,
amounts as canonical decimal strings (``"12.5"``, ``"100"``), ID numbers with ``X``
upper-case, dates ``YYYY-MM-DD``, lists as JSON arrays; unknown fields are dropped.
For an object in normal form ``to_json(parse_record(obj)) == obj``, and for every record
``parse_record(to_json(r)) == r``.

Usage::

    result = validate_record(obj, ctx)
    if result.ok:
        record = parse_record(obj)
        subject_identifier(record), is_public(record)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from node.domain.errors import DomainError
from node.domain.fields import BY_KIND, ENVELOPE, NATURAL_PERSON, FieldSpec
from node.domain.identifiers import normalize_id_number
from node.domain.publicity import RuleTable, publicity_end
from node.domain.validation.values import canonical_amount, is_blank, parse_amount, parse_date


def _m(code: str) -> dict[str, str]:
    """Metadata binding a dataclass field to the JSON field ``code``."""
    return {"code": code}


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """Fields every record has (see ``fields.ENVELOPE``)."""

    kind: str = field(metadata=_m("kind"))
    province: str = field(metadata=_m("province"))
    record_no: str = field(metadata=_m("record_no"))
    local_category: str = field(metadata=_m("local_category"))
    severity: str = field(metadata=_m("severity"))
    rule_version: str = field(metadata=_m("rule_version"))
    publish_date: dt.date | None = field(metadata=_m("publish_date"))


@dataclass(frozen=True, kw_only=True)
class PenaltyRecord(Envelope):
    """An administrative penalty (行政处罚), fields ``CF_*``."""

    subject_name: str = field(metadata=_m("CF_XDR_MC"))
    subject_kind: str = field(metadata=_m("CF_XDR_LB"))
    uscc: str | None = field(metadata=_m("CF_XDR_SHXYM"))
    legal_rep: str | None = field(metadata=_m("CF_FRDB"))
    id_type: str | None = field(metadata=_m("CF_XDR_ZJLX"))
    id_number: str | None = field(metadata=_m("CF_XDR_ZJHM"))
    decision_no: str = field(metadata=_m("CF_WSH"))
    violation_type: str = field(metadata=_m("CF_WFXW"))
    facts: str = field(metadata=_m("CF_SY"))
    legal_basis: str = field(metadata=_m("CF_YJ"))
    penalty_types: tuple[str, ...] = field(metadata=_m("CF_CFLB"))
    penalty_content: str = field(metadata=_m("CF_NR"))
    fine_amount: str | None = field(metadata=_m("CF_NR_FK"))
    confiscation_amount: str | None = field(metadata=_m("CF_NR_WFFF"))
    licence: str | None = field(metadata=_m("CF_NR_ZKDX"))
    decision_date: dt.date = field(metadata=_m("CF_JDRQ"))
    valid_until: dt.date = field(metadata=_m("CF_YXQ"))
    publicity_end: dt.date | None = field(metadata=_m("CF_GSJZQ"))
    authority: str = field(metadata=_m("CF_CFJG"))
    authority_uscc: str = field(metadata=_m("CF_CFJGDM"))
    data_source: str = field(metadata=_m("CF_SJLY"))
    data_source_uscc: str = field(metadata=_m("CF_SJLYDM"))
    simplified: str | None = field(metadata=_m("CF_SIMPLE"))

    @property
    def is_simplified(self) -> bool:
        return self.simplified == "是"


@dataclass(frozen=True, kw_only=True)
class DishonestyEntry(Envelope):
    """A serious-dishonesty list entry (严重失信主体名单), fields ``SX_*``."""

    subject_name: str = field(metadata=_m("SX_ZTMC"))
    subject_kind: str = field(metadata=_m("SX_ZTLB"))
    uscc: str | None = field(metadata=_m("SX_SHXYM"))
    legal_rep: str | None = field(metadata=_m("SX_FDDBR"))
    id_type: str | None = field(metadata=_m("SX_ZJLX"))
    id_number: str | None = field(metadata=_m("SX_ZJHM"))
    list_name: str = field(metadata=_m("SX_MDMC"))
    reason: str = field(metadata=_m("SX_SXXW"))
    legal_basis: str = field(metadata=_m("SX_YJ"))
    authority: str = field(metadata=_m("SX_RDJG"))
    authority_uscc: str = field(metadata=_m("SX_RDJGDM"))
    decision_no: str = field(metadata=_m("SX_WSH"))
    listing_date: dt.date = field(metadata=_m("SX_LRRQ"))
    valid_until: dt.date = field(metadata=_m("SX_YXQ"))
    removal_reason: str | None = field(metadata=_m("SX_YCYY"))
    data_source: str = field(metadata=_m("SX_SJLY"))
    data_source_uscc: str = field(metadata=_m("SX_SJLYDM"))


@dataclass(frozen=True, kw_only=True)
class CreditCommitment(Envelope):
    """A credit commitment (信用承诺), fields ``CN_*``."""

    code: str = field(metadata=_m("CN_BM"))
    subject_name: str = field(metadata=_m("CN_CNRMC"))
    subject_kind: str = field(metadata=_m("CN_CNRLB"))
    uscc: str | None = field(metadata=_m("CN_SHXYM"))
    id_type: str | None = field(metadata=_m("CN_ZJLX"))
    id_number: str | None = field(metadata=_m("CN_ZJHM"))
    commitment_type: str = field(metadata=_m("CN_LX"))
    content: str = field(metadata=_m("CN_NR"))
    liability: str = field(metadata=_m("CN_WYZR"))
    commitment_date: dt.date = field(metadata=_m("CN_RQ"))
    valid_until: dt.date = field(metadata=_m("CN_YXQ"))
    fulfilment: str = field(metadata=_m("CN_LXQK"))
    accepting_unit: str = field(metadata=_m("CN_SLDW"))
    accepting_unit_uscc: str = field(metadata=_m("CN_SLDWDM"))
    disclosure: str = field(metadata=_m("CN_GKFW"))


Record = PenaltyRecord | DishonestyEntry | CreditCommitment

RECORD_CLASSES: dict[str, type[PenaltyRecord] | type[DishonestyEntry] | type[CreditCommitment]] = {
    "penalty": PenaltyRecord,
    "dishonesty": DishonestyEntry,
    "commitment": CreditCommitment,
}
_SPECS: dict[str, dict[str, FieldSpec]] = {
    kind: {spec.code: spec for spec in (*ENVELOPE, *specs)} for kind, specs in BY_KIND.items()
}


class RecordParseError(DomainError, ValueError):
    """An object handed to :func:`parse_record` was not a valid record."""


def _from_json(spec: FieldSpec, value: object) -> object:
    if is_blank(value):
        return None
    if spec.type == "date":
        day = parse_date(value) if isinstance(value, str) else None
        if day is None:
            raise RecordParseError(f"{spec.code}: not a YYYY-MM-DD date")
        return day
    if spec.type == "amount":
        amount = parse_amount(value)
        if amount is None:
            raise RecordParseError(f"{spec.code}: not a decimal amount")
        return canonical_amount(amount)
    if spec.type == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RecordParseError(f"{spec.code}: not an array of strings")
        return tuple(value)
    if not isinstance(value, str):
        raise RecordParseError(f"{spec.code}: not a string")
    return normalize_id_number(value) if spec.type == "id_number" else value


def parse_record(obj: dict[str, object]) -> Record:
    """Build the typed record from a JSON object.

    Precondition: ``validate_record(obj, ctx).ok``. Raises :class:`RecordParseError`
    naming the field when a required value is missing or of the wrong form (which
    validation would have reported).
    """
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in RECORD_CLASSES:
        raise RecordParseError(f"kind: want one of {sorted(RECORD_CLASSES)}")
    cls = RECORD_CLASSES[kind]
    values: dict[str, Any] = {}
    for name, spec in _attributes(cls):
        value = _from_json(spec, obj.get(spec.code))
        if value is None and spec.required == "yes":
            raise RecordParseError(f"{spec.code}: required field has no value")
        values[name] = value
    return cls(**values)


_ATTRIBUTES: dict[type, tuple[tuple[str, FieldSpec], ...]] = {}


def _attributes(cls: type) -> tuple[tuple[str, FieldSpec], ...]:
    """A record class's (attribute name, field spec) pairs in field order, computed once."""
    found = _ATTRIBUTES.get(cls)
    if found is None:
        kind = next(k for k, c in RECORD_CLASSES.items() if c is cls)
        found = tuple((attr.name, _SPECS[kind][attr.metadata["code"]])
                      for attr in dataclasses.fields(cls))
        _ATTRIBUTES[cls] = found
    return found


def _to_json(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def to_json(record: Record) -> dict[str, object]:
    """The record in JSON Lines normal form: envelope first, then the kind's fields in
    the order of ``fields.py``; None-valued fields omitted."""
    by_code = {spec.code: getattr(record, name) for name, spec in _attributes(type(record))}
    out: dict[str, object] = {}
    for spec in (*ENVELOPE, *BY_KIND[record.kind]):
        value = by_code[spec.code]
        if value is not None:
            out[spec.code] = _to_json(value)
    return out


def subject_identifier(record: Record) -> str:
    """The subject's identifier: the ID number of a natural person, else the USCC.

    Raises ``ValueError`` when it is missing (validation requires it).
    """
    ident = record.id_number if record.subject_kind == NATURAL_PERSON else record.uscc
    if ident is None:
        raise ValueError(f"{record.kind} record {record.record_no}: subject has no identifier")
    return ident


def is_public(record: Record, rules: RuleTable | None = None) -> bool:
    """Whether the record is the kind of information that is published (ignoring whether
    its publicity period has ended).

    - natural persons' penalties and dishonesty entries: not public by default;
    - penalties: public unless not published under their rule version (only
      警告/通报批评, simplified procedure, or a band without publicity);
    - dishonesty entries of legal persons and 个体工商户: public;
    - commitments: public iff CN_GKFW is 公开.

    Raises :class:`node.domain.publicity.UnknownRuleVersion` for a penalty whose
    ``rule_version`` is not in ``rules`` (default: the packaged table); validation
    refuses such records.
    """
    if isinstance(record, CreditCommitment):
        return record.disclosure == "公开"
    if record.subject_kind == NATURAL_PERSON:
        return False
    if isinstance(record, DishonestyEntry):
        return True
    end = publicity_end(record.decision_date, record.severity, record.rule_version,
                        record.penalty_types, simplified=record.is_simplified, rules=rules)
    return end is not None
