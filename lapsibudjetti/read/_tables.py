"""Small side tables users keep in Excel or CSV: rules, keys, population, price index.

Ledgers have their own fast reader (``_read.py``); these tables are small,
so one simple reader serves them all: CSV with ``;``, ``,`` or tab (UTF-8
with or without BOM, or Windows-1252), XLSX and Parquet, every cell as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .._errors import InputError

__all__ = ["number_text", "read_text_table"]


def number_text(values: pd.Series) -> pd.Series:
    """Numbers written the Finnish way as text ``pd.to_numeric`` reads: ``1 234,5`` → ``1234.5``.

    Spaces and no-break spaces between thousands are dropped, a decimal
    comma becomes a dot and a U+2212 minus a hyphen. The one normaliser of
    side-table numbers (keys, population, price index).

    Examples
    --------
    >>> number_text(pd.Series(["1\u00a0234,5", "\u22120,25", " 7 "])).tolist()
    ['1234.5', '-0.25', '7']
    """
    return (values.astype(str).str.strip().str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
            .str.replace("\u2212", "-", regex=False).str.replace(",", ".", regex=False))


def read_text_table(path: str | Path, *, what: str = "table", numeric: Iterable[str] = (), sheet: str | int = 0) -> pd.DataFrame:
    """Read a small table with every cell as text (empty cells as ``""``).

    Parameters
    ----------
    path
        A ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm`` or ``.parquet`` file.
    what
        What the table is, for messages ("key table", "price index" …).
    numeric
        Columns holding numbers written the Finnish way: spaces and
        non-breaking spaces are dropped, a decimal comma becomes a dot and
        a U+2212 minus a hyphen, so ``pd.to_numeric`` can read them.
    sheet
        Sheet of an XLSX file.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "keys.csv")
    >>> _ = open(p, "w", encoding="utf-8-sig").write("key;share\\npupils;0,25\\n")
    >>> read_text_table(p, numeric=["share"]).to_dict("records")
    [{'key': 'pupils', 'share': '0.25'}]
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{what} file not found: {path}", file=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, sheet_name=sheet).fillna("")
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path).astype(str)
        elif suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
            first = text.split("\n", 1)[0]
            sep = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        else:
            raise InputError(f"a {what} must be a .csv, .xlsx or .parquet file, not {path.suffix!r}", file=path.name)
    except (ValueError, OSError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"the {what} file could not be read ({exc}); save it as CSV, XLSX or Parquet", file=path.name) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in numeric:
        if col in frame:
            frame[col] = number_text(frame[col])
    return frame
