"""The packaged reference figures (issue 11): what they say, and that the build script reproduces them from the real data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from lapsibudjetti.reference import reference_figures

REPO = Path(__file__).resolve().parents[2]


def test_the_figures_are_the_pooled_sums() -> None:
    f = reference_figures()
    assert sorted(set(f["year"])) == [2015, 2016, 2017, 2018, 2019]
    assert set(f["scope"]) == {"national", "municipality_group"}
    with np.errstate(invalid="ignore"):
        assert np.allclose(f["euros_per_child"], f["child_euros"] / f["children"], rtol=1e-6)
        assert np.allclose(f["preventive_share"], (f["universal_euros"] + f["targeted_euros"]) / f["child_euros"], atol=1e-8)
        assert np.allclose(f["child_share_of_total"], f["child_euros"] / f["total_euros"], atol=1e-8)
    for year, rows in f.groupby("year"):
        national = rows[rows["scope"] == "national"].iloc[0]
        groups = rows[rows["scope"] == "municipality_group"]
        assert len(groups) == 3 and groups["municipalities"].sum() <= national["municipalities"]
        # the groups hold every euro of the country except the municipalities merged before 2026 (ungrouped)
        assert groups["child_euros"].sum() <= national["child_euros"] + 0.01
    assert f["source"].str.contains("an estimate").all()  # the children of 2015-2018 are said to be estimated


def test_2019_national_share_is_the_real_datas(shared_data: Path) -> None:
    """The national child share of 2019: 38.0 % with the default (age-weighted health-care) keys, 40.1 % (domain §8) with
    the plain population keys of the population_keys profile."""
    import warnings

    import lapsibudjetti as lb

    row = reference_figures(2019).query("scope == 'national'").iloc[0]
    assert round(float(row["child_share_of_total"]), 3) == 0.38
    ledger = lb.read_statistics(shared_data / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        s = lb.child_budget(ledger[ledger["year"] == 2019], population_year="nearest", profile="population_keys").summary()
    assert round(float(s["child_euros"].sum() / s["total_euros"].sum()), 3) == 0.401


@pytest.mark.parametrize("build, name", [("build", "figures.csv"), ("build_indicators", "indicators.csv")])
def test_build_script_reproduces_the_packaged_file(shared_data: Path, build: str, name: str) -> None:
    spec = importlib.util.spec_from_file_location("build_reference_figures", REPO / "scripts" / "build_reference_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = getattr(module, build)(shared_data).to_csv(index=False, lineterminator="\n")
    packaged = (REPO / "lapsibudjetti" / "data" / "reference" / name).read_text(encoding="utf-8")
    assert built == packaged, f"run python scripts/build_reference_figures.py and commit {name}"


def test_years_are_chosen() -> None:
    assert set(reference_figures([2018, 2019])["year"]) == {2018, 2019}
    assert reference_figures(2030).empty
    with pytest.raises((TypeError, ValueError)):
        reference_figures("x")  # type: ignore[arg-type]

