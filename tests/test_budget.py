from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapsibudjetti as lb

TASKS = ["Perusopetus", "Varhaiskasvatus", "Kirjastotoiminta", "Lukiokoulutus", "Lastensuojelun avohuoltopalvelut",
         "Lastensuojelun laitos- ja perhehoito", "Muut lasten ja perheiden avopalvelut", "Erikoissairaanhoito",
         "Vesihuolto", "Kotihoito", "Käyttötalous yhteensä"]  # the aggregate has no rule: unmapped
MUNIS = ["091", "564", "049", "005"]


def ledger(rows: list[tuple[str, str, float]], year: int = 2019) -> pd.DataFrame:
    return lb.make_ledger(
        {"org_code": [r[0] for r in rows], "task_class": [r[1] for r in rows], "amount": [r[2] for r in rows],
         "year": [year] * len(rows)},
        org_type="municipality", phase="actual")


cents = st.integers(min_value=1, max_value=10**11).map(lambda c: c / 100)
line = st.tuples(st.sampled_from(MUNIS), st.sampled_from(TASKS), cents)
ledgers = st.lists(line, min_size=1, max_size=60)


def test_green_yellow_red_and_unmapped() -> None:
    cb = lb.child_budget(ledger([("564", "Perusopetus", 100.0), ("564", "Kirjastotoiminta", 100.0),
                                 ("564", "Vesihuolto", 100.0), ("564", "Käyttötalous yhteensä", 300.0)]))
    lines = cb.lines.set_index("task_class")
    assert lines.loc["Perusopetus", "child_share"] == 1.0
    assert lines.loc["Vesihuolto", "child_share"] == 0.0
    pop = lb.population_by_age()
    oulu = pop[(pop.municipality_code == "564") & (pop.year == 2019)]
    expected = oulu.loc[oulu.age <= 17, "persons"].sum() / oulu["persons"].sum()
    assert lines.loc["Kirjastotoiminta", "child_share"] == pytest.approx(expected, rel=1e-12)
    assert cb.unmapped["reason"].tolist() == ["ei sääntöä tehtäväluokalle 'Käyttötalous yhteensä' vuonna 2019"]
    rec = cb.reconciliation.iloc[0]
    assert (rec.input_euros, rec.classified_euros, rec.unmapped_euros, rec.ok) == (600.0, 300.0, 300.0, True)


def test_summary_metrics_by_hand() -> None:
    cb = lb.child_budget(ledger([("091", "Perusopetus", 600.0), ("091", "Muut lasten ja perheiden avopalvelut", 100.0),
                                 ("091", "Lastensuojelun avohuoltopalvelut", 100.0),
                                 ("091", "Lastensuojelun laitos- ja perhehoito", 270.0)]))
    s = cb.summary().iloc[0]
    assert s.child_euros == 1070.0
    assert s.universal_euros == 600.0 and s.targeted_euros == 100.0 and s.corrective_euros == 370.0
    assert s.preventive_share == pytest.approx(700 / 1070)
    assert s.corrective_share == pytest.approx(370 / 1070)
    assert s.placements_ratio == pytest.approx(2.7)
    assert s.family_services_corrective_share == pytest.approx(370 / 470)
    pop = lb.population_by_age()
    children = pop[(pop.municipality_code == "091") & (pop.age <= 17)].persons.sum()
    assert s.children == children
    assert s.euros_per_child == pytest.approx(1070 / children)
    # the placements-only profile moves non-residential child protection to targeted
    p = lb.child_budget(cb.annotated[list(lb.LEDGER_COLUMNS)], profile="placements_only").summary().iloc[0]
    assert p.targeted_euros == 200.0 and p.corrective_euros == 270.0


def test_input_is_not_mutated() -> None:
    led = ledger([("091", "Perusopetus", 1.0), ("091", "Kirjastotoiminta", 2.0)])
    before = led.copy(deep=True)
    lb.child_budget(led)
    pd.testing.assert_frame_equal(led, before)


