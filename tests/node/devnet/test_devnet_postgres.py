"""`consortium up --database-url` on the local PostgreSQL: one schema per node, data kept
across down/up. Skipped loudly without a server (a failure under REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from devnet_helpers import processes_under, store_log, teardown
from sqlalchemy import text

from node.cli.main import main
from node.config import load_config
from node.devnet.lifecycle import consortium_up, load_doc
from node.devnet.progress import Progress
from node.devnet.readback import wait_anchored
from node.devnet.status import consortium_status
from node.devnet.workload import submit_all, synthesize
from node.store.engine import make_engine

pytestmark = [pytest.mark.anvil, pytest.mark.postgres]


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "consortium"
    try:
        yield directory
    finally:
        teardown(directory)


def _schemas(base_url: str, prefix: str) -> set[str]:
    engine = make_engine(base_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT schema_name FROM information_schema.schemata "
                                     "WHERE schema_name LIKE :p"), {"p": f"{prefix}_%"})
            return {r[0] for r in rows}
    finally:
        engine.dispose()


def test_each_node_gets_its_schema_and_keeps_its_data(root: Path, base_url: str,
                                                      prefix: str) -> None:
    assert main(["consortium", "up", "--dir", str(root), "--provinces", "SH,JS",
                 "--database-url", base_url, "--schema-prefix", prefix]) == 0
    assert _schemas(base_url, prefix) == {f"{prefix}_sh", f"{prefix}_js"}
    doc = load_doc(root)
    url = load_config(Path(doc.provinces["JS"].config)).database.url
    assert url.startswith("postgresql+psycopg://") and f"search_path%3D{prefix}_js" in url
    assert doc.provinces["JS"].database == f"postgresql schema {prefix}_js"

    work = synthesize(["JS"], 120, seed=3)
    assert submit_all(doc, work, Progress("test", 120, io.StringIO()))["JS"].accepted == 120
    wait_anchored(doc, {"JS": 120}, timeout=60)
    assert store_log(doc, "SH")[0] == 0
    size, root_hash = store_log(doc, "JS")
    assert size == 120

    assert main(["consortium", "down", "--dir", str(root)]) == 0
    assert processes_under(root) == []
    result = consortium_up(root)
    assert result.started == ["ledger", "SH", "JS"] and not result.deployed
    status = consortium_status(load_doc(root))["provinces"]
    assert status["JS"]["records"] == 120 and status["SH"]["records"] == 0
    assert store_log(load_doc(root), "JS") == (size, root_hash)

