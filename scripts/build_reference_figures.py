"""Build the packaged reference figures (national and municipality-group child budgets) from the real kta_14 data.

Run from the repository root::

    python scripts/build_reference_figures.py [--shared ../shared/data]

It computes the child budget of every municipality in Statistics Finland's
kta_14 table (net operating costs by task, 2015–2019) with the library's
default rules, exactly as ``lapsibudjetti report --statistics … --population-year
nearest`` does, and pools it per year for the whole country and for each
municipality group (kuntaryhmitys: urban, semi-urban, rural; the 2026 key,
as packaged in ``reference/municipalities.csv``). The pooled figures are
metrics of summed euros (never a mean of ratios); ``median_euros_per_child``
is the median over the named set's municipalities. Writes
``lapsibudjetti/data/reference/figures.csv`` (UTF-8, LF, sorted); a second run
gives the same bytes, and ``tests/output/test_reference_figures.py`` checks that
the committed file is what this script produces whenever ``../shared/data``
is present.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
OUT = REPO / "lapsibudjetti" / "data" / "reference" / "figures.csv"
F_KTA = "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"
F_PLACED = "hyvinvointialueet_toimintamenot_ta_ja_sijoitetut_lapset__budjettihaukka.csv"
OUT_INDICATORS = REPO / "lapsibudjetti" / "data" / "reference" / "indicators.csv"
SOURCE_PLACED = ("THL Sotkanet indicator 3563, children placed outside the home during the year (CC BY 4.0), via "
                 "juntunen-ai/budjettihaukka data/reference/child_welfare_budget_panel_v1.csv; area 90 is Helsinki, which "
                 "organises its own social and health services")
METRICS = ["total_euros", "child_euros", "universal_euros", "targeted_euros", "corrective_euros", "children",
           "euros_per_child", "preventive_share", "corrective_share", "child_share_of_total"]
SOURCE = ("Statistics Finland kta_14 net operating costs 2015–2019 (CC BY 4.0) via miesoletettu/budgetr data/costs.rda @21ce952; "
          "lapsibudjetti default rules; children 0–17: Statistics Finland 11re (2019) and, for 2015–2018, the 2019 age structure "
          "scaled to the year's population (THL Sotkanet) — an estimate; municipality groups: Statistics Finland municipality key 2026")


def build(shared: Path) -> pd.DataFrame:
    import lapsibudjetti as lb
    from lapsibudjetti.measure._metrics import pooled

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        ledger = lb.read_statistics(shared / F_KTA)
        budget = lb.child_budget(ledger, population_year="nearest")
    summary = budget.summary()
    summary = summary[summary["phase"].astype(str) == "actual"].copy()
    summary["org_code"] = summary["org_code"].astype(str)
    munis = lb.Registry.default().municipalities.drop_duplicates("code").set_index("code")
    codes = munis["group_code"].fillna("").astype(str)
    group = summary["org_code"].map(codes).fillna("")
    names = munis[codes != ""].drop_duplicates("group_code").set_index("group_code")
    rows = []
    scopes: list[tuple[str, str, pd.Series]] = [("national", "", pd.Series(True, index=summary.index))]
    for code in sorted(c for c in group.unique() if c):
        scopes.append(("municipality_group", code, group == code))
    for scope, code, mask in scopes:
        part = summary[mask]
        figures = pooled(part, METRICS, ["year"])
        medians = part.groupby("year")["euros_per_child"].median()
        counts = part.groupby("year")["org_code"].nunique()
        for _, f in figures.iterrows():
            y = int(f["year"])
            row = {"year": y, "scope": scope, "group_code": code,
                   "name_fi": "Koko maa" if scope == "national" else str(names.loc[code, "group_fi"]),
                   "name_sv": "Hela landet" if scope == "national" else str(names.loc[code, "group_sv"]),
                   "name_en": "Whole country" if scope == "national" else str(names.loc[code, "group_en"]),
                   "municipalities": int(counts[y])}
            for m in METRICS:
                row[m] = float(f[m])
            row["median_euros_per_child"] = float(medians[y])
            row["source"] = SOURCE
            rows.append(row)
    ungrouped = sorted(set(summary.loc[group == "", "org_code"]))
    out = pd.DataFrame(rows).sort_values(["year", "scope", "group_code"], kind="stable").reset_index(drop=True)
    for m in ("total_euros", "child_euros", "universal_euros", "targeted_euros", "corrective_euros"):
        out[m] = out[m].round(2)
    for m in ("euros_per_child", "median_euros_per_child"):
        out[m] = out[m].round(4)
    for m in ("preventive_share", "corrective_share", "child_share_of_total"):
        out[m] = out[m].round(8)
    out["children"] = out["children"].round(3)  # estimated years are scaled: not whole persons
    if ungrouped:
        print(f"not in a municipality group (merged before 2026), counted in the national figures only: {', '.join(ungrouped)}")
    assert np.isfinite(out["euros_per_child"]).all()
    return out


def build_indicators(shared: Path) -> pd.DataFrame:
    """Children placed outside the home 2021–2024 per wellbeing area (and Helsinki): count and % of residents aged 0–17."""
    raw = pd.read_csv(shared / F_PLACED, dtype=str, keep_default_na=False)
    rows = []
    for _, r in raw.iterrows():
        code = str(r["region_code"]).zfill(2)
        org_type, org_code = "wellbeing_area", code  # 90 = Helsinki's own social and health services, as in the ledgers
        for year in (2021, 2022, 2023, 2024):
            for indicator, column, unit in (("placed_children", f"placed_children_{year}", "children"),
                                            ("placed_children_pct", f"placed_children_pct_{year}", "% of residents aged 0–17")):
                value = str(r[column]).strip()
                if value in ("", "NA", ".."):
                    continue  # missing stays missing: no row
                rows.append({"org_type": org_type, "org_code": org_code, "year": year, "indicator": indicator,
                             "value": value, "unit": unit, "source": SOURCE_PLACED})
    out = pd.DataFrame(rows).sort_values(["indicator", "org_type", "org_code", "year"], kind="stable").reset_index(drop=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    frame = build(args.shared)
    args.out.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    print(f"wrote {args.out} ({len(frame)} rows)")
    indicators = build_indicators(args.shared)
    OUT_INDICATORS.write_text(indicators.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    print(f"wrote {OUT_INDICATORS} ({len(indicators)} rows)")


if __name__ == "__main__":
    main()
