"""write_workbook: the child-budget workbook in fi/sv/en."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import InputError
from .._present import display_frame, number_kind
from .._xlsx import Styles, new_workbook, shown_length, write_sheet
from ..reference._labels import lang_or_default, say, text
from ._collect import BudgetResult, _amounts_line, _series_parts, export_tables

#: Rows per sheet; Excel's limit is 1 048 576 and every row is in the CSV/Parquet files anyway.
MAX_SHEET_ROWS = 1_000_000

# Excel number formats. Excel and LibreOffice show ``,`` as the thousands
# separator of the reader's locale (a space in Finnish), so one format serves all.
_EURO = '#,##0 "€"'
_CENTS = '#,##0.00 "€"'
_PERCENT = "0.0 %"
_PERCENT_FINE = "0.00 %"
_RATIO = "0.00"
_COUNT = "#,##0"
_INTEGER = "0"


# ---------------------------------------------------------------------------
# workbook


_FORMATS: dict[str, str] = {
    "integer": _INTEGER,
    "count": _COUNT,
    "euro": _EURO,
    "cents": _CENTS,
    "percent": _PERCENT,
    "percent_fine": _PERCENT_FINE,
    "ratio": _RATIO,
    "index": "0.0",
}
#: Tables about cents (a reconciliation, ledger lines): euros shown to the cent.
_CENT_TABLES = frozenset({"reconciliation", "unmapped", "method_allocation_check"})


def _number_format(table: str, col: str) -> str | None:
    """The Excel number format of a numeric column (its kind: :func:`lapsibudjetti._present.number_kind`)."""
    kind = number_kind(col)
    if kind is None:
        return None
    if kind == "euro" and table in _CENT_TABLES:
        kind = "cents"
    return _FORMATS[kind]


def _layout(frame: pd.DataFrame, headers: list[str], formats: Mapping[str, str]) -> tuple[dict[str, float], float]:
    """Column widths from the values (headers wrap), and the header row height."""
    widths: dict[str, float] = {}
    lines = 1
    sample = frame.head(500)
    for col, head in zip(frame.columns, headers):
        fmt = formats.get(str(col))
        longest_value = max([0] + [shown_length(v, fmt) for v in sample[col].tolist()])
        longest_word = max([0] + [len(w) for w in head.split()])
        cap = 60 if fmt is None else 22
        width = float(min(cap, max(8, longest_value + 2, longest_word + 2, min(len(head), 14) + 2)))
        if fmt == _INTEGER:
            width = max(width, 10.0)  # a right-aligned year needs air before the text column after it
        widths[str(col)] = width
        lines = max(lines, math.ceil(len(head) / max(1.0, width - 2)))
    return widths, 15.0 * min(lines, 5) + 3.0


def _sheet_title(name: str, lang: str) -> str:
    return text(f"sheet.{name}", lang, default=name)


def _sheet_name(name: str, lang: str, used: set[str]) -> str:
    base = _sheet_title(name, lang)
    for ch in '[]:*?/\\':
        base = base.replace(ch, " ")
    base = base[:31]
    candidate, k = base, 2
    while candidate.lower() in used:
        suffix = f" ({k})"
        candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(candidate.lower())
    return candidate


def _freeze_columns(frame: pd.DataFrame) -> int:
    cols = list(frame.columns)
    return cols.index("org_name") + 1 if "org_name" in cols and cols.index("org_name") < 4 else 0


def _table_sheet(wb: Any, styles: Styles, used: set[str], name: str, frame: pd.DataFrame, lang: str, amounts: str) -> None:
    from .._version import __version__

    ws = wb.add_worksheet(_sheet_name(name, lang, used))
    shown = display_frame(name, frame, lang)
    notes = [amounts]
    explanation = text(f"note.{name}", lang, default="", version=__version__)
    if explanation:
        notes.append(explanation)
    if len(shown) > MAX_SHEET_ROWS:
        notes.append(text("note.truncated", lang, shown=f"{MAX_SHEET_ROWS:,}".replace(",", " "), total=f"{len(shown):,}".replace(",", " ")))
        shown = shown.head(MAX_SHEET_ROWS)
    headers = [text(f"col.{c}", lang, default=str(c)) for c in shown.columns]
    formats = {str(c): f for c in shown.columns if (f := _number_format(name, str(c))) is not None}
    widths, height = _layout(shown, headers, formats)
    write_sheet(ws, styles, shown, headers=headers, formats=formats, widths=widths,
                title=text(f"title.{name}", lang, default=_sheet_title(name, lang)), notes=notes,
                freeze_columns=_freeze_columns(shown), header_height=height,
                centred=["year"] if "year" in shown.columns else [])  # a centred year reads apart from the text beside it


def write_workbook(
    result: BudgetResult,
    path: str | Path,
    *,
    lang: str | None = None,
    comparison: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
    cover: bool = False,
    shown: str = "booked",
    charts: Mapping[str, Path] | None = None,
) -> Path:
    """Write the child-budget workbook (XLSX) of a result.

    Sheets: summary (child euros, euros per child, share of all spending,
    preventive and corrective shares, child-protection balance, per
    organisation and year), by category, by tier, by sector, by colour, the
    comparison between organisations (rank, euros per child against the
    median), the unmapped lines, the reconciliation, and the method (every
    rule with its basis and line counts, the settings and library version,
    the allocation keys and the population used). Every sheet says in its
    notes line what the amounts are and the target group; headers are
    frozen, filters are on, and numbers carry Excel number formats.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a cross-boundary result
        (anything with ``summary()``, ``by()``, ``reconciliation``,
        ``unmapped`` and ``method()``).
    path
        The ``.xlsx`` file to write (replaced if it exists).
    lang
        Language of sheet names, headers and labels: ``fi``, ``sv`` or ``en``.
        A series across the 2022/2023 switch (:func:`lapsibudjetti.series`)
        gives its view's sheets plus the changes in nominal and real terms.
    comparison
        A comparison table to show instead of the default (e.g. a peer-group
        comparison); by default ranks and medians are computed from
        ``summary()`` within organisation type, year and phase.
    extra
        More tables, by name, each on its own sheet after the comparison
        (sheet name and headers from the labels where known).
    cover
        Begin with a cover sheet (the headline figures and a reading guide),
        the key figures with the years as columns and, with ``charts``, a
        sheet of the charts (as :func:`lapsibudjetti.report` writes it).
    shown
        What the tables are, for the cover: ``municipality`` (municipality
        views) or ``booked``.
    charts
        PNG files of the charts by stem, embedded on the charts sheet.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        For an unknown language, a path not ending in ``.xlsx`` or a folder
        that does not exist.

    Notes
    -----
    The same result gives a byte-identical file: the document's created and
    modified times are fixed (``SOURCE_DATE_EPOCH`` if set, else
    2000-01-01T00:00:00Z), as are the times inside the zip container. Text
    cells are stored as text and text a spreadsheet would read as a formula
    gets the quote-prefix style (the apostrophe is not part of the text).
    Every cell names its font. The file is written with xlsxwriter.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import lapsibudjetti as lb
    >>> from openpyxl import load_workbook
    >>> led = lb.make_ledger({"org_code": ["564", "564"], "year": [2019, 2019],
    ...     "task_class": ["Perusopetus", "Vesihuolto"], "amount": [1000.0, 50.0]},
    ...     org_type="municipality", phase="actual")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lapsibudjetti.xlsx"
    >>> _ = write_workbook(lb.child_budget(led), path, lang="en")
    >>> wb = load_workbook(path)
    >>> wb.sheetnames[:3]
    ['Summary', 'By category', 'By tier']
    >>> wb["Summary"]["A2"].value
    'Amounts: amounts as given in the ledger. Target group: ages 0–17.'
    """
    lang = lang_or_default(lang)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(say("out.xlsx_suffix", name=repr(path.name)), file=str(path))
    if not path.parent.exists():
        raise InputError(say("out.no_folder", folder=repr(str(path.parent))), file=str(path))
    tables = export_tables(result, lang=lang, comparison=comparison, extra=extra)
    return workbook_of(tables, result, path, lang=lang, cover=cover, shown=shown, charts=charts)


def workbook_of(tables: Mapping[str, pd.DataFrame], result: BudgetResult, path: Path, *, lang: str, cover: bool = False,
                shown: str = "booked", charts: Mapping[str, Path] | Callable[[], Mapping[str, Path]] | None = None) -> Path:
    """The workbook of :func:`write_workbook` from tables already exported (:func:`export_tables` of ``result``).

    ``charts`` (PNG files by chart name, for the cover's charts sheet) may be a function that gives them once drawn:
    it is called after the table sheets are written, just before the workbook is closed.
    """
    from .._version import __version__

    amounts = _amounts_line(_series_parts(result)[0], tables["summary"], lang)
    properties = {"title": _sheet_title("summary", lang), "author": f"lapsibudjetti {__version__}",
                  "comments": f"lapsibudjetti {__version__}"}
    with new_workbook(path, properties, {"language": lang}) as (wb, styles):
        used: set[str] = set()
        fill_charts = None
        if cover:
            from ._cover import write_cover

            fill_charts = write_cover(wb, styles, used, tables, lang=lang, amounts=amounts, shown=shown, charts=charts or {},
                                      sheet_name=_sheet_name, sheet_title=_sheet_title)
        for name, frame in tables.items():
            _table_sheet(wb, styles, used, name, frame, lang, amounts)
        if fill_charts is not None:
            fill_charts()
    return path
