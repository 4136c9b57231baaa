"""Readers: ledgers from CSV, Excel and Parquet files, and the long statistics format.

Finnish finance systems and PxWeb export CSV with ``;`` or tab separators,
a decimal comma, spaces or no-break spaces between thousands, a minus sign
written as U+2212 or after the number, in UTF-8 (with or without BOM) or
Windows-1252, sometimes with title lines above the header and headers in
Finnish or Swedish. The readers here turn all of that into the canonical
ledger of :mod:`lapsibudjetti._schema`, keeping for every line the file name
and the row number the user sees in that file, and they never coerce a cell
they cannot read: such a cell is an :class:`~lapsibudjetti.InputError`
naming the file, row and column.

Header names and value synonyms (``TP`` → ``actual``) are data:
``lapsibudjetti/data/headers.csv`` and ``lapsibudjetti/data/values.csv``.

Large CSV files are parsed with :mod:`pyarrow.csv` (all columns as bytes,
text columns dictionary-encoded while parsing); numbers are normalised with
vectorised byte operations and converted with Arrow's exact decimal parser,
so no Python object is created per line.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ._errors import InputError, LapsibudjettiWarning, ReconciliationError, ReferenceDataError
from ._schema import (
    LEDGER_COLUMNS,
    ORG_TYPES,
    PHASES,
    _fractional_cents,
    _validate_ledger,
    amount_cents,
    validate_ledger,
)

if TYPE_CHECKING:  # pragma: no cover
    from ._registry import Registry

__all__ = ["read_ledger", "read_statistics"]

#: Canonical columns a file column can map to.
TEXT_COLUMNS: tuple[str, ...] = (
    "org_type",
    "org_code",
    "business_id",
    "phase",
    "service_class",
    "task_class",
    "account",
    "cost_centre",
)
MAPPABLE: tuple[str, ...] = TEXT_COLUMNS + ("year", "amount")
#: Columns whose cells may hold ``code name`` (``3021 Päiväkotitoiminta``); the code is kept.
CODE_COLUMNS: frozenset[str] = frozenset({"org_code", "service_class", "account"})
#: Columns whose values are translated through ``data/values.csv``.
VALUE_COLUMNS: frozenset[str] = frozenset({"phase", "org_type"})

_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
_HEADER_SCAN_CSV = 50
_HEADER_SCAN_XLSX = 30
_HEAD_BYTES = 1 << 20
_DELIMITERS = (";", "\t", ",", "|")
_MAX_LISTED = 20
_PARALLEL_MIN_ROWS = 100_000
#: Bytes of CSV per Arrow block (and so per chunk of the columns): large enough that the
#: per-chunk work of the amount parser is not dominated by call overhead.
_CSV_BLOCK = 1 << 22

#: Names of the grand total of the operating economy in the statistics.
_GRAND_TOTAL_NAMES: tuple[str, ...] = ("Käyttötalous yhteensä",)
#: Endings (after accent/case folding) that mark a task name as an aggregate.
_AGGREGATE_SUFFIXES: tuple[str, ...] = ("yhteensa", "totalt", "sammanlagt", "total")

_CODE_NAME = re.compile(r"^([0-9]+)(?:\s+[-–:]?\s*|\s*[-–:]\s+)(?=\D)\S")
_YEAR = re.compile(r"^\d{4}$", re.ASCII)
_FOUR_DIGITS = re.compile(r"^\d{4}$", re.ASCII)

_NBSP, _NNBSP, _MINUS, _EN_DASH = "\u00a0", "\u202f", "\u2212", "\u2013"
_WS = "[ \t" + _NBSP + _NNBSP + "]*"
_GROUP_SEP = "[ " + _NBSP + _NNBSP + "]"
_SIGN = "[-+" + _MINUS + _EN_DASH + "]"
_TRAILING_SIGN = "[-" + _MINUS + _EN_DASH + "]"
_NUM_COMMA = r"(?:\d{1,3}(?:" + _GROUP_SEP + r"\d{3})+|\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_NUM_DOT = r"(?:\d{1,3}(?:" + _GROUP_SEP + r"\d{3})+|\d+)(?:\.\d+)?"


def _amount_pattern(num: str) -> str:
    return f"^{_WS}(?:{_SIGN}{_WS}{num}|{num}(?:{_WS}{_TRAILING_SIGN})?){_WS}$"


_AMOUNT_COMMA = _amount_pattern(_NUM_COMMA)
_AMOUNT_DOT = _amount_pattern(_NUM_DOT)

_AMOUNT_FIX = (
    "Write amounts as numbers such as 1234,56, 1 234,56, −1 234,56 or 1234.56 "
    "(one decimal mark; spaces or, with a decimal comma, dots between thousands) "
    "and put 0 in cells that have no amount."
)



# ---------------------------------------------------------------------------
# data files: header aliases and value synonyms


def _norm(text: object) -> str:
    """Fold a header or value for matching: no accents, case, spaces or punctuation.

    Examples
    --------
    >>> _norm("  Y-tunnus "), _norm("Tehtävä"), _norm("år"), _norm("Muutettu TA")
    ('ytunnus', 'tehtava', 'ar', 'muutettuta')
    """
    s = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in s.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def _data_table(name: str) -> pd.DataFrame:
    try:
        ref = resources.files(__package__).joinpath("data").joinpath(name)
        with ref.open("rb") as fh:
            return pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:  # pragma: no cover - packaging problem
        raise ReferenceDataError(
            f"the packaged data file lapsibudjetti/data/{name} could not be read ({exc}); reinstall the package"
        ) from exc


@lru_cache(maxsize=None)
def _header_table() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """``normalised alias -> canonical`` and ``canonical -> aliases as written``."""
    table = _data_table("headers.csv")
    lookup: dict[str, str] = {}
    listed: dict[str, list[str]] = {c: [] for c in MAPPABLE}
    for canonical, alias in zip(table["canonical"], table["alias"]):
        canonical, alias = canonical.strip(), alias.strip()
        if canonical not in MAPPABLE:
            raise ReferenceDataError(
                f"lapsibudjetti/data/headers.csv maps {alias!r} to {canonical!r}, which is not a ledger column "
                f"({', '.join(MAPPABLE)})"
            )
        key = _norm(alias)
        if lookup.get(key, canonical) != canonical:
            raise ReferenceDataError(
                f"lapsibudjetti/data/headers.csv maps {alias!r} to both {lookup[key]!r} and {canonical!r}"
            )
        lookup[key] = canonical
        listed[canonical].append(alias)
    return lookup, {c: tuple(a) for c, a in listed.items()}


@lru_cache(maxsize=None)
def _value_table() -> dict[tuple[str, str], str]:
    table = _data_table("values.csv")
    allowed = {"phase": PHASES, "org_type": ORG_TYPES}
    out: dict[tuple[str, str], str] = {}
    for column, alias, canonical in zip(table["column"], table["alias"], table["canonical"]):
        column, canonical = column.strip(), canonical.strip()
        if column not in allowed or canonical not in allowed[column]:
            raise ReferenceDataError(
                f"lapsibudjetti/data/values.csv maps {alias!r} to {canonical!r} in column {column!r}; "
                f"allowed: {allowed}"
            )
        out[(column, _norm(alias))] = canonical
    return out


def _clean_value(value: str | None, column: str) -> str | None:
    """One distinct cell value of a text column, as the ledger stores it."""
    if value is None:
        return None
    s = value.strip()
    if not s:
        return None
    if column in CODE_COLUMNS:
        m = _CODE_NAME.match(s)
        if m:
            s = m.group(1)
    elif column in VALUE_COLUMNS:
        s = _value_table().get((column, _norm(s)), s)
    return s


def _cell_text(value: object) -> str | None:
    """Text of a spreadsheet / frame cell for a text column (``91.0`` → ``'91'``)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (np.floating,)):
        return _cell_text(float(value))
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------
# header recognition


@dataclass
class _Header:
    cells: list[str]
    mapping: dict[str, int]  # canonical -> index of the cell
    line: int  # 1-based line (CSV) or Excel row
    delimiter: str | None = None
    ignored: list[str] = field(default_factory=list)


def _check_column_map(column_map: Mapping[str, str | None] | None) -> dict[str, str | None]:
    if column_map is None:
        return {}
    if not isinstance(column_map, Mapping):
        raise InputError(f"column_map must be a dict of original name → canonical name, got {type(column_map).__name__}")
    out: dict[str, str | None] = {}
    for original, canonical in column_map.items():
        if canonical is not None and canonical not in MAPPABLE:
            raise InputError(
                f"column_map maps {original!r} to {canonical!r}, which is not a ledger column. "
                f"Use one of {', '.join(MAPPABLE)}, or None to ignore the column."
            )
        out[str(original)] = canonical
    return out


