"""`credit-node demo --database-url` on the PostgreSQL server: the whole demo (every step,
four provinces, ``RECORDS`` records each) with each node on its own schema; every step
passes, each node's records sit in its schema and nowhere else, and the demo's reset drops
the schemas with the directory. Schemas holding another consortium's tables are refused.
Skipped loudly without a server (a failure under REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from devnet_helpers import teardown
from sqlalchemy import text

from node.cli.main import main
from node.config import load_config
from node.devnet.demo import DemoOptions, DemoRun
from node.devnet.demo_steps import STEPS, reset
from node.devnet.lifecycle import load_doc
from node.store.engine import make_engine

pytestmark = [pytest.mark.anvil, pytest.mark.postgres, pytest.mark.slow]

RECORDS = 1_000
PROVINCES = ("SH", "JS", "ZJ", "AH")


@pytest.fixture
def demo_dir(tmp_path: Path, prefix: str) -> Iterator[Path]:
    """Torn down (every process stopped) before ``prefix`` drops the schemas."""
    directory = tmp_path / "consortium"
    try:
        yield directory
    finally:
        teardown(directory)


def _sql(base_url: str, *statements: str) -> list[int]:
    """Run ``statements`` in one transaction; the first column of each one's first row."""
    engine = make_engine(base_url)
    try:
        with engine.begin() as conn:
            found = []
            for statement in statements:
                result = conn.execute(text(statement))
                row = result.first() if result.returns_rows else None
                found.append(int(row[0]) if row is not None else 0)
            return found
    finally:
        engine.dispose()


def _schemas(base_url: str, prefix: str) -> int:
    [count] = _sql(base_url, "SELECT count(*) FROM information_schema.schemata "
                             f"WHERE schema_name LIKE '{prefix}\\_%'")
    return count


def test_the_whole_demo_on_postgresql_a_schema_per_node(
        demo_dir: Path, base_url: str, prefix: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--records-per-province", str(RECORDS), "--dir", str(demo_dir),
                 "--database-url", base_url, "--schema-prefix", prefix])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, out + captured.err
    steps = str(len(STEPS))
    assert re.findall(r"^\[(\d+)/(\d+)\]", out, re.MULTILINE)[-1] == (steps, steps)
    assert "FAILED" not in out
    assert f"stores: PostgreSQL, a schema per node ({prefix}_sh, {prefix}_js" in out
    table = {m.group(1): m.groups()[1:] for m in re.finditer(
        r"^  (SH|JS|ZJ|AH) +([\d,]+) +([\d,]+) +([\d,]+) +(\d+) +(\d+)", out, re.MULTILINE)}
    assert set(table) == set(PROVINCES)
    held = {p: RECORDS + 3 * (p == "JS") for p in PROVINCES}  # as in test_devnet_demo.py
    for province, (records, log_size, anchored, backlog, _) in table.items():
        assert records == log_size == anchored == f"{held[province]:,}" and backlog == "0"

    # Each node's own records sit in its schema (and its config names it); no node.db.
    doc = load_doc(demo_dir)
    for province in PROVINCES:
        schema = f"{prefix}_{province.lower()}"
        assert doc.provinces[province].database == f"postgresql schema {schema}"
        url = load_config(Path(doc.provinces[province].config)).database.url
        assert f"search_path%3D{schema}" in url
        assert not (Path(doc.provinces[province].data_dir) / "node.db").exists()
        own, foreign, log_size, anchored_size = _sql(
            base_url,
            f"SELECT count(*) FROM \"{schema}\".records WHERE province = '{province}'",
            f"SELECT count(*) FROM \"{schema}\".records WHERE province <> '{province}'",
            f"SELECT size FROM \"{schema}\".log_state WHERE log_name = 'records'",
            f"SELECT max(end_size) FROM \"{schema}\".batches "
            "WHERE log_name = 'records' AND status = 'anchored'")
        assert own == held[province] == log_size == anchored_size, (
            province, own, log_size, anchored_size)
        assert foreign > 0, province  # what it pulled from the other three
    assert _schemas(base_url, prefix) == len(PROVINCES)

    # The next demo's reset stops this one and drops its schemas with its directory.
    said = reset(DemoRun(DemoOptions(directory=demo_dir), io.StringIO(), io.StringIO()))
    assert any(line.startswith("dropped its PostgreSQL schemas ") for line in said), said
    assert _schemas(base_url, prefix) == 0 and not demo_dir.exists()


def test_the_demo_refuses_schemas_holding_another_consortiums_tables(
        tmp_path: Path, base_url: str, prefix: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    _sql(base_url, f'CREATE SCHEMA "{prefix}_js"',
         f'CREATE TABLE "{prefix}_js".precious (x integer)')
    code = main(["demo", "--records-per-province", "10", "--dir", str(tmp_path / "d"),
                 "--database-url", base_url, "--schema-prefix", prefix])
    out = capsys.readouterr().out
    assert code == 1
    assert f"FAILED: schema {prefix}_js already holds tables" in out
    [kept] = _sql(base_url, f'SELECT count(*) FROM information_schema.tables WHERE '
                            f"table_schema = '{prefix}_js' AND table_name = 'precious'")
    assert kept == 1 and _schemas(base_url, prefix) == 1
