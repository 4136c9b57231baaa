"""The workbook writer shared by every workbook the library writes (xlsxwriter; openpyxl only reads).

Kept in one place so that every sheet gets the same treatment: frozen
header, filters, sensible widths, numbers as numbers, one font, and text
from user input that can never run as a formula; the rules workbook, the
report workbook, the scenario and the rules comparison all use it.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._sheetxml import Body, body_xml, insert_body

__all__ = ["safe_text", "shown_length", "new_workbook", "write_sheet", "print_landscape", "Styles", "FORMULA_PREFIXES"]

#: Leading characters that make Excel / LibreOffice treat a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise text that a spreadsheet would run as a formula.

    A leading apostrophe makes Excel show the text as typed; it is the
    remedy OWASP recommends for CSV injection.

    Examples
    --------
    >>> safe_text("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_text("Perusopetus")
    'Perusopetus'
    """
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def shown_length(value: object, fmt: str | None) -> int:
    """About how many characters a cell shows with an Excel number format (for column widths).

    Examples
    --------
    >>> shown_length(12477717659.0, '#,##0 "€"'), shown_length(0.829, "0.0 %"), shown_length("Perusopetus", None)
    (16, 7, 11)
    """
    if value is None or (isinstance(value, float) and value != value):
        return 0
    if isinstance(value, bool | np.bool_):
        return 5
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        if fmt is not None and fmt.endswith("%"):
            return len(f"{x * 100:.2f}") + 2
        if fmt == "0.00":
            return len(f"{x:.2f}")
        digits = len(f"{abs(x):,.0f}") + (1 if x < 0 else 0)
        unit = fmt or ""
        return digits + ((5 if ".00" in unit else 2) if "€" in unit else 0)
    return len(str(value))


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.bool_ | bool):  # before int: bool is an int
        return bool(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, int | np.integer):  # itertuples gives plain ints for int64 columns
        return int(value)
    if isinstance(value, str):
        return value
    return str(value)


# ---------------------------------------------------------------------------
# xlsxwriter: the fast writer of the report workbook (openpyxl stays for reading and the rules workbook)

#: Deflate level of the workbook's parts: half the time of the default 6 on the national report's 55 MB of sheet XML,
#: for a file about a tenth larger.
_ZIP_LEVEL = 4
#: Zip entry time of every workbook part (the earliest a zip file can store).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def fixed_time() -> _dt.datetime:
    """The stamp of every workbook the library writes: ``SOURCE_DATE_EPOCH`` if set, else 2000-01-01 (reproducible files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).replace(tzinfo=None, microsecond=0)
    return _dt.datetime(2000, 1, 1)


def _fixed_zip(raw: bytes, bodies: Mapping[int, Body] | None = None) -> bytes:
    """The workbook's zip container with the same time and attributes on every entry (byte-identical reruns),
    and the long tables' bodies (:mod:`lapsibudjetti._sheetxml`) in their sheets (``bodies`` by sheet index)."""
    parts = {f"xl/worksheets/sheet{i + 1}.xml": body for i, body in (bodies or {}).items()}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            data = src.read(info.filename)
            if info.filename in parts:
                data = insert_body(data, parts[info.filename])
            if info.filename.startswith("xl/media/") and info.filename.endswith((".png", ".jpeg", ".jpg")):
                entry.compress_type = zipfile.ZIP_STORED  # compressed images: deflating them again gains nothing
            dst.writestr(entry, data, compresslevel=_ZIP_LEVEL)
    return out.getvalue()


