"""Cost-weighted population keys (issue 10): the age-cost table, its national share, areas from members, the profiles."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lapsibudjetti as lb
from lapsibudjetti._rules import parse_key
from lapsibudjetti._weights import AgeWeights, age_weights

WEIGHTS = "terveydenhuollon_perushinnat_ikaryhmittain_2014__vna_1278_2013.csv"
# The real kta_14 figures of 2019 (all municipalities, cents) with the plain population key: what reports showed
# before the age-cost weights, and what the population_keys profile must still give.
POPULATION_KEYS_2019 = {"child_euros": 1315190399991, "green_child_euros": 1036079500000, "corrective_euros": 265939805395}


def _national_2019() -> np.ndarray:
    p = lb.population_by_age()
    p = p[p["year"] == 2019]
    return p.groupby("age")["persons"].sum().reindex(range(101), fill_value=0).to_numpy(dtype=float)[None, :]


def test_national_2019_child_share_of_health_care_is_the_tables() -> None:
    """0–17-year-olds' share of health-care costs, the population weighted by the base prices: 11.6 % (against 19.0 % of residents)."""
    people = _national_2019()
    share = float(age_weights("health_care_2014").share(people, (0, 17))[0])
    # the same by hand from the bands of the decree
    bands = [(0, 6, 940.05), (7, 64, 1018.36), (65, 74, 2398.41), (75, 84, 4622.50), (85, 100, 8019.40)]
    cost = {a: w for lo, hi, w in bands for a in range(lo, hi + 1)}
    by_hand = sum(people[0, a] * cost[a] for a in range(18)) / sum(people[0, a] * cost[a] for a in range(101))
    assert share == pytest.approx(by_hand, rel=1e-12)
    assert round(share, 3) == 0.116
    assert round(float(people[0, :18].sum() / people.sum()), 3) == 0.190