def test_missing_population_is_an_error_naming_it() -> None:
    led = ledger([("564", "Kirjastotoiminta", 100.0)], year=2016)
    with pytest.raises(lb.AllocationError, match="564") as info:
        lb.child_budget(led)
    assert "population_year='nearest'" in str(info.value)
    assert info.value.rows.loc[0, "org_code"] == "564"
    # explicit opt-in: nearest year, with a warning and a record in the method
    with pytest.warns(lb.LapsibudjettiWarning, match="lähimmän vuoden ikärakennetta"):
        cb = lb.child_budget(led, population_year="nearest")
    assert "skaalattuna" in cb.lines.loc[0, "key_used"]
    # or report those lines as unmapped
    cb = lb.child_budget(led, on_missing_key="unmapped")
    assert cb.unmapped["reason"].iloc[0].startswith("allocation key missing")
    assert cb.reconciliation["ok"].all()


def test_user_key_and_fallback() -> None:
    led = ledger([("091", "Lukiokoulutus", 1000.0), ("564", "Lukiokoulutus", 1000.0)])
    keys = pd.DataFrame({"key": ["upper_secondary_students"], "org_code": ["091"], "year": [2019], "target": [3], "total": [4]})
    cb = lb.child_budget(led, keys=keys)
    lines = cb.lines.set_index("org_code")
    assert lines.loc["091", "child_euros"] == 750.0
    assert lines.loc["091", "key_used"] == "user:upper_secondary_students"
    assert "varalla" in lines.loc["564", "key_used"]  # no key row for Oulu: the rule's declared fallback age:16-18
    pop = lb.population_by_age()
    o = pop[(pop.municipality_code == "564")]
    expected = o[o.age.between(16, 17)].persons.sum() / o[o.age.between(16, 18)].persons.sum()
    assert lines.loc["564", "child_share"] == pytest.approx(expected)


def test_target_group_changes_keys_and_denominators() -> None:
    led = ledger([("564", "Kirjastotoiminta", 1000.0), ("564", "Lukiokoulutus", 1000.0)])
    a = lb.child_budget(led).summary().iloc[0]
    b = lb.child_budget(led, target_group="0-24").summary().iloc[0]
    assert b.children > a.children
    assert b.child_euros > a.child_euros
    lines = lb.child_budget(led, target_group="0-24").lines.set_index("task_class")
    assert lines.loc["Lukiokoulutus", "child_share"] == 1.0  # 16-18 fully inside 0-24


def test_conflicting_finer_rules_raise_with_lines() -> None:
    base = lb.default_rules().table[list(lb._rules.RULE_COLUMNS)].astype(object)
    extra = pd.DataFrame([
        {"rule_id": "cc", "task_class": "Perusopetus", "cost_centre": "K1*", "colour": "red", "sector": "sivistys", "category": "not_child_targeted", "basis": "t"},
        {"rule_id": "cc2", "task_class": "Perusopetus", "cost_centre": "K*9", "colour": "red", "sector": "sivistys", "category": "not_child_targeted", "basis": "t"},
    ])
    rules = lb.Rules.from_frame(pd.concat([base, extra], ignore_index=True).fillna(""))
    led = lb.make_ledger({"org_code": ["091", "091"], "task_class": ["Perusopetus"] * 2, "cost_centre": ["K109", "K200"],
                          "amount": [1.0, 2.0], "year": [2019] * 2}, org_type="municipality", phase="actual")
    with pytest.raises(lb.RuleError, match=r"'cc' \(rivi \d+\) ja 'cc2'|'cc2' \(rivi \d+\) ja 'cc'") as info:
        lb.child_budget(led, rules=rules)
    assert info.value.rows["source_row"].tolist() == [1]


def test_cost_centre_rule_overrides_class_default() -> None:
    base = lb.default_rules().table[list(lb._rules.RULE_COLUMNS)].astype(object)
    extra = pd.DataFrame([{"rule_id": "adult-ed", "task_class": "Perusopetus", "cost_centre": "AIK*", "colour": "red",
                           "sector": "sivistys", "category": "not_child_targeted", "basis": "local decision"}])
    rules = lb.Rules.from_frame(pd.concat([base, extra], ignore_index=True).fillna(""))
    led = lb.make_ledger({"org_code": ["091", "091"], "task_class": ["Perusopetus"] * 2, "cost_centre": ["AIK01", "PK01"],
                          "amount": [1.0, 2.0], "year": [2019] * 2}, org_type="municipality", phase="actual")
    cb = lb.child_budget(led, rules=rules)
    assert cb.lines["rule_id"].tolist() == ["adult-ed", "tc-perusopetus"]


