"""Validation of one record (one parsed JSON Lines object) as a pure function.

Usage::

    ctx = ValidationContext(today=dt.date(2025, 6, 30))
    result = validate_record(json.loads(line), ctx)
    if not result.ok:
        for issue in result.errors:
            print(issue.code, issue.field, issue.message)

Steps, in order (each skips what an earlier step already reported):

1. the value is a JSON object (``NOT_OBJECT``);
2. envelope fields, then the fields of the record's kind: required, type, length,
   lists, dates, amounts, identifiers (``fields_check``, ``subject``); unknown fields
   are warnings;
3. the rule version exists in the publicity rule table;
4. the subject's conditional fields (``subject``);
5. kind rules: penalties (``penalty``), commitments (``commitment``);
6. dates: order, not after today, 双公示 timeliness (``dates``).

Error and warning codes are catalogued in :mod:`.issues`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from node.domain.calendar import HolidayCalendar, default_calendar
from node.domain.fields import BY_KIND, ENVELOPE
from node.domain.publicity import RuleTable, default_rules
from node.domain.validation.commitment import check_commitment
from node.domain.validation.dates import check_dates
from node.domain.validation.fields_check import Checked, FieldEnv, check_fields, describe
from node.domain.validation.issues import CATALOGUE, Collector, Issue
from node.domain.validation.penalty import check_penalty
from node.domain.validation.subject import check_subject

__all__ = ["CATALOGUE", "Issue", "Result", "ValidationContext", "validate_record"]

_ENVELOPE_CODES = frozenset(spec.code for spec in ENVELOPE)
_KNOWN: dict[str, frozenset[str]] = {
    kind: _ENVELOPE_CODES | {spec.code for spec in specs} for kind, specs in BY_KIND.items()
}
_MAX_SHOWN_KEY = 40


@dataclass(frozen=True)
class ValidationContext:
    """Everything validation depends on besides the record.

    ``today`` bounds birth, decision and publication dates; ``uscc_allow_list`` holds
    codes with a known-bad check character that the operator accepts; ``rules`` and
    ``calendar`` default to the packaged tables.
    """

    today: dt.date
    uscc_allow_list: frozenset[str] = frozenset()
    rules: RuleTable = field(default_factory=default_rules)
    calendar: HolidayCalendar = field(default_factory=default_calendar)


@dataclass(frozen=True)
class Result:
    """The findings on one record; it is valid when there are no errors."""

    errors: list[Issue]
    warnings: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_record(obj: object, ctx: ValidationContext) -> Result:
    """Validate one record; never raises for any JSON value ``obj``."""
    out = Collector()
    # (1) a JSON object
    if not isinstance(obj, dict):
        out.add("NOT_OBJECT", None, f"expected a JSON object, got {describe(obj)}")
        return Result(out.errors, out.warnings)
    _validate_object(obj, ctx, out)
    return Result(out.errors, out.warnings)


def _validate_object(obj: Mapping[str, object], ctx: ValidationContext, out: Collector) -> None:
    env = FieldEnv(ctx.today, ctx.uscc_allow_list)
    ok = Checked()
    # (2) envelope and kind fields
    check_fields(obj, ENVELOPE, env, out, ok)
    kind = ok.text.get("kind")
    if kind is not None:
        check_fields(obj, BY_KIND[kind], env, out, ok)
        known = _KNOWN[kind]
        for key in obj:
            if key not in known:
                out.add("UNKNOWN_FIELD", str(key)[:_MAX_SHOWN_KEY],
                        f"field {str(key)[:_MAX_SHOWN_KEY]!r} is not a field of a {kind} "
                        "record; it is ignored")
    # (3) rule version
    version = ok.text.get("rule_version")
    if version is not None and version not in ctx.rules.versions:
        out.add("RULE_VERSION_UNKNOWN", "rule_version",
                f"rule_version {version!r} is not in the publicity rule table; expected one "
                f"of {', '.join(sorted(ctx.rules.versions))}")
    if kind is None:
        return
    # (4) subject
    check_subject(kind, ok.present, ok.text, out)
    # (5) kind rules
    if kind == "penalty":
        check_penalty(ok, ctx.rules, out)
    elif kind == "commitment":
        check_commitment(ok.text, out)
    # (6) dates
    check_dates(kind, ok.dates, ctx.today, ctx.calendar, out)