@contextmanager
def new_workbook(path: Path, properties: Mapping[str, Any], custom: Mapping[str, str] | None = None) -> Iterator[tuple[Any, Styles]]:
    """An xlsxwriter workbook and its styles; on leaving the block it is written to ``path`` whole or not at all.

    Text is never turned into numbers, formulas or links; the document's
    created time and every zip entry's time are fixed (:func:`fixed_time`), so
    the same content gives the same bytes.
    """
    import xlsxwriter

    from ._files import write_atomic

    raw = io.BytesIO()
    wb = xlsxwriter.Workbook(raw, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    styles = Styles(wb)
    yield wb, styles
    wb.set_properties({**properties, "created": fixed_time()})
    for key, value in (custom or {}).items():
        wb.set_custom_property(key, value)
    wb.close()
    write_atomic(path, _fixed_zip(raw.getvalue(), styles.bodies))


#: The font of every cell the library writes (LibreOffice substitutes a metric twin where Calibri is missing).
FONT = "Calibri"


class Styles:
    """xlsxwriter formats by their properties, each created once per workbook (every one names its font)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[tuple[tuple[str, Any], ...], Any] = {}
        #: Long table bodies written as sheet XML, by sheet index, put in when the workbook is packed.
        self.bodies: dict[int, Body] = {}

    def xf(self, fmt: Any) -> int:
        """The cell-style index of an xlsxwriter format (registered with the workbook if it was not yet used)."""
        return int(fmt._get_xf_index())

    def get(self, **props: Any) -> Any:
        """The format with ``props`` (xlsxwriter names: ``num_format``, ``bold``, ``quote_prefix`` …) and the library's font."""
        props = {"font_name": FONT, "font_size": 11, **{k: v for k, v in props.items() if v is not None}}
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.workbook.add_format(props)
        return self.cache[key]


def _column_values(series: pd.Series) -> list[Any]:
    """The cells of a column (``None`` where empty), by its type at once where it has one (float, integer)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [None if v != v else v for v in series.to_numpy().tolist()]
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return series.to_numpy().tolist()  # type: ignore[no-any-return]
    values = series.tolist()
    if all(type(v) is str for v in values):  # text: as it is
        return values  # type: ignore[no-any-return]
    return [_cell_value(v) for v in values]


def write_sheet(
    ws: Any,
    styles: Styles,
    frame: pd.DataFrame,
    *,
    headers: Sequence[str] | None = None,
    formats: Mapping[str, str] | None = None,
    widths: Mapping[str, float] | None = None,
    title: str | None = None,
    notes: Sequence[str] = (),
    freeze_columns: int = 0,
    header_height: float | None = None,
    centred: Sequence[str] = (),
    row_formats: Mapping[str, Sequence[str | None]] | None = None,
) -> int:
    """Write a DataFrame to an xlsxwriter worksheet as a proper table; the header's row number (1-based).

    ``row_formats`` gives a column a number format per row (``None``: the
    column's own), e.g. percentages on the rows of a long table that hold shares.

    The same table as :func:`write_frame` (bold title, notes, a frozen and
    filtered header, numbers as numbers with Excel number formats, widths),
    printed landscape on A4 as wide as the page with the header on every
    page. Text is written as text; text that a spreadsheet would run as a
    formula gets the quote-prefix style (the apostrophe is not part of the
    text), so nothing from user input runs as a formula.
    """
    formats = dict(formats or {})
    widths = dict(widths or {})
    names = list(headers) if headers is not None else [str(c) for c in frame.columns]
    row = 0
    if title:
        ws.write_string(row, 0, title, styles.get(bold=True, font_size=13))
        row += 1
        for note in notes:
            ws.write_string(row, 0, str(note), styles.get(italic=True, font_color="#555555"))
            row += 1
        row += 1
    header = row
    head_style = styles.get(bold=True, font_color="#FFFFFF", bg_color="#34495E", text_wrap=True, valign="top")
    for j, name in enumerate(names):
        ws.write_string(header, j, str(name), head_style)
    columns = [str(c) for c in frame.columns]
    text_style, quoted = styles.get(), styles.get(quote_prefix=True)
    number_styles = [styles.get(num_format=formats.get(c), align="center" if c in centred else None) for c in columns]
    values = [_column_values(frame[c]) for c in frame.columns]
    number_xf: list[int | list[int]] = [styles.xf(f) for f in number_styles]
    for j, c in enumerate(columns):
        if row_formats and c in row_formats:
            number_xf[j] = [styles.xf(styles.get(num_format=f, align="center" if c in centred else None)) if f else styles.xf(number_styles[j])
                            for f in row_formats[c]]
    if len(frame) and columns:  # the body as sheet XML, put in when the workbook is packed (one way for every table)
        styles.bodies[ws.index] = body_xml(values, header + 1, number_xf, styles.xf(text_style), styles.xf(quoted), FORMULA_PREFIXES)
    ws.freeze_panes(header + 1, max(0, freeze_columns))
    if header_height is not None:
        ws.set_row(header, header_height)
    ws.autofilter(header, 0, header + max(1, len(frame)), max(0, len(names) - 1))
    for j, (col, name) in enumerate(zip(columns, names)):
        if col in widths:
            width = widths[col]
        else:
            longest = max([len(str(name))] + [len(str(v)) for v in values[j][:200] if v is not None])
            width = min(60.0, max(8.0, longest * 1.1 + 2))
        ws.set_column(j, j, width)
    print_landscape(ws, repeat_row=header)
    return header + 1


def print_landscape(ws: Any, *, repeat_row: int | None = None) -> None:
    """Landscape A4, as wide as the page, the given row (0-based) repeated on every printed page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)