# ------------------------------------------------------------------ properties
@given(ledgers)
def test_euros_are_conserved_to_the_cent(rows) -> None:
    cb = lb.child_budget(ledger(rows))
    rec = cb.reconciliation
    assert rec["ok"].all()
    total_cents = sum(round(r[2] * 100) for r in rows)
    assert round((rec["classified_euros"].sum() + rec["unmapped_euros"].sum()) * 100) == total_cents
    assert len(cb.lines) + len(cb.unmapped) == len(rows)


@given(ledgers)
def test_shares_in_unit_interval_and_child_euros_bounded(rows) -> None:
    cb = lb.child_budget(ledger(rows))
    lines = cb.lines
    assert lines["child_share"].between(0, 1).all()
    assert (lines["child_euros"].abs() <= lines["amount"].abs() + 1e-9).all()
    s = cb.summary()
    for col in ("preventive_share", "corrective_share", "child_share_of_total", "family_services_corrective_share"):
        v = s[col].dropna()
        assert v.between(0, 1 + 1e-12).all(), col


signed_cents = st.integers(min_value=-10**11, max_value=10**11).map(lambda c: c / 100)
signed_ledgers = st.lists(st.tuples(st.sampled_from(MUNIS), st.sampled_from(TASKS), signed_cents), min_size=1, max_size=60)


@given(signed_ledgers)
def test_shares_stay_in_unit_interval_with_net_revenue(rows) -> None:
    """Net costs can be negative (revenue outweighs costs): a share is then not reported rather than leaving [0, 1]."""
    cb = lb.child_budget(ledger(rows))
    assert cb.reconciliation["ok"].all()
    s = cb.summary()
    for col in ("preventive_share", "corrective_share", "child_share_of_total", "family_services_corrective_share"):
        v = s[col].dropna()
        assert v.between(0, 1 + 1e-12).all(), col
    assert (s["placements_ratio"].dropna() >= 0).all()
    # where every tier is >= 0 the shares are there and add up
    whole = (s[["universal_euros", "targeted_euros", "corrective_euros"]] >= 0).all(axis=1) & (s["child_euros"] > 0)
    assert s.loc[whole, "preventive_share"].notna().all()
    assert np.allclose(s.loc[whole, "preventive_share"] + s.loc[whole, "corrective_share"], 1.0)


def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["org_type", "org_code", "year", "phase"]).reset_index(drop=True)


@given(ledgers, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows, rnd) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a = _numbers(lb.child_budget(ledger(rows)).summary())
    b = _numbers(lb.child_budget(ledger(shuffled)).summary())
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-6)


@given(ledgers, st.integers(min_value=1, max_value=59))
def test_split_and_combine_equals_whole(rows, cut) -> None:
    cut = min(cut, len(rows))
    whole = lb.child_budget(ledger(rows))
    parts = [rows[:cut], rows[cut:]] if cut < len(rows) else [rows]
    combined = lb.combine([lb.child_budget(ledger(p)) for p in parts])
    a, b = _numbers(whole.summary()), _numbers(combined.summary())
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-6)
    pd.testing.assert_frame_equal(_numbers(whole.reconciliation), _numbers(combined.reconciliation))


@pytest.mark.parametrize("lang,expected", [("fi", "ei kohdistu lapsiin"), ("en", "not child-targeted")])
def test_red_lines_have_a_tier_label_not_nan(lang: str, expected: str) -> None:
    cb = lb.child_budget(ledger([("091", "Perusopetus", 1.0), ("091", "Vesihuolto", 2.0)]))
    tiers = cb.by("tier", lang=lang)
    assert expected in set(tiers["label"])
    assert "nan" not in set(tiers["label"])
    assert tiers["euros"].sum() == 3.0


def test_registry_rejects_an_area_code_given_twice() -> None:
    reg = lb.Registry.default()
    with pytest.raises(lb.InputError, match="annettu kahdesti"):
        reg.extend(areas=pd.DataFrame({"code": ["19"], "name_fi": ["Toinen Pohjois-Pohjanmaa"]}))


def test_borrowed_age_structure_gives_no_head_count() -> None:
    pop = lb.Population.packaged()
    orgs = pd.DataFrame({"org_type": ["municipality", "municipality"], "org_code": ["164", "301"], "year": [2015, 2015]})
    heads = pop.persons(orgs, (0, 17), lb.Registry.default(), policy="nearest")
    assert np.isnan(heads[0])  # Jalasjärvi, merged into Kurikka in 2016: structure only
    assert heads[1] > 1000  # Kurikka itself
