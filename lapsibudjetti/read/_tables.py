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
import pyarrow as pa

from .._errors import InputError
from ._amounts import _ambiguous_groups
from ._encoding import _UTF8_SIGNS

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
            text = _decode_table(path.read_bytes(), what, path.name)
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
    header_row = 1
    for col in numeric:
        if col in frame:
            _refuse_ambiguous_numbers(frame[col], what, path.name, header_row)
            frame[col] = number_text(frame[col])
    return frame


def _decode_table(raw: bytes, what: str, name: str) -> str:
    """UTF-8 (with or without BOM) or else Windows-1252; a file that mixes the two is refused, naming the line.

    Examples
    --------
    >>> _decode_table("avain;osuus\\npäiväkoti;0,5\\n".encode("cp1252"), "key table", "k.csv")[:11]
    'avain;osuus'
    >>> _decode_table("a;ä\\n".encode() + "b;ö\\n".encode("cp1252"), "key table", "k.csv")
    Traceback (most recent call last):
    ...
    lapsibudjetti._errors.InputError: k.csv, row 2: the key table mixes two encodings: line 2 is not UTF-8 ...
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        sign = _UTF8_SIGNS.search(raw)
        if sign is None:
            return raw.decode("cp1252")  # a byte Windows-1252 does not have is refused by the caller, never guessed
        line = raw[: exc.start].count(b"\n") + 1
        good = raw[: sign.start()].count(b"\n") + 1
        raise InputError(
            f"the {what} mixes two encodings: line {line} is not UTF-8 but line {good} is; read either way one of "
            f"them would be garbled. Fix the letters (ä, ö, å) on line {line} or save the whole file as UTF-8.",
            file=name,
            row=line,
        ) from None


def _refuse_ambiguous_numbers(values: pd.Series, what: str, name: str, header_row: int) -> None:
    """Refuse numbers like ``1.500`` or ``1,500`` when no value of the column shows the decimal mark.

    ``1.500`` pupils read as 1,5 would make a key share a thousand times too
    small. The rule is the ledger reader's (:func:`_ambiguous_groups`).

    Examples
    --------
    >>> _refuse_ambiguous_numbers(pd.Series(["0,125", "1,5"]), "key table", "k.csv", 1)  # proven decimal
    >>> _refuse_ambiguous_numbers(pd.Series(["1.500", "750"]), "key table", "k.csv", 1)
    Traceback (most recent call last):
    ...
    lapsibudjetti._errors.InputError: k.csv, row 2: 1 value(s) of the key table are ambiguous: ...
    """
    text = values.astype(str)
    for mark in (".", ","):
        if not text.str.contains(mark, regex=False).any():
            continue
        bad = _ambiguous_groups([pa.array(text.tolist(), type=pa.string())], mark)
        if len(bad):
            rows = [int(i) + header_row + 1 for i in bad]
            shown = ", ".join(f"row {r}: {text.iloc[i]!r}" for r, i in list(zip(rows, bad))[:5])
            raise InputError(
                f"{len(bad)} value(s) of the {what} are ambiguous: {shown}. A {mark!r} followed by three digits may "
                f"separate thousands (1{mark}500 = 1 500) or be the decimal mark, and no value of the column shows "
                "which. Write 1500 (or 1 500) for a thousand and a half, 1,5 for one and a half.",
                file=name,
                row=rows[0],
                column=None if values.name is None else str(values.name),
            )
