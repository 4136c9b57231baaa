"""Issue 11: a table's body written as sheet XML reads back as the table itself, styled as xlsxwriter styles it.

The library's path (:mod:`lapsibudjetti._sheetxml`) must give exactly the
values (floats to the last bit, text with markup, control characters and
formula prefixes, booleans, empty cells) and the same cell styles as writing
the cells one by one through xlsxwriter, which the reference writer below does.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from lapsibudjetti._xlsx import FORMULA_PREFIXES, _column_values, new_workbook, write_sheet

_ESCAPE = re.compile(r"_x([0-9a-fA-F]{4})_")


def _text(v: object) -> object:
    """A cell's text as Excel shows it: ``_xHHHH_`` is the character HHHH (ECMA-376 §22.4.2.4)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), v) if isinstance(v, str) else v


_FORMATS = {"euros": '#,##0.00 "€"', "share": "0.0 %"}


def _write(path: Path, frame: pd.DataFrame, cell_by_cell: bool) -> None:
    """The library's sheet; or (the reference) the same sheet with its body then written over cell by cell by xlsxwriter."""
    with new_workbook(path, {"title": "t"}) as (wb, styles):
        ws = wb.add_worksheet("S")
        header = write_sheet(ws, styles, frame, title="Taulukko", notes=["huom"], formats=_FORMATS, centred=["year"]) - 1
        if cell_by_cell:
            styles.bodies.pop(ws.index)
            text_style, quoted = styles.get(), styles.get(quote_prefix=True)
            numbers = [styles.get(num_format=_FORMATS.get(str(c)), align="center" if c == "year" else None) for c in frame.columns]
            for j, c in enumerate(frame.columns):
                for i, v in enumerate(_column_values(frame[c])):
                    if v is None:
                        continue
                    if isinstance(v, str):
                        ws.write_string(header + 1 + i, j, v, quoted if v.startswith(FORMULA_PREFIXES) else text_style)
                    elif isinstance(v, bool):
                        ws.write_boolean(header + 1 + i, j, v, text_style)
                    else:
                        ws.write_number(header + 1 + i, j, v, numbers[j])


def _look(cell: object) -> tuple[object, ...]:
    f = cell.font  # type: ignore[attr-defined]
    return (cell.number_format, cell.quotePrefix, f.name, f.b, f.i, f.sz,  # type: ignore[attr-defined]
            cell.fill.fgColor.rgb, cell.alignment.horizontal)  # type: ignore[attr-defined]


texts = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["=SUM(A1)", "+358", "-", "@x", "a<b&c>", "_x0041_", " x ", "\x07"]))
floats = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**15, 10**15).map(lambda c: c / 100))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(floats, texts, st.one_of(st.none(), st.booleans()), st.integers(1900, 2100), floats), min_size=1, max_size=40))
def test_a_long_table_reads_back_exactly_and_styled_as_cell_by_cell(tmp_path_factory, rows) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(rows, columns=["euros", "name", "flag", "year", "share"]).astype({"flag": object})
    folder = tmp_path_factory.mktemp("x")
    _write(folder / "fast.xlsx", frame, cell_by_cell=False)
    _write(folder / "slow.xlsx", frame, cell_by_cell=True)
    fast, slow = load_workbook(folder / "fast.xlsx")["S"], load_workbook(folder / "slow.xlsx")["S"]
    assert fast.max_row == slow.max_row == 4 + len(frame)
    assert fast.freeze_panes == slow.freeze_panes and fast.auto_filter.ref == slow.auto_filter.ref
    got = list(fast.iter_rows(min_row=5, values_only=True))
    for row, want in zip(got, frame.itertuples(index=False)):
        for g, w in zip(row, want):
            if w is None or (isinstance(w, float) and math.isnan(w)):
                assert g is None
            elif isinstance(w, str):
                assert _text(g) == w  # every character, whatever it is
            else:
                assert g == w and type(g) is type(w) or (isinstance(w, int | np.integer) and not isinstance(w, bool) and g == int(w))
    for r_fast, r_slow in zip(fast.iter_rows(), slow.iter_rows()):
        for a, b in zip(r_fast, r_slow):
            assert _look(a) == _look(b), a.coordinate


def test_the_body_never_overwrites_rows_written_before_it(tmp_path: Path) -> None:
    from lapsibudjetti._errors import LapsibudjettiError

    with pytest.raises(LapsibudjettiError, match="row 5"):
        with new_workbook(tmp_path / "x.xlsx", {"title": "t"}) as (wb, styles):
            ws = wb.add_worksheet("S")
            write_sheet(ws, styles, pd.DataFrame({"a": [1.0, 2.0]}), title="T", notes=["n"])
            ws.write_string(5, 0, "a note written into the table")
    assert not (tmp_path / "x.xlsx").exists()


def test_a_column_can_have_a_number_format_per_row(tmp_path: Path) -> None:
    frame = pd.DataFrame({"figure": ["euros", "share", "euros"], "value": [1234.5, 0.25, 99.0]})
    with new_workbook(tmp_path / "r.xlsx", {"title": "t"}) as (wb, styles):
        header = write_sheet(wb.add_worksheet("S"), styles, frame, formats={"value": '#,##0.00 "€"'},
                            row_formats={"value": [None, "0.0 %", None]})
    ws = load_workbook(tmp_path / "r.xlsx")["S"]
    assert [ws.cell(header + 1 + i, 2).number_format for i in range(3)] == ['#,##0.00 "€"', "0.0 %", '#,##0.00 "€"']
    assert [ws.cell(header + 1 + i, 2).value for i in range(3)] == [1234.5, 0.25, 99.0]


def test_cells_xlsxwriter_writes_keep_a_literal_escape_literal_too(tmp_path) -> None:
    """The titles, notes and the rules workbook go through xlsxwriter: its shared strings escape ``_xHHHH_`` as ours do."""
    import zipfile

    import xlsxwriter

    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet().write_string(0, 0, "_x0041_")
    wb.close()
    assert b"<t>_x005F_x0041_</t>" in zipfile.ZipFile(path).read("xl/sharedStrings.xml")
