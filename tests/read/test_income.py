"""Issue 12, part 4: Statistics Finland income statements (kta_11-style) as a side table beside the child budget.

The files are SYNTHETIC: written here in the shapes of Statistics Finland's
exports with the documented item names (the municipal income-statement
format; fi/sv/en), with made-up figures for real municipality codes.
"""

from __future__ import annotations

import io
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import lapsibudjetti as lb
from lapsibudjetti import cli

# (code, name, year, revenue, expenses, margin) in 1000 €, SYNTHETIC; margin = revenue - expenses
FIGURES = [("092", "Vantaa", 2019, 310_123.4, 1_540_456.7), ("092", "Vantaa", 2018, 300_000.0, 1_500_000.1),
           ("564", "Oulu", 2019, 250_000.5, 1_200_000.0)]


def _long_fi(path: Path) -> Path:
    lines = ["Kuntien tuloslaskelma (SYNTEETTINEN)", "", "Alue;Vuosi;Tuloslaskelman erä;Arvo (1000 €)"]
    for code, name, year, rev, exp in FIGURES:
        lines += [f"KU{code} {name};{year};Toimintatuotot;{rev:.1f}".replace(".", ","),
                  f"KU{code} {name};{year};Toimintakulut;{-exp:.1f}".replace(".", ","),
                  f"KU{code} {name};{year};Toimintakate;{rev - exp:.1f}".replace(".", ",")]
    lines += ["KOKO MAA;2019;Toimintakulut;-40 000 000,0", "", "Lähde: SYNTEETTINEN"]
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    return path


def test_long_years_as_columns_and_items_as_columns_read_to_the_same_cents(tmp_path: Path) -> None:
    with pytest.warns(lb.LapsibudjettiWarning, match="KOKO MAA"):  # the whole country is left out, and said
        long = lb.read_income_statement(_long_fi(tmp_path / "tuloslaskelma.csv"))
    # Swedish, years as columns, euros, XLSX
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Resultaträkning (SYNTETISK)"])
    ws.append(["Område", "Resultaträkningspost", "2018 euro", "2019 euro"])
    for code, name in (("092", "Vanda"), ("564", "Uleåborg")):
        by_year = {y: (r, e) for c, _n, y, r, e in FIGURES if c == code}
        for item, pick in (("Verksamhetens intäkter", lambda r, e: r), ("Verksamhetens kostnader", lambda r, e: -e),
                           ("Verksamhetsbidrag", lambda r, e: r - e)):
            ws.append([f"{code} {name}", item] + [f"{pick(*by_year[y]) * 1000:.2f}" if y in by_year else ".." for y in (2018, 2019)])
    wb.save(tmp_path / "sv.xlsx")
    with pytest.warns(lb.LapsibudjettiWarning, match="left empty, not zero|lämnas tomma|jätetään tyhjiksi"):
        wide_years = lb.read_income_statement(tmp_path / "sv.xlsx")
    # English, items as columns, comma separated, unit given
    rows = ["Area,Year,Operating revenue,Operating expenses,Operating margin"]
    rows += [f"{code},{year},{rev},{-exp},{round(rev - exp, 1)}" for code, _n, year, rev, exp in FIGURES]
    (tmp_path / "en.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    wide_items = lb.read_income_statement(tmp_path / "en.csv", unit="1000 €")

    def cents(frame: pd.DataFrame) -> dict:
        f = frame.dropna(subset=["amount"])
        return {(t, c, int(y), i): round(a * 100) for t, c, y, i, a in zip(f.org_type, f.org_code, f.year, f.item, f.amount)}

    assert cents(long) == cents(wide_years) == cents(wide_items)
    assert cents(long)[("municipality", "092", 2019, "operating_expenses")] == -154_045_670_000  # 1000 € applied exactly
    assert wide_years["amount"].isna().sum() == 3  # Oulu 2018 is '..': missing, never zero
    assert set(long["item"]) == {"operating_revenue", "operating_expenses", "operating_margin"}


def test_a_margin_that_does_not_add_up_and_a_file_without_unit(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Alue;Vuosi;Tuloslaskelman erä;Arvo (1000 €)\n091;2019;Toimintatuotot;10\n091;2019;Toimintakulut;-30\n"
                   "091;2019;Toimintakate;-21\n", encoding="utf-8")
    with pytest.warns(lb.LapsibudjettiWarning, match="091 2019"):
        lb.read_income_statement(bad)
    bare = tmp_path / "bare.csv"
    bare.write_text("Alue;Vuosi;Tuloslaskelman erä;Arvo\n091;2019;Toimintakulut;-30\n", encoding="utf-8")
    with pytest.raises(lb.InputError, match="unit"):
        lb.read_income_statement(bare)
    assert lb.read_income_statement(bare, unit="€")["amount"].tolist() == [-30.0]
    odd = tmp_path / "odd.csv"
    odd.write_text("Alue;Vuosi;Tuloslaskelman erä;Arvo (€)\n091;2019;Lomapalkkajaksotus;5\n", encoding="utf-8")
    with pytest.raises(lb.InputError, match="Lomapalkkajaksotus"):
        lb.read_income_statement(odd)


def test_beside_the_child_budget_and_in_the_report(tmp_path: Path) -> None:
    sample = lb.load_sample("real")  # Vantaa (092) and Oulu (564) are in it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cb = sample.child_budget()
        income = lb.read_income_statement(_long_fi(tmp_path / "tuloslaskelma.csv"))
    side = lb.beside_income(cb, income, lang="fi")
    row = side[(side["org_code"] == "092") & (side["year"] == 2019)].iloc[0]
    summary = cb.summary()
    own = summary[(summary["org_code"] == "092") & (summary["year"] == 2019)].iloc[0]
    assert row["child_euros"] == own["child_euros"] and row["operating_expenses"] == -1_540_456_700.0
    assert row["measure"] == cb.measure and "tuloslaskelma" in row["income_measure"]
    assert np.isnan(side.loc[side["org_code"] == "091", "operating_expenses"]).all()  # no statement given: empty, not zero
    kta = Path(lb.samples.__file__).parent / "real_2015_2019" / "net_operating_costs_by_task_2015_2019.csv"
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["report", "--statistics", str(kta), "--income", str(tmp_path / "tuloslaskelma.csv"),
                         "--population-year", "nearest", "--no-charts", "--out", str(tmp_path / "r")])
    assert code == 0, err.getvalue()
    wb = openpyxl.load_workbook(tmp_path / "r" / "lapsibudjetti.xlsx", read_only=True)
    assert "Tuloslaskelma" in wb.sheetnames
    sheet = pd.read_csv(tmp_path / "r" / "tables" / "income_beside.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype={"Koodi": str})
    assert len(sheet) == len(side)


def test_the_income_items_are_euros_in_every_output() -> None:
    from lapsibudjetti._present import number_kind
    from lapsibudjetti.read._income import INCOME_ITEMS

    assert {number_kind(item) for item in INCOME_ITEMS} == {"euro"}  # formatted as euros in the workbook and the tables
