"""Euros beside outcome indicators (issue 10): euros per placed child, per 1 000 children, missing years never zero."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import lapsibudjetti as lb
from lapsibudjetti.measure._outcomes import indicator_table


def _kainuu() -> lb.ChildBudget:
    rows = pd.DataFrame({"org_type": ["wellbeing_area"] * 6, "org_code": ["20"] * 6, "year": [2023, 2023, 2023, 2024, 2024, 2025],
                         "phase": ["actual"] * 6, "service_class": ["2120", "2131", "2612", "2121", "2131", "2120"],
                         "amount": [20_000_000.0, 6_000_000.0, 50_000_000.0, 21_500_000.5, 6_100_000.0, 22_000_000.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        return lb.child_budget(lb.validate_ledger(rows), population_year="nearest")


def test_euros_per_placed_child_by_hand_for_a_wellbeing_area() -> None:
    cb = _kainuu()
    packaged = lb.reference.indicators()
    placed = packaged[(packaged["org_code"] == "20") & (packaged["indicator"] == "placed_children")].set_index("year")["value"]
    with pytest.warns(lb.LapsibudjettiWarning, match="20 2025"):  # 2025 has euros but no figure yet
        t = cb.outcomes()
    p = t[t["indicator"] == "placed_children"].set_index("year")
    for year, placements in ((2023, 20_000_000.0), (2024, 21_500_000.5)):
        assert p.loc[year, "value"] == placed[year]
        assert p.loc[year, "placements_euros_per_placed_child"] == pytest.approx(placements / placed[year], rel=1e-12)
        s = cb.summary().set_index("year")
        assert p.loc[year, "corrective_euros_per_placed_child"] == pytest.approx(s.loc[year, "corrective_euros"] / placed[year], rel=1e-12)
        assert p.loc[year, "per_1000_children"] == pytest.approx(placed[year] / s.loc[year, "children"] * 1000, rel=1e-12)
    assert np.isnan(p.loc[2025, "value"]) and np.isnan(p.loc[2025, "placements_euros_per_placed_child"])  # empty, not zero
    pct = t[t["indicator"] == "placed_children_pct"].set_index("year")
    assert np.isnan(pct.loc[2023, "per_1000_children"])  # a % is not a count


def test_user_indicators_and_their_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cb = _kainuu()
    path = tmp_path / "todistukset.csv"
    path.write_text("org_code;year;indicator;value;unit\n20;2023;school_leaving_certificates;1 480;pupils\n20;2024;school_leaving_certificates;;pupils\n",
                    encoding="utf-8")
    with pytest.warns(lb.LapsibudjettiWarning, match="jätetään tyhjiksi, ei koskaan nolliksi"):
        t = cb.outcomes(path)
    assert t.set_index("year").loc[2023, "value"] == 1480.0
    assert np.isnan(t.set_index("year").loc[2024, "value"])
    with pytest.raises(lb.InputError, match="ei ole luku"):
        indicator_table(pd.DataFrame({"org_code": ["20"], "year": [2023], "indicator": ["x"], "value": ["many"]}))
    with pytest.raises(lb.InputError, match="kahdesti"):
        indicator_table(pd.DataFrame({"org_code": ["20", "20"], "year": [2023, 2023], "indicator": ["x", "x"], "value": [1, 2]}))


def test_every_area_has_its_placed_children_2021_2024() -> None:
    t = lb.reference.indicators()
    placed = t[t["indicator"] == "placed_children"]
    assert all(tuple(sorted(y)) == (2021, 2022, 2023, 2024) for _, y in placed.groupby("org_code")["year"])
    assert len(placed["org_code"].unique()) == 22  # 21 areas and Helsinki (90)
    assert (placed["value"] > 0).all()


def test_the_outcome_chart_and_the_report_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cb = _kainuu()
    ax = lb.plot_outcome(cb, "20", lang="en")
    notes = " ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))
    assert "No indicator figure for 2025 (empty, not zero)" in notes
    assert "Placements euros per placed child in 2024" in notes
    plt.close(ax.figure)
    with pytest.raises(lb.InputError, match="ei ole indikaattorin 'placed_children' lukuja"):
        lb.plot_outcome(cb, "21")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        rep = lb.report(cb, tmp_path / "r", lang="en", charts=False)
    table = pd.read_parquet(rep.folder / "tables" / "outcomes.parquet")
    assert set(table["indicator"]) == {"placed_children", "placed_children_pct"}
    assert any("2025" in n for n in rep.notes)  # the missing figure is said


def test_euros_per_placed_child_for_every_wellbeing_area_by_hand() -> None:
    """Every area of the packaged series (and Helsinki): placements euros per placed child where both exist."""
    packaged = lb.reference.indicators()
    placed = packaged[packaged["indicator"] == "placed_children"]
    orgs = placed[["org_type", "org_code"]].drop_duplicates().itertuples(index=False)
    rows: dict[str, list[object]] = {k: [] for k in ("org_type", "org_code", "year", "phase", "service_class", "amount")}
    euros: dict[tuple[str, int], float] = {}
    for i, (org_type, code) in enumerate(orgs):
        for year in (2023, 2024):
            amount = 1_000_000.0 * (i + 1) + year + 0.25  # a distinct amount per area and year, in cents
            for k, v in (("org_type", org_type), ("org_code", code), ("year", year), ("phase", "actual"),
                         ("service_class", "2120"), ("amount", amount)):
                rows[k].append(v)
            euros[(code, year)] = amount
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        cb = lb.child_budget(lb.validate_ledger(pd.DataFrame(rows)), population_year="nearest")
        t = cb.outcomes()
    t = t[t["indicator"] == "placed_children"]
    assert len(t) == 22 * 2  # one row per organisation and year with euros (2023, 2024)
    checked = 0
    for r in t.itertuples(index=False):
        figure = placed[(placed["org_code"] == r.org_code) & (placed["year"] == r.year)]["value"]
        if (r.org_code, r.year) in euros and len(figure):
            assert r.placements_euros_per_placed_child == pytest.approx(euros[(r.org_code, r.year)] / float(figure.iloc[0]), rel=1e-12)
            checked += 1
    assert checked == 22 * 2  # 21 areas and Helsinki, 2023 and 2024