def test_packaged_table_is_the_shared_file(shared_data: Path) -> None:
    with open(shared_data / WEIGHTS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    w = age_weights("health_care_2014")
    for r in rows:
        hi = int(r["age_to"]) if r["age_to"] else 100
        assert set(w.by_age[int(r["age_from"]):hi + 1]) == {float(r["eur_per_resident"])}
    assert "1278/2013" in w.source and "lean" in w.source  # the source and its limit travel with the table


@given(members=arrays(np.float64, (3, 101), elements=st.floats(0, 5000, allow_nan=False)))
def test_an_areas_weighted_share_is_its_members_pooled(members: np.ndarray) -> None:
    w = age_weights("health_care_2014")
    area = w.share(members.sum(axis=0, keepdims=True), (0, 17))[0]
    each = w.share(members, (0, 17))
    weighted_cost = (members * w.by_age).sum(axis=1)
    if weighted_cost.sum() == 0:
        assert np.isnan(area)
        return
    # the pooled share is the members' shares weighted by their weighted populations: never outside their range
    assert area == pytest.approx(np.nansum(each * weighted_cost) / weighted_cost.sum(), rel=1e-9, abs=1e-12)
    finite = each[np.isfinite(each)]
    assert finite.min() - 1e-12 <= area <= finite.max() + 1e-12


def test_an_area_ledger_uses_its_members_age_structure() -> None:
    reg = lb.Registry.default()
    members = reg.members("20", 2024)  # Kainuu
    led = lb.validate_ledger(pd.DataFrame({"org_type": ["wellbeing_area"], "org_code": ["20"], "year": [2019 + 5],
                                           "phase": ["actual"], "service_class": ["2612"], "amount": [1000.0]}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        cb = lb.child_budget(led, population_year="nearest")
    p = lb.population_by_age()
    p = p[(p["year"] == 2019) & p["municipality_code"].isin(members)]
    vec = p.groupby("age")["persons"].sum().reindex(range(101), fill_value=0).to_numpy(dtype=float)[None, :]
    expected = float(age_weights("health_care_2014").share(vec, (0, 17))[0])
    assert float(cb.lines["child_euros"].iloc[0]) == pytest.approx(1000.0 * expected, abs=0.005)


def test_weighted_key_syntax_and_user_tables() -> None:
    assert parse_key("weighted:health_care_2014").kind == "weighted"
    led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Erikoissairaanhoito"], "amount": [1000.0]},
                         org_type="municipality", phase="actual")
    flat = pd.DataFrame({"age_from": [0], "age_to": [None], "weight": [1.0]})  # one weight for all: the population share
    weighted = lb.child_budget(led, weights={"health_care_2014": flat})
    plain = lb.child_budget(led, profile="population_keys")
    assert float(weighted.lines["child_euros"].iloc[0]) == pytest.approx(float(plain.lines["child_euros"].iloc[0]), abs=1e-9)
    with pytest.raises(lb.InputError, match="painoa ei ole iälle tai ikävuosille 6, 7, 8, 9; anna jokainen ikä 0–100"):
        AgeWeights.from_frame(pd.DataFrame({"age_from": [0, 10], "age_to": [5, 100], "weight": [1, 2]}), name="gappy")
    rules = lb.default_rules().table.copy()
    rules.loc[rules["rule_id"] == "tc-erikoissairaanhoito", "key"] = "weighted:no_such_table"
    with pytest.raises(lb.InputError, match="ikäpainoja nimeltä 'no_such_table' ei ole"):
        lb.child_budget(led, rules=lb.Rules.from_frame(rules))


def test_real_2019_weighted_default_and_population_keys_profile(shared_data: Path) -> None:
    ledger = lb.read_statistics(shared_data / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        weighted = lb.child_budget(ledger, population_year="nearest")
        plain = lb.child_budget(ledger, population_year="nearest", profile="population_keys")

    def cents(cb: lb.ChildBudget, col: str) -> int:
        s = cb.summary()
        return round(float(s.loc[s["year"] == 2019, col].sum()) * 100)

    for col, value in POPULATION_KEYS_2019.items():
        assert cents(plain, col) == value, col  # today's figures, to the cent
    assert cents(weighted, "green_child_euros") == POPULATION_KEYS_2019["green_child_euros"]  # green does not move
    assert cents(weighted, "corrective_euros") < 0.85 * POPULATION_KEYS_2019["corrective_euros"]
    # Helsinki's specialised health care: its euros times its own weighted share, computed directly
    lines = weighted.lines
    hosp = lines[(lines["org_code"].astype(str) == "091") & (lines["year"] == 2019) & (lines["task_class"].astype(str) == "Erikoissairaanhoito")]
    p = lb.population_by_age()
    vec = p[(p["year"] == 2019) & (p["municipality_code"] == "091")].set_index("age")["persons"].reindex(range(101), fill_value=0)
    share = float(age_weights("health_care_2014").share(vec.to_numpy(dtype=float)[None, :], (0, 17))[0])
    assert float(hosp["child_euros"].sum()) == pytest.approx(float(hosp["amount"].sum()) * share, abs=0.01)


def test_sensitivity_sets_the_profiles_side_by_side() -> None:
    led = lb.make_ledger({"org_code": ["564"] * 3, "year": [2019] * 3,
                          "task_class": ["Perusopetus", "Erikoissairaanhoito", "Lastensuojelun laitos- ja perhehoito"],
                          "amount": [1000.0, 1000.0, 500.0]}, org_type="municipality", phase="actual")
    cb = lb.child_budget(led)
    t = cb.sensitivity()
    own = t[t["org_type"] == "municipality"].set_index("profile")
    assert list(own.index) == ["default", "population_keys"]
    plain = lb.child_budget(led, profile="population_keys").summary().iloc[0]
    assert own.loc["population_keys", "child_euros"] == pytest.approx(float(plain["child_euros"]), abs=1e-9)
    assert own.loc["default", "child_euros"] == pytest.approx(float(cb.summary()["child_euros"].iloc[0]), abs=1e-9)
    # green lines do not move; the keyed hospital share is what moves the corrective share
    assert own.loc["default", "corrective_share"] < own.loc["population_keys", "corrective_share"]
    keyed = own["corrective_keyed_euros"] / own["corrective_euros"]
    assert np.allclose(keyed, own["corrective_keyed_share"])
    assert set(t["org_type"]) == {"municipality", "all"}
    with pytest.raises(lb.InputError, match="tuntematon profiili"):
        cb.sensitivity(["nope"])


def test_sensitivity_of_own_rules_replaces_weighted_keys() -> None:
    led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Erikoissairaanhoito"], "amount": [1000.0]},
                         org_type="municipality", phase="actual")
    own = lb.Rules.from_frame(lb.default_rules().table.drop(columns=["source_row"], errors="ignore"), source="mine.csv")
    t = lb.child_budget(led, rules=own).sensitivity()
    plain = lb.child_budget(led, profile="population_keys").summary()["child_euros"].iloc[0]
    got = t[(t["org_type"] == "municipality") & (t["profile"] == "population_keys")]["child_euros"].iloc[0]
    assert got == pytest.approx(float(plain), abs=1e-9)


def test_the_tiers_chart_says_how_much_of_the_corrective_tier_is_keyed() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    led = lb.make_ledger({"org_code": ["564"] * 3, "year": [2019] * 3,
                          "task_class": ["Perusopetus", "Erikoissairaanhoito", "Lastensuojelun laitos- ja perhehoito"],
                          "amount": [1000.0, 1000.0, 300.0]}, org_type="municipality", phase="actual")
    cb = lb.child_budget(led)
    lines = cb.lines
    keyed = float(lines.loc[lines["task_class"].astype(str) == "Erikoissairaanhoito", "child_euros"].sum())
    share = keyed / (keyed + 300.0)
    ax = lb.plot_tiers(cb, lang="en")
    text = " ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))
    assert f"{lb.reference.format_percent(share, 'en')} of the corrective euros are the estimated child share of keyed" in text
    assert "corrective services = child-protection placements" in text
    plt.close(ax.figure)
