"""The generator's packaged data: every template fills, every code it needs exists, and
the money and choice helpers behave."""

from __future__ import annotations

import pytest

from node.devnet.synth.load import load_tables
from node.devnet.synth.pick import SynthRandom, Weighted, wan, yuan_between
from node.domain.fields import PENALTY_TYPES, PROVINCES
from node.domain.local_categories import categories_for, load_local_categories

FACT_FILL = {"date": "2024年3月12日", "place": "玄武区", "qty": 3, "money": 1000, "pct": 20,
             "prev_year": 2023}


def test_every_fact_template_fills() -> None:
    for sector in load_tables().sectors.values():
        assert sector.violations and sector.authorities
        for v in sector.violations:
            fill = FACT_FILL | {k: words[0] for k, words in v.words.items()}
            for template in v.facts:
                text = template.format_map(fill)
                assert "{" not in text and "}" not in text
            assert v.yj.startswith("《")
            assert set(v.serious_extra) <= set(PENALTY_TYPES)
            assert v.fine_general is not None or v.fine_serious is not None
            for fine in (v.fine_general, v.fine_serious):
                if fine is not None:
                    assert 0 < fine[0] <= fine[1]


def test_list_reasons_and_commitment_contents_fill() -> None:
    tables = load_tables()
    for spec in tables.lists:
        assert spec.years in (2, 3)
        for reason in spec.reasons:
            assert "{" not in reason.text.format(money=1000, qty=3)
    for c in tables.commitments:
        for content in c.contents:
            text = content.format_map({"n": 5, "item": "x", "wfxw": "y", "wsh": "z"})
            assert "{" not in text


def test_authority_patterns_fill() -> None:
    tables = load_tables()
    patterns = [a for s in tables.sectors.values() for a in s.authorities]
    patterns += [a for x in tables.lists for a in x.authorities]
    for a in patterns:
        name = a.pattern.format(province="江苏省", city="南京市", district="南京市玄武区")
        assert "{" not in name and name.endswith(("局", "法院"))


def test_divisions_belong_to_their_province_and_city() -> None:
    tables = load_tables()
    assert set(tables.provinces) == set(PROVINCES)
    for key, info in tables.provinces.items():
        assert info.code == PROVINCES[key]
        for city in info.cities:
            for district in city.districts:
                assert district.code[:2] == info.code[:2]
                if not city.code.endswith("0000"):  # Shanghai: one city, many districts
                    assert district.code[:4] == city.code[:4]
                assert district.code != city.code


def test_every_category_the_generator_needs_exists() -> None:
    tables = load_tables()
    cats = load_local_categories()
    for province in PROVINCES:
        def has(kind: str, sector: str, severity: str, p: str = province) -> bool:
            return bool(categories_for(cats, p, kind=kind, sector=sector, severity=severity))
        assert has("penalty", "general", "minor")
        for key, sector in tables.sectors.items():
            if any(v.fine_general for v in sector.violations):
                assert has("penalty", key, "general"), (province, key)
            if any(v.fine_serious for v in sector.violations):
                assert has("penalty", key, "serious"), (province, key)
        for spec in tables.lists:
            assert has("dishonesty", spec.sector, "serious"), (province, spec.sector)
        for severity in ("minor", "general", "serious"):
            assert has("commitment", "commitment", severity)


@pytest.mark.parametrize(("yuan", "text"), [
    (50000, "5"), (52300, "5.23"), (10000, "1"), (1, "0.0001"), (200, "0.02"),
    (1234567, "123.4567"), (0, "0"),
])
def test_wan(yuan: int, text: str) -> None:
    assert wan(yuan) == text


def test_yuan_between_is_round_and_in_range() -> None:
    rng = SynthRandom(1)
    for low, high in ((50, 200), (1000, 5000), (100000, 1000000), (3000, 3000)):
        for _ in range(200):
            value = yuan_between(rng, low, high)
            assert low <= value <= high
            assert value % 100 == 0


def test_weighted_follows_weights_and_refuses_empty() -> None:
    rng = SynthRandom(2)
    w = Weighted((("a", 9.0), ("b", 1.0), ("never", 0.0)))
    picks = [w.pick(rng) for _ in range(5000)]
    assert "never" not in picks
    assert 0.85 < picks.count("a") / len(picks) < 0.95
    with pytest.raises(ValueError, match="at least one item"):
        Weighted((("x", 0.0),))


def test_synth_random_draws_stay_in_range() -> None:
    rng = SynthRandom(3)
    assert {rng.randint(1, 3) for _ in range(300)} == {1, 2, 3}
    assert {rng.below(4) for _ in range(300)} == {0, 1, 2, 3}
    assert {rng.pick("ab") for _ in range(100)} == {"a", "b"}
