"""Issue 14: the paths where euros or text changed without a word. Each test failed on the code before the fix."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import lapsibudjetti as lb
from lapsibudjetti.reference._labels import set_lang as lb_set_lang


def _csv(tmp_path: Path, lines: list[str], name: str = "ledger.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


HEADER = "org_type;org_code;year;phase;service_class;amount"


# ---------------------------------------------------------------- class 4: fractions of a cent, exactness


@pytest.mark.parametrize("amount", ["5123456,789", "56 789,123", "123456789012,345"])
def test_a_fraction_of_a_cent_is_refused_at_any_size(tmp_path: Path, amount: str) -> None:
    """The check was relative (1e-6 of the amount): above about 5 000 € a third decimal passed."""
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    path = _csv(tmp_path, [HEADER, f"municipality;564;2022;actual;3051;{amount}"])
    with pytest.raises(lb.InputError, match="cent"):
        lb.read_ledger(path, check_codes=False)


def test_a_fraction_of_a_cent_in_a_frame_is_refused_at_any_size() -> None:
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    with pytest.raises(lb.InputError, match="cent"):
        lb.make_ledger({"org_code": ["564"], "year": [2022], "service_class": ["3051"], "amount": [5123456.789]},
                       org_type="municipality", phase="actual")


def test_an_amount_too_large_for_exact_cents_is_refused() -> None:
    """Above 2**53 cents a float64 cannot hold every cent: refused, never rounded."""
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    with pytest.raises(lb.InputError, match="exactly"):
        lb.make_ledger({"org_code": ["564"], "year": [2022], "service_class": ["3051"], "amount": [95_000_000_000_000.01]},
                       org_type="municipality", phase="actual")


def test_float32_parquet_amounts_are_refused_unless_exact(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"org_type": ["municipality"] * 2, "org_code": ["564"] * 2, "year": [2022, 2022],
                      "phase": ["actual"] * 2, "service_class": ["3051", "3021"],
                      "amount": pa.array([1234567.89, 0.37], type=pa.float32())})
    pq.write_table(table, tmp_path / "f32.parquet")
    with pytest.raises(lb.InputError, match="senttejä tarkasti"):
        lb.read_ledger(tmp_path / "f32.parquet", check_codes=False)
    exact = table.set_column(5, "amount", pa.array([1024.5, 0.25], type=pa.float32()))  # binary fractions: exact
    pq.write_table(exact, tmp_path / "f32_exact.parquet")
    assert lb.read_ledger(tmp_path / "f32_exact.parquet", check_codes=False)["amount"].tolist() == [1024.5, 0.25]


# ---------------------------------------------------------------- class 2: one thousands group, read 1000x too small


@pytest.mark.parametrize(("cells", "mark"), [(["1.500", "2.340", "750"], "."), (["1,500", "2,340", "750"], ",")])
def test_whole_euros_with_one_thousands_group_are_refused_not_guessed(tmp_path: Path, cells: list[str], mark: str) -> None:
    """1.500, 2.340, 750 read as 753,84 € instead of 4 590 €: without a cell that shows the decimal mark it is ambiguous."""
    lb.set_lang("en")  # the English amount messages are asserted below
    lines = [HEADER] + [f"municipality;564;2022;actual;30{k}1;{c}" for k, c in enumerate(cells)]
    with pytest.raises(lb.InputError, match="ambiguous") as err:
        lb.read_ledger(_csv(tmp_path, lines), check_codes=False)
    assert err.value.rows["row"].tolist() == [2, 3] and f"1{mark}500 = 1 500 €" in str(err.value)


def test_one_thousands_group_reads_when_the_column_shows_its_decimal_mark(tmp_path: Path) -> None:
    lb.set_lang("en")  # the English amount messages are asserted below
    lines = [HEADER, "municipality;564;2022;actual;3051;1.500", "municipality;564;2022;actual;3021;1234.560"]
    assert lb.read_ledger(_csv(tmp_path, lines), check_codes=False)["amount"].tolist() == [1.5, 1234.56]
    # two decimals elsewhere do not show that 1.000 is a euro: a hand-typed thousand in a machine export (found by
    # the round-trip property: "0.00" and "1.000" were read as 1,00 €)
    lines = [HEADER, "municipality;564;2022;actual;3051;0.00", "municipality;564;2022;actual;3021;1.000"]
    with pytest.raises(lb.InputError, match="ambiguous"):
        lb.read_ledger(_csv(tmp_path, lines, name="c.csv"), check_codes=False)
    lines = [HEADER, "municipality;564;2022;actual;3051;1.500,00", "municipality;564;2022;actual;3021;12,50"]
    assert lb.read_ledger(_csv(tmp_path, lines, name="b.csv"), check_codes=False)["amount"].tolist() == [1500.0, 12.5]


def test_one_thousands_group_in_a_frame_of_text_is_refused() -> None:
    lb.set_lang("en")  # the English amount messages are asserted below
    frame = pd.DataFrame({"org_type": ["municipality"] * 2, "org_code": ["564"] * 2, "year": [2022] * 2,
                          "phase": ["actual"] * 2, "service_class": ["3051", "3021"], "amount": ["1.500", "750"]})
    with pytest.raises(lb.InputError, match="ambiguous"):
        lb.read_ledger(frame, check_codes=False)


# ---------------------------------------------------------------- class 5: years only as integers


@pytest.mark.parametrize("year", ["2.022e3", "2022.0", "2022,0"])
def test_a_year_is_written_as_a_year(tmp_path: Path, year: str) -> None:
    path = _csv(tmp_path, [HEADER, f"municipality;564;{year};actual;3051;1,00"])
    with pytest.raises(lb.InputError, match="year"):
        lb.read_ledger(path, check_codes=False)


def test_a_text_year_in_a_frame_is_refused_unless_four_digits() -> None:
    with pytest.raises(lb.InputError, match="year"):
        lb.make_ledger({"org_code": ["564"], "year": ["2.022e3"], "service_class": ["3051"], "amount": [1.0]},
                       org_type="municipality", phase="actual")
    ok = lb.make_ledger({"org_code": ["564"], "year": [" 2022 "], "service_class": ["3051"], "amount": [1.0]},
                        org_type="municipality", phase="actual")
    assert ok["year"].tolist() == [2022]


# ---------------------------------------------------------------- class 7: text that reaches matplotlib


def test_dollar_signs_in_names_are_drawn_as_text(tmp_path: Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    led = lb.make_ledger({"org_code": ["564"] * 2, "year": [2018, 2019], "task_class": ["Perusopetus"] * 2,
                          "amount": [100.0, 120.0]}, org_type="municipality", phase="actual")
    budget = lb.child_budget(led, measure="net cost in $ and $x^2$ of $$")
    for plot in (lb.plot_tiers, lb.plot_per_child, lb.plot_sisote_split, lb.plot_preventive_share):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lb.LapsibudjettiWarning)  # no sote lines in a municipal ledger: said, not tested here
            ax = plot(budget, lang="en")
        ax.figure.savefig(tmp_path / "chart.png")  # mathtext would fail or draw x² here
        texts = [t for t in ax.figure.findobj(matplotlib.text.Text) if "$" in t.get_text()]
        assert texts and all(not t.get_parse_math() for t in texts), plot.__name__
        import matplotlib.pyplot as plt

        plt.close(ax.figure)


# ---------------------------------------------------------------- class 8: a ledger on another sheet from the CLI


def test_the_cli_reads_a_ledger_on_a_named_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lapsibudjetti import cli

    book = tmp_path / "tp.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"note": ["the ledger is on the next sheet"]}).to_excel(w, sheet_name="Ohje", index=False)
        pd.DataFrame({"org_type": ["municipality"], "org_code": ["564"], "year": [2019], "phase": ["actual"],
                      "task_class": ["Perusopetus"], "amount": [1000.0]}).to_excel(w, sheet_name="Kirjanpito", index=False)
    code = cli.main(["validate", "--ledger", str(book), "--sheet", "Kirjanpito"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "1 riviä" in out.out  # the CLI speaks Finnish by default


# ---------------------------------------------------------------- class 5: business IDs cross-checked


def test_a_business_id_with_a_wrong_check_digit_is_refused() -> None:
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    with pytest.raises(lb.InputError, match="check digit"):
        lb.make_ledger({"org_code": ["564"], "business_id": ["0187690-2"], "year": [2022], "service_class": ["3051"],
                        "amount": [1.0]}, org_type="municipality", phase="actual")


def test_a_business_id_of_another_organisation_is_refused() -> None:
    """Helsinki's business ID on Oulu's line: one of the two is wrong, and the euros would go to the wrong place."""
    lb.set_lang("en")  # the problem texts asserted below are the English ones
    with pytest.raises(lb.InputError, match="not the business ID of this organisation") as err:
        lb.make_ledger({"org_code": ["564", "091"], "business_id": ["0201256-6", "0201256-6"], "year": [2022] * 2,
                        "service_class": ["3051"] * 2, "amount": [1.0, 2.0]}, org_type="municipality", phase="actual")
    assert err.value.rows["row"].tolist() == [1]
    ok = lb.make_ledger({"org_code": ["564"], "business_id": ["0187690-1"], "year": [2022], "service_class": ["3051"],
                         "amount": [1.0]}, org_type="municipality", phase="actual")
    assert ok["business_id"].astype(str).tolist() == ["0187690-1"]


# ---------------------------------------------------------------- class 8: UTF-16 without a byte-order mark


def test_utf16_without_bom_is_named_with_the_fix(tmp_path: Path) -> None:
    """It was reported as a separator problem."""
    lb_set_lang("en")  # the English messages are asserted
    lines = [HEADER, "municipality;564;2022;actual;3051;1 234,56"]
    path = tmp_path / "utf16.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-16-le"))
    with pytest.raises(lb.InputError, match="UTF-16 \\(LE\\) without a byte-order mark"):
        lb.read_ledger(path, check_codes=False)
    assert lb.read_ledger(path, check_codes=False, encoding="utf-16-le")["amount"].tolist() == [1234.56]