def _check_defaults(defaults: Mapping[str, object] | None) -> dict[str, object]:
    if defaults is None:
        return {}
    if not isinstance(defaults, Mapping):
        raise InputError(f"defaults must be a dict of canonical name → value, got {type(defaults).__name__}")
    allowed = TEXT_COLUMNS + ("year",)
    for name in defaults:
        if name not in allowed:
            raise InputError(
                f"defaults has {name!r}, which cannot be given as a default; "
                f"use one of {', '.join(allowed)}"
            )
    return dict(defaults)


def _map_cells(cells: list[str], column_map: Mapping[str, str | None]) -> list[str | None]:
    lookup, _ = _header_table()
    normalised_map = {_norm(k): v for k, v in column_map.items()}
    out: list[str | None] = []
    for cell in cells:
        if cell in column_map:
            out.append(column_map[cell])
            continue
        key = _norm(cell)
        if key in normalised_map:
            out.append(normalised_map[key])
        else:
            out.append(lookup.get(key) if key else None)
    return out


def _missing_required(mapped: set[str], defaults: Mapping[str, object]) -> list[str]:
    have = mapped | set(defaults)
    if "business_id" in have:  # validate_ledger fills org_type/org_code from the registry
        have |= {"org_type", "org_code"}
    missing = [c for c in ("org_type", "org_code", "year", "phase", "amount") if c not in have]
    if not have & {"service_class", "task_class"}:
        missing.append("service_class or task_class")
    return missing


def _choose_header(
    candidates: Iterator[tuple[int, list[tuple[str | None, list[str]]]]],
    *,
    column_map: Mapping[str, str | None],
    defaults: Mapping[str, object],
    name: str,
    where: str,
) -> _Header:
    """Pick the first line whose cells cover the required columns.

    ``candidates`` yields ``(line number, [(delimiter, cells), ...])``.
    """
    best: tuple[int, _Header] | None = None
    first_seen: list[str] | None = None
    for line, variants in candidates:
        for delimiter, cells in variants:
            if first_seen is None and any(c.strip() for c in cells):
                first_seen = cells
            mapped = _map_cells(cells, column_map)
            names = {m for m in mapped if m is not None}
            header = _Header(cells=cells, mapping={}, line=line, delimiter=delimiter)
            if not _missing_required(names, defaults):
                return _finish_header(header, mapped, column_map, name, where)
            if names and (best is None or len(names) > best[0]):
                best = (len(names), _finish_header(header, mapped, column_map, name, where, check_duplicates=False))
    _, aliases = _header_table()
    if best is None:
        seen = f" The first non-empty {where} reads {first_seen!r}." if first_seen else " The file has no text."
        raise InputError(
            f"no header row with ledger column names was found in the first "
            f"{_HEADER_SCAN_XLSX if where == 'row' else _HEADER_SCAN_CSV} {where}s.{seen} Expected column names "
            f"such as {_alias_hint(('org_code', 'year', 'phase', 'service_class', 'amount'), aliases)}; "
            "or pass column_map={'your header': 'amount', ...}.",
            file=name,
        )
    header = best[1]
    missing = _missing_required(set(header.mapping), defaults)
    wanted = [m for m in missing if m != "service_class or task_class"]
    if "service_class or task_class" in missing:
        wanted += ["service_class", "task_class"]
    found = ", ".join(
        f"{c!r}→{canon}" for canon, i in header.mapping.items() for c in [header.cells[i]]
    )
    raise InputError(
        f"no column for {', '.join(missing)}. The header on {where} {header.line} has "
        f"{[c for c in header.cells]!r} (recognised: {found or 'none'}). Name the column with one of: "
        f"{_alias_hint(wanted, aliases)}; or map your own header with column_map={{'your header': "
        f"'{wanted[0]}'}}; or, for a value that is the same on every line, pass defaults="
        f"{{'{wanted[0]}': {_default_example(wanted[0])!r}}}.",
        file=name,
        row=header.line,
        column=missing[0],
    )


def _default_example(column: str) -> object:
    return {"org_type": "municipality", "phase": "actual", "year": 2024, "org_code": "091"}.get(column, "...")


def _alias_hint(columns: tuple[str, ...] | list[str], aliases: Mapping[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{c}: {', '.join(aliases.get(c, ())[:8])}" for c in columns)


def _finish_header(
    header: _Header,
    mapped: list[str | None],
    column_map: Mapping[str, str | None],
    name: str,
    where: str,
    check_duplicates: bool = True,
) -> _Header:
    seen: dict[str, int] = {}
    for i, canon in enumerate(mapped):
        if canon is None:
            cell = header.cells[i]
            explicitly_ignored = cell in column_map or _norm(cell) in {_norm(k) for k in column_map}
            if cell.strip() and not explicitly_ignored:
                header.ignored.append(cell)
            continue
        if canon in seen:
            if check_duplicates:
                a, b = header.cells[seen[canon]], header.cells[i]
                raise InputError(
                    f"columns {a!r} and {b!r} both map to {canon!r}. Keep one of them, or ignore one with "
                    f"column_map={{{b!r}: None}} (or map it to another column).",
                    file=name,
                    row=header.line,
                    column=b,
                )
            continue
        seen[canon] = i
    header.mapping = seen
    return header


def _warn_header(
    header: _Header, name: str, column_map: Mapping[str, str | None], defaults: Mapping[str, object]
) -> None:
    """Say once what was ignored: unknown columns, unused column_map keys, shadowed defaults."""
    notes: list[str] = []
    if header.ignored:
        notes.append(
            f"ignored column(s) {', '.join(repr(c) for c in header.ignored)} (not ledger columns); to use one, "
            f"pass column_map={{{header.ignored[0]!r}: 'cost_centre'}} or another canonical name"
        )
    present = set(header.cells) | {_norm(c) for c in header.cells}
    unused = [k for k in column_map if k not in present and _norm(k) not in present]
    if unused:
        notes.append(f"column_map names column(s) not in the file: {', '.join(repr(k) for k in unused)}")
    shadowed = [k for k in defaults if k in header.mapping]
    if shadowed:
        notes.append(
            "defaults not used because the file has the column: "
            + ", ".join(f"{k} (column {header.cells[header.mapping[k]]!r})" for k in shadowed)
        )
    if notes:
        warnings.warn(f"{name}: " + "; ".join(notes) + ".", LapsibudjettiWarning, stacklevel=5)


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


def _categorical_from(indices: np.ndarray, values: list[str | None]) -> pd.Categorical:
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


def _amount_problem(text: object) -> str:
    if text is None or (isinstance(text, str) and not text.strip()):
        return "empty amount cell"
    if isinstance(text, str):
        if _DOT_THOUSANDS.match(text):
            return "not a number: dots between thousands need a decimal comma in the column (write 1 234 567)"
        if "," in text and "." in text:
            return "not a number: mixes ',' and '.' (write 1234.56 or 1 234,56)"
        return "not a number"
    return f"not a number ({type(text).__name__})"


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
    listed = "; ".join(
        f"{where} {r}: {v!r} ({p})" for r, v, p in zip(table["row"][:_MAX_LISTED], texts[:_MAX_LISTED], problems)
    )
    more = f" … and {len(table) - _MAX_LISTED} more" if len(table) > _MAX_LISTED else ""
    hint = ""
    if where == "row" and "empty amount cell" in problems:
        hint = " (A formula whose result Excel never saved also reads as empty: open and save the file in Excel.)"
    raise InputError(
        f"{len(table)} cell(s) in column {header!r} (amount) are not amounts: {listed}{more}. {_AMOUNT_FIX}{hint}",
        rows=table,
        file=name,
        row=int(table["row"].iloc[0]),
        column=header,
    )


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


def _amounts_from_arrow(arr: pa.Array | pa.ChunkedArray, rows: np.ndarray, name: str, header: str, where: str) -> np.ndarray:
    typ = arr.type
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ):
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            _raise_amounts(name, header, rows[bad], [None if np.isnan(values[i]) else float(values[i]) for i in bad], where)
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


# ---------------------------------------------------------------------------
# CSV


@dataclass
class _Encoding:
    name: str  # codec used to decode values
    label: str  # what to report (e.g. 'utf-8-sig', 'cp1252')
    given: bool
    tentative: bool = False  # utf-8 guessed from an ASCII-only head


def _single_byte_ascii(codec: str) -> bool:
    try:
        decoded = bytes(range(256)).decode(codec, errors="replace")
    except LookupError:
        return False
    return len(decoded) == 256 and decoded[:128] == bytes(range(128)).decode("ascii")


def _utf8_head_ok(head: bytes, complete: bool) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is fine
        return not complete and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"


def _prepare_encoding(data: Any, encoding: str | None, name: str) -> tuple[Any, int, _Encoding]:
    """Return (the content as UTF-8 or a single-byte encoding, offset after any BOM, encoding).

    ``data`` is bytes or a read-only memory map; it is returned as is unless
    the encoding is not ASCII-compatible (UTF-16 and the like), in which case
    it is transcoded to UTF-8 bytes.
    """
    head = bytes(data[:_HEAD_BYTES])
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}; use e.g. 'utf-8', 'utf-8-sig' or 'cp1252'", file=name) from None
        if info.name in ("utf-8", "utf-8-sig"):
            start = 3 if head.startswith(codecs.BOM_UTF8) else 0
            return data, start, _Encoding("utf-8", encoding, True)
        if _single_byte_ascii(info.name):
            return data, 0, _Encoding(info.name, encoding, True)
        raw = bytes(data)
        try:
            text = raw.decode(info.name)
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(
                f"the file is not valid {encoding} (byte {exc.start}); check the encoding the export used",
                file=name,
                row=line,
            ) from None
        return text.lstrip("\ufeff").encode("utf-8"), 0, _Encoding("utf-8", encoding, True)
    if head.startswith(codecs.BOM_UTF8):
        return data, 3, _Encoding("utf-8", "utf-8-sig", False)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = bytes(data).decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("the file starts like UTF-16 but is not valid UTF-16; pass encoding=", file=name) from None
        return text.encode("utf-8"), 0, _Encoding("utf-8", "utf-16", False)
    if _utf8_head_ok(head, complete=len(head) == len(data)):
        return data, 0, _Encoding("utf-8", "utf-8", False, tentative=head.isascii())
    return data, 0, _Encoding("cp1252", "cp1252", False)


