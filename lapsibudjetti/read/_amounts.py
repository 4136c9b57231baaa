"""Amounts read exactly from text: the amount patterns and their located errors."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._errors import InputError
from .._schema import _fractional_cents

if TYPE_CHECKING:  # pragma: no cover
    pass
from ._text import (
    _AMOUNT_COMMA,
    _AMOUNT_DOT,
    _MAX_LISTED,
    _PARALLEL_MIN_ROWS,
)

# ---------------------------------------------------------------------------
# amounts


def _string_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (relative to the first value) and the data bytes of a string array."""
    bufs = arr.buffers()
    off_type = np.int64 if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=off_type)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    data = data[offsets[0] : offsets[-1]]
    return (offsets - offsets[0]).astype(np.int64, copy=False), data


def _parse_amount_strings(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, str]:
    """Parse amount text in the Finnish (or plain) style, exactly.

    Returns ``(values, bad, mode)``: float64 euros (NaN where bad), the
    positions of the cells that are not amounts, and the decimal mark used
    (``','`` when any cell of the column has a comma, else ``'.'``). Large
    columns are parsed chunk by chunk on several threads (Arrow and NumPy
    release the GIL).
    """
    chunks = [c for c in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]) if len(c)]
    chunks = [c if pa.types.is_string(c.type) or pa.types.is_large_string(c.type) else pc.cast(c, pa.string())
              for c in chunks]
    n = sum(len(c) for c in chunks)
    if n == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64), "."
    parts = [_string_parts(c) for c in chunks]
    comma = any(bool(np.any(data == ord(","))) for _, data in parts)

    def one(i: int) -> tuple[np.ndarray, np.ndarray]:
        return _parse_chunk(chunks[i], parts[i], comma)

    workers = min(len(chunks), os.cpu_count() or 1)
    if n >= _PARALLEL_MIN_ROWS and workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(one, range(len(chunks))))
    else:
        results = [one(i) for i in range(len(chunks))]
    starts = np.cumsum([0] + [len(c) for c in chunks[:-1]])
    values = np.concatenate([r[0] for r in results])
    bad = np.concatenate([r[1] + start for r, start in zip(results, starts)]).astype(np.int64)
    bad = np.union1d(bad, _ambiguous_groups(chunks, "," if comma else ".")).astype(np.int64)
    return values, bad, "," if comma else "."


def _parse_chunk(arr: pa.Array, parts: tuple[np.ndarray, np.ndarray], comma: bool) -> tuple[np.ndarray, np.ndarray]:
    """Values and bad positions of one chunk of amount text."""
    ok = pc.match_substring_regex(arr, _AMOUNT_COMMA if comma else _AMOUNT_DOT)
    if ok.null_count:
        ok = pc.fill_null(ok, False)
    ok_np = ok.to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(~ok_np)
    if len(bad) == 0:
        return _parse_valid(arr, comma, *parts), bad
    values = np.full(len(arr), np.nan)
    good = np.flatnonzero(ok_np)
    if len(good):
        values[good] = _parse_valid(arr.take(pa.array(good)), comma)
    return values, bad


