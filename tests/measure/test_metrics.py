"""One definition of every share and ratio: the same figure in summary, series, compare and the workbook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lapsibudjetti as lb
from lapsibudjetti.measure._compare import comparison_table
from lapsibudjetti.measure._metrics import METRICS, add_metrics, metric_values, pooled

TASKS = ["Perusopetus", "Muut lasten ja perheiden avopalvelut", "Lastensuojelun laitos- ja perhehoito",
         "Lastensuojelun avohuoltopalvelut", "Erikoissairaanhoito", "Kirjastotoiminta", "Vesihuolto"]
ORGS = ["091", "564", "005"]
SHARES = [m.name for m in METRICS.values() if m.kind == "share"]


def _ledger(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return lb.make_ledger({"org_code": [r[0] for r in rows], "year": [2019] * len(rows),
                           "task_class": [r[1] for r in rows], "amount": [r[2] / 100 for r in rows]},
                          org_type="municipality", phase="actual")


def _in_unit_or_empty(values: pd.Series | np.ndarray) -> bool:
    v = np.asarray(values, dtype=float)
    return bool(np.all(np.isnan(v) | ((v >= 0.0) & (v <= 1.0))))


signed_rows = st.lists(
    st.tuples(st.sampled_from(ORGS), st.sampled_from(TASKS), st.integers(-5 * 10**9, 10**10)),
    min_size=1, max_size=25,
)


@settings(max_examples=min(15, settings().max_examples))
@given(signed_rows)
def test_every_share_everywhere_is_in_unit_interval_or_empty_and_outputs_agree(rows: list[tuple[str, str, int]]) -> None:
    budget = lb.child_budget(_ledger(rows))
    summary = budget.summary()
    for name in SHARES:
        assert _in_unit_or_empty(summary[name]), name
    assert bool(np.all(np.isnan(summary["placements_ratio"]) | (summary["placements_ratio"] >= 0)))
    per_org = summary.set_index("org_code")

    # compare: the same values, and a pooled national figure that is a share too
    comp = lb.compare(budget, by="national", metric=SHARES + ["euros_per_child", "placements_ratio"])
    for row in comp.itertuples():
        mine = per_org.at[row.org_code, row.metric]
        assert (np.isnan(row.value) and np.isnan(mine)) or row.value == pytest.approx(mine, rel=1e-12), row
        if row.metric in SHARES:
            assert _in_unit_or_empty([row.national_pooled])
    table = comparison_table(budget)
    for name in ("preventive_share", "corrective_share"):
        assert _in_unit_or_empty(table[name])

    # series: the organisation-year's totals carry the summary's shares
    for code in sorted(set(summary["org_code"].astype(str))):
        totals = lb.series(budget, code).totals
        assert len(totals) == 1
        for name in ("preventive_share", "corrective_share", "euros_per_child"):
            a, b = float(totals[name].iloc[0]), float(per_org.at[code, name])
            assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, rel=1e-12), (code, name)


def test_net_revenue_leaves_the_series_share_empty_as_in_the_summary() -> None:
    """The disagreement this module removed: series() said 1.11 and −0.11 where summary() is empty."""
    led = _ledger([("564", "Perusopetus", 100_000_00), ("564", "Lastensuojelun avohuoltopalvelut", -11_000_00),
                   ("564", "Lastensuojelun laitos- ja perhehoito", 1_000_00)])
    budget = lb.child_budget(led)
    assert np.isnan(budget.summary()["preventive_share"].iloc[0])
    totals = lb.series(budget, "564").totals
    assert np.isnan(totals["preventive_share"].iloc[0]) and np.isnan(totals["corrective_share"].iloc[0])


def test_pooled_is_the_metric_of_the_sums_not_a_mean() -> None:
    frame = pd.DataFrame({"child_euros": [100.0, 300.0], "children": [10.0, 10.0], "total_euros": [200.0, 400.0]})
    out = pooled(frame, ["euros_per_child", "child_share_of_total", "child_euros"])
    assert out.loc[0, "euros_per_child"] == 20.0  # (100 + 300) / 20, not the mean of 10 and 30
    assert out.loc[0, "child_share_of_total"] == pytest.approx(400 / 600)
    assert out.loc[0, "child_euros"] == 400.0
    grouped = pooled(frame.assign(g=["a", "b"]), ["euros_per_child"], by=["g"])
    assert grouped["euros_per_child"].tolist() == [10.0, 30.0]


def test_negative_part_rules() -> None:
    frame = pd.DataFrame({
        "placements_euros": [270.0, -5.0, 10.0], "nonresidential_euros": [100.0, 100.0, 0.0],
        "family_targeted_euros": [50.0, -1.0, 0.0], "family_corrective_euros": [50.0, 3.0, 0.0],
    })
    assert metric_values("placements_ratio", frame)[0] == 2.7
    assert np.isnan(metric_values("placements_ratio", frame)[1:]).all()
    fam = metric_values("family_services_corrective_share", frame)
    assert fam[0] == 0.5 and np.isnan(fam[1]) and np.isnan(fam[2])


def test_add_metrics_only_where_the_columns_are() -> None:
    frame = pd.DataFrame({"child_euros": [5.0], "children": [0.0]})
    out = add_metrics(frame)
    assert list(out.columns) == ["child_euros", "children", "euros_per_child"] and np.isnan(out["euros_per_child"].iloc[0])
    with pytest.raises(lb.InputError, match="tuntematon mittari"):
        metric_values("happiness", frame)