def _count_newlines(data: Any, start: int, end: int) -> int:
    """Number of ``\\n`` bytes in ``data[start:end]`` without copying it."""
    total = 0
    step = 1 << 26
    for lo in range(start, end, step):
        view = np.frombuffer(data, dtype=np.uint8, count=min(step, end - lo), offset=lo)
        total += int(np.count_nonzero(view == 10))
        del view
    return total


_NONSPACE = re.compile(rb"\S")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r|$)")


def _head_lines(data: bytes, start: int, limit: int) -> list[tuple[int, int, bytes]]:
    """First lines as ``(line number, end offset incl. newline, content)``."""
    out: list[tuple[int, int, bytes]] = []
    head_end = min(len(data), start + _HEAD_BYTES)
    pos = start
    line = 0
    for m in _LINE.finditer(data, start, head_end):
        if m.end() == m.start():
            break
        line += 1
        raw = m.group(0)
        if m.end() == head_end and head_end < len(data) and not raw.endswith((b"\n", b"\r")):
            break  # cut by the sample
        out.append((line, m.end(), raw.rstrip(b"\r\n")))
        pos = m.end()
        if line >= limit:
            break
    del pos
    return out


def _split(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([text], delimiter=delimiter))
    except (StopIteration, csv.Error):
        return [text]


def _decode(raw: bytes, enc: _Encoding) -> str:
    return raw.decode(enc.name, errors="replace")