def _parse_valid(
    arr: pa.Array,
    comma: bool,
    offsets: np.ndarray | None = None,
    data: np.ndarray | None = None,
) -> np.ndarray:
    """Convert strings that all match the amount pattern (vectorised, no Python loop).

    Keeps the digits and the decimal mark of every value (dropping spaces,
    no-break spaces, thousands dots and signs), lets Arrow's exact decimal
    parser convert the result, and negates the rows that had a minus sign.
    """
    if offsets is None or data is None:
        offsets, data = _string_parts(arr)
    n = len(offsets) - 1
    if n == 0:
        return np.zeros(0)
    decimal = np.uint8(ord(",") if comma else ord("."))
    is_decimal = data == decimal
    keep = ((data - np.uint8(ord("0"))) < 10) | is_decimal
    if keep.all():  # nothing to drop: "1234,56" style
        kept = np.where(is_decimal, np.uint8(ord(".")), data) if comma else data
        new_offsets = offsets
    else:
        kept = data[keep]
        if comma:
            kept[kept == decimal] = ord(".")
        # every valid amount has at least one digit, so no row is empty
        counts = np.add.reduceat(keep.view(np.uint8), offsets[:-1], dtype=np.int64)
        new_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=new_offsets[1:])
    cleaned = pa.Array.from_buffers(
        pa.large_string(),
        n,
        [None, pa.py_buffer(np.ascontiguousarray(new_offsets, dtype=np.int64)), pa.py_buffer(np.ascontiguousarray(kept))],
    )
    values = np.array(pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    values[_negative_rows(offsets, data)] *= -1.0
    return values


def _negative_rows(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Rows of valid amount text that carry a minus sign (leading or trailing).

    A sign is the first or last character unless the value has spaces
    around it; only those rare rows are scanned byte by byte. In UTF-8 the
    minus U+2212 is ``E2 88 92``, the en dash U+2013 ``E2 80 93``, the
    narrow no-break space U+202F ``E2 80 AF`` and the no-break space ``C2 A0``.
    """
    first_at = offsets[:-1]
    last_at = offsets[1:] - 1
    first = data[first_at]
    last = data[last_at]
    third = data[np.minimum(first_at + 2, len(data) - 1)]
    negative = (first == ord("-")) | ((first == 0xE2) & ((third == 0x92) | (third == 0x93)))
    negative |= (last == ord("-")) | (last == 0x92) | (last == 0x93)
    padded = (first == 0x20) | (first == 0x09) | (first == 0xC2) | ((first == 0xE2) & (third == 0xAF))
    padded |= (last == 0x20) | (last == 0x09) | (last == 0xA0) | (last == 0xAF)
    n_padded = int(np.count_nonzero(padded))
    if 0 < n_padded <= 1000:
        for row in np.flatnonzero(padded):
            chunk = data[offsets[row] : offsets[row + 1]]
            negative[row] = bool(np.any((chunk == ord("-")) | (chunk == 0x92) | (chunk == 0x93)))
    elif n_padded:
        minus = (data == ord("-")) | (data == 0x92) | (data == 0x93)
        negative[:] = False
        negative[np.searchsorted(offsets, np.flatnonzero(minus), side="right") - 1] = True
    return negative


_DOT_THOUSANDS = re.compile(r"^\s*[-+\u2212]?\d{1,3}(?:\.\d{3}){2,}\s*-?\s*$")


#: One mark followed by exactly three digits: 1.500 (or 1,500) is 1 500 € with the mark between thousands, or 1,50 €.
#: One thousands group (a group never starts with 0: ``0,125`` is a decimal).
_ONE_GROUP = {".": r"^\s*[-+]?[1-9]\d{0,2}\.\d{3}\s*-?\s*$", ",": r"^\s*[-+]?[1-9]\d{0,2},\d{3}\s*-?\s*$"}
#: What shows that a one-group value is a decimal: a value with exactly three decimals that cannot be a thousands
#: group (four or more digits, or 0, before the mark: ``1234.500``, ``0.500``), or four and more decimals. Values with
#: one or two decimals do not: a ``1.000`` typed into a column of ``0.00`` is as likely a thousand as a euro.
_DECIMAL_PROOF = {mark: rf"(?:^|[^0-9]){'(?:[0-9]{4,}|0)'}{re.escape(mark)}[0-9]{{3}}\s*-?\s*$|{re.escape(mark)}[0-9]{{4,}}"
                  for mark in ".,"}


def _mark_fourth_from_end(chunk: pa.Array, mark: int) -> np.ndarray:
    """Positions of values whose fourth byte from the end (trailing spaces and a minus aside) is ``mark``.

    A cheap first look (a few NumPy passes over the offsets) so that the
    pattern runs only on the values that can be one thousands group.

    Examples
    --------
    >>> _mark_fourth_from_end(pa.array([b"1.500", b"12.50", b"2.340- ", b"500"]), ord(".")).tolist()
    [0, 2]
    """
    offsets, data = _string_parts(chunk)
    starts, last = offsets[:-1], offsets[1:] - 1
    if len(data) == 0:
        return np.zeros(0, dtype=np.int64)
    for _ in range(3):  # step over trailing spaces and a trailing minus
        trail = (last > starts) & np.isin(data[np.maximum(last, 0)], (0x20, 0x2D))
        last = np.where(trail, last - 1, last)
    at = last - 3
    ok = at > starts
    hit = np.zeros(len(starts), dtype=bool)
    hit[ok] = data[at[ok]] == mark
    return np.flatnonzero(hit)


def _ambiguous_groups(chunks: list[pa.Array], mark: str) -> np.ndarray:
    """Cells like ``1.500`` (``mark`` '.') or ``1,500`` (',') where no cell of the column proves the mark decimal.

    Read as decimals they would be a thousand times too small (``1.500``,
    ``2.340``, ``750`` summing to 753,84 € instead of 4 590 €), read as
    thousands a thousand times too large where the mark was decimal: the
    positions are refused, never guessed. A column in the usual form (two
    decimals) has no candidate and costs a few NumPy passes.

    Examples
    --------
    >>> _ambiguous_groups([pa.array([b"1.500", b"750", b"-2.340"])], ".").tolist()
    [0, 2]
    >>> _ambiguous_groups([pa.array([b"1.500", b"12.50"])], ".").tolist()  # two decimals prove nothing
    [0]
    >>> _ambiguous_groups([pa.array([b"1.500", b"1234.560"])], ".").tolist()  # three decimals are the convention
    []
    >>> _ambiguous_groups([pa.array([b"12,345"])], ",").tolist()
    [0]
    """
    found, start = [], 0
    for c in chunks:
        if len(c):
            candidates = _mark_fourth_from_end(c, ord(mark))
            if len(candidates):
                hit = pc.match_substring_regex(c.take(pa.array(candidates)), _ONE_GROUP[mark])
                found.append(candidates[hit.to_numpy(zero_copy_only=False)] + start)
        start += len(c)
    bad = np.concatenate(found).astype(np.int64) if found else np.zeros(0, dtype=np.int64)
    if len(bad) and any(pc.any(pc.match_substring_regex(c, _DECIMAL_PROOF[mark])).as_py() for c in chunks if len(c)):
        return np.zeros(0, dtype=np.int64)
    return bad


def _say(key: str, **values: object) -> str:
    """An amount message in the session's language (labels ``amount.*``)."""
    from ..reference._labels import say

    return say(f"amount.{key}", **values)


def _amount_problem(text: object) -> str:
    if text is None or (isinstance(text, str) and not text.strip()):
        return _say("empty")
    if isinstance(text, str):
        for mark, shape in _ONE_GROUP.items():
            if re.match(shape, text):
                return _say("ambiguous", mark=mark)
        if _DOT_THOUSANDS.match(text):
            return _say("dot_thousands")
        if "," in text and "." in text:
            return _say("mixed_marks")
        return _say("not_number")
    return _say("not_number_type", type=type(text).__name__)


#: While a reader collects every problem of a file (:func:`deferred_amount_problems`), the amount problems found so far.
_DEFERRED: contextvars.ContextVar[list[pd.DataFrame] | None] = contextvars.ContextVar("lapsibudjetti_deferred_amounts", default=None)


@contextlib.contextmanager
def deferred_amount_problems() -> Iterator[list[pd.DataFrame]]:
    """Inside the block, cells that are not amounts are collected (the reader goes on) instead of raised at once.

    The caller must raise them with every other problem of the file (``validate``), so nothing is lost.
    """
    found: list[pd.DataFrame] = []
    token = _DEFERRED.set(found)
    try:
        yield found
    finally:
        _DEFERRED.reset(token)


def _raise_amounts(
    name: str,
    header: str,
    rows: np.ndarray,
    texts: list[object],
    where: str,
) -> None:
    problems = [_amount_problem(t) for t in texts]
    table = pd.DataFrame(
        {"file": name, "row": np.asarray(rows, dtype=np.int64), "column": header, "value": texts, "problem": problems}
    )
    said = _say("where_row" if where == "row" else "where_line")
    listed = "; ".join(
        f"{said} {r}: {v!r} ({p})" for r, v, p in zip(table["row"][:_MAX_LISTED], texts[:_MAX_LISTED], problems)
    )
    from ..reference._labels import default_lang, text

    more = text("error.problems_more", default_lang(), n=len(table) - _MAX_LISTED) if len(table) > _MAX_LISTED else ""
    empty = any(t is None or (isinstance(t, str) and not t.strip()) for t in texts)
    hint = _say("formula_hint") if where == "row" and empty else ""
    err = InputError(
        _say("cells", n=len(table), header=repr(header), listed=listed, more=more, fix=_say("fix"), hint=hint),
        rows=table,
        file=name,
        row=int(table["row"].iloc[0]),
        column=header,
    )
    deferred = _DEFERRED.get()
    if deferred is None:
        raise err
    table = table.assign(canonical="amount")
    table.attrs["error"] = err  # raised as it is when the file has no problem of another kind
    deferred.append(table)


def _amounts_from_python(values: list[object], rows: np.ndarray, name: str, header: str, where: str) -> np.ndarray:
    """Amounts from spreadsheet / object cells: numbers stay, text is parsed like CSV."""
    n = len(values)
    out = np.full(n, np.nan)
    text_pos: list[int] = []
    texts: list[str] = []
    bad: list[int] = []
    for i, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)):
            bad.append(i)
        elif isinstance(v, (int, float, np.integer, np.floating)):
            f = float(v)
            if f != f:
                bad.append(i)
            else:
                out[i] = f
        elif isinstance(v, str):
            text_pos.append(i)
            texts.append(v)
        else:
            bad.append(i)
    if texts:
        parsed, bad_text, _ = _parse_amount_strings(pa.array(texts, type=pa.string()))
        pos = np.asarray(text_pos, dtype=np.int64)
        out[pos] = parsed
        bad.extend(pos[bad_text].tolist())
    if bad:
        bad_sorted = np.asarray(sorted(bad), dtype=np.int64)
        _raise_amounts(name, header, rows[bad_sorted], [values[i] for i in bad_sorted], where)
    return out


