"""write_tables: CSV (fi or plain dialect) and Parquet tables, byte-identical across runs."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._errors import InputError
from .._files import atomic_path, write_atomic
from .._xlsx import safe_text
from ..reference._labels import lang_or_default, say, value_code
from ._collect import BudgetResult, _measure, _series_parts, _target, export_tables

# ---------------------------------------------------------------------------
# tidy tables


def _number_text(x: float, decimal: str) -> str:
    if math.isnan(x):
        return ""
    if x == 0:
        return "0"  # also -0.0
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    # 15 significant digits: every amount the library accepts (up to 10^13 € in cents) exactly, and no binary
    # noise of sums (14596531.209999997 is written 14596531.21)
    s = np.format_float_positional(x, precision=15, unique=False, fractional=False, trim="-")
    return s.replace(".", decimal) if decimal != "." else s


def _csv_cell(v: object, decimal: str) -> str:
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        return _number_text(float(v), decimal)
    return safe_text(str(v))


def _float_texts(values: np.ndarray, decimal: str) -> list[str]:
    """:func:`_number_text` of a whole float column: ``%.15g`` where it is positional (the same digits), else as there."""
    out = []
    for x in values.tolist():
        if x != x:
            out.append("")
            continue
        s = f"{x:.15g}" if x else "0"
        if "e" in s or "n" in s:  # exponent, inf: the one-by-one formatter
            s = _number_text(x, ".")
        out.append(s.replace(".", decimal) if decimal != "." else s)
    return out


def _column_texts(column: pd.Series, decimal: str) -> list[str]:
    """A column's CSV cells, by its type at once where it has one (float, integer), else cell by cell."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return _float_texts(column.to_numpy(), decimal)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return [str(v) for v in column.to_numpy().tolist()]
    values = column.astype(object).tolist()
    if all(type(v) is str for v in values):  # text: only a leading formula character is changed
        return [safe_text(v) for v in values]
    return [_csv_cell(v, decimal) for v in values]


def _csv_bytes(frame: pd.DataFrame, dialect: str) -> bytes:
    sep, decimal, bom = (";", ",", True) if dialect == "fi" else (",", ".", False)
    buf = io.StringIO()
    # CRLF as RFC 4180 says; it also makes the writer quote a field holding a bare CR or LF
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_text(str(c)) for c in frame.columns])
    writer.writerows(zip(*(_column_texts(frame[c], decimal) for c in frame.columns)))
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def _arrow_column(s: pd.Series) -> tuple[Any, Any]:
    import pyarrow as pa
    from pandas.api import types as ptypes

    dtype = s.dtype
    if not isinstance(dtype, pd.CategoricalDtype) and dtype is not np.dtype(object):
        if ptypes.is_bool_dtype(dtype):
            return pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.bool_()), pa.bool_()
        if ptypes.is_integer_dtype(dtype):
            return pa.array([None if pd.isna(v) else int(v) for v in s.tolist()], type=pa.int64()), pa.int64()
        if ptypes.is_float_dtype(dtype):
            return pa.array(s.to_numpy(dtype=float, na_value=np.nan), type=pa.float64(), from_pandas=True), pa.float64()
    values = s.astype(object).tolist()
    if all(type(v) is str for v in values):
        return pa.array(values, type=pa.string()), pa.string()
    present = [v for v in values if value_code(v) != ""]
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return pa.array([None if value_code(v) == "" else bool(v) for v in values], type=pa.bool_()), pa.bool_()
    if present and all(isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_) for v in present):
        return pa.array([None if value_code(v) == "" else int(v) for v in values], type=pa.int64()), pa.int64()
    if present and all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_) for v in present):
        return pa.array([None if value_code(v) == "" else float(v) for v in values], type=pa.float64()), pa.float64()
    texts = [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]
    return pa.array(texts, type=pa.string()), pa.string()