def _record_lines(text: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Records of CSV text with the physical line on which each starts (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    prev = 0
    for fields in reader:
        start = prev + 1
        prev = reader.line_num
        if not fields:
            continue
        yield first_line + start - 1, fields


def _read_csv(
    path: Path,
    *,
    column_map: Mapping[str, str | None],
    defaults: Mapping[str, object],
    encoding: str | None,
    sep: str | None,
) -> _Raw:
    name = path.name
    mapped: mmap.mmap | None = None
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        try:
            # a read-only memory map: Arrow parses it in place, nothing is copied into Python
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
            content: Any = mapped if mapped is not None else b""
        except (OSError, ValueError):  # pragma: no cover - file systems without mmap
            content = fh.read()
    try:
        return _read_csv_data(
            content,
            name,
            column_map=column_map,
            defaults=defaults,
            encoding=encoding,
            sep=sep,
        )
    finally:
        if mapped is not None:
            try:
                mapped.close()
            except BufferError:  # pragma: no cover - a view is still alive; the GC closes the map
                pass


def _read_csv_data(
    raw: Any,
    name: str,
    *,
    column_map: Mapping[str, str | None],
    defaults: Mapping[str, object],
    encoding: str | None,
    sep: str | None,
) -> _Raw:
    data, start, enc = _prepare_encoding(raw, encoding, name)
    if _NONSPACE.search(data, start) is None:
        raise InputError(
            "the file is empty. Export the ledger again with a header row and at least one line.",
            file=name,
        )
    if sep is not None:
        if sep in ("tab", "\\t"):
            sep = "\t"
        if not isinstance(sep, str) or len(sep) != 1:
            raise InputError(f"sep must be a single character such as ';', ',' or '\\t', got {sep!r}", file=name)
    delimiters = (sep,) if sep is not None else _DELIMITERS
    lines = _head_lines(data, start, _HEADER_SCAN_CSV)
    ends = {line: end for line, end, _ in lines}

    def candidates() -> Iterator[tuple[int, list[tuple[str | None, list[str]]]]]:
        for line, _, raw_line in lines:
            try:
                text = raw_line.decode(enc.name)
            except UnicodeDecodeError:
                if enc.given:
                    raise InputError(
                        f"line {line} is not valid {enc.label}: {raw_line[:120]!r}. Pass the encoding the file was "
                        "saved in (e.g. encoding='cp1252'), or leave encoding= out to detect it.",
                        file=name,
                        row=line,
                    ) from None
                text = _decode(raw_line, enc)
            if not text.strip():
                continue
            variants = [(d, _split(text, d)) for d in delimiters]
            # most recognised cells first
            variants.sort(key=lambda v: -len({m for m in _map_cells(v[1], column_map) if m}))
            yield line, variants

    header = _choose_header(candidates(), column_map=column_map, defaults=defaults, name=name, where="line")
    delimiter = header.delimiter or ","
    data_start = ends[header.line]
    end = len(data)
    while end > data_start and data[end - 1] in (10, 13):  # trailing newlines and blank lines
        end -= 1
    if _NONSPACE.search(data, data_start, end) is None:
        raise InputError(
            f"the file has a header on line {header.line} but no data lines below it.",
            file=name,
            row=header.line,
        )
    ncols = len(header.cells)
    names = [f"c{i}" for i in range(ncols)]
    needed = {canon: i for canon, i in header.mapping.items()}
    unnamed = [i for i, c in enumerate(header.cells) if not c.strip()]
    column_types: dict[str, pa.DataType] = {}
    for canon, i in needed.items():
        # bytes; text columns are dictionary-encoded afterwards, one column per thread, which is
        # about twice as fast as Arrow's dictionary conversion while parsing
        column_types[names[i]] = pa.binary()
    for i in unnamed:
        column_types[names[i]] = pa.binary()
    include = [names[i] for i in sorted(set(needed.values()) | set(unnamed))]
    quoted = data.find(b'"', data_start, end) >= 0
    body = pa.py_buffer(data).slice(data_start, end - data_start)

    def parse(ignore_empty_lines: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=_CSV_BLOCK),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=quoted,
                ignore_empty_lines=ignore_empty_lines,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=column_types,
                include_columns=include,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    # Without quotes every line is one record as long as blank lines are kept
    # (Arrow then reads a blank line as a row of empty cells); so line numbers
    # need no counting in the common case. An empty amount means a blank line
    # (or a real empty cell): then parse again skipping blank lines, and count.
    exact = not quoted
    try:
        table = parse(ignore_empty_lines=quoted)
        if exact:
            amount_lengths = pc.binary_length(table.column(names[needed["amount"]]))
            if len(amount_lengths) and pc.min(amount_lengths).as_py() == 0:
                exact = False
                table = parse(ignore_empty_lines=True)
    except pa.ArrowException as exc:
        _diagnose_csv(data, data_start, header, delimiter, enc, name, exc)
        raise  # pragma: no cover - _diagnose_csv always raises
    del body
    n = table.num_rows
    if n == 0:  # pragma: no cover - excluded by the check above
        raise InputError(
            f"the file has a header on line {header.line} but no data lines below it.",
            file=name,
            row=header.line,
        )

    if exact:
        source_row = np.arange(header.line + 1, header.line + 1 + n, dtype=np.int64)
    else:
        # blank lines or multi-line quoted fields: count, and if needed number records on the slow path
        crlf_or_lf = data.find(b"\n", data_start, end) >= 0 or data.find(b"\r", data_start, end) < 0
        physical = _count_newlines(data, data_start, end) + 1 if crlf_or_lf else -1
        if physical == n:
            source_row = np.arange(header.line + 1, header.line + 1 + n, dtype=np.int64)
        else:
            text = _decode(data[data_start:end], enc)
            source_row = np.fromiter(
                (line for line, _ in _record_lines(text, delimiter, header.line + 1)), dtype=np.int64
            )
            if len(source_row) != n:  # pragma: no cover - the two CSV parsers disagree
                warnings.warn(
                    f"{name}: could not match lines to records (blank lines or line breaks inside quoted "
                    "fields); source_row counts records from the header instead of physical lines.",
                    LapsibudjettiWarning,
                    stacklevel=5,
                )
                source_row = np.arange(header.line + 1, header.line + 1 + n, dtype=np.int64)

    for i in unnamed:
        col = table.column(names[i])
        if len(col) and pc.max(pc.binary_length(col)).as_py():
            header.ignored.append(f"(unnamed column {i + 1})")
    _warn_header(header, name, column_map, defaults)

    text_columns = [canon for canon in needed if canon != "amount"]

    def encode(canon: str) -> tuple[np.ndarray, list[bytes]] | np.ndarray:
        column = table.column(names[needed[canon]])
        if canon == "year":
            years = _digit_years(column)
            if years is not None:
                return years
        narrow = _narrow_codes(column)
        if narrow is not None:
            return narrow
        # one dictionary for all chunks (dictionary_encode of a chunked array shares it)
        chunks = [c for c in pc.dictionary_encode(table.column(names[needed[canon]])).chunks if len(c)]
        if not chunks:  # pragma: no cover - n > 0
            return np.zeros(0, dtype=np.int64), []
        dictionary = chunks[-1].dictionary
        # the size pandas keeps category codes in: no conversion later
        small = np.int8 if len(dictionary) < 127 else np.int16 if len(dictionary) < 32767 else np.int32
        indices = np.concatenate([c.indices.to_numpy(zero_copy_only=False).astype(small, copy=False) for c in chunks])
        return indices, dictionary.to_pylist()

    amount_bin = table.column(names[needed["amount"]])
    # the amounts are parsed from the bytes on the same threads as the dictionaries are built (their
    # errors are still raised after the text's; a guessed UTF-8 that turns out wrong parses them again)
    amounts = np.empty(n)
    amount_jobs = _amount_jobs(amount_bin, enc, amounts)
    jobs = [partial(encode, canon) for canon in text_columns] + amount_jobs
    # Arrow builds the dictionaries without the GIL, the amount parser's NumPy calls hold it between
    # operations: alternate the two kinds so that the threads mostly run one of each
    order = _alternate(len(text_columns), len(amount_jobs))
    done = [None] * len(jobs)
    for i, result in zip(order, _run_jobs([jobs[i] for i in order], n)):
        done[i] = result
    raw_dicts = dict(zip(text_columns, done[: len(text_columns)]))
    years = raw_dicts.pop("year") if isinstance(raw_dicts.get("year"), np.ndarray) else None

    amount_results = done[len(text_columns) :]
    text_ok = all(r[2] for r in amount_results)
    columns, decoded = _decode_csv_columns(raw_dicts, amount_bin, enc, text_ok, header, name, source_row)
    if years is not None:
        columns["year"] = years
    columns["amount"], whole_cents = _csv_amounts(
        amount_bin, decoded, source_row, name, header.cells[needed["amount"]],
        done=(amounts, amount_results) if decoded == enc else None,
    )
    enc = decoded
    frame = _assemble(columns, n, name=name, source_row=source_row, defaults=defaults)
    headers = {canon: header.cells[i] for canon, i in needed.items()}
    meta: dict[str, object] = {"encoding": enc.label, "delimiter": delimiter, "header_row": header.line}
    return _Raw(frame, name, headers, meta, whole_cents=whole_cents)


def _digit_years(column: pa.ChunkedArray) -> np.ndarray | None:
    """A year column whose every cell is exactly four ASCII digits, as int64; else None.

    Four bytes are one 32-bit word: checked and converted with a few integer
    operations per line instead of a dictionary (other cells, with spaces or
    errors, go through the dictionary and :func:`_years`).

    Examples
    --------
    >>> _digit_years(pa.chunked_array([pa.array([b"2015", b"2024"]), pa.array([b"1999"])])).tolist()
    [2015, 2024, 1999]
    >>> _digit_years(pa.chunked_array([pa.array([b"2015", b"20x4"])])) is None
    True
    >>> _digit_years(pa.chunked_array([pa.array([b"201", b"52024"])])) is None
    True
    """
    fixed = _fixed_width_bytes(column, (4,))
    if fixed is None:
        return None
    word = fixed[1].view("<u4")  # the first character in the lowest byte
    digit = word ^ _U32(0x30303030)  # 0..9 in each byte where a digit
    if np.any((digit | (digit + _U32(0x06060606))) & _U32(0xF0F0F0F0)):
        return None
    pairs = ((digit * _U32(10)) + (digit >> _U32(8))) & _U32(0x00FF00FF)  # "20", "15"
    return ((pairs & _U32(0xFF)) * _U32(100) + (pairs >> _U32(16))).astype(np.int64)


def _fixed_width_bytes(column: pa.ChunkedArray, widths: tuple[int, ...]) -> tuple[int, np.ndarray] | None:
    """``(width, bytes)`` of a column whose values all have the same width, one of ``widths``; else None.

    Examples
    --------
    >>> width, data = _fixed_width_bytes(pa.chunked_array([pa.array([b"TP", b"TA"]), pa.array([b"TP"])]), (1, 2))
    >>> width, bytes(data)
    (2, b'TPTATP')
    >>> _fixed_width_bytes(pa.chunked_array([pa.array([b"T", b"TAA"])]), (1, 2)) is None  # lengths vary yet add up
    True
    """
    parts = []
    width = None
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:
            return None
        offsets, data = _string_parts(chunk)
        w = int(offsets[1])
        if w not in widths or (width is not None and w != width) or len(data) != w * len(chunk):
            return None
        if not np.array_equal(offsets, np.arange(0, len(data) + 1, w)):
            return None
        parts.append(data)
        width = w
    return None if width is None else (width, np.concatenate(parts))


def _narrow_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[bytes]] | None:
    """Dictionary of a column whose values all have the same 1 or 2 bytes (e.g. ``TP``/``TA``), else None.

    The values are then small integers, factorised about five times faster
    than Arrow hashes the strings; the dictionary is in order of first
    appearance, as :func:`pyarrow.compute.dictionary_encode` gives.

    Examples
    --------
    >>> codes, values = _narrow_codes(pa.chunked_array([pa.array([b"TP", b"TA"]), pa.array([b"TP"])]))
    >>> codes.tolist(), values
    ([0, 1, 0], [b'TP', b'TA'])
    >>> _narrow_codes(pa.chunked_array([pa.array([b"TP", b"TAA"])])) is None
    True
    """
    fixed = _fixed_width_bytes(column, (1, 2))
    if fixed is None:
        return None
    width, data = fixed
    keys = data.view(np.uint8 if width == 1 else np.uint16)
    codes, uniques = pd.factorize(keys)
    small = np.int8 if len(uniques) < 127 else np.int16
    return codes.astype(small), [bytes(u) for u in np.asarray(uniques, dtype=keys.dtype).view(np.uint8).reshape(-1, width)]


def _decode_csv_columns(
    raw_dicts: dict[str, tuple[np.ndarray, list[bytes]]],
    amount_bin: pa.ChunkedArray,
    enc: _Encoding,
    amounts_ok: bool,
    header: _Header,
    name: str,
    source_row: np.ndarray,
) -> tuple[dict[str, Any], _Encoding]:
    """Decode the distinct values; a guessed UTF-8 falls back to Windows-1252 for the whole file.

    ``amounts_ok``: the amount column is valid in ``enc`` (as the amount
    jobs found). Returns the columns and the encoding they were decoded with.
    """

    def decode_all(codec: str) -> dict[str, Any]:
        return {
            canon: _Dict(indices, [b.decode(codec) for b in dictionary])
            for canon, (indices, dictionary) in raw_dicts.items()
        }

    try:
        cols = decode_all(enc.name)
        if not amounts_ok:
            pc.cast(amount_bin, pa.string())  # raises, saying what is wrong
            raise pa.ArrowInvalid(f"the amount column is not valid {enc.label}")  # never half-parsed amounts
        return cols, enc
    except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
        if enc.given or enc.name != "utf-8" or not enc.tentative:
            _raise_decode(raw_dicts, amount_bin, enc, header, name, source_row, exc)
    fallback = _Encoding("cp1252", "cp1252", False)
    try:
        return decode_all("cp1252"), fallback
    except UnicodeDecodeError as exc:
        _raise_decode(raw_dicts, amount_bin, fallback, header, name, source_row, exc)
    raise AssertionError("unreachable")  # pragma: no cover


def _raise_decode(
    raw_dicts: dict[str, tuple[np.ndarray, list[bytes]]],
    amount_bin: pa.Array,
    enc: _Encoding,
    header: _Header,
    name: str,
    source_row: np.ndarray,
    exc: Exception,
) -> None:
    for canon, (indices, dictionary) in raw_dicts.items():
        for k, b in enumerate(dictionary):
            try:
                b.decode(enc.name)
            except UnicodeDecodeError:
                pos = int(np.flatnonzero(indices == k)[0])
                raise InputError(
                    f"the text {b!r} is not valid {enc.label}. Save the file as UTF-8 (or pass the right "
                    f"encoding=, e.g. encoding='cp1252').",
                    file=name,
                    row=int(source_row[pos]),
                    column=header.cells[header.mapping[canon]],
                ) from None
    raise InputError(
        f"the file is not valid {enc.label} ({exc}). Save it as UTF-8 or pass encoding=.", file=name
    ) from None


def _single_byte_table(codec: str) -> np.ndarray:
    """Bytes of a single-byte encoding mapped to ASCII for amount parsing.

    No-break spaces → space, minus / en dash → ``-``, anything else
    non-ASCII → 0x01, which is never valid.
    """
    table = np.arange(256, dtype=np.uint8)
    for b in range(128, 256):
        ch = bytes([b]).decode(codec, errors="replace")
        table[b] = 0x20 if ch in (_NBSP, _NNBSP) else ord("-") if ch in (_MINUS, _EN_DASH) else 0x01
    return table


def _mapped_text(chunk: pa.Array, table: np.ndarray) -> pa.Array:
    """Single-byte amount text as ASCII ``large_string`` (see :func:`_single_byte_table`)."""
    offsets, data = _string_parts(chunk)
    mapped = data.copy()
    high = np.flatnonzero(data >= 0x80)
    mapped[high] = table[data[high]]
    return pa.Array.from_buffers(pa.large_string(), len(chunk), [None, pa.py_buffer(offsets), pa.py_buffer(mapped)])


#: Bytes of the window a fast-path amount's whole part is read from (two 64-bit words).
_FAST_WINDOW = 16
#: Rows per block of the fast amount parser: its temporaries stay in the CPU cache.
_FAST_ROWS = 1 << 15
_U64 = np.uint64
_U32 = np.uint32


def _byte_masks() -> tuple[np.ndarray, np.ndarray]:
    """For a whole part of ``k`` bytes ending a 16-byte window: 0xFF at its bytes, as (low, high) words."""
    masks = np.zeros((_FAST_WINDOW, _FAST_WINDOW), dtype=np.uint8)
    for k in range(_FAST_WINDOW):
        masks[k, _FAST_WINDOW - k :] = 0xFF
    words = masks.view("<u8")
    return np.ascontiguousarray(words[:, 0]), np.ascontiguousarray(words[:, 1])


_INSIDE_LOW, _INSIDE_HIGH = _byte_masks()
_EACH_BYTE = _U64(0x0101010101010101)
#: Bytes 3 and 7 places from the end of each word: where thousands separators go.
_GROUP_SEPARATORS = _U64(0x000000FF000000FF)


def _eight_digits(v: np.ndarray) -> np.ndarray:
    """Eight digit values, one per byte (the first byte most significant), as their integer."""
    v = ((v & _U64(0x0F0F0F0F0F0F0F0F)) * _U64(2561)) >> _U64(8)
    v = ((v & _U64(0x00FF00FF00FF00FF)) * _U64(6553601)) >> _U64(16)
    return ((v & _U64(0x0000FFFF0000FFFF)) * _U64(42949672960001)) >> _U64(32)


def _fast_amounts(
    offsets: np.ndarray, data: np.ndarray, decimal: int, separators: tuple[int, ...], out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | np.ndarray:
    """Parse the common amount shapes with integer arithmetic on the bytes, without regular expressions.

    The shapes are ``[-]digits[<decimal>dd]`` and ``[-]d{1,3}(<sep>ddd)+[<decimal>dd]``
    (no decimals or exactly two; at most 15 bytes before the decimals, 13
    with them). Every accepted row also matches the amount pattern of
    :func:`_parse_chunk`; the rest (other shapes, signs, errors, longer
    values) is left to it. Each value is read as the 16 bytes that end it,
    two 64-bit words whose bytes are checked and turned into digits eight
    at a time (SWAR); the value is the integer of the digits divided by 100
    (or 1), which is the correctly rounded float64 of the decimal text, as
    Arrow's parser gives. Blocks of :data:`_FAST_ROWS` rows keep the
    temporaries in cache.

    Returns ``(values, done)``: float64 euros (NaN where not done) and which
    rows were parsed; with ``out`` (float64, one per row), the values are
    written there and only ``done`` is returned.

    Examples
    --------
    >>> text = ["1 234,50", "-12,00", "7", "1234,56", "12 34,56", "1.234,56", "+1,00"]
    >>> data = np.frombuffer("".join(text).encode(), dtype=np.uint8)
    >>> offsets = np.cumsum([0] + [len(t) for t in text])
    >>> values, done = _fast_amounts(offsets, data, ord(","), (0x20,))
    >>> values[done].tolist(), done.tolist()
    ([1234.5, -12.0, 7.0, 1234.56], [True, True, True, True, False, False, False])
    """
    n = len(offsets) - 1
    values = np.empty(n) if out is None else out
    done = np.zeros(n, dtype=bool)
    if len(data) < _FAST_WINDOW:  # else the blocks below set every row
        values[:] = np.nan
    if n == 0 or len(data) == 0:
        return (values, done) if out is None else done
    seps = set(separators)
    if not seps <= {0x20, 0xA0}:  # another single-byte no-break space: read it as a space
        table = np.arange(256, dtype=np.uint8)
        table[0xA0] = 0x01
        table[list(seps)] = 0x20
        data = table[data]
        seps = {0x20}
    no_break = 0xA0 in seps
    if len(data) >= _FAST_WINDOW:
        for lo in range(0, n, _FAST_ROWS):
            hi = min(n, lo + _FAST_ROWS)
            values[lo:hi], done[lo:hi] = _fast_block(offsets[lo : hi + 1], data, decimal, no_break)
    # the first values, whose window would start before the data: again, behind 16 zero bytes
    head = int(np.searchsorted(offsets[1:], _FAST_WINDOW + 3, side="right"))
    if head:
        padded = np.zeros(_FAST_WINDOW + int(offsets[head]), dtype=np.uint8)
        padded[_FAST_WINDOW:] = data[: offsets[head]]
        values[:head], done[:head] = _fast_block(offsets[: head + 1] + _FAST_WINDOW, padded, decimal, no_break)
    return (values, done) if out is None else done


def _fast_block(offsets: np.ndarray, data: np.ndarray, decimal: int, no_break: bool) -> tuple[np.ndarray, np.ndarray]:
    """One block of :func:`_fast_amounts`: ``(values, done)`` of the rows between ``offsets``.

    Each value is read as the 16 bytes ending it: two 64-bit words, the low
    one 15 to 8 places from the end, the high one 7 to 0 (the byte r places
    from the end at bits ``8 * (7 - r % 8)``). A value whose window would
    start before ``data`` is not done.
    """
    starts = offsets[:-1]
    ends = offsets[1:]
    length = ends - starts
    negative = (data[np.minimum(starts, len(data) - 1)] == ord("-")) & (length > 1)
    body = length - negative
    windows = np.ndarray((len(data) - _FAST_WINDOW + 1,), dtype=f"V{_FAST_WINDOW}", buffer=data, strides=(1,))
    words = windows[np.maximum(ends, _FAST_WINDOW) - _FAST_WINDOW].view("<u8").reshape(-1, 2)
    low = words[:, 0]
    high = words[:, 1]
    # ',dd' at the end: two decimals
    tens = ((high >> _U64(48)) & _U64(0xFF)) - _U64(ord("0"))
    units = (high >> _U64(56)) - _U64(ord("0"))
    frac = (((high >> _U64(40)) & _U64(0xFF)) == decimal) & (tens < 10) & (units < 10) & (body >= 4)
    whole = body - 3 * frac
    # 1 to 15 digits (13 with decimals, which the window then also holds): exact in a float64
    ok = (whole >= 1) & (whole <= _FAST_WINDOW - 1 - 2 * frac) & (ends >= _FAST_WINDOW)
    whole[~ok] = 0
    # the whole part moved to the end of the window (by the 3 bytes of ',dd' where there are decimals)
    shift = frac.astype(np.uint64) * _U64(24)
    part = (high << shift) | (low >> (_U64(64) - shift))  # a shift by 64 gives 0
    third = (part >> _U64(32)) & _U64(0xFF)  # 3 places from the end of the whole part
    is_sep = ((third | _U64(0x80)) == 0xA0) if no_break else (third == 0x20)
    grouped = is_sep & (whole >= 5) & ((whole & 3) != 0)  # a separator before 3 digits, none first
    g = grouped.astype(np.uint64)
    number, wrong = _word_digits(part, _INSIDE_HIGH[whole], g, no_break)
    ok &= wrong == 0
    # the rare values of more than 8 bytes: their low word too (the separators 11 and 15 places from the end)
    long = np.flatnonzero(whole > 8)
    if len(long):
        more, wrong = _word_digits(low[long] << shift[long], _INSIDE_LOW[whole[long]], g[long], no_break)
        ok[long] &= wrong == 0
        number[long] += more * (_U64(100_000_000) - g[long] * _U64(99_000_000))
    f = frac.astype(np.uint64)
    value = (number * (_U64(1) + f * _U64(99)) + f * (tens * _U64(10) + units)).astype(np.float64)
    np.divide(value, 100.0, out=value, where=frac)
    np.negative(value, out=value, where=negative)
    value[~ok] = np.nan
    return value, ok


def _word_digits(word: np.ndarray, inside: np.ndarray, grouped: np.ndarray, no_break: bool) -> tuple[np.ndarray, np.ndarray]:
    """Eight bytes of a whole part: their integer and a non-zero ``wrong`` where they are not as expected.

    ``inside`` marks the bytes of the value; where ``grouped`` (0/1) the bytes
    3 and 7 places from the word's end must be separators, all others digits.
    The separators count as 0 digits and are taken out of the integer.
    """
    separator = inside & (grouped * _GROUP_SEPARATORS)
    digit_mask = inside ^ separator
    digit = word ^ (_EACH_BYTE * _U64(ord("0")))  # 0..9 where a digit
    wrong = (digit | (digit + _EACH_BYTE * _U64(6))) & (_EACH_BYTE * _U64(0xF0)) & digit_mask
    if no_break:  # 0x20 or 0xA0
        wrong |= ((word | (_EACH_BYTE * _U64(0x80))) ^ (_EACH_BYTE * _U64(0xA0))) & separator
    else:
        wrong |= (word ^ (_EACH_BYTE * _U64(0x20))) & separator
    number = _eight_digits(digit & digit_mask)
    number -= grouped * _U64(9000) * (number // _U64(10_000))  # 'd ddd' read as d0ddd
    return number, wrong


def _amount_jobs(amount_bin: pa.ChunkedArray, enc: _Encoding, out: np.ndarray) -> list[Callable[[], tuple[np.ndarray, bool, bool]]]:
    """One job per chunk of the amount column (bytes), writing its values into ``out``.

    Each job gives ``(bad positions in the column, whole, text_ok)``:
    ``whole``, every value of the chunk is a finite amount of whole cents
    (those of :func:`_fast_amounts` are by construction); ``text_ok``, the
    chunk is valid text in ``enc`` (in UTF-8 the values of the fast path are
    ASCII, the rest is checked). The common shapes are parsed by
    :func:`_fast_amounts` (in UTF-8 with the no-break space ``C2 A0`` read
    as one byte), the rest by the amount pattern (:func:`_parse_chunk`).
    Chunk by chunk (Arrow's blocks), the temporaries stay small and in cache,
    and the threads fill ``out`` directly.
    """
    starts = np.cumsum([0] + [len(c) for c in amount_bin.chunks])
    chunks = [(c, int(start)) for c, start in zip(amount_bin.chunks, starts) if len(c)]
    comma = any(bool(np.any(np.frombuffer(c.buffers()[2], dtype=np.uint8) == ord(","))) for c, _ in chunks
                if c.buffers()[2] is not None)
    utf8 = enc.name == "utf-8"
    table = None if utf8 else _single_byte_table(enc.name)
    # a space, and in a single-byte encoding the bytes that are no-break spaces
    separators = (0x20,) if table is None else tuple(int(b) for b in np.flatnonzero(table == 0x20))

    def one(chunk: pa.Array, start: int) -> tuple[np.ndarray, bool, bool]:
        offsets, data = _string_parts(chunk)
        values = out[start : start + len(chunk)]
        decimal = ord(",") if comma else ord(".")
        if utf8 and (nbsp := _utf8_no_break_spaces(chunk)) is not None:
            done = _fast_amounts(*nbsp, decimal, (0x20, 0xA0), out=values)
        else:
            done = _fast_amounts(offsets, data, decimal, separators, out=values)
        rest = np.flatnonzero(~done)
        if len(rest) == 0:
            return rest, True, True
        sub = chunk.take(pa.array(rest))
        if table is not None:
            sub_text = _mapped_text(sub, table)
        else:
            try:
                sub_text = pc.cast(sub, pa.string())  # validates UTF-8
            except pa.ArrowInvalid:
                return np.zeros(0, dtype=np.int64), False, False
        sub_values, sub_bad = _parse_chunk(sub_text, _string_parts(sub_text), comma)
        values[rest] = sub_values
        # the few values the pattern parsed (more decimals, other signs): their cents checked
        whole = len(sub_bad) == 0 and not _fractional_cents(sub_values).any()
        return rest[sub_bad] + start, whole, True

    return [partial(one, c, start) for c, start in chunks]


def _utf8_no_break_spaces(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """UTF-8 amount bytes with each no-break space ``C2 A0`` as the one byte ``A0``.

    None when there is none, or when some ``A0`` byte is not part of a
    no-break space (another character, or invalid UTF-8): then the amount
    pattern, which checks the text, reads the chunk's other values.

    Examples
    --------
    >>> offsets, data = _utf8_no_break_spaces(pa.array(["1\u00a0234,50".encode(), b"7"]))
    >>> offsets.tolist(), bytes(data)
    ([0, 8, 9], b'1\\xa0234,507')
    >>> _utf8_no_break_spaces(pa.array(["à 1,00".encode()])) is None
    True
    """
    offsets, data = _string_parts(chunk)
    if len(data) < 2:
        return None
    no_break = int(np.count_nonzero(data == 0xA0))
    if no_break == 0 or int(np.count_nonzero((data[:-1] == 0xC2) & (data[1:] == 0xA0))) != no_break:
        return None
    return _string_parts(pc.replace_substring(chunk, b"\xc2\xa0", b"\xa0"))


def _alternate(first: int, second: int) -> list[int]:
    """Positions of two consecutive job lists (``first`` then ``second`` jobs) taken in turn.

    Examples
    --------
    >>> _alternate(2, 4)
    [0, 2, 1, 3, 4, 5]
    """
    a, b = list(range(first)), list(range(first, first + second))
    turns = [j for pair in zip(a, b) for j in pair]
    return turns + a[len(b) :] + b[len(a) :]


def _run_jobs(jobs: list[Callable[[], Any]], n: int) -> list[Any]:
    """Results of ``jobs`` in order; on threads for ``n`` ≥ 100 000 lines (Arrow and NumPy release the GIL)."""
    workers = min(len(jobs), os.cpu_count() or 1) if n >= _PARALLEL_MIN_ROWS else 1
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda job: job(), jobs))
    return [job() for job in jobs]


def _csv_amounts(
    amount_bin: pa.ChunkedArray,
    enc: _Encoding,
    source_row: np.ndarray,
    name: str,
    header: str,
    done: tuple[np.ndarray, list[tuple[np.ndarray, bool, bool]]] | None = None,
) -> tuple[np.ndarray, bool]:
    """Amounts of a CSV column and whether all are known whole cents.

    ``done``: the output array and the results of :func:`_amount_jobs` that
    filled it, if they have run already.
    """
    if done is None:
        values = np.empty(len(source_row))
        results = _run_jobs(_amount_jobs(amount_bin, enc, values), len(source_row))
    else:
        values, results = done
    bad = np.concatenate([np.zeros(0, dtype=np.int64)] + [r[0] for r in results]).astype(np.int64)
    if len(bad):
        originals = [b.decode(enc.name, errors="replace") for b in amount_bin.take(pa.array(bad)).to_pylist()]
        _raise_amounts(name, header, source_row[bad], originals, "line")
    return values, all(r[1] for r in results)


def _diagnose_csv(
    data: bytes, data_start: int, header: _Header, delimiter: str, enc: _Encoding, name: str, exc: Exception
) -> None:
    """Find the line Arrow could not parse and say what is wrong with it."""
    text = _decode(data[data_start:], enc)
    ncols = len(header.cells)
    for line, fields in _record_lines(text, delimiter, header.line + 1):
        if len(fields) != ncols:
            shown = delimiter.join(fields)
            raise InputError(
                f"line {line} has {len(fields)} field(s) but the header on line {header.line} has {ncols} "
                f"(separator {delimiter!r}): {shown[:200]!r}. Remove notes or total lines below the table, "
                "quote fields that contain the separator, or pass sep= if the separator was guessed wrong.",
                file=name,
                row=line,
            ) from None
    raise InputError(f"the file could not be parsed as CSV ({exc}).", file=name) from None


# ---------------------------------------------------------------------------
# Excel


def _read_xlsx(
    path: Path,
    *,
    sheet: str | int | None,
    column_map: Mapping[str, str | None],
    defaults: Mapping[str, object],
) -> _Raw:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"the file could not be opened as an Excel workbook ({exc}).", file=name) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise InputError(f"the workbook has no sheet number {sheet} (sheets: {names}).", file=name)
            ws = wb.worksheets[sheet]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise InputError(f"the workbook has no sheet {sheet!r}; its sheets are {names}.", file=name)
        where = f"{name} [{ws.title}]" if len(names) > 1 else name
        rows_iter = ws.iter_rows(values_only=True)
        head: list[tuple[object, ...]] = []
        for row in rows_iter:
            head.append(row)
            if len(head) >= _HEADER_SCAN_XLSX:
                break
        if not any(any(v is not None and str(v).strip() for v in r) for r in head):
            raise InputError(
                "the sheet is empty. Choose the sheet with the ledger (sheet=) or export it again.", file=where
            )

        def candidates() -> Iterator[tuple[int, list[tuple[str | None, list[str]]]]]:
            for i, row in enumerate(head, start=1):
                cells = [("" if v is None else str(v)).strip() for v in row]
                if any(cells):
                    yield i, [(None, cells)]

        header = _choose_header(candidates(), column_map=column_map, defaults=defaults, name=where, where="row")
        _warn_header(header, where, column_map, defaults)
        wanted = header.mapping
        values: dict[str, list[object]] = {c: [] for c in wanted}
        excel_rows: list[int] = []

        def take(excel_row: int, row: tuple[object, ...]) -> None:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                return  # an empty row holds no data
            excel_rows.append(excel_row)
            for canon, i in wanted.items():
                values[canon].append(row[i] if i < len(row) else None)

        for i, row in enumerate(head[header.line :], start=header.line + 1):
            take(i, row)
        for i, row in enumerate(rows_iter, start=len(head) + 1):
            take(i, row)
    finally:
        wb.close()
    n = len(excel_rows)
    if n == 0:
        raise InputError(f"the sheet has a header on row {header.line} but no data rows below it.", file=where, row=header.line)
    source_row = np.asarray(excel_rows, dtype=np.int64)
    headers = {canon: header.cells[i] for canon, i in wanted.items()}
    columns: dict[str, Any] = {}
    for canon, vals in values.items():
        if canon == "amount":
            columns[canon] = _amounts_from_python(vals, source_row, where, headers[canon], "row")
        else:
            columns[canon] = _dict_from_python(vals)
    frame = _assemble(columns, n, name=name, source_row=source_row, defaults=defaults)
    return _Raw(frame, where, headers, {"sheet": ws.title, "header_row": header.line})


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
    cells = [c for c in cols]

    def candidates() -> Iterator[tuple[int, list[tuple[str | None, list[str]]]]]:
        yield 1, [(None, cells)]

    header = _choose_header(candidates(), column_map=column_map, defaults=defaults, name=name, where="header")
    header.ignored = [c for c in header.ignored if c not in passthrough]
    _warn_header(header, name, column_map, defaults)
    n = len(table) if isinstance(table, pd.DataFrame) else table.num_rows
    if n == 0:
        raise InputError("the table has columns but no rows.", file=name)

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
            raise InputError("sheet=, encoding= and sep= apply to files, not to a DataFrame.")
        return _read_table(source, name="<memory>", column_map=cmap, defaults=dflt)
    if not isinstance(source, (str, os.PathLike)):
        raise InputError(f"source must be a file path or a pandas DataFrame, got {type(source).__name__}")
    path = Path(source)
    name = path.name
    if not path.is_file():
        raise InputError(f"no such file: {str(path)!r}. Check the path (relative to {Path.cwd()}).", file=name)
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in _XLSX_SUFFIXES:
        raise InputError("sheet= applies only to Excel files (.xlsx, .xlsm).", file=name)
    if suffix in _CSV_SUFFIXES:
        return _read_csv(path, column_map=cmap, defaults=dflt, encoding=encoding, sep=sep)
    if encoding is not None or sep is not None:
        raise InputError("encoding= and sep= apply only to CSV files (.csv, .txt, .tsv).", file=name)
    if suffix in _XLSX_SUFFIXES:
        return _read_xlsx(path, sheet=sheet, column_map=cmap, defaults=dflt)
    if suffix in _PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"the file could not be read as Parquet ({exc}).", file=name) from None
        return _read_table(table, name=name, column_map=cmap, defaults=dflt)
    old_excel = " (save .xls/.ods workbooks as .xlsx first)" if suffix in (".xls", ".ods") else ""
    raise InputError(
        f"unsupported file type {suffix or '(none)'!r}; use .csv/.txt/.tsv, .xlsx/.xlsm or .parquet"
        f"{old_excel} (or read the data into a DataFrame and pass that).",
        file=name,
    )


