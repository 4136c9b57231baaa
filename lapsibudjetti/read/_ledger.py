"""read_ledger: a file or frame to the canonical ledger, through a dialect."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .._errors import InputError
from .._validate import _validate_ledger
from ..reference._labels import default_lang, say, text

if TYPE_CHECKING:  # pragma: no cover
    from ..reference._registry import Registry
from ._columns import _Raw
from ._csv import _read_csv
from ._dialect import Dialect, DialectResult, register_dialect
from ._frame import _read_table
from ._header import _check_column_map, _check_defaults
from ._text import _CSV_BLOCK, _CSV_SUFFIXES, _PARQUET_SUFFIXES, _XLSX_SUFFIXES
from ._xlsx import _read_xlsx

# ---------------------------------------------------------------------------
# public API


def _read_raw(
    source: str | Path | pd.DataFrame,
    *,
    sheet: str | int | None,
    column_map: Mapping[str, str | None] | None,
    defaults: Mapping[str, object] | None,
    encoding: str | None,
    sep: str | None,
) -> _Raw:
    cmap = _check_column_map(column_map)
    dflt = _check_defaults(defaults)
    if isinstance(source, pd.DataFrame):
        if sheet is not None or encoding is not None or sep is not None:
            raise InputError(say("read.frame_options"))
        return _read_table(source, name="<memory>", column_map=cmap, defaults=dflt)
    if not isinstance(source, (str, os.PathLike)):
        raise InputError(say("arg.type", name="source", expected=say("what.source"), got=type(source).__name__))
    path = Path(source)
    name = path.name
    if not path.is_file():
        raise InputError(say("read.no_file", path=repr(str(path)), cwd=Path.cwd()), file=name)
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in _XLSX_SUFFIXES:
        raise InputError(say("read.sheet_only_excel"), file=name)
    if suffix in _CSV_SUFFIXES:
        return _read_csv(path, column_map=cmap, defaults=dflt, encoding=encoding, sep=sep)
    if encoding is not None or sep is not None:
        raise InputError(say("read.csv_only"), file=name)
    if suffix in _XLSX_SUFFIXES:
        return _read_xlsx(path, sheet=sheet, column_map=cmap, defaults=dflt)
    if suffix in _PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        try:
            # threads only for a file worth sharing out (see read/_csv.py: a failed read leaves no pool tasks)
            table = pq.read_table(path, use_threads=path.stat().st_size > _CSV_BLOCK)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(say("read.not_parquet", reason=exc), file=name) from None
        return _read_table(table, name=name, column_map=cmap, defaults=dflt)
    old_excel = say("read.old_excel") if suffix in (".xls", ".ods") else ""
    raise InputError(
        say("read.file_type", suffix=repr(suffix or "(none)"), old=old_excel),
        file=name,
    )


def _validate(raw: _Raw, check_codes: bool, registry: Any = None, *, earlier: list[pd.DataFrame] | None = None) -> pd.DataFrame:
    try:
        # the frame was built here and is not shared: validation may keep its arrays without copies
        out = _validate_ledger(raw.frame, check_codes=check_codes, file=raw.name, registry=registry, owned=True,
                               whole_cents=raw.whole_cents and not earlier, earlier=earlier)
    except InputError as err:
        raise _with_file_columns(err, raw) from err
    out.attrs.update({"source_file": raw.name, **raw.meta})
    return out


def _with_file_columns(err: InputError, raw: _Raw) -> InputError:
    """Name the file's own column headers next to the canonical names."""
    rows = err.rows.copy() if isinstance(err.rows, pd.DataFrame) else pd.DataFrame()
    note = ""
    column = err.column
    if not rows.empty and "column" in rows:
        rows["file_column"] = rows["column"].map(lambda c: raw.headers.get(str(c), ""))
        used = [c for c in dict.fromkeys(rows["column"].astype(str)) if c in raw.headers]
        if used:
            lang = default_lang()
            note = " " + text("error.file_columns", lang, file=raw.name,
                              columns=", ".join(text("error.file_column", lang, column=c, header=repr(raw.headers[c])) for c in used))
    if column in raw.headers:
        column = raw.headers[column]
    return InputError(err.message + note, rows=rows, file=err.file, row=err.row, column=column)


