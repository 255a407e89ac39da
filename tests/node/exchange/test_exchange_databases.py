"""The consortium runs on the databases it was given: each node in a SQLite file of its
own, or — the PostgreSQL case — in a schema of its own (no two nodes share one), and the
JS and ZJ records the fixture seeded reach every node's own database."""

from __future__ import annotations

from exchange_helpers import PROVINCES, Consortium, wait_for
from lifecycle_helpers import held_rows
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

COUNT = "SELECT count(*) FROM records WHERE province = :origin"


def _schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def test_every_node_holds_its_data_in_its_own_database(
        consortium: Consortium, consortium_databases: dict[str, str]) -> None:
    urls = {p: consortium[p].database_url for p in PROVINCES}
    backends = {make_url(url).get_backend_name() for url in urls.values()}
    assert len(set(urls.values())) == len(PROVINCES), urls
    if consortium_databases:
        assert urls == consortium_databases and backends == {"postgresql"}, urls
    else:
        assert backends == {"sqlite"}, urls
    for province, url in urls.items():
        engine_url = consortium[province].node.app.store.engine.url
        assert engine_url.get_backend_name() in backends, province
        for origin in ("JS", "ZJ"):
            wait_for(lambda u=url, o=origin: held_rows(u, COUNT, origin=o) > 0,  # type: ignore[misc]
                     timeout=30, step=0.2)
    if consortium_databases:
        # Asked through each running node's own engine: the schema it really writes to.
        schemas = {p: _schema(consortium[p].node.app.store.engine) for p in PROVINCES}
        assert all(s.startswith(f"exchange_{p.lower()}_") for p, s in schemas.items()), schemas