def _validate(raw: _Raw, check_codes: bool, registry: Any = None) -> pd.DataFrame:
    try:
        # the frame was built here and is not shared: validation may keep its arrays without copies
        out = _validate_ledger(raw.frame, check_codes=check_codes, file=raw.name, registry=registry, owned=True,
                               whole_cents=raw.whole_cents)
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
            note = " In " + raw.name + ": " + ", ".join(f"{c} is column {raw.headers[c]!r}" for c in used) + "."
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
    [{'org_code': '564', 'phase': 'actual', 'service_class': '3021', 'amount': 1234.5, 'source_row': 3}, {'org_code': '564', 'phase': 'actual', 'service_class': '3051', 'amount': -300.0, 'source_row': 4}]
    >>> led.attrs["encoding"], led.attrs["delimiter"]
    ('cp1252', ';')
    """
    raw = _read_raw(source, sheet=sheet, column_map=column_map, defaults=defaults, encoding=encoding, sep=sep)
    return _validate(raw, check_codes, registry)


# ---------------------------------------------------------------------------
# statistics


def _task_reference() -> pd.DataFrame | None:
    try:
        from ._reference import task_classes  # type: ignore[attr-defined]
    except ImportError:
        return None
    table = task_classes()
    return table if isinstance(table, pd.DataFrame) else None


def read_statistics(
    source: str | Path | pd.DataFrame,
    *,
    phase: str = "actual",
    return_totals: bool = False,
    check_codes: bool = True,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Read the long statistics format (organisation × year × task × amount) and reconcile it.

    The format is Statistics Finland's net operating costs by task
    (``muni, year, func, amount``; also Finnish headers such as ``Alue,
    Vuosi, Tehtävä, Euroa`` and the ``;``/decimal-comma dialect). Aggregate
    rows (names ending in *yhteensä*, or flagged ``is_aggregate`` in
    :func:`lapsibudjetti._reference.task_classes`) are totals, not
    services: for every organisation-year the other rows must sum to
    *Käyttötalous yhteensä* to the cent, and each sub-aggregate to the tasks
    whose ``parent`` (in ``task_classes()``) it is.

    Parameters
    ----------
    source
        Path (CSV, Excel, Parquet) or DataFrame.
    phase
        Phase of every line (``"actual"``, ``"budget"``, ``"revised_budget"``
        or a synonym such as ``"TP"``).
    return_totals
        Also return the aggregate rows.
    check_codes
        Check task/service classes and municipality codes against the
        packaged reference data.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        The canonical ledger of the service rows (``org_type``
        municipality; ``task_class`` the task name, or ``service_class``
        when the value is a 4-digit code); with ``return_totals=True`` also
        the totals with columns ``org_type, org_code, year, phase,
        task_class, amount``. Municipality codes are zero-padded to three
        digits (the known format of these files, so without a warning).

    Raises
    ------
    ReconciliationError
        Listing the organisation-years whose rows do not sum to their
        totals; ``err.rows`` has ``org_code, year, total`` (the aggregate's
        name), ``total_euros, parts_euros, difference_euros, source_file,
        source_row`` (of the total row) and ``problem``.
    InputError
        As :func:`read_ledger`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kta.csv"
    >>> _ = path.write_text("muni,year,func,amount\\n"
    ...     "5,2019,Perusopetus,100.0\\n5,2019,Esiopetus,20.0\\n"
    ...     "5,2019,Opetus- ja kulttuuritoiminta yhteensä,120.0\\n"
    ...     "5,2019,Käyttötalous yhteensä,120.0\\n", encoding="utf-8")
    >>> led, totals = read_statistics(path, return_totals=True, check_codes=False)
    >>> led[["org_code", "task_class", "amount", "source_row"]].to_dict("records")
    [{'org_code': '005', 'task_class': 'Perusopetus', 'amount': 100.0, 'source_row': 2}, {'org_code': '005', 'task_class': 'Esiopetus', 'amount': 20.0, 'source_row': 3}]
    >>> totals[["org_code", "task_class", "amount"]].to_dict("records")[-1]
    {'org_code': '005', 'task_class': 'Käyttötalous yhteensä', 'amount': 120.0}
    """
    phase_value = _clean_value(str(phase), "phase")
    if phase_value not in PHASES:
        raise InputError(f"phase must be one of {', '.join(PHASES)} (or TP/TA/muutettu TA), got {phase!r}")
    raw = _read_raw(
        source,
        sheet=None,
        column_map=None,
        defaults={"org_type": "municipality", "phase": phase_value},
        encoding=None,
        sep=None,
    )
    frame = raw.frame
    frame = _split_class_column(frame)
    frame["org_code"] = _pad_codes(frame["org_code"])
    raw = _Raw(frame, raw.name, raw.headers, raw.meta)
    full = _validate(raw, check_codes=False)

    names = full["task_class"]
    aggregate_names, parents = _aggregates(names.cat.categories)
    is_agg = names.isin(aggregate_names).to_numpy()
    _reconcile(full, is_agg, aggregate_names, parents, raw.name)

    services = full.loc[~is_agg].reset_index(drop=True)
    services = services.assign(
        **{c: services[c].cat.remove_unused_categories() for c in services.columns if isinstance(services[c].dtype, pd.CategoricalDtype)}
    )
    ledger = _validate(_Raw(services, raw.name, raw.headers, raw.meta), check_codes=check_codes)
    if not return_totals:
        return ledger
    tot = full.loc[is_agg, ["org_type", "org_code", "year", "phase", "task_class", "amount"]].reset_index(drop=True)
    for c in ("org_type", "org_code", "phase", "task_class"):
        tot[c] = tot[c].cat.remove_unused_categories()
    return ledger, tot


