"""Issue 12: every problem of every kind in one pass, one table, sorted by row, with a count per kind and how to fix each."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import lapsibudjetti as lb
from lapsibudjetti import cli

#: One line per kind of problem the ledger reader and validator know (line 2 is the header).
LINES = [
    ("kunta;091;2022;TP;3051;abc", "amount", "not a number"),                     # 2: text amount
    ("kunta;091;2022;TP;3051;", "amount", "empty"),                                # 3: no amount
    ("kunta;999;2022;TP;3051;10,00", "org_code", "unknown municipality code"),    # 4
    ("kunta;091;2022;TP;9999;10,00", "service_class", "unknown service class"),   # 5
    ("kunta;091;2022;XX;3051;10,00", "phase", "not one of"),                      # 6
    ("seurakunta;091;2022;TP;3051;10,00", "org_type", "not one of"),             # 7
    ("kunta;091;1800;TP;3051;10,00", "year", ""),                                 # 8: a year out of range
    ("kunta;091;2022;TP;30X1;10,00", "service_class", ""),                        # 9: not a service-class code
    ("kunta;091;2022;TP;3051;10,5000001", "amount", ""),                          # 10: a fraction of a cent
]


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "kaikki_virheet.csv"
    path.write_text("org_type;org_code;year;phase;service_class;amount\n" + "\n".join(line for line, _, _ in LINES) + "\n",
                    encoding="utf-8")
    return path


def test_every_kind_in_one_error(broken: Path) -> None:
    lb.set_lang("en")  # the problems as written in LINES (the Finnish ones below)
    with pytest.raises(lb.InputError) as err:
        lb.read_ledger(broken)
    rows = err.value.rows
    assert rows["row"].tolist() == sorted(rows["row"].tolist())  # sorted by row
    for k, (_, column, problem) in enumerate(LINES, start=2):
        hit = rows[(rows["row"] == k) & (rows["column"] == column)]
        assert len(hit) == 1, (k, column, rows[["row", "column", "problem"]].to_dict("records"))
        assert problem in hit["problem"].iloc[0]
    assert {"file", "row", "column", "value", "problem", "fix"} <= set(rows.columns)
    assert (rows["fix"] != "").all()  # how to fix every one
    said = str(err.value)
    assert f"{len(LINES)} problem(s) in the ledger (" in said and "amount: 3" in said  # a count per kind


def test_the_problems_and_fixes_speak_the_session_language(broken: Path) -> None:
    for lang, words in (("fi", ("ongelmaa kirjanpidossa", "tuntematon kuntanumero", "ei mikään arvoista", "rivi 4 sarake")),
                        ("sv", ("problem i bokföringen", "okänd kommunkod", "inte något av", "rad 4 kolumn"))):
        lb.set_lang(lang)
        with pytest.raises(lb.InputError) as err:
            lb.read_ledger(broken)
        said, rows = str(err.value), err.value.rows
        assert all(w in said or w in " ".join(rows["problem"]) for w in words), (lang, said)
        fixes = set(rows.loc[rows["column"] == "year", "fix"])
        assert fixes == {lb.reference._labels.text("fix.year", lang)} and "four digits" not in " ".join(fixes)


def test_the_cli_shows_them_all_at_once(broken: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["validate", "--ledger", str(broken)])
    shown = err.getvalue()
    assert code == 1 and shown.startswith("1 ongelmaa löytyi")  # one error ...
    assert shown.count("kaikki_virheet.csv") >= 1 + len(LINES)  # ... whose table lists every problem row


def test_amounts_alone_keep_their_own_message(tmp_path: Path) -> None:
    lb.set_lang("en")  # the English amount messages are asserted below
    path = tmp_path / "a.csv"
    path.write_text("org_type;org_code;year;phase;service_class;amount\nkunta;091;2022;TP;3051;abc\n", encoding="utf-8")
    with pytest.raises(lb.InputError, match=r"line 2: 'abc' \(not a number\)"):
        lb.read_ledger(path)


#: A statistics (kta_14-style) file with a text amount, an unknown task, an unknown municipality and a missing total.
STATISTICS = """muni,year,func,amount
5,2019,Perusopetus,abc
5,2019,Keksitty tehtävä,1
5,2019,Opetus- ja kulttuuritoiminta yhteensä,0
5,2019,Käyttötalous yhteensä,1
999,2019,Perusopetus,5
999,2019,Käyttötalous yhteensä,5
"""


def test_a_statistics_file_gives_every_kind_in_one_error(tmp_path: Path) -> None:
    lb.set_lang("en")
    path = tmp_path / "kta.csv"
    path.write_text(STATISTICS, encoding="utf-8")
    with pytest.raises(lb.InputError) as err:
        lb.read_statistics(path)
    got = {(r.row, r.column) for r in err.value.rows.itertuples()}
    assert got == {(2, "amount"), (3, "task_class"), (6, "org_code")}, got
    # the same file with the amount readable: the codes and the total missing from 999 2019 in one error
    path.write_text(STATISTICS.replace(",abc", ",0"), encoding="utf-8")
    with pytest.raises(lb.InputError) as err:
        lb.read_statistics(path)
    rows = err.value.rows
    assert set(zip(rows["row"], rows["column"])) == {(3, "task_class"), (6, "org_code"), (6, "amount")}
    total = rows[rows["column"] == "amount"].iloc[0]
    assert "total row missing" in total["problem"] and "complete" in total["fix"]
    assert str(err.value).startswith("kta.csv, row 3, column 'func':")
    # codes right, totals wrong: the reconciliation error of its own kind
    path.write_text(STATISTICS.replace("Keksitty tehtävä", "Esiopetus").replace("999", "005").replace(",abc", ",0"), encoding="utf-8")
    with pytest.raises(lb.ReconciliationError):
        lb.read_statistics(path)


def test_the_cli_speaks_in_its_own_terms(broken: Path) -> None:
    for lang in ("fi", "sv", "en"):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(["validate", "--ledger", str(broken), "--lang", lang])
        shown = err.getvalue()
        assert code == 1
        for python in ("err.rows", "registry=", "lapsibudjetti.service_classes()", "column_map=", "defaults="):
            assert python not in shown, (lang, python)
        place = {"fi": "rivi 2, sarake 'amount'", "sv": "rad 2, kolumn 'amount'", "en": "row 2, column 'amount'"}[lang]
        assert f"kaikki_virheet.csv, {place}:" in shown, shown[:300]
    # the library keeps the Python spelling
    lb.set_lang("en")
    with pytest.raises(lb.InputError, match="err.rows lists every one"):
        lb.read_ledger(broken)
