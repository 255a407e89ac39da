"""The record stream: penalties, dishonesty entries and commitments mixed 70/15/15."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice

from node.devnet.synth.authorities import AuthorityBook
from node.devnet.synth.commitment import CommitmentMaker
from node.devnet.synth.context import Context, category_index
from node.devnet.synth.dates import DateBook
from node.devnet.synth.dishonesty import DishonestyMaker
from node.devnet.synth.load import load_tables
from node.devnet.synth.model import SynthTables
from node.devnet.synth.penalty import PenaltyMaker
from node.devnet.synth.pick import SynthRandom, Weighted
from node.devnet.synth.subjects import SubjectPool
from node.domain.fields import PROVINCES
from node.domain.local_categories import LocalCategoryTable, load_local_categories

KIND_MIX = (("penalty", 70.0), ("dishonesty", 15.0), ("commitment", 15.0))


def generate(province: str, seed: int, *, tables: SynthTables | None = None,
             categories: LocalCategoryTable | None = None,
             dates: DateBook | None = None) -> Iterator[dict[str, object]]:
    """An endless, deterministic stream of valid records of ``province``.

    The same ``(province, seed)`` always gives the same stream, and the first N records
    do not depend on how many are taken. Each record is a fresh dict in field order
    (envelope first).

    Precondition: ``province`` is a key of :data:`node.domain.fields.PROVINCES`. Raises
    ``ValueError`` otherwise, and ``KeyError`` if the local-category table lacks a code
    the generator needs for that province.
    """
    if province not in PROVINCES:
        raise ValueError(f"unknown province {province!r}, want one of {sorted(PROVINCES)}")
    tables = tables if tables is not None else load_tables()
    if province not in tables.provinces:
        raise ValueError(f"synth data has no divisions for province {province}")
    info = tables.provinces[province]
    # A string seed is hashed with SHA-512: stable across runs, different per province.
    rng = SynthRandom(f"synth|{province}|{seed}")
    ctx = Context(
        rng=rng,
        province=info,
        tables=tables,
        subjects=SubjectPool(rng, info, tables),
        authorities=AuthorityBook(info),
        dates=dates if dates is not None else DateBook(),
        categories=category_index(categories if categories is not None else load_local_categories(),
                                  province),
    )
    makers: dict[str, Callable[[], dict[str, object]]] = {
        "penalty": PenaltyMaker(ctx).make,
        "dishonesty": DishonestyMaker(ctx).make,
        "commitment": CommitmentMaker(ctx).make,
    }
    mix = Weighted((makers[kind], weight) for kind, weight in KIND_MIX)
    while True:
        yield mix.pick(rng)()


def generate_records(province: str, count: int, seed: int) -> Iterator[dict[str, object]]:
    """The first ``count`` records of :func:`generate` (``count >= 0``)."""
    if count < 0:
        raise ValueError(f"record count must be >= 0, got {count}")
    return islice(generate(province, seed), count)
