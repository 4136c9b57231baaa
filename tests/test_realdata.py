"""Reality checks on the real 2015–2019 net costs of every municipality (domain.md §8).

These figures are proven by the data itself: the task rows of each
municipality-year sum to ``Käyttötalous yhteensä``, and placements cost about
2.7 times non-residential child protection nationally (Statistics Finland
wrote "almost three times" in 2018).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lapsibudjetti as lb

pytestmark = pytest.mark.realdata

KTA = "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"


@pytest.fixture(scope="module")
def national(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame, lb.ChildBudget]:
    ledger, totals = lb.read_statistics(shared_data / KTA, return_totals=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        cb = lb.child_budget(ledger, population_year="nearest", measure="net operating cost")
    return ledger, totals, cb


def test_every_municipality_year_reconciles_to_kayttotalous_yhteensa(national) -> None:
    ledger, totals, cb = national
    grand = totals[totals["task_class"] == "Käyttötalous yhteensä"].set_index(["org_code", "year"])["amount"]
    rec = cb.reconciliation.set_index(["org_code", "year"])
    assert rec["ok"].all()
    assert len(rec) == len(grand) == 1558
    # classified + unmapped (the library's own sums, in cents) equal the published totals to the cent
    ours = np.rint((rec["classified_euros"] + rec["unmapped_euros"]) * 100).astype("int64")
    theirs = np.rint(grand.reindex(rec.index) * 100).astype("int64")
    assert (ours == theirs).all()
    # every service line of the statistics has a rule: nothing is unmapped
    assert len(cb.unmapped) == 0
    # Helsinki 2019 as quoted in the data README
    assert rec.loc[("091", 2019), "input_euros"] == 3_485_161_000.0


def test_national_placements_to_nonresidential_ratio(national) -> None:
    _, _, cb = national
    s = cb.summary().groupby("year")[["placements_euros", "nonresidential_euros"]].sum()
    ratio = s["placements_euros"] / s["nonresidential_euros"]
    assert list(ratio.index) == [2015, 2016, 2017, 2018, 2019]
    assert ratio.between(2.5, 2.9).all(), ratio.round(3).to_dict()


def test_child_budget_per_child_2019_for_every_municipality_with_population(national) -> None:
    _, _, cb = national
    s = cb.summary()
    s19 = s[s["year"] == 2019]
    pop = lb.population_by_age()
    have_pop = set(pop.loc[pop["year"] == 2019, "municipality_code"])
    with_pop = s19[s19["org_code"].isin(have_pop)]
    assert with_pop["euros_per_child"].notna().all()
    assert (with_pop["euros_per_child"] > 0).all()
    # the ones without 2019 population are reported by name, not skipped
    missing = cb.missing_population()
    missing19 = missing[missing["year"] == 2019]
    assert set(missing19["org_code"]) == set(s19["org_code"]) - have_pop
    assert missing19["name"].ne(missing19["org_code"]).all()
    # sanity: national child euros per 0-17 resident in 2019 is in the thousands of euros
    national_pc = with_pop["child_euros"].sum() / with_pop["children"].sum()
    assert 5_000 < national_pc < 20_000, national_pc
    # children 0-17 in 2019 over all municipalities equals the published national figure
    assert s19["children"].sum() == pytest.approx(1_049_057)


def test_aggregates_are_totals_not_services(national) -> None:
    ledger, totals, _ = national
    assert not ledger["task_class"].astype(str).str.endswith("yhteensä").any()
    assert set(totals["task_class"]) == {"Käyttötalous yhteensä", "Sosiaali- ja terveystoiminta yhteensä",
                                         "Opetus- ja kulttuuritoiminta yhteensä"}
