"""Tests for lapsibudjetti._read: every CSV dialect, Excel, Parquet, errors, statistics."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapsibudjetti._errors import InputError, LapsibudjettiWarning, ReconciliationError
from lapsibudjetti._schema import LEDGER_COLUMNS, amount_cents
from lapsibudjetti.read._amounts import _parse_amount_strings, _parse_chunk, _string_parts
from lapsibudjetti.read._encoding import _mapped_text, _single_byte_table
from lapsibudjetti.read._fast import _fast_amounts
from lapsibudjetti.read._ledger import read_ledger
from lapsibudjetti.read._statistics import read_statistics
from lapsibudjetti.reference._labels import set_lang
from lapsibudjetti.reference._labels import set_lang as lb_set_lang

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = REPO.parent / "shared" / "data"
KTA14 = SHARED / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"

NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"
MUNI = {"org_type": "municipality"}


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def records(led: pd.DataFrame, *cols: str) -> list[dict]:
    return led[list(cols)].astype(object).where(led[list(cols)].notna(), None).to_dict("records")


def assert_canonical(led: pd.DataFrame) -> None:
    assert list(led.columns) == list(LEDGER_COLUMNS)
    assert led["year"].dtype == np.int64 and led["source_row"].dtype == np.int64
    assert led["amount"].dtype == np.float64


# ---------------------------------------------------------------------------
# CSV dialects


def test_finnish_cp1252_semicolon_decimal_comma_nbsp(tmp_path: Path) -> None:
    text = (
        "Kunta;Vuosi;Vaihe;Palveluluokka;Tili;Kustannuspaikka;Euroa\r\n"
        f"564;2022;TP;3021 Päiväkotitoiminta;4000;Päiväkoti Höyhen;1{NBSP}234{NBSP}567,89\r\n"
        f"564;2022;tilinpäätös;3051;4300;Koulu Åström;-12{NBSP}000,50\r\n"
        "564;2022;TP;3022 Perhepäivähoito;4000;KP1;250,00-\r\n"
        "564;2022;TP;3022;4000;KP1;1.234,5\r\n"
    )
    path = write(tmp_path / "oulu_tp2022.csv", text, "cp1252")
    led = read_ledger(path, defaults=MUNI, check_codes=False)
    assert_canonical(led)
    assert led.attrs["encoding"] == "cp1252" and led.attrs["delimiter"] == ";"
    assert records(led, "org_code", "phase", "service_class", "account", "cost_centre", "amount", "source_row") == [
        {"org_code": "564", "phase": "actual", "service_class": "3021", "account": "4000",
         "cost_centre": "Päiväkoti Höyhen", "amount": 1234567.89, "source_row": 2},
        {"org_code": "564", "phase": "actual", "service_class": "3051", "account": "4300",
         "cost_centre": "Koulu Åström", "amount": -12000.5, "source_row": 3},
        {"org_code": "564", "phase": "actual", "service_class": "3022", "account": "4000",
         "cost_centre": "KP1", "amount": -250.0, "source_row": 4},
        {"org_code": "564", "phase": "actual", "service_class": "3022", "account": "4000",
         "cost_centre": "KP1", "amount": 1234.5, "source_row": 5},
    ]
    assert (led["source_file"] == "oulu_tp2022.csv").all()


def test_utf8_bom_unicode_minus_and_narrow_nbsp(tmp_path: Path) -> None:
    text = (
        "\ufeffKuntanumero;Vuosi;Vaihe;Tehtävä;Euroa\n"
        f"91;2019;TA;Perusopetus;{MINUS}1{NNBSP}000{NNBSP}000,00\n"
        f"91;2019;muutettu TA;Esiopetus;2 500,25{MINUS}\n"
        f"91;2019;talousarvio;Nuorisotoiminta;{MINUS} 7,00\n"
    )
    path = write(tmp_path / "hki.csv", text)
    with pytest.warns(LapsibudjettiWarning, match="etunollilla"):
        led = read_ledger(path, defaults=MUNI, check_codes=False)
    assert led.attrs["encoding"] == "utf-8-sig"
    assert records(led, "org_code", "phase", "task_class", "amount", "source_row") == [
        {"org_code": "091", "phase": "budget", "task_class": "Perusopetus", "amount": -1_000_000.0, "source_row": 2},
        {"org_code": "091", "phase": "revised_budget", "task_class": "Esiopetus", "amount": -2500.25, "source_row": 3},
        {"org_code": "091", "phase": "budget", "task_class": "Nuorisotoiminta", "amount": -7.0, "source_row": 4},
    ]


def test_tab_separated(tmp_path: Path) -> None:
    text = (
        "Organisaatiotyyppi\tKunta\tVuosi\tVaihe\tPalveluluokka\tSumma\n"
        "kunta\t005\t2022\tTP\t3041\t10 000,00\n"
        "kunta\t005\t2022\tTP\t3051\t20000\n"
    )
    path = write(tmp_path / "alajarvi.tsv", text)
    led = read_ledger(path, check_codes=False)
    assert led.attrs["delimiter"] == "\t"
    assert records(led, "org_type", "service_class", "amount") == [
        {"org_type": "municipality", "service_class": "3041", "amount": 10000.0},
        {"org_type": "municipality", "service_class": "3051", "amount": 20000.0},
    ]


def test_plain_comma_and_dot_english_headers(tmp_path: Path) -> None:
    text = (
        "Organisation type,Municipality,Year,Phase,Service class,Account,Cost centre,Amount\n"
        "municipality,564,2023,actual,3021,4000,A1,1234.56\n"
        "municipality,564,2023,budget,3601,4000,A2,-0.01\n"
        'municipality,564,2023,revised,3051,4000,"B, C",10\n'
    )
    path = write(tmp_path / "en.csv", text)
    led = read_ledger(path, check_codes=False)
    assert led.attrs["delimiter"] == ","
    assert records(led, "phase", "cost_centre", "amount", "source_row") == [
        {"phase": "actual", "cost_centre": "A1", "amount": 1234.56, "source_row": 2},
        {"phase": "budget", "cost_centre": "A2", "amount": -0.01, "source_row": 3},
        {"phase": "revised_budget", "cost_centre": "B, C", "amount": 10.0, "source_row": 4},
    ]


def test_pxweb_like_title_lines_and_quoted_headers(tmp_path: Path) -> None:
    text = (
        '"Kuntien talous: nettokäyttökustannukset tehtävittäin"\r\n'
        '"Yksikkö: euroa"\r\n'
        "\r\n"
        '"Alue";"Vuosi";"Vaihe";"Tehtävä";"Nettokäyttökustannukset (euroa)"\r\n'
        '"091 Helsinki";"2019";"TP";"Perusopetus";"423 456 000"\r\n'
        '"564 Oulu";"2019";"TP";"Lastensuojelun laitos- ja perhehoito";"55 000 000,5"\r\n'
    )
    path = write(tmp_path / "pxweb.csv", text)
    led = read_ledger(path, defaults=MUNI, check_codes=False)
    assert led.attrs["header_row"] == 4
    assert records(led, "org_code", "task_class", "amount", "source_row") == [
        {"org_code": "091", "task_class": "Perusopetus", "amount": 423456000.0, "source_row": 5},
        {"org_code": "564", "task_class": "Lastensuojelun laitos- ja perhehoito", "amount": 55000000.5, "source_row": 6},
    ]


def test_swedish_headers_and_values(tmp_path: Path) -> None:
    text = (
        "Organisationstyp;Kommun;År;Fas;Serviceklass;Konto;Kostnadsställe;Belopp\n"
        "kommun;049;2022;bokslut;3021;4000;Daghem Solros;5 000,00\n"
        "samkommun;0201256-6;2022;budget;3051;4000;Skola;100,10\n"
    )
    path = write(tmp_path / "esbo.csv", text)
    led = read_ledger(path, check_codes=False)
    assert records(led, "org_type", "org_code", "phase", "cost_centre", "amount") == [
        {"org_type": "municipality", "org_code": "049", "phase": "actual", "cost_centre": "Daghem Solros", "amount": 5000.0},
        {"org_type": "joint_authority", "org_code": "0201256-6", "phase": "budget", "cost_centre": "Skola", "amount": 100.1},
    ]


def test_header_aliases_are_case_space_and_accent_insensitive(tmp_path: Path) -> None:
    text = " KUNTA ;vuosi;VAIHE;Tehtavaluokka;Y-TUNNUS;  määrä\n091;2019;tp;Perusopetus;0201256-6;1\n"
    led = read_ledger(write(tmp_path / "a.csv", text), defaults=MUNI, check_codes=False)
    assert records(led, "org_code", "business_id", "task_class", "amount") == [
        {"org_code": "091", "business_id": "0201256-6", "task_class": "Perusopetus", "amount": 1.0}
    ]


def test_column_map_defaults_and_ignored_columns_warning(tmp_path: Path) -> None:
    set_lang("en")  # the English messages are asserted
    text = "Yksikkö;Palvelu;Toteuma 2022;Selite;Muistiinpano\nKP100;3021;1 000,00;x;y\nKP200;3022;2 000,00;z;w\n"
    path = write(tmp_path / "oma.csv", text)
    with pytest.warns(LapsibudjettiWarning) as caught:
        led = read_ledger(
            path,
            column_map={"Yksikkö": "cost_centre", "Palvelu": "service_class", "Toteuma 2022": "amount"},
            defaults={"org_type": "municipality", "org_code": "564", "year": 2022, "phase": "TP"},
            check_codes=False,
        )
    ignored = [w for w in caught if "ignored column" in str(w.message)]
    assert len(ignored) == 1
    assert "'Selite'" in str(ignored[0].message) and "'Muistiinpano'" in str(ignored[0].message)
    assert records(led, "org_code", "year", "phase", "cost_centre", "service_class", "amount") == [
        {"org_code": "564", "year": 2022, "phase": "actual", "cost_centre": "KP100", "service_class": "3021", "amount": 1000.0},
        {"org_code": "564", "year": 2022, "phase": "actual", "cost_centre": "KP200", "service_class": "3022", "amount": 2000.0},
    ]
    # None in column_map ignores a column without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_ledger(
            path,
            column_map={"Yksikkö": "cost_centre", "Palvelu": "service_class", "Toteuma 2022": "amount",
                        "Selite": None, "Muistiinpano": None},
            defaults={"org_type": "municipality", "org_code": "564", "year": 2022, "phase": "TP"},
            check_codes=False,
        )


def test_blank_lines_and_multiline_quoted_fields_keep_physical_line_numbers(tmp_path: Path) -> None:
    text = (
        "Kunta;Vuosi;Vaihe;Palveluluokka;Kustannuspaikka;Euroa\n"
        "091;2022;TP;3021;A;1\n"
        "\n"
        '091;2022;TP;3021;"two\nlines";2\n'
        "091;2022;TP;3021;B;3\n"
        "\n\n"
    )
    led = read_ledger(write(tmp_path / "gaps.csv", text), defaults=MUNI, check_codes=False)
    assert records(led, "cost_centre", "amount", "source_row") == [
        {"cost_centre": "A", "amount": 1.0, "source_row": 2},
        {"cost_centre": "two\nlines", "amount": 2.0, "source_row": 4},
        {"cost_centre": "B", "amount": 3.0, "source_row": 6},
    ]


def test_explicit_sep_and_encoding(tmp_path: Path) -> None:
    text = "Kunta|Vuosi|Vaihe|Tehtävä|Euroa\n091|2019|TP|Perusopetus|1,5\n"
    path = write(tmp_path / "pipe.txt", text, "latin-1")
    led = read_ledger(path, defaults=MUNI, sep="|", encoding="latin-1", check_codes=False)
    assert led.attrs["encoding"] == "latin-1"
    assert records(led, "task_class", "amount") == [{"task_class": "Perusopetus", "amount": 1.5}]


def test_utf16_excel_unicode_text_export(tmp_path: Path) -> None:
    text = "Kunta\tVuosi\tVaihe\tTehtävä\tEuroa\r\n091\t2019\tTP\tPerusopetus\t1 234,00\r\n"
    led = read_ledger(write(tmp_path / "unicode.txt", text, "utf-16"), defaults=MUNI, check_codes=False)
    assert led.attrs["encoding"] == "utf-16"
    assert records(led, "task_class", "amount", "source_row") == [
        {"task_class": "Perusopetus", "amount": 1234.0, "source_row": 2}
    ]


# ---------------------------------------------------------------------------
# numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0.0),
        ("1234,56", 1234.56),
        ("1 234,56", 1234.56),
        (f"1{NBSP}234{NBSP}567,8", 1234567.8),
        (f"1{NNBSP}234,56", 1234.56),
        ("1.234.567,89", 1234567.89),
        (f"{MINUS}1 234,56", -1234.56),
        ("1 234,56-", -1234.56),
        (f"1 234,56{MINUS}", -1234.56),
        ("- 5,00", -5.0),
        ("+5,00", 5.0),
        ("  12,30  ", 12.3),
        ("999999999,99", 999999999.99),
        ("-0,01", -0.01),
    ],
)
def test_amount_formats_decimal_comma(text: str, expected: float) -> None:
    values, bad, mode = _parse_amount_strings(pa.array([text, "1,0"]))
    assert mode == "," and len(bad) == 0
    assert values[0] == expected


@pytest.mark.parametrize("many", [False, True])
def test_amount_signs_with_spaces_around(many: bool) -> None:
    texts = ["  -5,00 ", f"{NBSP}{MINUS}5", f"5{NNBSP}-", " 5-", "- 5 ", f"{NNBSP}5,5{NNBSP}", "+ 7 ", "8"]
    expected = [-5.0, -5.0, -5.0, -5.0, -5.0, 5.5, 7.0, 8.0]
    if many:  # more than the row-by-row limit: the vectorised scan
        texts, expected = texts * 300, expected * 300
    values, bad, _ = _parse_amount_strings(pa.array(texts))
    assert len(bad) == 0 and values.tolist() == expected


@pytest.mark.parametrize(("text", "expected"), [("1234.56", 1234.56), ("1 234.5", 1234.5), ("-7", -7.0), ("7-", -7.0)])
def test_amount_formats_decimal_point(text: str, expected: float) -> None:
    values, bad, mode = _parse_amount_strings(pa.array([text]))
    assert mode == "." and len(bad) == 0 and values[0] == expected


@pytest.mark.parametrize(
    "text",
    ["", " ", "abc", "12,", ",5", "1,2,3", "1.234.5", "1 23", "12 3456", "--5", "-5-", "5-5", "1e5", "nan", "inf",
     "1,234.56", "€ 5", "0x10", "1_000", "5 %"],
)
def test_amount_rejects_non_numbers(text: str) -> None:
    values, bad, _ = _parse_amount_strings(pa.array(["1,00", text]))
    assert bad.tolist() == [1]
    assert values[0] == 1.0 and np.isnan(values[1])


def finnish(cents: int, sep: str, minus: str, decimals: bool) -> str:
    sign, cents = cents < 0, abs(cents)
    euros, rest = divmod(cents, 100)
    digits = f"{euros:,}".replace(",", sep)
    body = f"{digits},{rest:02d}" if decimals or rest else digits
    if not sign:
        return body
    return body + "-" if minus == "trailing" else minus + body


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-10**11, max_value=10**11),
            st.sampled_from([" ", NBSP, NNBSP, ".", ""]),
            st.sampled_from(["-", MINUS, "trailing"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_finnish_format_round_trip(items: list[tuple[int, str, str, bool]]) -> None:
    texts = [finnish(c, sep, minus, dec) for c, sep, minus, dec in items]
    texts.append("0,00")  # a decimal comma in the column, as in a real export
    values, bad, mode = _parse_amount_strings(pa.array(texts))
    assert len(bad) == 0, [texts[i] for i in bad]
    assert amount_cents(values[:-1]).tolist() == [c for c, *_ in items]



_AMOUNT_ALPHABET = "0123456789" * 3 + " ,.-+;x\u00a0"  # all in Windows-1252


def _amount_text() -> st.SearchStrategy[str]:
    """Anything near an amount: random characters, and grouped amounts with or without decimals."""
    grouped = st.builds(
        lambda v, sep, dec, neg: ("-" if neg else "") + f"{v:,}".replace(",", sep) + (f",{dec:02d}" if dec >= 0 else ""),
        st.integers(min_value=1, max_value=17).flatmap(lambda k: st.integers(10 ** (k - 1), 10**k - 1)),  # k digits
        st.sampled_from([" ", NBSP, ""]),
        st.integers(min_value=-1, max_value=99),
        st.booleans(),
    )
    near_miss = st.builds(  # one character of a good amount replaced, inserted or deleted
        lambda text, at, char, how: text[:at] + (char if how != "delete" else "") + text[at + (how != "insert") :],
        grouped, st.integers(min_value=0, max_value=20), st.sampled_from(_AMOUNT_ALPHABET),
        st.sampled_from(["replace", "insert", "delete"]),
    )
    return st.one_of(st.text(_AMOUNT_ALPHABET, max_size=20), grouped, near_miss)


@settings(max_examples=300, deadline=None)
@given(st.lists(_amount_text(), min_size=1, max_size=40), st.sampled_from([",", "."]),
       st.sampled_from([(0x20, 0xA0), (0x20,)]))
def test_fast_amounts_agree_with_the_pattern(texts: list[str], decimal: str, separators: tuple[int, ...]) -> None:
    """Every amount the byte-level fast path accepts, the amount pattern accepts with the same value."""
    encoded = [t.encode("cp1252") for t in texts]
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    offsets = np.cumsum([0] + [len(e) for e in encoded])
    values, done = _fast_amounts(offsets, data, ord(decimal), separators)
    mapped = _mapped_text(pa.array(encoded, pa.binary()), _single_byte_table("cp1252"))
    expected, bad = _parse_chunk(mapped, _string_parts(mapped), decimal == ",")
    accepted = np.ones(len(texts), dtype=bool)
    accepted[bad] = False
    if separators == (0x20,):  # a no-break space is then not a separator of the fast path
        accepted &= np.array([NBSP not in t for t in texts])
    assert not (done & ~accepted).any(), [t for t, d, a in zip(texts, done, accepted) if d and not a]
    assert np.array_equal(values[done], expected[done])
    # the common shapes of up to 13 digits before the decimals are all taken by the fast path
    common = re.compile(r"-?(\d{1,13}|\d{1,3}( \d{3}){1,2})(,\d\d)?" if decimal == "," else r"-?\d{1,13}")
    assert all(d for t, d in zip(texts, done) if common.fullmatch(t))


# ---------------------------------------------------------------------------
# Excel and Parquet


def _workbook(path: Path, rows: list[list[object]], title: str = "TP 2022") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    other = wb.create_sheet("Muistiinpanot")
    other["A1"] = "ei dataa"
    wb.save(path)
    return path


def test_xlsx_title_rows_header_on_row_3(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "oulu.xlsx",
        [
            ["Oulun kaupunki"],
            ["Tilinpäätös 2022, euroa"],
            ["Kunta", "Vuosi", "Vaihe", "Palveluluokka", "Tili", "Euroa", "Kommentti"],
            [564, 2022, "TP", "3021 Päiväkotitoiminta", 4000, 1234.56, "ok"],
            [564, 2022, "TP", 3051, 4300, "1 000,50", None],
            [None, None, None, None, None, None, None],
            [564, 2022, "TP", 3601, 4000.0, -5, None],
        ],
    )
    with pytest.warns(LapsibudjettiWarning, match="Kommentti"):
        led = read_ledger(path, defaults=MUNI, check_codes=False)
    assert_canonical(led)
    assert records(led, "org_code", "service_class", "account", "amount", "source_row") == [
        {"org_code": "564", "service_class": "3021", "account": "4000", "amount": 1234.56, "source_row": 4},
        {"org_code": "564", "service_class": "3051", "account": "4300", "amount": 1000.5, "source_row": 5},
        {"org_code": "564", "service_class": "3601", "account": "4000", "amount": -5.0, "source_row": 7},
    ]
    assert led.attrs["header_row"] == 3 and led.attrs["sheet"] == "TP 2022"


def test_xlsx_sheet_choice_and_errors(tmp_path: Path) -> None:
    set_lang("en")  # the English header messages are asserted below
    path = _workbook(
        tmp_path / "wb.xlsx",
        [["Kunta", "Vuosi", "Vaihe", "Tehtävä", "Euroa"], [91, 2019, "TP", "Perusopetus", "abc"]],
    )
    with pytest.raises(InputError) as err:
        read_ledger(path, sheet="TP 2022", defaults=MUNI, check_codes=False)
    msg = str(err.value)
    assert "wb.xlsx" in msg and "row 2" in msg and "'Euroa'" in msg and "'abc'" in msg
    assert err.value.row == 2 and err.value.column == "Euroa"
    with pytest.raises(InputError, match="no sheet 'Puuttuu'"):
        read_ledger(path, sheet="Puuttuu", defaults=MUNI, check_codes=False)
    with pytest.raises(InputError, match="no header row"):
        read_ledger(path, sheet=1, defaults=MUNI, check_codes=False)


def test_parquet_round_trip(tmp_path: Path) -> None:
    text = (
        "Kunta;Vuosi;Vaihe;Palveluluokka;Tili;Kustannuspaikka;Euroa\n"
        "564;2022;TP;3021;4000;A;1 234,56\n"
        "564;2022;TA;3022;4100;;-7,00\n"
    )
    led = read_ledger(write(tmp_path / "a.csv", text), defaults=MUNI, check_codes=False)
    path = tmp_path / "ledger.parquet"
    led.to_parquet(path)
    back = read_ledger(path, check_codes=False)
    pd.testing.assert_frame_equal(back, led, check_categorical=False)
    assert back["source_file"].tolist() == ["a.csv", "a.csv"]
    # aliased column names and integer codes in Parquet
    pd.DataFrame({"kunta": [5, 564], "vuosi": [2022, 2022], "vaihe": ["TP", "TP"],
                  "palveluluokka": [3021, 3051], "euroa": [1.5, 2.0]}).to_parquet(tmp_path / "b.parquet")
    with pytest.warns(LapsibudjettiWarning, match="etunollilla"):
        b = read_ledger(tmp_path / "b.parquet", defaults=MUNI, check_codes=False)
    assert records(b, "org_code", "service_class", "amount", "source_row") == [
        {"org_code": "005", "service_class": "3021", "amount": 1.5, "source_row": 1},
        {"org_code": "564", "service_class": "3051", "amount": 2.0, "source_row": 2},
    ]


def test_dataframe_source_with_text_amounts() -> None:
    df = pd.DataFrame({"Kunta": ["091", "091"], "Vuosi": [2019, 2019], "Vaihe": ["TP", "TP"],
                       "Tehtävä": ["Perusopetus", "Esiopetus"], "Euroa": ["1 000,00", 5]})
    led = read_ledger(df, defaults=MUNI, check_codes=False)
    assert records(led, "amount", "source_file", "source_row") == [
        {"amount": 1000.0, "source_file": "<memory>", "source_row": 1},
        {"amount": 5.0, "source_file": "<memory>", "source_row": 2},
    ]


# ---------------------------------------------------------------------------
# broken files


HEADER = "Kunta;Vuosi;Vaihe;Palveluluokka;Euroa\n"


def test_text_in_amount_column(tmp_path: Path) -> None:
    set_lang("en")  # the English amount messages are asserted below
    text = HEADER + "091;2022;TP;3021;1 000,00\n091;2022;TP;3022;n/a\n091;2022;TP;3023;\n"
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "bad.csv", text), defaults=MUNI, check_codes=False)
    e = err.value
    msg = str(e)
    assert "bad.csv" in msg and "line 3" in msg and "'Euroa'" in msg and "'n/a'" in msg
    assert "empty amount cell" in msg and "line 4" in msg
    assert "1 234,56" in msg  # says how to fix
    assert (e.file, e.row, e.column) == ("bad.csv", 3, "Euroa")
    assert e.rows[["row", "value", "problem"]].to_dict("records") == [
        {"row": 3, "value": "n/a", "problem": "not a number"},
        {"row": 4, "value": "", "problem": "empty amount cell"},
    ]


def test_missing_required_column(tmp_path: Path) -> None:
    text = "Kunta;Vaihe;Palveluluokka;Euroa\n091;TP;3021;1\n"
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "noyear.csv", text), defaults=MUNI, check_codes=False)
    msg = str(err.value)
    assert "noyear.csv" in msg and "year" in msg and "'Kunta'" in msg and "vuosi" in msg
    assert err.value.row == 1 and err.value.column == "year"


def test_missing_org_type_suggests_default(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"defaults=\{'org_type': 'municipality'\}"):
        read_ledger(write(tmp_path / "x.csv", HEADER + "091;2022;TP;3021;1\n"), check_codes=False)


def test_unrecognised_header(tmp_path: Path) -> None:
    set_lang("en")  # the English header messages are asserted below
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "junk.csv", "a;b;c\n1;2;3\n"), defaults=MUNI, check_codes=False)
    assert "junk.csv" in str(err.value) and "no header row" in str(err.value) and "kunta" in str(err.value)


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    lb_set_lang("en")  # the English messages are asserted
    with pytest.raises(InputError, match="empty") as err:
        read_ledger(write(tmp_path / "empty.csv", ""), defaults=MUNI, check_codes=False)
    assert err.value.file == "empty.csv"
    with pytest.raises(InputError, match="empty"):
        read_ledger(write(tmp_path / "bom.csv", "\ufeff\n"), defaults=MUNI, check_codes=False)
    with pytest.raises(InputError, match="no data lines") as err:
        read_ledger(write(tmp_path / "head.csv", HEADER + "\n"), defaults=MUNI, check_codes=False)
    assert err.value.file == "head.csv" and err.value.row == 1


def test_two_columns_for_one_canonical_name(tmp_path: Path) -> None:
    text = "Kunta;Kuntanumero;Vuosi;Vaihe;Palveluluokka;Euroa\n091;091;2022;TP;3021;1\n"
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "dup.csv", text), defaults=MUNI, check_codes=False)
    assert "'Kunta'" in str(err.value) and "'Kuntanumero'" in str(err.value) and "org_code" in str(err.value)


def test_line_with_wrong_number_of_fields(tmp_path: Path) -> None:
    text = HEADER + "091;2022;TP;3021;1\n\nLähde: Tilastokeskus\n"
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "footer.csv", text), defaults=MUNI, check_codes=False)
    assert err.value.row == 4 and "footer.csv" in str(err.value) and "Lähde" in str(err.value)


def test_invalid_values_name_file_row_and_column(tmp_path: Path) -> None:
    set_lang("en")  # the problem texts asserted below are the English ones
    text = HEADER + "091;2022;TP;3021;1\n091;20x2;TP;Päiväkoti;1\n"
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "vals.csv", text), defaults=MUNI, check_codes=False)
    msg = str(err.value)
    assert "vals.csv row 3 column 'year'" in msg and "'Vuosi'" in msg and "'Palveluluokka'" in msg
    assert set(err.value.rows["file_column"]) == {"Vuosi", "Palveluluokka"}


def test_given_encoding_that_does_not_fit(tmp_path: Path) -> None:
    set_lang("en")  # the English messages are asserted
    path = write(tmp_path / "latin.csv", HEADER.replace("Palveluluokka", "Tehtava") + "091;2022;TP;Päivähoito;1\n", "cp1252")
    with pytest.raises(InputError, match="not valid utf-8") as err:
        read_ledger(path, defaults=MUNI, encoding="utf-8", check_codes=False)
    assert err.value.row == 2 and err.value.column == "Tehtava"
    path = write(tmp_path / "latin2.csv", HEADER.replace("Palveluluokka", "Tehtävä") + "091;2022;TP;Opetus;1\n", "cp1252")
    with pytest.raises(InputError, match="line 1 is not valid utf-8") as err:
        read_ledger(path, defaults=MUNI, encoding="utf-8", check_codes=False)
    assert err.value.row == 1


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    lb_set_lang("en")  # the English messages are asserted
    with pytest.raises(InputError, match="unsupported file type"):
        read_ledger(write(tmp_path / "a.json", "{}"), check_codes=False)
    with pytest.raises(InputError, match="no such file"):
        read_ledger(tmp_path / "nope.csv", check_codes=False)


def test_unknown_service_code_with_check_codes(tmp_path: Path) -> None:
    pytest.importorskip("lapsibudjetti.reference")
    text = HEADER + "091;2022;TP;3021;1\n091;2022;TP;9999 Keksitty;2\n"
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "codes.csv", text), defaults=MUNI)
    msg = str(err.value)
    assert "codes.csv" in msg and "rivi 3" in msg and "'service_class'" in msg and "'Palveluluokka'" in msg
    assert "9999" in msg
    assert err.value.column == "Palveluluokka" and err.value.row == 3
    led = read_ledger(write(tmp_path / "ok.csv", HEADER + "091;2022;TP;3021;1\n"), defaults=MUNI)
    assert led["service_class"].tolist() == ["3021"]


# ---------------------------------------------------------------------------
# statistics


def test_statistics_fixture_reconciles() -> None:
    path = FIXTURES / "kta14_2019_sample.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # codes like 5 are the known format: no warning
        led, totals = read_statistics(path, return_totals=True, check_codes=False)
    assert_canonical(led)
    assert len(led) == 3 * 51 and len(totals) == 3 * 3
    assert set(led["org_code"]) == {"005", "091", "564"}
    assert not led["task_class"].str.endswith("yhteensä").any()
    assert led["service_class"].isna().all() and (led["phase"] == "actual").all()
    assert list(totals.columns) == ["org_type", "org_code", "year", "phase", "task_class", "amount"]
    grand = totals[totals["task_class"] == "Käyttötalous yhteensä"].set_index("org_code")["amount"]
    assert grand["091"] == 3_485_161_000.0
    sums = led.groupby("org_code", observed=True)["amount"].sum()
    assert (amount_cents(sums) == amount_cents(grand.loc[sums.index])).all()
    first = led.iloc[0]
    assert (first["source_file"], first["source_row"]) == ("kta14_2019_sample.csv", 2)


def test_statistics_finnish_dialect(tmp_path: Path) -> None:
    src = pd.read_csv(FIXTURES / "kta14_2019_sample.csv")
    lines = ["Alue;Vuosi;Tehtävä;Euroa"]
    for r in src.itertuples():
        # Windows-1252 has no U+2212, so negatives get the trailing minus of finance systems
        amount = f"{abs(r.amount):,.2f}".replace(",", NBSP).replace(".", ",") + ("-" if r.amount < 0 else "")
        lines.append(f"{r.muni};{r.year};{r.func};{amount}")
    path = write(tmp_path / "kta.csv", "\r\n".join(lines) + "\r\n", "cp1252")
    led = read_statistics(path, phase="TP", check_codes=False)
    ref = read_statistics(FIXTURES / "kta14_2019_sample.csv", check_codes=False)
    assert led.attrs["encoding"] == "cp1252"
    pd.testing.assert_series_equal(led["amount"], ref["amount"])
    assert led["task_class"].tolist() == ref["task_class"].tolist()


def test_statistics_with_check_codes() -> None:
    pytest.importorskip("lapsibudjetti.reference")
    led = read_statistics(FIXTURES / "kta14_2019_sample.csv")
    assert len(led) == 153


def test_statistics_reconciliation_errors(tmp_path: Path) -> None:
    src = pd.read_csv(FIXTURES / "kta14_2019_sample.csv")
    broken = src.copy()
    hit = (broken["muni"] == 564) & (broken["func"] == "Perusopetus")
    broken.loc[hit, "amount"] += 1000.0
    broken.to_csv(tmp_path / "broken.csv", index=False)
    with pytest.raises(ReconciliationError) as err:
        read_statistics(tmp_path / "broken.csv", check_codes=False)
    rows = err.value.rows
    assert set(zip(rows["org_code"], rows["year"])) == {("564", 2019)}
    assert "Käyttötalous yhteensä" in set(rows["total"])
    assert (rows["difference_euros"] == 1000.0).all()
    assert "broken.csv" in str(err.value) and "564 2019" in str(err.value)


def test_statistics_sub_aggregate_mismatch(tmp_path: Path) -> None:
    pytest.importorskip("lapsibudjetti.reference")
    src = pd.read_csv(FIXTURES / "kta14_2019_sample.csv")
    moved = src.copy()
    # move 500 € from a sote task to an education task: the grand total still holds
    moved.loc[(moved["muni"] == 91) & (moved["func"] == "Erikoissairaanhoito"), "amount"] -= 500.0
    moved.loc[(moved["muni"] == 91) & (moved["func"] == "Perusopetus"), "amount"] += 500.0
    moved.to_csv(tmp_path / "moved.csv", index=False)
    with pytest.raises(ReconciliationError) as err:
        read_statistics(tmp_path / "moved.csv", check_codes=False)
    rows = err.value.rows
    assert set(rows["total"]) == {"Sosiaali- ja terveystoiminta yhteensä", "Opetus- ja kulttuuritoiminta yhteensä"}
    assert set(rows["org_code"]) == {"091"}


def test_statistics_missing_total_row(tmp_path: Path) -> None:
    src = pd.read_csv(FIXTURES / "kta14_2019_sample.csv")
    src[~((src["muni"] == 5) & (src["func"] == "Käyttötalous yhteensä"))].to_csv(tmp_path / "nototal.csv", index=False)
    with pytest.raises(ReconciliationError) as err:
        read_statistics(tmp_path / "nototal.csv", check_codes=False)
    assert err.value.rows["problem"].tolist() == ["total row missing"]


def test_statistics_service_codes_go_to_service_class(tmp_path: Path) -> None:
    text = (
        "Kunta;Vuosi;Palveluluokka;Euroa\n"
        "91;2022;3021 Päiväkotitoiminta;100,00\n"
        "91;2022;3051;50,00\n"
        "91;2022;Käyttötalous yhteensä;150,00\n"
    )
    led, totals = read_statistics(write(tmp_path / "sc.csv", text), return_totals=True, check_codes=False)
    assert records(led, "org_code", "service_class", "task_class", "amount") == [
        {"org_code": "091", "service_class": "3021", "task_class": None, "amount": 100.0},
        {"org_code": "091", "service_class": "3051", "task_class": None, "amount": 50.0},
    ]
    assert totals["amount"].tolist() == [150.0]


def test_statistics_bad_phase() -> None:
    with pytest.raises(InputError, match="phase='forecast' ei käy; valitse jokin näistä: actual, budget"):
        read_statistics(FIXTURES / "kta14_2019_sample.csv", phase="forecast", check_codes=False)


def test_real_kta14_file_loads_and_reconciles() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"SKIPPED: ../shared/data not found ({SHARED})")
    led, totals = read_statistics(KTA14, return_totals=True)
    assert len(led) + len(totals) == 84_132
    assert len(totals) == 3 * 1558
    assert led["org_code"].str.fullmatch(r"\d{3}").all()
    hki = led[(led["org_code"] == "091") & (led["year"] == 2019)]["amount"].sum()
    assert amount_cents(np.array([hki]))[0] == 3_485_161_000 * 100
    by_task = led.groupby("task_class", observed=True)["amount"].sum()
    ratio = by_task["Lastensuojelun laitos- ja perhehoito"] / by_task["Lastensuojelun avohuoltopalvelut"]
    assert 2.5 < ratio < 3.0
    assert set(led.loc[led["year"] == 2015, "task_class"]) >= {"Lasten päivähoito"}
    assert "Varhaiskasvatus" not in set(led.loc[led["year"] == 2015, "task_class"])


# ---------------------------------------------------------------------------
# warnings, hints and the multi-threaded path for large files


def test_warns_about_unused_column_map_and_shadowed_defaults(tmp_path: Path) -> None:
    set_lang("en")  # the English messages are asserted
    path = write(tmp_path / "w.csv", HEADER + "091;2022;TP;3021;1\n")
    with pytest.warns(LapsibudjettiWarning) as caught:
        led = read_ledger(path, defaults={"org_type": "municipality", "phase": "TA"},
                          column_map={"Puuttuva": "cost_centre"}, check_codes=False)
    text = " ".join(str(w.message) for w in caught)
    assert "'Puuttuva'" in text and "phase (column 'Vaihe')" in text
    assert led["phase"].tolist() == ["actual"]  # the file's column wins


def test_amount_hints(tmp_path: Path) -> None:
    set_lang("en")  # the English amount messages are asserted below
    # no decimal comma anywhere in the column: dots cannot be thousands separators
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "h1.csv", HEADER + "091;2022;TP;3021;1.234.567\n"), defaults=MUNI, check_codes=False)
    assert "decimal comma" in err.value.rows["problem"].iloc[0]
    with pytest.raises(InputError) as err:
        read_ledger(write(tmp_path / "h2.csv", HEADER + "091;2022;TP;3021;1,234.50\n"), defaults=MUNI, check_codes=False)
    assert "mixes" in err.value.rows["problem"].iloc[0]
    # with a decimal comma elsewhere in the column they are
    led = read_ledger(write(tmp_path / "h3.csv", HEADER + "091;2022;TP;3021;1.234.567\n091;2022;TP;3021;0,5\n"),
                      defaults=MUNI, check_codes=False)
    assert led["amount"].tolist() == [1234567.0, 0.5]


def test_frame_rejects_file_options() -> None:
    with pytest.raises(InputError, match="koskevat tiedostoja, eivät DataFramea"):
        read_ledger(pd.DataFrame({"amount": [1.0]}), sep=";")


def test_large_file_parallel_path_reports_the_right_line(tmp_path: Path) -> None:
    n = 150_000
    rng = np.random.default_rng(7)
    cents = rng.integers(-10**10, 10**10, n)
    amounts = [f"{abs(c) // 100:,}".replace(",", NBSP) + f",{abs(c) % 100:02d}" + ("-" if c < 0 else "") for c in cents]
    body = "".join(f"564;2022;TP;3021;{a}\n" for a in amounts)
    path = write(tmp_path / "big.csv", HEADER + body)
    led = read_ledger(path, defaults=MUNI, check_codes=False)
    assert amount_cents(led["amount"]).tolist() == cents.tolist()
    assert led["source_row"].iloc[-1] == n + 1
    lines = body.splitlines()
    lines[123_456] = "564;2022;TP;3021;12 34,00"
    path = write(tmp_path / "big_bad.csv", HEADER + "\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        read_ledger(path, defaults=MUNI, check_codes=False)
    assert err.value.row == 123_456 + 2 and err.value.rows["value"].tolist() == ["12 34,00"]



@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_large_file_same_amounts_in_utf8_and_cp1252(tmp_path: Path, encoding: str) -> None:
    """No-break spaces are one byte in Windows-1252 and two (C2 A0) in UTF-8: the same amounts either way."""
    n = 120_000  # the threaded path
    rng = np.random.default_rng(11)
    cents = rng.integers(-10**12, 10**12, n) // rng.choice([1, 10**6], n)
    amounts = [finnish(int(c), NBSP, "-", True) for c in cents]
    if encoding == "utf-8":  # U+202F has no Windows-1252 byte; in UTF-8 it takes the amount pattern's path
        amounts[5], cents[5] = f"1{NNBSP}234,56", 123456
    body = "".join(f"564;2022;TP;3021;{a}\n" for a in amounts)
    led = read_ledger(write(tmp_path / "big.csv", HEADER + body, encoding), defaults=MUNI, check_codes=False)
    assert led.attrs["encoding"] == encoding
    assert amount_cents(led["amount"]).tolist() == cents.tolist()



@pytest.mark.parametrize("n", [3, 120_000])
def test_fractions_of_a_cent_are_an_error_naming_the_line(tmp_path: Path, n: int) -> None:
    """Amounts with more than two decimals take the pattern's path, and their cents are still checked."""
    set_lang("en")  # the problem texts asserted below are the English ones
    lines = [f"564;2022;TP;3021;{i},50" for i in range(n)]
    lines[n // 2] = "564;2022;TP;3021;1 234,505"
    path = write(tmp_path / "cents.csv", HEADER + "\n".join(lines) + "\n")
    with pytest.raises(InputError, match="fractions of a cent") as err:
        read_ledger(path, defaults=MUNI, check_codes=False)
    assert err.value.rows["row"].tolist() == [n // 2 + 2]


def test_amount_column_decides_the_encoding_too(tmp_path: Path) -> None:
    """A Windows-1252 no-break space (lone A0) far down the amount column: not UTF-8, whatever the head says."""
    set_lang("en")  # the English messages are asserted
    lines = [f"564;2022;TP;3021;{i},00" for i in range(120_000)]
    lines[100_000] = "564;2022;TP;3021;1\xa0234,50"
    text = HEADER + "\n".join(lines) + "\n"
    path = tmp_path / "late_nbsp.csv"
    path.write_bytes(text.encode("cp1252"))
    led = read_ledger(path, defaults=MUNI, check_codes=False)
    assert led.attrs["encoding"] == "cp1252"
    assert led["amount"].iloc[100_000] == 1234.5
    with pytest.raises(InputError, match="not valid utf-8"):
        read_ledger(path, defaults=MUNI, encoding="utf-8", check_codes=False)


def test_business_id_keyed_ledger_gets_org_codes_from_the_registry(tmp_path: Path) -> None:
    pytest.importorskip("lapsibudjetti.reference._registry")
    text = "Y-tunnus;Vuosi;Vaihe;Palveluluokka;Euroa\n0187690-1;2022;TP;3021;100,00\n"
    with pytest.warns(LapsibudjettiWarning, match="Y-tunnuksesta"):
        led = read_ledger(write(tmp_path / "valtiokonttori.csv", text))
    assert records(led, "org_type", "org_code", "business_id", "amount") == [
        {"org_type": "municipality", "org_code": "564", "business_id": "0187690-1", "amount": 100.0}
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("3021 Päiväkotitoiminta", "3021"), (f"3021{NBSP}Päiväkotitoiminta", "3021"), ("3021 - Päiväkoti", "3021"),
     ("3021: Päiväkoti", "3021"), ("3021", "3021"), ("3021 3022", "3021 3022"), ("  4000 Palkat ", "4000")],
)
def test_code_name_cells_keep_the_code(cell: str, expected: str) -> None:
    from lapsibudjetti.read._text import _clean_value

    assert _clean_value(cell, "service_class") == expected
    assert _clean_value(cell, "task_class") == cell.strip()  # names are kept whole


def test_unquoted_blank_lines_and_old_mac_line_ends(tmp_path: Path) -> None:
    text = HEADER + "091;2022;TP;3021;1\n\n091;2022;TP;3022;2\r\n\r\n\r\n091;2022;TP;3023;3\n\n"
    led = read_ledger(write(tmp_path / "blank.csv", text), defaults=MUNI, check_codes=False)
    assert led["source_row"].tolist() == [2, 4, 7]
    mac = HEADER.replace("\n", "\r") + "091;2022;TP;3021;1\r091;2022;TP;3022;2\r"
    led = read_ledger(write(tmp_path / "mac.csv", mac), defaults=MUNI, check_codes=False)
    assert led["source_row"].tolist() == [2, 3] and led["amount"].tolist() == [1.0, 2.0]


def test_statistics_duplicated_total(tmp_path: Path) -> None:
    src = pd.read_csv(FIXTURES / "kta14_2019_sample.csv")
    total = src[(src["muni"] == 5) & (src["func"] == "Käyttötalous yhteensä")]
    pd.concat([src, total]).to_csv(tmp_path / "dup.csv", index=False)
    with pytest.raises(ReconciliationError) as err:
        read_statistics(tmp_path / "dup.csv", check_codes=False)
    rows = err.value.rows
    assert rows["problem"].tolist() == ["total given more than once"] * 2
    assert rows["source_row"].tolist() == [total.index[0] + 2, len(src) + 2]
