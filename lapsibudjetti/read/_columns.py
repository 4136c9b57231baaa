"""Column containers of a raw table (dictionary-encoded text, years) and their assembly into a frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._schema import LEDGER_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    pass
from ._text import _YEAR, _cell_text, _clean_value

# ---------------------------------------------------------------------------
# column data and the frame given to validate_ledger


@dataclass
class _Dict:
    """A text column as dictionary codes: ``values[indices]``, -1 = missing."""

    indices: np.ndarray
    values: list[str | None]


@dataclass
class _Raw:
    frame: pd.DataFrame  # canonical columns, ready for validate_ledger
    name: str
    headers: dict[str, str]  # canonical -> column name in the file
    meta: dict[str, object]
    whole_cents: bool = False  # every amount was parsed from at most two decimals: no need to check cents


def _dict_from_arrow(arr: pa.Array | pa.ChunkedArray) -> _Dict:
    """Dictionary-encode an Arrow column (strings or numbers) into ``_Dict``."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    typ = arr.type
    if pa.types.is_dictionary(typ):
        dictionary = arr.dictionary
        indices = arr.indices
        values = [_cell_text(v) for v in dictionary.to_pylist()]
        idx = pc.fill_null(indices, -1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        return _Dict(idx, values)
    if pa.types.is_floating(typ):
        enc = pc.dictionary_encode(arr)
    elif pa.types.is_null(typ):
        return _Dict(np.full(len(arr), -1, dtype=np.int64), [])
    elif pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_integer(typ):
        enc = pc.dictionary_encode(arr)
    else:
        enc = pc.dictionary_encode(pc.cast(arr, pa.string()))
    return _dict_from_arrow(enc)


def _dict_from_python(values: list[object]) -> _Dict:
    texts = [_cell_text(v) for v in values]
    return _dict_from_arrow(pa.array(texts, type=pa.string()))


def _category(col: _Dict, column: str) -> pd.Categorical:
    """Clean the distinct values of a text column and build a Categorical."""
    cleaned = [_clean_value(v, column) for v in col.values]
    return _categorical_from(col.indices, cleaned)


def _categorical_from(indices: np.ndarray, values: Sequence[str | None]) -> pd.Categorical:
    """``Categorical`` of ``values[indices]`` (index -1 = missing); equal values share a category."""
    cats: dict[str, int] = {}
    mapped = [-1 if v is None else cats.setdefault(v, len(cats)) for v in values]
    ncat = len(cats)
    small = np.int8 if ncat < 127 else np.int16 if ncat < 32767 else np.int32
    categories = pd.Index(list(cats), dtype=object).astype(str)
    if mapped == list(range(len(values))):  # every value its own category: the indices are the codes
        codes = indices.astype(small, copy=False)
    else:
        remap = np.asarray(mapped + [-1], dtype=small)  # index -1 (missing) takes the last slot
        codes = remap[indices]
    # the codes are in range by construction (indices of ``values``, or -1)
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def _constant_category(value: object, column: str, n: int) -> pd.Categorical:
    text = _clean_value(_cell_text(value), column)
    return _categorical_from(np.zeros(n, dtype=np.int8), [text])


def _years(col: _Dict) -> np.ndarray:
    """Years as int64, or (when some are not years) the raw text for validate_ledger to report."""
    parsed: list[int | None] = []
    for v in col.values:
        s = v.strip() if v is not None else ""
        parsed.append(int(s) if _YEAR.match(s) else None)
    if all(p is not None for p in parsed) and (len(col.indices) == 0 or col.indices.min() >= 0):
        return np.asarray(parsed + [0], dtype=np.int64)[col.indices]
    raw = np.asarray(list(col.values) + [None], dtype=object)
    return raw[col.indices]


def _assemble(
    columns: dict[str, Any],
    n: int,
    *,
    name: str,
    source_row: np.ndarray,
    defaults: Mapping[str, object],
) -> pd.DataFrame:
    """The pre-validation frame: every ledger column, text as Categorical."""
    data: dict[str, Any] = {}
    for col in LEDGER_COLUMNS:
        if col == "source_file":
            data[col] = _constant_category(name, "source_file", n)
        elif col == "source_row":
            data[col] = np.asarray(source_row, dtype=np.int64)
        elif col == "amount":
            data[col] = columns["amount"]
        elif col == "year":
            if "year" in columns:
                year = columns["year"]
                data[col] = year if isinstance(year, np.ndarray) else _years(year)
            else:
                data[col] = _years(_Dict(np.zeros(n, dtype=np.int64), [_cell_text(defaults.get("year"))]))
        elif col in columns:
            data[col] = _category(columns[col], col)
        elif col in defaults:
            data[col] = _constant_category(defaults[col], col, n)
        elif col == "business_id":
            continue  # absent: a business_id column makes validate_ledger consult the registry
        else:
            data[col] = pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=pd.Index([], dtype=object))
    return pd.DataFrame(data, copy=False)  # no consolidation copy of the numeric columns
