"""Share only what the catalog's policy says: a natural person's non-public penalty
submitted at JS never reaches SH's, ZJ's or AH's database, while a legal person's penalty
submitted right after it does (so replication has run past it)."""

from __future__ import annotations

from exchange_helpers import Consortium, records_of, submit, wait_for
from lifecycle_helpers import held_rows

from node.domain.records import is_public, parse_record

PEERS = ("SH", "ZJ", "AH")


def _held(database_url: str, record_no: str) -> bool:
    """Whether the node's own database holds a row for the JS record (read directly)."""
    return held_rows(database_url, "SELECT count(*) FROM records WHERE province = 'JS' AND "
                     "record_no = :no", no=record_no) > 0


def test_natural_persons_non_public_penalty_never_leaves_js(consortium: Consortium) -> None:
    synthetic = records_of("JS", 400, seed=12)
    person = next(dict(r) for r in synthetic
                  if r["kind"] == "penalty" and r["CF_XDR_LB"] == "自然人")
    company = next(dict(r) for r in synthetic
                   if r["kind"] == "penalty" and r["CF_XDR_LB"] == "法人及非法人组织")
    assert not is_public(parse_record(person)) and is_public(parse_record(company))
    person["record_no"], company["record_no"] = "JS-NP-000001", "JS-LP-000001"
    assert len(submit(consortium, "JS", [person]).accepted) == 1
    assert len(submit(consortium, "JS", [company]).accepted) == 1

    for province in PEERS:
        url = consortium[province].database_url
        wait_for(lambda u=url: _held(u, "JS-LP-000001"), timeout=60)  # type: ignore[misc]
        assert not _held(url, "JS-NP-000001"), province
    assert _held(consortium["JS"].database_url, "JS-NP-000001")
    stored = consortium["JS"].node.app.store.get_record("JS", "JS-NP-000001")
    assert stored is not None and stored.subject_type == "natural_person"
