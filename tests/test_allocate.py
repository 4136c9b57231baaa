"""Allocation keys: target groups, population shares and user keys; a missing key is an error, never a zero."""

from __future__ import annotations

import pandas as pd
import pytest

import lapsibudjetti as lb


def test_target_group_parses_the_usual_spellings() -> None:
    assert lb.TargetGroup.parse("0-17").ages == (0, 17)
    assert lb.TargetGroup.parse((0, 24)).ages == (0, 24)
    with pytest.raises(lb.InputError):
        lb.TargetGroup.parse("seventeen")


def test_population_share_of_a_yellow_line_is_the_packaged_child_share() -> None:
    led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Kirjastotoiminta"], "amount": [1000.0]},
                         org_type="municipality", phase="actual")
    budget = lb.child_budget(led)
    pop = lb.population_by_age()
    oulu = pop[(pop["municipality_code"] == "564") & (pop["year"] == 2019)]
    share = oulu.loc[oulu["age"].astype(int) <= 17, "persons"].astype(float).sum() / oulu["persons"].astype(float).sum()
    assert float(budget.lines["child_share"].iloc[0]) == pytest.approx(share, rel=1e-12)
    assert float(budget.summary()["child_euros"].iloc[0]) == pytest.approx(1000.0 * share, rel=1e-12)


def test_key_table_from_target_and_total() -> None:
    kt = lb.KeyTable.from_frame(pd.DataFrame({"key": ["students"], "org_code": ["091"], "year": [2022],
                                              "target": [6000], "total": [9000]}))
    assert kt.lookup("students", "municipality", "091", 2022, None) == pytest.approx(2 / 3)
    assert kt.lookup("students", "municipality", "091", 2023, None) is None


def test_a_missing_population_is_an_error_naming_the_organisation_and_year() -> None:
    led = lb.make_ledger({"org_code": ["564"], "year": [2024], "service_class": ["3501"], "amount": [1000.0]},
                         org_type="municipality", phase="actual")
    with pytest.raises(lb.AllocationError) as err:
        lb.child_budget(led)
    assert "2024" in str(err.value) and ("Oulu" in str(err.value) or "564" in str(err.value))