def _split_class_column(frame: pd.DataFrame) -> pd.DataFrame:
    """4-digit codes go to ``service_class``, names to ``task_class``."""
    frame = frame.copy()
    sc, tc = frame["service_class"], frame["task_class"]
    combined = tc.astype(object).where(tc.notna(), sc.astype(object))
    cat = combined.astype("category")
    codes = cat.cat.codes.to_numpy().astype(np.int64)
    values: list[str] = [str(v) for v in cat.cat.categories]
    service_vals: list[str | None] = []
    task_vals: list[str | None] = []
    for v in values:
        code = _clean_value(v, "service_class")
        if code is not None and _FOUR_DIGITS.match(code):
            service_vals.append(code)
            task_vals.append(None)
        else:
            service_vals.append(None)
            task_vals.append(v)
    frame["service_class"] = _categorical_from(codes, service_vals)
    frame["task_class"] = _categorical_from(codes, task_vals)
    return frame


def _pad_codes(codes: pd.Series) -> pd.Categorical:
    cats = [str(c) for c in codes.cat.categories]
    padded = [c.zfill(3) if c.isdigit() and len(c) < 3 else c for c in cats]
    return _categorical_from(codes.cat.codes.to_numpy().astype(np.int64), padded)


def _aggregates(names: pd.Index) -> tuple[list[str], dict[str, str]]:
    """Aggregate task names present, and ``task -> parent aggregate`` from the reference."""
    ref = _task_reference()
    ref_agg: set[str] = set()
    parents: dict[str, str] = {}
    if ref is not None and {"name_fi", "is_aggregate"} <= set(ref.columns):
        by_norm = {_norm(n): str(n) for n in names}
        for row in ref.itertuples(index=False):
            key = _norm(row.name_fi)
            if bool(row.is_aggregate):
                ref_agg.add(key)
            parent = getattr(row, "parent", None)
            if key in by_norm and isinstance(parent, str) and parent.strip():
                parents[by_norm[key]] = parent.strip()
    aggregates = [
        str(n) for n in names if _norm(n).endswith(_AGGREGATE_SUFFIXES) or _norm(n) in ref_agg
    ]
    return aggregates, parents