def _write_parquet(frame: pd.DataFrame, path: Path, metadata: Mapping[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays, fields = [], []
    for col in frame.columns:
        arr, typ = _arrow_column(frame[col])
        arrays.append(arr)
        fields.append(pa.field(str(col), typ))
    # Built column by column, so there is no pandas metadata (index, pandas version) in the file.
    schema = pa.schema(fields, metadata={k.encode(): v.encode() for k, v in metadata.items()})
    table = pa.Table.from_arrays(arrays, schema=schema)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd", write_statistics=True)


def write_tables(
    result: BudgetResult,
    folder: str | Path,
    *,
    dialect: Literal["fi", "plain"] = "fi",
    formats: Iterable[str] = ("csv", "parquet"),
    lang: str | None = None,
    comparison: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write every summary table of a result as CSV and Parquet files.

    One file per table and format (``summary.csv``, ``by_category.parquet``,
    ``method_rules.csv``, ... as listed in :func:`export_tables`), with
    stable English snake_case column names and a deterministic row order,
    so the same input gives byte-identical files.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a cross-boundary result.
    folder
        Output folder (created if missing; files in it are replaced).
    dialect
        ``fi``: ``;`` between fields, decimal comma, UTF-8 with a BOM (opens
        right in Finnish Excel). ``plain``: ``,`` and a decimal point, UTF-8.
    formats
        Any of ``csv`` and ``parquet``.
    lang
        Language of the ``org_name`` and ``label`` columns (column names
        stay English).
    comparison, extra
        As in :func:`write_workbook`.

    Returns
    -------
    list of pathlib.Path
        The files written, in table order.

    Notes
    -----
    CSV numbers are written to 15 significant digits (every amount up to
    10¹³ € exactly to the cent, without the binary noise of sums; no thousands
    separators, never scientific notation); empty cells are missing values;
    lines end in CRLF (RFC 4180).
    Text cells that a spreadsheet would run as a formula (beginning with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading
    apostrophe. Parquet files keep the text as it is (they are typed data,
    not opened by spreadsheets as formulas) and carry only fixed metadata
    (``lapsibudjetti.*`` keys; no pandas index metadata, no timestamps).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Perusopetus"],
    ...     "amount": [1234.5]}, org_type="municipality", phase="actual")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> paths = write_tables(lb.child_budget(led), folder, formats=("csv",))
    >>> paths[0].name
    'summary.csv'
    >>> paths[0].read_text(encoding="utf-8-sig").splitlines()[1][:45]
    'municipality;564;Oulu;2019;actual;1234,5;1234'
    """
    lang = lang_or_default(lang)
    if dialect not in ("fi", "plain"):
        raise InputError(say("arg.one_of", name="dialect", value=repr(dialect), allowed="'fi' (; ja 0,5), 'plain' (, ja 0.5)"))
    wanted = [formats] if isinstance(formats, str) else list(formats)
    unknown = [f for f in wanted if f not in ("csv", "parquet")]
    if unknown or not wanted:
        raise InputError(say("arg.one_of", name="formats", value=repr(wanted), allowed="'csv', 'parquet'"))
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(say("out.is_file", path=repr(str(folder))), file=str(folder))
    return tables_to_files(export_tables(result, lang=lang, comparison=comparison, extra=extra), result, folder,
                           dialect=dialect, formats=wanted, lang=lang)


def tables_to_files(tables: Mapping[str, pd.DataFrame], result: BudgetResult, folder: Path, *, dialect: str,
                    formats: Sequence[str], lang: str) -> list[Path]:
    """The files of :func:`write_tables` from tables already exported (:func:`export_tables` of ``result``)."""
    from .._version import __version__

    wanted = list(formats)
    folder.mkdir(parents=True, exist_ok=True)
    view = _series_parts(result)[0]
    measure = _measure(view, tables["summary"])
    target = _target(view, tables["summary"], "en")
    paths: list[Path] = []
    for name, frame in tables.items():
        if "csv" in wanted:
            p = folder / f"{name}.csv"
            write_atomic(p, _csv_bytes(frame, dialect))
            paths.append(p)
        if "parquet" in wanted:
            p = folder / f"{name}.parquet"
            meta = {
                "lapsibudjetti.table": name,
                "lapsibudjetti.version": __version__,
                "lapsibudjetti.measure": measure,
                "lapsibudjetti.target_group": target,
                "lapsibudjetti.lang": lang,
            }
            _write_parquet(frame, p, meta)
            paths.append(p)
    return paths
