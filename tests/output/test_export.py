"""The workbook and the tidy tables, read back and checked cell by cell."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

import lapsibudjetti as lb
from lapsibudjetti.output._workbook import MAX_SHEET_ROWS
from lapsibudjetti.output._collect import export_tables
from lapsibudjetti.reference._labels import text

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "=1+1"]

SHEETS_FI = ["Yhteenveto", "Palveluryhmittäin", "Palvelutasoittain", "Sektoreittain", "Liikennevaloittain", "Vertailu",
             "Luokittelemattomat", "Täsmäytys", "Menetelmä", "Asetukset", "Kohdistusavaimet", "Väestö", "Väestötiedon käyttö"]
SHEETS_EN = ["Summary", "By category", "By tier", "By sector", "By colour", "Comparison", "Unmapped lines", "Reconciliation",
             "Method", "Settings", "Allocation keys", "Population", "Population notes"]


def _ledger() -> pd.DataFrame:
    rows = []
    for code, scale in (("564", 1.0), ("091", 3.0), ("049", 1.5)):
        rows += [
            (code, "Perusopetus", 1_000_000.0 * scale, "KP100"),
            (code, "Varhaiskasvatus", 600_000.0 * scale, "KP200"),
            (code, "Kirjastotoiminta", 200_000.0 * scale, "KP300"),  # yellow: population key
            (code, "Lastensuojelun laitos- ja perhehoito", 270_000.0 * scale, "KP400"),
            (code, "Lastensuojelun avohuoltopalvelut", 100_000.0 * scale, "KP401"),
            (code, "Vesihuolto", 50_000.0 * scale, "KP900"),  # red
        ]
    # lines no rule matches (an aggregate), with cost centres an attacker could write
    rows += [("564", "Käyttötalous yhteensä", -2.5 if k == 3 else 10.0 + k, cc) for k, cc in enumerate(INJECTIONS)]
    return lb.make_ledger(
        {"org_code": [r[0] for r in rows], "task_class": [r[1] for r in rows], "amount": [r[2] for r in rows],
         "cost_centre": [r[3] for r in rows], "year": [2019] * len(rows)},
        org_type="municipality", phase="actual")


@pytest.fixture(scope="module")
def rules() -> lb.Rules:
    r = lb.default_rules()
    ids = r.table["rule_id"].tolist()
    # rule bases an attacker (or a careless edit) could write, on rules that apply to the ledger
    applied = ["tc-perusopetus", "tc-varhaiskasvatus", "tc-kirjastotoiminta", "tc-lastensuojelun-avohuoltopalvelut",
               "tc-lastensuojelun-laitos--ja-perhehoito"]
    assert set(applied) <= set(ids)
    for rule_id, basis in zip(applied, INJECTIONS):
        r = r.replace(rule_id, basis=basis)
    return r


@pytest.fixture(scope="module")
def result(rules: lb.Rules) -> lb.ChildBudget:
    return lb.child_budget(_ledger(), rules=rules, measure="net operating cost")


@pytest.fixture(scope="module")
def books(result: lb.ChildBudget, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("books")
    return {lang: lb.write_workbook(result, folder / f"{lang}.xlsx", lang=lang) for lang in ("fi", "sv", "en")}


def _header_row(ws) -> int:
    return ws[ws.freeze_panes].row - 1


def _table(ws) -> tuple[list[str], list[list[object]]]:
    h = _header_row(ws)
    rows = [list(r) for r in ws.iter_rows(min_row=h, values_only=True)]
    return [str(v) for v in rows[0]], rows[1:]


def _column(ws, header: str) -> list[object]:
    heads, rows = _table(ws)
    j = heads.index(header)
    return [r[j] for r in rows]


def test_sheet_names_in_finnish_and_english(books: dict[str, Path]) -> None:
    assert load_workbook(books["fi"]).sheetnames == SHEETS_FI
    assert load_workbook(books["en"]).sheetnames == SHEETS_EN
    assert all(len(n) <= 31 for n in load_workbook(books["sv"]).sheetnames)


def test_headers_follow_the_language(books: dict[str, Path]) -> None:
    fi = load_workbook(books["fi"])["Yhteenveto"]
    en = load_workbook(books["en"])["Summary"]
    heads_fi, _ = _table(fi)
    heads_en, _ = _table(en)
    assert heads_fi[:6] == ["Organisaatiotyyppi", "Koodi", "Organisaatio", "Vuosi", "Vaihe", "Kaikki menot, €"]
    assert heads_en[:6] == ["Organisation type", "Code", "Organisation", "Year", "Phase", "All spending, €"]
    for h in ("Lapsiin kohdistuvat, €", "€ / lapsi", "Ehkäisevien osuus", "Korjaavien osuus", "Sijaishuolto / avohuolto"):
        assert h in heads_fi
    for h in ("Child-targeted, €", "€ per child", "Preventive share", "Corrective share", "Placements / non-residential"):
        assert h in heads_en
    # codes become labels; numbers stay numbers
    assert set(_column(fi, "Vaihe")) == {"tilinpäätös"}
    assert set(_column(en, "Organisation type")) == {"municipality"}
    assert all(isinstance(v, int) for v in _column(en, "Year"))


def test_every_sheet_says_what_the_amounts_are(books: dict[str, Path]) -> None:
    for lang, expected in (("fi", "Summat: nettokäyttökustannukset. Kohderyhmä: 0–17-vuotiaat."),
                           ("en", "Amounts: net operating cost. Target group: ages 0–17.")):
        wb = load_workbook(books[lang])
        for ws in wb.worksheets:
            assert ws["A1"].font.bold and ws["A1"].value
            assert ws["A2"].value == expected, ws.title


def test_number_formats_and_values(books: dict[str, Path], result: lb.ChildBudget) -> None:
    ws = load_workbook(books["en"])["Summary"]
    heads, rows = _table(ws)
    h = _header_row(ws)
    fmt = {name: ws.cell(row=h + 1, column=j + 1).number_format for j, name in enumerate(heads)}
    assert fmt["Child-targeted, €"] == '#,##0 "€"'
    assert fmt["€ per child"] == '#,##0 "€"'
    assert fmt["Preventive share"] == "0.0 %"
    assert fmt["Share of all spending"] == "0.0 %"
    assert fmt["Placements / non-residential"] == "0.00"
    assert fmt["Year"] == "0"
    assert fmt["Children (target group)"] == "#,##0"
    s = result.summary().sort_values("org_code")
    got = sorted(zip(_column(ws, "Code"), _column(ws, "Child-targeted, €"), _column(ws, "Preventive share")))
    for (code, child, prev), (_, row) in zip(got, s.iterrows()):
        assert code == row["org_code"]
        assert isinstance(child, float) and child == pytest.approx(row["child_euros"], abs=1e-6)
        assert prev == pytest.approx(row["preventive_share"])
    rec = load_workbook(books["en"])["Reconciliation"]
    rh = _header_row(rec)
    heads = [c.value for c in rec[rh]]
    assert rec.cell(row=rh + 1, column=heads.index("Input, €") + 1).number_format == '#,##0.00 "€"'
    assert set(_column(rec, "Reconciles")) == {"yes"}


def test_frozen_headers_filters_and_widths(books: dict[str, Path]) -> None:
    wb = load_workbook(books["fi"])
    for ws in wb.worksheets:
        h = _header_row(ws)
        assert h >= 4, ws.title
        assert ws.auto_filter.ref.startswith(f"A{h}:"), ws.title
        assert ws.print_title_rows == f"${h}:${h}"
        widths = [ws.column_dimensions[c].width for c in "ABC"]
        assert all(6 <= w <= 61 for w in widths), (ws.title, widths)  # xlsxwriter stores width + 0.71 (Excel pads a column)
    summary = wb["Yhteenveto"]
    assert summary.freeze_panes == "D6"  # header row and type, code, name stay in view
    n = len(_table(summary)[1])
    assert summary.auto_filter.ref == f"A5:{summary.cell(row=5, column=summary.max_column).column_letter}{5 + n}"


def test_method_sheet_lists_every_applied_rule_with_its_basis(books: dict[str, Path], result: lb.ChildBudget) -> None:
    ws = load_workbook(books["en"])["Method"]
    ids = _column(ws, "Rule")
    basis = dict(zip(ids, _column(ws, "Basis")))
    lines = dict(zip(ids, _column(ws, "Lines")))
    rules = result.method()["rules"]
    applied = rules[rules["lines"] > 0]
    assert len(applied) >= 6
    for rule in applied.itertuples():
        assert rule.rule_id in basis
        assert basis[rule.rule_id] == rule.basis
        assert lines[rule.rule_id] == rule.lines
    assert len(ids) == len(rules)  # unused rules are listed too, with 0 lines
    settings = load_workbook(books["en"])["Settings"]
    values = dict(zip(_column(settings, "Setting"), _column(settings, "Value")))
    assert values["Library version (export)"] == f"lapsibudjetti {lb.__version__}"
    assert values["Target group"] == "children 0–17"
    keys = load_workbook(books["en"])["Allocation keys"]
    assert set(_column(keys, "Rule")) == set(result.key_shares["rule_id"])
    assert load_workbook(books["en"])["Allocation keys"].cell(row=_header_row(keys) + 1, column=7).number_format == "0.00 %"


def test_formula_injection_is_text_in_the_workbook(books: dict[str, Path]) -> None:
    wb = load_workbook(books["en"])
    cost_centres = _column(wb["Unmapped lines"], "Cost centre")
    # the text exactly as written (no apostrophe in it), escaped by the cell's quote-prefix style
    assert sorted(cost_centres) == sorted(INJECTIONS)
    bases = _column(wb["Method"], "Basis")
    for v in INJECTIONS:
        assert v in bases
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    # and in the file itself: no formula element anywhere
    with zipfile.ZipFile(books["en"]) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    # the negative amount of an unmapped line is a number, not neutralised text
    assert -2.5 in _column(wb["Unmapped lines"], "Amount, €")


def test_comparison_ranks_against_the_median(books: dict[str, Path], result: lb.ChildBudget) -> None:
    ws = load_workbook(books["en"])["Comparison"]
    per = dict(zip(_column(ws, "Code"), _column(ws, "€ per child")))
    rank = dict(zip(_column(ws, "Code"), _column(ws, "Rank (€ per child)")))
    median = set(_column(ws, "Median € per child"))
    values = sorted(per.values(), reverse=True)
    assert len(median) == 1 and median.pop() == pytest.approx(float(np.median(values)))
    assert [rank[c] for c in sorted(per, key=per.get, reverse=True)] == [1, 2, 3]
    diff = dict(zip(_column(ws, "Code"), _column(ws, "Difference from median, € per child")))
    for code in per:
        assert diff[code] == pytest.approx(per[code] - float(np.median(values)))
    assert set(_column(ws, "Organisations compared")) == {3}


def test_workbook_is_byte_identical_and_dated_fixed(result: lb.ChildBudget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = lb.write_workbook(result, tmp_path / "a.xlsx").read_bytes()
    b = lb.write_workbook(result, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    wb = load_workbook(io.BytesIO(a))
    assert wb.properties.created.isoformat().startswith("2000-01-01")
    assert wb.properties.modified == wb.properties.created
    with zipfile.ZipFile(io.BytesIO(a)) as z:  # a clock second apart would not show in a == b
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    c = lb.write_workbook(result, tmp_path / "c.xlsx").read_bytes()
    assert c != a  # the stamp really comes from the setting, not from the clock
    assert load_workbook(io.BytesIO(c)).properties.created.year == 2023


def _read_csv(path: Path, dialect: str) -> list[list[str]]:
    raw = path.read_bytes()
    if dialect == "fi":
        assert raw.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))
    assert not raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=","))


@pytest.mark.parametrize("dialect", ["fi", "plain"])
def test_tables_csv_and_parquet_are_byte_identical(result: lb.ChildBudget, tmp_path: Path, dialect: str) -> None:
    first = lb.write_tables(result, tmp_path / "one", dialect=dialect)
    second = lb.write_tables(result, tmp_path / "two", dialect=dialect)
    assert [p.name for p in first] == [p.name for p in second]
    assert {p.suffix for p in first} == {".csv", ".parquet"}
    names = {p.stem for p in first}
    assert {"summary", "by_category", "by_tier", "by_sector", "by_colour", "comparison", "reconciliation", "unmapped",
            "method_rules", "method_settings", "method_keys", "method_population"} <= names
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    rows = _read_csv(tmp_path / "one" / "summary.csv", dialect)
    assert rows[0][:5] == ["org_type", "org_code", "org_name", "year", "phase"]
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:])  # deterministic order
    child = rows[0].index("child_euros")
    dec = "," if dialect == "fi" else "."
    s = result.summary().set_index("org_code")
    total = rows[0].index("total_euros")
    for r in rows[1:]:
        # to 15 significant digits (keyed child shares are not whole cents); amounts in cents exactly
        assert float(r[child].replace(dec, ".")) == pytest.approx(s.loc[r[1], "child_euros"], rel=1e-14)
        assert float(r[total].replace(dec, ".")) == s.loc[r[1], "total_euros"]
        assert "e" not in r[child].lower()


def test_csv_numbers_carry_no_float_noise() -> None:
    from lapsibudjetti.output._tables import _number_text

    assert _number_text(14596531.209999997, ",") == "14596531,21"  # the example: a sum of cents
    assert _number_text(0.1 + 0.2, ".") == "0.3"
    assert _number_text(9999999999999.99, ".") == "9999999999999.99"  # the largest amount read, to the cent


def test_parquet_has_fixed_metadata_and_types(result: lb.ChildBudget, tmp_path: Path) -> None:
    paths = lb.write_tables(result, tmp_path, formats=("parquet",))
    assert all(p.suffix == ".parquet" for p in paths)
    meta = pq.read_metadata(tmp_path / "summary.parquet")
    keys = set(meta.schema.to_arrow_schema().metadata or {})
    assert b"pandas" not in keys
    assert {b"lapsibudjetti.table", b"lapsibudjetti.version", b"lapsibudjetti.measure", b"lapsibudjetti.target_group"} <= keys
    table = pq.read_table(tmp_path / "summary.parquet")
    types = {f.name: str(f.type) for f in table.schema}
    assert types["year"] == "int64" and types["child_euros"] == "double" and types["org_code"] == "string"
    back = table.to_pandas()
    expected = export_tables(result)["summary"]
    assert back["org_code"].tolist() == expected["org_code"].tolist()
    assert back["child_euros"].tolist() == expected["child_euros"].tolist()
    rec = pq.read_table(tmp_path / "reconciliation.parquet")
    assert str(rec.schema.field("ok").type) == "bool"
    # Parquet keeps text as it is (typed data); only CSV and XLSX neutralise it
    un = pq.read_table(tmp_path / "unmapped.parquet").to_pandas()
    assert sorted(un["cost_centre"]) == sorted(INJECTIONS)


@pytest.mark.parametrize("dialect", ["fi", "plain"])
def test_formula_injection_is_neutralised_in_csv(result: lb.ChildBudget, tmp_path: Path, dialect: str) -> None:
    lb.write_tables(result, tmp_path, dialect=dialect, formats=("csv",))
    rows = _read_csv(tmp_path / "unmapped.csv", dialect)
    cc = rows[0].index("cost_centre")
    amount = rows[0].index("amount")
    assert sorted(r[cc] for r in rows[1:]) == sorted("'" + v for v in INJECTIONS)
    assert ("-2,5" if dialect == "fi" else "-2.5") in [r[amount] for r in rows[1:]]  # numbers are not neutralised
    rules = _read_csv(tmp_path / "method_rules.csv", dialect)
    basis = rules[0].index("basis")
    got = [r[basis] for r in rules[1:]]
    for v in INJECTIONS:
        assert "'" + v in got and v not in got
    for path in tmp_path.glob("*.csv"):
        for row in _read_csv(path, dialect):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
                if cell.startswith("-"):
                    float(cell.replace(",", ".") if dialect == "fi" else cell)  # only numbers start with a minus


def test_csv_neutralises_tab_and_carriage_return() -> None:
    from lapsibudjetti.output._tables import _csv_bytes

    frame = pd.DataFrame({"text": ["\t=1+1", "\r=1", "-x", "ok", None], "number": [-1.5, 2.0, -0.0, np.nan, 1e-7]})
    raw = _csv_bytes(frame, "plain").decode("utf-8")
    assert raw.startswith("text,number\r\n'\t=1+1,-1.5\r\n\"'\r=1\",2\r\n")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert [r[0] for r in rows[1:]] == ["'\t=1+1", "'\r=1", "'-x", "ok", ""]
    assert [r[1] for r in rows[1:]] == ["-1.5", "2", "0", "", "0.0000001"]


class _View:
    """A cross-boundary result as the exporters see it: the protocol and nothing else."""

    def __init__(self, cb: lb.ChildBudget) -> None:
        self._cb = cb

    def summary(self) -> pd.DataFrame:
        return self._cb.summary()

    def by(self, dimension: str) -> pd.DataFrame:  # no lang argument
        if dimension == "colour":
            raise lb.InputError("this view has no colours")
        return self._cb.by(dimension)

    @property
    def reconciliation(self) -> pd.DataFrame:
        return self._cb.reconciliation

    @property
    def unmapped(self) -> pd.DataFrame:
        return self._cb.unmapped

    def method(self) -> dict[str, pd.DataFrame]:
        return {"rules": self._cb.method()["rules"], "peer_notes": pd.DataFrame({"org_code": ["564"], "peer_share": [0.25]})}


def test_any_result_with_the_protocol(result: lb.ChildBudget, tmp_path: Path) -> None:
    view = _View(result)
    path = lb.write_workbook(view, tmp_path / "view.xlsx", lang="en")
    wb = load_workbook(path)
    assert "By colour" not in wb.sheetnames
    assert "method_peer_notes" in wb.sheetnames  # an unknown method table still gets its sheet
    notes = wb["method_peer_notes"]
    assert _table(notes)[0] == ["Code", "peer_share"]  # known columns get their label, unknown ones keep their name
    assert notes.cell(row=_header_row(notes) + 1, column=2).number_format == "0.0 %"  # by the name's ending
    assert wb["Summary"]["A2"].value == "Amounts: net operating cost. Target group: children 0–17."
    assert set(_column(wb["Summary"], "Organisation")) == {"Oulu", "Helsinki", "Espoo"}
    paths = lb.write_tables(view, tmp_path / "tables", dialect="plain", formats=("csv",))
    assert "method_peer_notes.csv" in {p.name for p in paths}


def test_given_comparison_replaces_the_default(result: lb.ChildBudget, tmp_path: Path) -> None:
    peers = pd.DataFrame({"org_type": ["municipality"], "org_code": ["564"], "year": [2019], "phase": ["actual"],
                          "peer_group": ["large cities"], "euros_per_child": [12345.0], "peer_median_euros_per_child": [11000.0]})
    path = lb.write_workbook(result, tmp_path / "peers.xlsx", lang="en", comparison=peers)
    ws = load_workbook(path)["Comparison"]
    heads, rows = _table(ws)
    assert heads == ["Organisation type", "Code", "Organisation", "Year", "Phase", "peer_group", "€ per child", "peer_median_euros_per_child"]
    assert rows[0][2] == "Oulu" and rows[0][7] == 11000.0
    assert ws.cell(row=_header_row(ws) + 1, column=8).number_format == '#,##0 "€"'
    with pytest.raises(lb.InputError, match="comparison pitää olla DataFrame"):
        lb.write_workbook(result, tmp_path / "bad.xlsx", comparison="peers")  # type: ignore[arg-type]


def test_long_tables_are_cut_with_a_note(result: lb.ChildBudget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lapsibudjetti.output._workbook as ex

    monkeypatch.setattr(ex, "MAX_SHEET_ROWS", 4)
    ws = load_workbook(lb.write_workbook(result, tmp_path / "cut.xlsx", lang="en"))["By category"]
    heads, rows = _table(ws)
    assert len(rows) == 4
    assert any(isinstance(c.value, str) and c.value.startswith("The sheet shows 4 of ") for c in ws["A"][:5])
    assert MAX_SHEET_ROWS == 1_000_000


def test_bad_arguments_are_input_errors(result: lb.ChildBudget, tmp_path: Path) -> None:
    with pytest.raises(lb.InputError, match="lang='de' ei käy; valitse jokin näistä: fi, sv, en"):
        lb.write_workbook(result, tmp_path / "x.xlsx", lang="de")  # type: ignore[arg-type]
    with pytest.raises(lb.InputError, match=r"\.xlsx"):
        lb.write_workbook(result, tmp_path / "x.xls")
    with pytest.raises(lb.InputError, match="ei ole; luo se ensin"):
        lb.write_workbook(result, tmp_path / "missing" / "x.xlsx")
    with pytest.raises(lb.InputError, match="dialect"):
        lb.write_tables(result, tmp_path, dialect="excel")  # type: ignore[arg-type]
    with pytest.raises(lb.InputError, match="formats"):
        lb.write_tables(result, tmp_path, formats=("json",))


def _sample_series() -> object:
    from lapsibudjetti.samples._load import load_sample

    sample = load_sample("synthetic")
    view = lb.municipality_view(sample.child_budget(), "all", registry=sample.registry, population=sample.population)
    return lb.series(view, price_index=sample.price_index)


def test_a_series_exports_its_view_and_changes(tmp_path: Path) -> None:
    series = _sample_series()
    path = lb.write_workbook(series, tmp_path / "series.xlsx", lang="en")
    wb = load_workbook(path)
    assert wb.sheetnames[5:9] == ["Comparison", "Changes", "Changes by sector", "Actual vs budget"]
    assert {"View", "Composition", "Area allocation", "Allocation check", "Series", "Price index"} <= set(wb.sheetnames)
    ws = wb["Changes"]
    heads, rows = _table(ws)
    h = _header_row(ws)
    fmt = {name: ws.cell(row=h + 2, column=j + 1).number_format for j, name in enumerate(heads)}
    assert fmt["Real change"] == "0.0 %" and fmt["Child-targeted in real terms, €"] == '#,##0 "€"' and fmt["Price index"] == "0.0"
    assert set(_column(ws, "Break")) <= {"yes", "no"}
    assert "name" not in heads and "Organisation" in heads  # the series' Finnish names give way to the chosen language
    check = wb["Allocation check"]
    assert set(_column(check, "Reconciles")) == {"yes"}
    bva = wb["Actual vs budget"]
    assert "Revised budget, €" not in _table(bva)[0]  # no revised budget in the sample: its empty columns are left out
    assert "all sectors" in _column(bva, "Sector")
    paths = lb.write_tables(series, tmp_path / "t", formats=("csv",))
    assert {"series.csv", "series_by_sector.csv", "budget_vs_actual.csv", "method_price_index.csv"} <= {p.name for p in paths}
    totals = pd.read_csv(tmp_path / "t" / "series.csv", sep=";", decimal=",", encoding="utf-8-sig")
    bva_columns = pd.read_csv(tmp_path / "t" / "budget_vs_actual.csv", sep=";", encoding="utf-8-sig", nrows=1).columns
    assert "revised_budget_child_euros" in bva_columns  # the tidy table keeps every column
    assert totals["real_child_euros"].tolist() == pytest.approx(series.totals.sort_values(["org_code", "phase", "year"])["real_child_euros"].tolist())


def test_labels_file_is_complete() -> None:
    from importlib import resources

    raw = resources.files("lapsibudjetti").joinpath("data/labels.csv").read_text(encoding="utf-8")
    labels = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    assert not labels["key"].duplicated().any()
    assert (labels[["fi", "sv", "en"]] != "").all().all()
    # every column of every table has a header in every language, also for the cross-boundary results
    for result in (lb.child_budget(_ledger()), _sample_series()):
        for name, frame in export_tables(result).items():
            assert f"sheet.{name}" in set(labels["key"]), name
            for col in frame.columns:
                if col not in ("label",):
                    assert f"col.{col}" in set(labels["key"]), (name, col)
    # placeholders agree across languages
    for row in labels.itertuples():
        import re

        fields = [sorted(set(re.findall(r"{(\w+)}", getattr(row, lang))) - {"nbsp"}) for lang in ("fi", "sv", "en")]
        assert fields[0] == fields[1] == fields[2], row.key
    assert text("value.tier.", "fi") == "ei kohdistu lapsiin"