def _reconcile(
    full: pd.DataFrame, is_agg: np.ndarray, aggregates: list[str], parents: dict[str, str], name: str
) -> None:
    cents = amount_cents(full["amount"])
    keys = ["org_code", "year"]
    grand = {_norm(g) for g in _GRAND_TOTAL_NAMES}
    grand_names = [a for a in aggregates if _norm(a) in grand]
    if not grand_names:
        warnings.warn(
            f"{name}: no '{_GRAND_TOTAL_NAMES[0]}' rows, so the task rows could not be reconciled with a total.",
            LapsibudjettiWarning,
            stacklevel=3,
        )
    task_obj = full["task_class"].astype(object)
    task = task_obj.where(task_obj.notna(), full["service_class"].astype(object))
    base = pd.DataFrame(
        {
            "org_code": full["org_code"].astype(object),
            "year": full["year"],
            "task": task,
            "cents": cents,
            "row": full["source_row"],
        }
    )
    parts = base.loc[~is_agg]
    totals = base.loc[is_agg]
    problems: list[pd.DataFrame] = []

    # which aggregate each service row belongs to (following the parent chain)
    def ancestors(t: str) -> set[str]:
        seen: set[str] = set()
        while t in parents and parents[t] not in seen:
            t = parents[t]
            seen.add(t)
        return seen

    checks: list[tuple[str, np.ndarray]] = []
    for g in grand_names:
        checks.append((g, np.ones(len(parts), dtype=bool)))
    task_names = parts["task"].to_numpy(dtype=object)
    uniq = pd.unique(task_names)
    anc = {t: {_norm(a) for a in ancestors(t)} for t in uniq}
    for a in aggregates:
        if a in grand_names:
            continue
        key = _norm(a)
        members = {t for t in uniq if key in anc[t]}
        if members:
            checks.append((a, np.isin(task_names, list(members))))

    for agg, member in checks:
        got = totals.loc[totals["task"] == agg]
        dup = got.duplicated(keys, keep=False)
        dup_keys = pd.MultiIndex.from_frame(got.loc[dup, keys]) if dup.any() else None
        if dup.any():
            d = got.loc[dup]
            problems.append(
                pd.DataFrame(
                    {
                        "org_code": d["org_code"], "year": d["year"], "total": agg,
                        "total_euros": d["cents"] / 100, "parts_euros": np.nan, "difference_euros": np.nan,
                        "source_file": name, "source_row": d["row"], "problem": "total given more than once",
                    }
                )
            )
            got = got.loc[~dup]
        sums = parts.loc[member].groupby(keys, sort=False)["cents"].sum()
        tot = got.set_index(keys)
        joined = tot.join(sums.rename("parts"), how="outer")
        if agg in grand_names:
            # every organisation-year with task rows needs its grand total
            orgs_years = parts.groupby(keys, sort=False).size().index
            joined = joined.reindex(joined.index.union(orgs_years))
        parts_c = joined["parts"].fillna(0).astype(np.int64)
        has_total = joined["cents"].notna()
        total_c = joined["cents"].fillna(0).astype(np.int64)
        bad = (~has_total) | (parts_c != total_c)
        if dup_keys is not None:  # already reported as duplicated
            bad &= ~joined.index.isin(dup_keys)
        if bad.any():
            b = joined.loc[bad]
            problems.append(
                pd.DataFrame(
                    {
                        "org_code": b.index.get_level_values(0),
                        "year": b.index.get_level_values(1),
                        "total": agg,
                        "total_euros": np.where(b["cents"].notna(), b["cents"] / 100, np.nan),
                        "parts_euros": parts_c[bad].to_numpy() / 100,
                        "difference_euros": (parts_c[bad] - total_c[bad]).to_numpy() / 100,
                        "source_file": name,
                        "source_row": b["row"].to_numpy(),
                        "problem": np.where(b["cents"].notna(), "parts do not sum to the total", "total row missing"),
                    }
                )
            )
    if problems:
        rows = pd.concat(problems, ignore_index=True).sort_values(["org_code", "year", "total"], kind="stable")
        rows = rows.reset_index(drop=True)
        listed = "; ".join(
            f"{r.org_code} {r.year} {r.total!r}: {r.problem}"
            + (f" (total {r.total_euros:,.2f} €, parts {r.parts_euros:,.2f} €)" if r.total_euros == r.total_euros and r.parts_euros == r.parts_euros else "")
            for r in rows.head(_MAX_LISTED).itertuples()
        )
        more = f" … and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
        raise ReconciliationError(
            f"{name}: {len(rows)} organisation-year total(s) do not reconcile with their task rows: {listed}{more}. "
            "Check that the file is complete (no task rows missing, duplicated or from another table) and that "
            "every organisation-year has its total row.",
            rows=rows,
            file=name,
        )
