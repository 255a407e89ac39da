"""Per-field checks driven by :class:`node.domain.fields.FieldSpec`: required, JSON type,
length, enum/list membership, date and amount forms; identifier fields are handed to
:mod:`.subject`.

The checks fill a :class:`Checked` with the values that passed, parsed, so the
cross-field rules can use them without reporting the same defect twice: a rule that
needs a field absent from ``Checked`` simply does not run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from node.domain.fields import FieldSpec
from node.domain.validation.issues import Collector
from node.domain.validation.subject import check_id_field, check_uscc_field
from node.domain.validation.values import parse_amount, parse_date


@dataclass
class Checked:
    """The fields that passed their own checks, parsed.

    ``present``: codes with a non-blank value (valid or not); ``text``: text, enum, USCC
    and (normalised) ID values; ``dates``, ``amounts``, ``lists``: parsed values.
    """

    present: set[str] = field(default_factory=set)
    text: dict[str, str] = field(default_factory=dict)
    dates: dict[str, dt.date] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldEnv:
    """What field checks need from the validation context."""

    today: dt.date
    uscc_allow_list: frozenset[str]


def describe(value: object) -> str:
    """A JSON type name for ``value``, never the value itself (it may be personal data)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def _label(spec: FieldSpec) -> str:
    return f"{spec.code} ({spec.name})"


def _choices(spec: FieldSpec) -> str:
    return " / ".join(spec.choices)


def _text(spec: FieldSpec, value: object, env: FieldEnv, out: Collector, ok: Checked) -> None:
    if not isinstance(value, str):
        out.add("TYPE", spec.code, f"{_label(spec)}: expected a string, got {describe(value)}")
    elif spec.max_len is not None and len(value) > spec.max_len:
        out.add("TOO_LONG", spec.code, f"{_label(spec)} has {len(value)} characters, "
                                       f"at most {spec.max_len} allowed")
    else:
        ok.text[spec.code] = value


def _enum(spec: FieldSpec, value: object, env: FieldEnv, out: Collector, ok: Checked) -> None:
    if not isinstance(value, str):
        out.add("TYPE", spec.code, f"{_label(spec)}: expected a string, got {describe(value)}")
    elif value not in spec.choices:
        out.add("NOT_IN_LIST", spec.code,
                f"{_label(spec)}: value is not in the list; expected one of {_choices(spec)}")
    else:
        ok.text[spec.code] = value


def _date(spec: FieldSpec, value: object, env: FieldEnv, out: Collector, ok: Checked) -> None:
    if not isinstance(value, str):
        out.add("TYPE", spec.code,
                f"{_label(spec)}: expected a YYYY-MM-DD string, got {describe(value)}")
        return
    day = parse_date(value)
    if day is None:
        out.add("DATE_FORMAT", spec.code,
                f"{_label(spec)}: expected a real date written YYYY-MM-DD, got {describe(value)}")
    else:
        ok.dates[spec.code] = day


def _amount(spec: FieldSpec, value: object, env: FieldEnv, out: Collector, ok: Checked) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        out.add("TYPE", spec.code,
                f"{_label(spec)}: expected a decimal string or number, got {describe(value)}")
        return
    amount = parse_amount(value)
    if amount is None:
        out.add("AMOUNT_FORMAT", spec.code,
                f"{_label(spec)}: expected a non-negative decimal in 万元 such as \"12.5\" "
                "(no sign or exponent, at most 6 decimals and 12 integer digits)")
    else:
        ok.amounts[spec.code] = amount


def _list(spec: FieldSpec, value: object, env: FieldEnv, out: Collector, ok: Checked) -> None:
    if not isinstance(value, list):
        out.add("TYPE", spec.code,
                f"{_label(spec)}: expected a JSON array of strings, got {describe(value)}")
        return
    good = True
    for i, item in enumerate(value):
        if not isinstance(item, str):
            out.add("TYPE", spec.code,
                    f"{_label(spec)}: item {i + 1} expected a string, got {describe(item)}")
            good = False
        elif spec.choices and item not in spec.choices:
            out.add("NOT_IN_LIST", spec.code,
                    f"{_label(spec)}: item {i + 1} is not in the list; expected one of "
                    f"{_choices(spec)}")
            good = False
    if good:
        ok.lists[spec.code] = tuple(value)


def _uscc(spec: FieldSpec, value: object, env: FieldEnv, out: Collector, ok: Checked) -> None:
    if not isinstance(value, str):
        out.add("TYPE", spec.code, f"{_label(spec)}: expected a string, got {describe(value)}")
    elif check_uscc_field(spec.code, value, env.uscc_allow_list, out):
        ok.text[spec.code] = value


def _id_number(spec: FieldSpec, value: object, env: FieldEnv, out: Collector,
               ok: Checked) -> None:
    if not isinstance(value, str):
        out.add("TYPE", spec.code, f"{_label(spec)}: expected a string, got {describe(value)}")
        return
    normalised = check_id_field(spec.code, value, env.today, out)
    if normalised is not None:
        ok.text[spec.code] = normalised


_Handler = Callable[[FieldSpec, object, FieldEnv, Collector, Checked], None]
_HANDLERS: dict[str, _Handler] = {
    "text": _text,
    "enum": _enum,
    "date": _date,
    "amount": _amount,
    "list": _list,
    "uscc": _uscc,
    "id_number": _id_number,
}


_Plan = tuple[tuple[str, bool, _Handler, FieldSpec], ...]
# Keyed by the identity of the (module-constant) spec tuple: hashing the specs themselves
# would cost more than the checks.
_PLANS: dict[int, tuple[tuple[FieldSpec, ...], _Plan]] = {}


def _plan(specs: tuple[FieldSpec, ...]) -> _Plan:
    entry = _PLANS.get(id(specs))
    if entry is None or entry[0] is not specs:
        entry = (specs, tuple((s.code, s.required == "yes", _HANDLERS[s.type], s) for s in specs))
        _PLANS[id(specs)] = entry
    return entry[1]


def check_fields(obj: Mapping[str, object], specs: tuple[FieldSpec, ...], env: FieldEnv,
                 out: Collector, ok: Checked) -> None:
    """Check every field of ``specs`` in ``obj``; report into ``out``, fill ``ok``.

    Fields whose requirement is ``conditional`` are only checked when present; whether
    they must be present is decided by the cross-field rules. "No value" is as in
    :func:`values.is_blank` (inlined here: this loop is the validator's hot path).
    """
    get = obj.get
    present = ok.present
    for code, required, handler, spec in _plan(specs):
        value = get(code)
        if (value is None or (type(value) is str and (not value or value.isspace()))
                or (type(value) is list and not value)):
            if required:
                out.add("REQUIRED", code, f"{_label(spec)} is required; got no value")
            continue
        present.add(code)
        handler(spec, value, env, out, ok)