def read_ledger(
    source: str | Path | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    column_map: Mapping[str, str | None] | None = None,
    defaults: Mapping[str, object] | None = None,
    check_codes: bool = True,
    encoding: str | None = None,
    sep: str | None = None,
    registry: Registry | None = None,
) -> pd.DataFrame:
    """Read a ledger file (CSV, Excel or Parquet) or frame into the canonical ledger.

    Parameters
    ----------
    source
        A path ending in ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm`` or
        ``.parquet``, or a DataFrame.
    sheet
        Excel only: sheet name or 0-based number (default: the first sheet).
    column_map
        ``{original header: canonical name}``, overriding the packaged
        header aliases (``lapsibudjetti/data/headers.csv``); map a column to
        ``None`` to ignore it.
    defaults
        ``{canonical name: value}`` for columns the file lacks, e.g.
        ``{"org_type": "municipality", "org_code": "564", "year": 2024,
        "phase": "TP"}`` for a single-organisation export.
    check_codes
        Check service classes, task classes and municipality codes against
        the packaged reference data for each line's year.
    encoding
        CSV only. Default: UTF-8 (with or without BOM), UTF-16 with a BOM,
        else Windows-1252; the encoding used is in ``result.attrs["encoding"]``.
    sep
        CSV only. Default: sniffed from the header line (``;``, tab, ``,``
        or ``|``).
    registry
        Passed to :func:`validate_ledger`: organisations added to the
        packaged reference, also used to fill ``org_type``/``org_code`` from
        a ``business_id`` column (Y-tunnus) when the file has no
        organisation code.

    Returns
    -------
    pandas.DataFrame
        The canonical ledger (:data:`lapsibudjetti._schema.LEDGER_COLUMNS`),
        ``source_file`` the file's name and ``source_row`` the line (CSV) or
        Excel row number of each line; Parquet and frames number rows from 1,
        except that a saved ledger (a Parquet file or frame that already
        has ``source_file`` and ``source_row``) keeps its provenance. The
        encoding, delimiter, sheet and header row used are in ``.attrs``.

    Raises
    ------
    InputError
        Empty file, no recognisable header, a required column missing, two
        columns for one canonical name, a cell that is not an amount or
        year, or any problem :func:`validate_ledger` finds; the message
        names the file, row and column and says how to fix it, and
        ``err.rows`` lists every offending cell.

    Warns
    -----
    LapsibudjettiWarning
        Once, listing the columns that were not recognised and ignored.

    Notes
    -----
    Amounts are read exactly: ``1 234,56``, ``1.234,56``, ``−1 234,56``,
    ``1234,56-`` and ``1234.56`` are all accepted (a dot is a thousands
    separator when the column uses a decimal comma); text, empty cells and
    ambiguous numbers are errors, never ``NaN`` or ``0``. A cell such as
    ``3021 Päiväkotitoiminta`` in a service class, account or organisation
    column keeps its code ``3021``. Value synonyms such as ``TP``/
    ``tilinpäätös``/``bokslut`` → ``actual`` come from
    ``lapsibudjetti/data/values.csv``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> text = ("Oulun kaupunki, tilinpäätös 2022\\n"
    ...         "Kunta;Vuosi;Vaihe;Palveluluokka;Euroa\\n"
    ...         "564;2022;TP;3021 Päiväkotitoiminta;1\\u00a0234,50\\n"
    ...         "564;2022;TP;3051 Perusopetus;300,00-\\n")
    >>> _ = (folder / "tp2022.csv").write_text(text, encoding="cp1252")
    >>> led = read_ledger(folder / "tp2022.csv", defaults={"org_type": "municipality"},
    ...                   check_codes=False)
    >>> led[["org_code", "phase", "service_class", "amount", "source_row"]].to_dict("records")
    [{'org_code': '564', 'phase': 'actual', 'service_class': '3021', 'amount': 1234.5, 'source_row': 3},
     {'org_code': '564', 'phase': 'actual', 'service_class': '3051', 'amount': -300.0, 'source_row': 4}]
    >>> led.attrs["encoding"], led.attrs["delimiter"]
    ('cp1252', ';')
    """
    from ._amounts import deferred_amount_problems

    with deferred_amount_problems() as earlier:  # cells that are not amounts are listed with every other problem of the file
        raw = _read_raw(source, sheet=sheet, column_map=column_map, defaults=defaults, encoding=encoding, sep=sep)
    return LEDGER.to_ledger(raw, {"check_codes": check_codes, "registry": registry, "earlier": earlier}).ledger


def _as_ledger(raw: _Raw, options: Mapping[str, Any]) -> DialectResult:
    ledger = _validate(raw, bool(options.get("check_codes", True)), options.get("registry"), earlier=options.get("earlier"))
    _refuse_totals(ledger, raw)
    return DialectResult(ledger)


#: Values of the class, account and cost-centre columns that name a total, not an accounting line (folded as headers are).
_TOTAL_WORDS = ("summa", "yhteensa", "total", "totalt", "sammanlagt")


def _refuse_totals(ledger: pd.DataFrame, raw: _Raw) -> None:
    """A ledger with total rows (``Käyttötalous yhteensä``, ``Total``, ``Summa``) counts their euros twice: refused.

    The message names the rows and the reader of statistics files with their totals.
    """
    from ..reference._labels import default_lang, interface, text
    from ._text import _AGGREGATE_SUFFIXES, _norm

    hits: list[tuple[int, str, str]] = []
    rows = ledger["source_row"].to_numpy()
    for col in ("task_class", "service_class", "account", "cost_centre"):
        cat = ledger[col]
        totals = [v for v in cat.cat.categories if _norm(v) in _TOTAL_WORDS or _norm(v).endswith(_AGGREGATE_SUFFIXES)]
        if totals:
            codes = cat.cat.codes.to_numpy()
            wanted = np.isin(codes, [cat.cat.categories.get_loc(v) for v in totals])
            hits += [(int(r), col, str(v)) for r, v in zip(rows[wanted], cat.to_numpy()[wanted])]
    if not hits:
        return
    hits.sort()
    table = pd.DataFrame(hits, columns=["row", "column", "value"])
    table.insert(0, "file", raw.name)
    shown = ", ".join(f"{r} {v!r}" for r, _, v in hits[:8]) + (" …" if len(hits) > 8 else "")
    reader = "--statistics" if interface() == "cli" else "read_statistics()"
    raise InputError(text("error.aggregate_rows", default_lang(), n=len(hits), rows=shown, reader=reader), rows=table,
                     file=raw.name, row=hits[0][0], column=raw.headers.get(hits[0][1], hits[0][1]))


#: The plain layout: one accounting line a row, validated as it is.
LEDGER = register_dialect(Dialect("ledger", "one accounting line a row (the canonical ledger, in any header language)",
                                  lambda options: {}, _as_ledger))
