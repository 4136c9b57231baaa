"""An adversarial corpus of small ledgers, one or more per silent class of issue 14.

Every file is generated here (synthetic, made up for the test; no real
organisation's figures) with what the reader must do with it: read it with
exactly the given cents, or refuse it with a message that matches a
pattern and names the line. ``tests/silent/test_corpus.py`` runs the whole
corpus; to look at the files yourself::

    python tests/silent/make_corpus.py /tmp/corpus

writes them with an ``expected.csv`` beside them.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEADER = ["org_type", "org_code", "year", "phase", "service_class", "cost_centre", "amount"]
#: what issue 14 measured for each class (see its text)
CLASSES = {
    "1": "an unbalanced quote swallows lines",
    "2": "one thousands group read 1000x too small",
    "3": "a Windows-1252 byte in a UTF-8 file",
    "4": "fractions of a cent, inexact floats, amounts beyond exact cents",
    "5": "years and business IDs accepted without a check",
    "8": "vague messages, the XLSX escape, a ledger on another sheet",
}


@dataclass
class Case:
    """One file of the corpus and what reading it must give."""

    name: str
    klass: str
    what: str
    expect: str  # "read" or "refuse"
    cents: int | None = None  # read: the total in cents
    lines: int | None = None  # read: the number of ledger lines
    match: str = ""  # refuse: a pattern of the message
    row: int | None = None  # refuse: the line (or Excel row) the message names
    texts: list[str] = field(default_factory=list)  # read: cost-centre names that must come back unchanged
    read: str = "ledger"  # "ledger" (read_ledger) or "keys" (KeyTable.read)
    kwargs: dict[str, Any] = field(default_factory=dict)


def _line(org: str, name: str, amount: str, *, year: str = "2023", klass: str = "3051") -> list[str]:
    return ["municipality", org, year, "actual", klass, name, amount]


def _csv_text(rows: list[list[str]], *, quote_all: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _raw(lines: list[str]) -> str:
    """Lines written as they are (a hand-edited file: quotes not balanced by a writer)."""
    return "\n".join([";".join(HEADER)] + lines) + "\n"


def _many(n: int, start: int = 1) -> list[str]:
    return [";".join(_line("564", f"Koulu {i}", f"{i}00,00")) for i in range(start, start + n)]


def _cases() -> list[tuple[Case, Callable[[Path], None]]]:
    made: list[tuple[Case, Callable[[Path], None]]] = []

    def text(case: Case, body: str, encoding: str = "utf-8") -> None:
        made.append((case, lambda p: p.write_bytes(body.encode(encoding))))

    def data(case: Case, body: bytes) -> None:
        made.append((case, lambda p: p.write_bytes(body)))

    # ---- class 1: quotes
    text(Case("1a_quote_swallows_three_lines.csv", "1", "'\"Koulu A' opens a quote; an inch mark two lines later closes it",
              "refuse", match="quote opened on line 3", row=3),
         _raw(_many(1) + ['municipality;564;2023;actual;3051;"Koulu A;100,00', "municipality;564;2023;actual;3051;Koulu B;200,00",
                          'municipality;564;2023;actual;3051;Sali 24";300,00'] + _many(2, 5)))
    text(Case("1b_quote_swallows_a_long_stretch.csv", "1", "a quote on line 101 swallows 1 400 lines (5.7 M€ in the issue)",
              "refuse", match="quote opened on line 101", row=101),
         _raw(_many(99) + ['municipality;564;2023;actual;3051;"Päiväkoti 12;4000,00'] + _many(1399, 200)
              + ['municipality;564;2023;actual;3051;Näyttö 24";50,00'] + _many(100, 2000)))
    text(Case("1c_quote_never_closed.csv", "1", "a quote opened on line 4 is never closed", "refuse",
              match="quote opened on line 4", row=4),
         _raw(_many(2) + ['municipality;564;2023;actual;3051;"Koulu C;100,00'] + _many(3, 10)))
    text(Case("1d_quoted_name_on_two_lines.csv", "1", "a legitimate quoted name with a line break", "read",
              cents=100_00 + 200_00 + 300_00, lines=3, texts=["Koulu A\nrakennus 2"]),
         _csv_text([_line("564", "Koulu A\nrakennus 2", "100,00"), _line("564", 'Sali "iso"', "200,00"),
                    _line("564", "Koulu B; ala-aste", "300,00")]))

    # ---- class 2: one thousands group
    text(Case("2a_thousands_dot.csv", "2", "1.500, 2.340, 750: read as 753,84 € before", "refuse", match="ambiguous", row=2),
         _raw([";".join(_line("564", "A", v)) for v in ("1.500", "2.340", "750")]))
    text(Case("2b_thousands_comma.csv", "2", "1,500 and 12,345 (also the vague 'fractions of a cent')", "refuse",
              match="ambiguous", row=2),
         _raw([";".join(_line("564", "A", v)) for v in ("1,500", "12,345", "750")]))
    text(Case("2c_thousands_dot_with_decimals.csv", "2", "1.500,00 and 12,50: the column shows the decimal comma", "read",
              cents=150000 + 1250 + 234000, lines=3),
         _raw([";".join(_line("564", "A", v)) for v in ("1.500,00", "12,50", "2.340")]))
    text(Case("2d_key_table_counts.csv", "2", "a key table's pupil counts 1.500 and 750 (a share 1000x off)", "refuse",
              match="ambiguous", row=2, read="keys"),
         "key;org_type;org_code;year;service_class;target;total\npupils;municipality;564;2023;3051;1.500;2.400\n"
         "pupils;municipality;564;2023;3052;750;2.400\n")

    # ---- class 3: encodings
    good = _raw([";".join(_line("564", "Päiväkoti Ylä", "100,00"))]).encode()
    bad = (";".join(_line("564", "Pääkirjasto", "200,00")) + "\n").encode("cp1252")
    data(Case("3a_one_cp1252_line_in_utf8.csv", "3", "a small UTF-8 file with one Windows-1252 line", "refuse",
              match="mixes two encodings: line 3", row=3), good + bad)
    ascii_head = _raw(_many(30000)).encode()
    data(Case("3b_mix_after_an_ascii_megabyte.csv", "3", "1 MB of ASCII, then UTF-8, then one Windows-1252 line", "refuse",
              match="mixes two encodings: line 30003", row=30003),
         ascii_head + (";".join(_line("564", "Päiväkoti", "1,00")) + "\n").encode() + bad)
    text(Case("3c_windows_1252.csv", "3", "a whole file in Windows-1252", "read", cents=20000, lines=1, texts=["Pääkirjasto"]),
         _raw([";".join(_line("564", "Pääkirjasto", "200,00"))]), "cp1252")
    text(Case("3d_utf8.csv", "3", "a whole file in UTF-8", "read", cents=10000, lines=1, texts=["Päiväkoti Ylä"]),
         _raw([";".join(_line("564", "Päiväkoti Ylä", "100,00"))]))

    # ---- class 4: exact cents
    text(Case("4a_fraction_of_a_cent.csv", "4", "5123456,789 (accepted above about 5 000 € before)", "refuse",
              match="cent", row=3), _raw([";".join(_line("564", "A", "10,00")), ";".join(_line("564", "A", "5123456,789"))]))
    text(Case("4b_beyond_exact_cents.csv", "4", "95 000 000 000 000,01 € cannot be held to the cent in a float", "refuse",
              match="exactly"), _raw([";".join(_line("564", "A", "95000000000000,01"))]))

    def float32(path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({"org_type": ["municipality"] * 2, "org_code": ["564"] * 2, "year": [2023, 2023],
                          "phase": ["actual"] * 2, "service_class": ["3051", "3021"],
                          "amount": pa.array([1234567.89, 0.37], type=pa.float32())})
        pq.write_table(table, path)

    made.append((Case("4c_float32_amounts.parquet", "4", "float32 amounts that lost their cents", "refuse", match="cent"),
                 float32))

    # ---- class 5: years and business IDs
    text(Case("5a_year_as_float.csv", "5", "a year written 2.022e3", "refuse", match="year", row=2),
         _raw([";".join(_line("564", "A", "1,00", year="2.022e3"))]))
    made.append((Case("5b_business_id_check_digit.csv", "5", "a business ID whose check digit is wrong", "refuse",
                      match="check digit"),
                 lambda p: p.write_text("org_type;org_code;business_id;year;phase;service_class;amount\n"
                                        "municipality;564;0187690-2;2023;actual;3051;1,00\n", encoding="utf-8")))
    made.append((Case("5c_business_id_of_another.csv", "5", "Helsinki's business ID on Oulu's line", "refuse",
                      match="not the business ID of this organisation"),
                 lambda p: p.write_text("org_type;org_code;business_id;year;phase;service_class;amount\n"
                                        "municipality;564;0201256-6;2023;actual;3051;1,00\n", encoding="utf-8")))

    # ---- class 8: messages, XLSX
    data(Case("8a_utf16_without_bom.csv", "8", "UTF-16 without a byte-order mark", "refuse", match="UTF-16"),
         _raw([";".join(_line("564", "A", "1,00"))]).encode("utf-16-le"))
    text(Case("8b_header_only.csv", "8", "a header and no lines", "refuse", match="no data lines below it. Export", row=1),
         ";".join(HEADER) + "\n")

    def second_sheet(path: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.title = "Ohje"
        wb.active["A1"] = "Kirjanpito on toisella välilehdellä."
        ws = wb.create_sheet("Kirjanpito")
        ws.append(HEADER)
        ws.append(_line("564", "Koulu", "")[:-1] + [1234.5])
        ws.append(_line("564", "", "")[:-1] + [100])
        cell = ws.cell(row=3, column=HEADER.index("cost_centre") + 1, value="=1+1 (nimi)")
        cell.data_type = "s"
        cell.quotePrefix = True  # what Excel stores when a user types '=1+1 (nimi)
        wb.save(path)

    made.append((Case("8c_ledger_on_second_sheet.xlsx", "8", "the ledger on the second sheet; a name escaped with Excel's apostrophe",
                      "read", cents=123450 + 10000, lines=2, texts=["=1+1 (nimi)"], kwargs={"sheet": "Kirjanpito"}), second_sheet))
    return made


def write_corpus(folder: Path) -> list[Case]:
    """Write every file of the corpus into ``folder``; return the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for case, write in _cases():
        write(folder / case.name)
        cases.append(case)
    return cases


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    folder = Path(argv[0])
    cases = write_corpus(folder)
    with open(folder / "expected.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "class", "what", "expect", "cents", "lines", "match", "row"])
        for c in cases:
            writer.writerow([c.name, c.klass, c.what, c.expect, c.cents, c.lines, c.match, c.row])
    print(f"{len(cases)} files in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