def _refuse_inexact_floats(values: np.ndarray, rows: np.ndarray, name: str, header: str, typ: str) -> None:
    """A 32-bit float holds about seven digits: its amounts are used only where every one is whole cents."""
    inexact = np.flatnonzero(_fractional_cents(values))
    if len(inexact):
        from ..reference._labels import say

        shown = ", ".join(f"{say('error.place_row', value=int(rows[i]))}: {float(values[i])!r}" for i in inexact[:5])
        raise InputError(
            say("amount.float32", header=repr(header), typ=typ, bits=typ[-2:], n=len(inexact), shown=shown + (" …" if len(inexact) > 5 else "")),
            rows=pd.DataFrame({"file": name, "row": rows[inexact], "column": header, "value": values[inexact],
                               "problem": say("problem.float32", typ=typ)}),
            file=name, row=int(rows[inexact[0]]), column=header)


def _amounts_from_arrow(arr: pa.Array | pa.ChunkedArray, rows: np.ndarray, name: str, header: str, where: str) -> np.ndarray:
    typ = arr.type
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ):
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            _raise_amounts(name, header, rows[bad], [None if np.isnan(values[i]) else float(values[i]) for i in bad], where)
        if pa.types.is_float16(typ) or pa.types.is_float32(typ):
            _refuse_inexact_floats(values, rows, name, header, "float32" if pa.types.is_float32(typ) else "float16")
        return values
    if pa.types.is_dictionary(typ):
        arr = pc.cast(arr, typ.value_type)
        typ = arr.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        filled = pc.fill_null(arr, "") if arr.null_count else arr
        values, bad, _ = _parse_amount_strings(filled)
        if len(bad):
            _raise_amounts(name, header, rows[bad], arr.take(pa.array(bad)).to_pylist(), where)
        return values
    if pa.types.is_null(typ):
        _raise_amounts(name, header, rows, [None] * len(arr), where)
    return _amounts_from_python(arr.to_pylist(), rows, name, header, where)
