"""The report shows the municipality views when the data have municipalities and their wellbeing area (issue 11)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import lapsibudjetti as lb


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[lb.ChildBudget, lb.Report]:
    sample = lb.load_sample("synthetic")
    cb = sample.child_budget()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        rep = lb.report(cb, tmp_path_factory.mktemp("rep") / "r", lang="en", charts=False, price_index=sample.price_index)
    return cb, rep


def _cents(s: pd.Series) -> list[int]:
    return [round(float(v) * 100) for v in s]


def test_headline_tables_are_the_municipality_view_to_the_cent(sample_report: tuple[lb.ChildBudget, lb.Report]) -> None:
    cb, rep = sample_report
    assert rep.shown == "municipality"
    view = lb.municipality_view(cb, ["X01", "X02"]).summary()
    table = pd.read_parquet(rep.folder / "tables" / "summary.parquet")
    assert set(table["org_type"]) == {"municipality"}  # the area is not beside municipalities that hold a share of it
    key = ["org_code", "year", "phase"]
    got = table.sort_values(key).reset_index(drop=True)
    want = view.assign(org_code=view["org_code"].astype(str), phase=view["phase"].astype(str)).sort_values(key).reset_index(drop=True)
    assert _cents(got["child_euros"]) == _cents(want["child_euros"])
    assert got["euros_per_child"].round(2).tolist() == want["euros_per_child"].round(2).tolist()
    assert got["preventive_share"].tolist() == pytest.approx(want["preventive_share"].tolist(), abs=1e-12)
    # Esimerkkilä's preventive share drifts 82.4 % -> 81.0 % (80.5 % -> 78.8 % with the plain population keys, the
    # issue's figures), not 80 % -> 100 % as its ledger alone shows when sote leaves it in 2023
    x01 = got[(got["org_code"] == "X01") & (got["phase"] == "actual")].set_index("year")["preventive_share"]
    assert round(x01[2021], 3) == 0.824 and round(x01[2024], 3) == 0.81
    plain = lb.municipality_view(lb.load_sample("synthetic").child_budget(profile="population_keys"), ["X01"]).summary()
    plain = plain[plain["phase"].astype(str) == "actual"].set_index("year")["preventive_share"]
    assert round(plain[2021], 3) == 0.805 and round(plain[2024], 3) == 0.788


def test_booked_figures_only_on_the_appendix(sample_report: tuple[lb.ChildBudget, lb.Report]) -> None:
    cb, rep = sample_report
    from openpyxl import load_workbook

    wb = load_workbook(rep.workbook, read_only=True)
    assert wb.sheetnames[-1] == "Appendix as booked"
    # the booked euros per child (own sivistys only, without the area's share): a headline figure of the wrong view
    booked_x01_2024 = cb.summary().query("org_code == 'X01' and year == 2024 and phase == 'actual'")["euros_per_child"].iloc[0]
    hits = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            if any(isinstance(v, float) and round(v, 2) == round(float(booked_x01_2024), 2) for v in row):
                hits.append(ws.title)
                break
    # (a sector's own figures, e.g. "Changes by sector" for sivistys, legitimately equal the booked ones)
    assert "Appendix as booked" in hits and not {"Summary", "Comparison", "Changes", "Region view"} & set(hits), hits
    notes = [r[0] for r in wb["Appendix as booked"].iter_rows(max_row=4, values_only=True)]
    assert any(isinstance(n, str) and "NOT the municipalities' child budgets" in n for n in notes)
    booked = pd.read_parquet(rep.folder / "tables" / "appendix_booked.parquet")
    assert "wellbeing_area" in set(booked["org_type"])
    region = pd.read_parquet(rep.folder / "tables" / "region_view.parquet")
    assert set(region["org_type"]) == {"region"}


def test_view_booked_shows_the_ledgers(tmp_path: Path) -> None:
    cb = lb.load_sample("synthetic").child_budget()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        rep = lb.report(cb, tmp_path / "r", lang="fi", charts=False, view="booked")
    table = pd.read_parquet(rep.folder / "tables" / "summary.parquet")
    assert rep.shown == "booked" and "wellbeing_area" in set(table["org_type"])
    assert not (rep.folder / "tables" / "appendix_booked.parquet").exists()
    with pytest.raises(lb.InputError, match="view"):
        lb.report(cb, tmp_path / "s", view="region")  # type: ignore[arg-type]


def test_municipalities_alone_are_shown_as_booked(tmp_path: Path) -> None:
    led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Perusopetus"], "amount": [1000.0]},
                         org_type="municipality", phase="actual")
    rep = lb.report(lb.child_budget(led), tmp_path / "r", lang="en", charts=False)
    assert rep.shown == "booked" and rep.view is None


def test_cover_and_years_sheet_show_the_view(sample_report: tuple[lb.ChildBudget, lb.Report]) -> None:
    cb, rep = sample_report
    from openpyxl import load_workbook

    wb = load_workbook(rep.workbook)
    assert wb.sheetnames[:3] == ["Cover", "By year", "Summary"]  # no charts drawn: no charts sheet
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(values_only=True) if r[0]}
    view = lb.municipality_view(cb, ["X01", "X02"]).summary().query("year == 2024 and phase == 'actual'")
    assert round(cover["Child-targeted, €"] * 100) == round(float(view["child_euros"].sum()) * 100)
    assert cover["€ per child"] == pytest.approx(float(view["child_euros"].sum() / view["children"].sum()), rel=1e-12)
    years = list(wb["By year"].iter_rows(values_only=True))
    head = next(r for r in years if r[1] == 2021)
    assert list(head[1:5]) == [2021, 2022, 2023, 2024]
    x01 = [i for i, r in enumerate(years) if r[0] == "Esimerkkilä"][0]
    shares = next(r for r in years[x01:] if r[0] == "Preventive share")
    assert [round(v, 3) for v in shares[1:5]] == [0.824, 0.82, 0.815, 0.81]
    for ws in wb.worksheets:  # every cell names its font (no serif fallback in LibreOffice)
        for row in ws.iter_rows(max_row=12):
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Calibri", (ws.title, cell.coordinate)


def test_cover_and_years_columns_fit_the_largest_figures(tmp_path: Path) -> None:
    """National-scale euros (billions) fit their columns: LibreOffice and Excel show ### in a column too narrow."""
    from openpyxl import load_workbook

    s = lb.load_sample("synthetic")
    big = [led.assign(amount=led["amount"] * 1000) for led in s.ledgers.values()]  # tens of billions of euros
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        cb = lb.child_budget(big, population=s.population, keys=s.keys, registry=s.registry, population_year=s.population_year)
        rep = lb.report(cb, tmp_path / "r", lang="fi", charts=False)
    wb = load_workbook(rep.workbook)
    cover = wb.worksheets[0]
    euros = next(r[1].value for r in cover.iter_rows(max_col=2) if isinstance(r[1].value, float) and r[1].value > 1e9)
    needed = len(f"{euros:,.0f} €") * 16 / 11  # the cover's figures are bold 16 pt
    assert cover.column_dimensions["B"].width >= needed
    years = wb.worksheets[1]
    largest = max(c.value for row in years.iter_rows(min_col=2) for c in row if isinstance(c.value, float))
    assert years.column_dimensions["B"].width >= len(f"{largest:,.0f} €")


def test_progress_is_told_in_the_session_language(tmp_path: Path) -> None:
    """The CLI's progress bar shows these labels: a Swedish session reads Swedish, not the code's English."""
    s = lb.load_sample("synthetic")
    cb = s.child_budget()
    steps: list[str] = []
    before = lb.default_lang()
    lb.set_lang("sv")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
            lb.report(cb, tmp_path / "r", lang="sv", charts=False, progress=steps.append)
    finally:
        lb.set_lang(before)
    assert steps == ["beräknar tabellerna", "skriver tabellerna", "skriver arbetsboken", "skriver rapportsidan"]


def test_a_report_that_fails_leaves_no_folder_it_made(tmp_path: Path) -> None:
    cb = lb.load_sample("synthetic").child_budget()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
        with pytest.raises(lb.LapsibudjettiError):
            lb.report(cb, tmp_path / "r", charts=False, income=tmp_path / "no-such-statement.xlsx")
    assert not (tmp_path / "r").exists()
