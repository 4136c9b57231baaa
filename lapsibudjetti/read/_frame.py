"""In-memory container: a DataFrame or an Arrow table (also what Parquet reads into)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._errors import InputError
from ..reference._labels import say as _say

if TYPE_CHECKING:  # pragma: no cover
    pass
from ._amounts import _amounts_from_arrow, _amounts_from_python
from ._columns import _assemble, _dict_from_arrow, _Raw
from ._header import _choose_header, _warn_header
from ._text import _cell_text

# ---------------------------------------------------------------------------
# Parquet and in-memory frames


def _read_table(
    table: pa.Table | pd.DataFrame,
    *,
    name: str,
    column_map: Mapping[str, str | None],
    defaults: Mapping[str, object],
) -> _Raw:
    """Columns of a Parquet table or a DataFrame: names mapped like a header, no title rows."""
    if isinstance(table, pd.DataFrame):
        cols = [str(c) for c in table.columns]
    else:
        cols = list(table.column_names)
    passthrough = {"source_file", "source_row"} & set(cols)
    cells = list(cols)

    def candidates() -> Iterator[tuple[int, list[tuple[str | None, list[str]]]]]:
        yield 1, [(None, cells)]

    header = _choose_header(candidates(), column_map=column_map, defaults=defaults, name=name, where="header")
    header.ignored = [c for c in header.ignored if c not in passthrough]
    _warn_header(header, name, column_map, defaults)
    n = len(table) if isinstance(table, pd.DataFrame) else table.num_rows
    if n == 0:
        raise InputError(_say("read.no_rows"), file=name)

    def arrow_column(i: int) -> pa.Array | pa.ChunkedArray:
        if isinstance(table, pa.Table):
            return table.column(i)
        series = table.iloc[:, i]
        if isinstance(series.dtype, pd.CategoricalDtype):
            cats = [_cell_text(c) for c in series.cat.categories]
            return pa.DictionaryArray.from_arrays(
                pa.array(series.cat.codes.to_numpy(), mask=series.cat.codes.to_numpy() < 0),
                pa.array(cats, type=pa.string()),
            )
        try:
            return pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return pa.array([_cell_text(v) for v in series.to_numpy(dtype=object)], type=pa.string())

    if "source_row" in passthrough:
        src = table["source_row"] if isinstance(table, pd.DataFrame) else table.column("source_row").to_pandas()
        source_row = pd.to_numeric(pd.Series(src), errors="coerce").to_numpy()
        if np.isnan(source_row.astype(float)).any():
            source_row = np.arange(1, n + 1, dtype=np.int64)
        source_row = source_row.astype(np.int64)
    else:
        source_row = np.arange(1, n + 1, dtype=np.int64)
    headers = {canon: header.cells[i] for canon, i in header.mapping.items()}
    columns: dict[str, Any] = {}
    for canon, i in header.mapping.items():
        arr = arrow_column(i)
        if canon == "amount":
            if isinstance(table, pd.DataFrame) and table.iloc[:, i].dtype == object:
                columns[canon] = _amounts_from_python(
                    list(table.iloc[:, i].to_numpy(dtype=object)), source_row, name, headers[canon], "row"
                )
            else:
                columns[canon] = _amounts_from_arrow(arr, source_row, name, headers[canon], "row")
        else:
            columns[canon] = _dict_from_arrow(_integral_floats_as_int(arr))
    frame = _assemble(columns, n, name=name, source_row=source_row, defaults=defaults)
    if "source_file" in passthrough:
        src_file = table["source_file"] if isinstance(table, pd.DataFrame) else table.column("source_file").to_pandas()
        frame["source_file"] = pd.Series(src_file).astype(str).astype("category").to_numpy()
    return _Raw(frame, name, headers, {})


def _integral_floats_as_int(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Codes stored as floats (``91.0``) become ``91``; other floats are left alone."""
    if pa.types.is_floating(arr.type):
        values = arr.to_numpy(zero_copy_only=False) if isinstance(arr, pa.Array) else arr.to_numpy()
        finite = values[~np.isnan(values)]
        if np.all(finite == np.floor(finite)) and (len(finite) == 0 or np.abs(finite).max() < 2**53):
            return pc.cast(arr, pa.int64())
    return arr
