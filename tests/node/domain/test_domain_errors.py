"""One error base for node.domain: DomainError, with the old ValueError/LookupError kept."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

import node.domain.calendar
import node.domain.catalog.errors
import node.domain.errors
import node.domain.publicity
import node.domain.records
from node.domain.catalog.errors import CatalogError, UnknownCatalogEntry
from node.domain.errors import DomainError
from node.domain.records import RecordParseError, parse_record

MODULES = [node.domain.errors, node.domain.catalog.errors, node.domain.calendar,
           node.domain.publicity, node.domain.records]


def _errors(module: ModuleType) -> list[type[BaseException]]:
    return [obj for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_every_domain_error_is_a_domain_error(module: ModuleType) -> None:
    errors = _errors(module)
    assert errors
    assert [e.__name__ for e in errors if not issubclass(e, DomainError)] == []


def test_old_bases_kept_for_callers_that_catch_them() -> None:
    assert issubclass(CatalogError, DomainError)
    assert issubclass(UnknownCatalogEntry, LookupError)
    kinds = [node.domain.calendar.CalendarNotCovered, node.domain.calendar.CalendarDataError,
             node.domain.publicity.RuleTableError, node.domain.publicity.UnknownRuleVersion,
             RecordParseError, node.domain.catalog.errors.MalformedCatalog]
    assert [k.__name__ for k in kinds if not issubclass(k, ValueError)] == []


def test_a_record_parse_failure_is_caught_as_a_domain_error() -> None:
    with pytest.raises(DomainError):
        parse_record({"kind": "no-such-kind"})
