"""The Alembic revisions build exactly node/store/schema.py, on every backend."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from setuptools import find_packages  # type: ignore[import-untyped]
from sqlalchemy import CheckConstraint, Engine, UniqueConstraint, inspect, text

from node.store.engine import MIGRATIONS_DIR, alembic_config, make_engine, migrate
from node.store.schema import metadata

REPO = Path(__file__).resolve().parents[3]


def _described(engine: Engine) -> dict[str, Any]:
    """Tables as the database reports them: columns, keys, indexes, check names."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        tables[name] = {
            "columns": [
                (c["name"], c["nullable"], c["type"].compile(engine.dialect).split("(")[0])
                for c in inspector.get_columns(name)
            ],
            "pk": inspector.get_pk_constraint(name)["constrained_columns"],
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(name)
                if not (i.get("duplicates_constraint") or "").startswith("uq_")
            ),
            "checks": sorted(str(c["name"]) for c in inspector.get_check_constraints(name)),
        }
    return tables


def _declared(engine: Engine) -> dict[str, Any]:
    """The same description taken from schema.py's metadata."""
    tables: dict[str, Any] = {}
    for name, table in sorted(metadata.tables.items()):
        uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
        checks = [c for c in table.constraints if isinstance(c, CheckConstraint)]
        tables[name] = {
            "columns": [
                (c.name, c.nullable, c.type.compile(engine.dialect).split("(")[0])
                for c in table.columns
            ],
            "pk": [c.name for c in table.primary_key.columns],
            "unique": sorted((str(u.name), tuple(c.name for c in u.columns)) for u in uniques),
            "indexes": sorted(
                (str(i.name), tuple(c.name for c in i.columns), bool(i.unique))
                for i in table.indexes
            ),
            "checks": sorted(str(c.name) for c in checks),
        }
    return tables


class TestSchemaDrift:
    def test_migrated_database_equals_schema_module(self, store_engine: Engine) -> None:
        assert _described(store_engine) == _declared(store_engine)

    def test_alembic_autogenerate_finds_no_difference(self, store_engine: Engine) -> None:
        with store_engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []

    def test_database_is_at_the_single_head(self, store_engine: Engine) -> None:
        heads = ScriptDirectory.from_config(alembic_config()).get_heads()
        assert len(heads) == 1
        with store_engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_heads() == tuple(heads)


def test_revisions_are_named_by_date_and_match_their_ids() -> None:
    files = sorted(p for p in (MIGRATIONS_DIR / "versions").glob("*.py")
                   if p.name != "__init__.py")
    assert files, "no revisions found"
    script = ScriptDirectory.from_config(alembic_config())
    for path in files:
        match = re.fullmatch(r"(\d{8}_\d{4})_[a-z0-9_]+\.py", path.name)
        assert match, f"{path.name}: want YYYYMMDD_NNNN_what.py"
        assert script.get_revision(match.group(1)) is not None, path.name


def test_migrations_ship_inside_the_package() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = find_packages(where=str(REPO), include=include)
    assert {"node.store.migrations", "node.store.migrations.versions"} <= set(packages)
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    assert "*.mako" in patterns  # script.py.mako, the template for new revisions
    assert (MIGRATIONS_DIR / "env.py").is_file()


def test_sqlite_rowid_choice_matches_schema_module() -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        ddl = {row.name: row.sql.upper() for row in rows}
    for name, table in metadata.tables.items():
        with_rowid = table.dialect_options["sqlite"]["with_rowid"]
        assert ("WITHOUT ROWID" not in ddl[name]) == with_rowid, name
