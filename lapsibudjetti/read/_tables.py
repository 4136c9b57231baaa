"""Small side tables users keep in Excel or CSV: rules, keys, population, price index.

Ledgers have their own fast reader (``_read.py``); these tables are small,
so one simple reader serves them all: CSV with ``;``, ``,`` or tab (UTF-8
with or without BOM, or Windows-1252), XLSX and Parquet, every cell as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .._errors import PLACE, InputError
from ..reference._labels import default_lang, say, text
from ._amounts import _ambiguous_groups
from ._encoding import _UTF8_SIGNS

__all__ = ["number_text", "read_text_table", "source_rows"]


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


def _what(what: str) -> str:
    """The name of a kind of table (``key table``) in the session's language."""
    return text(f"table.{what.replace(' ', '_')}", default_lang(), default=what)


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
        raise InputError(say("table.not_found", what=_what(what), path=path), file=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, sheet_name=sheet).fillna("")
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path).astype(str)
        elif suffix in (".csv", ".txt", ".tsv"):
            text = _decode_table(path.read_bytes(), what, path.name)
            frame = _csv_table(text, what, path.name)
        else:
            raise InputError(say("table.suffix", what=_what(what), suffix=repr(path.suffix)), file=path.name)
    except (ValueError, OSError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(say("table.unreadable", what=_what(what), reason=exc), file=path.name) from exc
    rows = frame.attrs.get("source_rows", list(range(2, len(frame) + 2)))
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["source_rows"] = rows
    for col in numeric:
        if col in frame:
            _refuse_ambiguous_numbers(frame[col], what, path.name, rows)
            frame[col] = number_text(frame[col])
    return frame


def source_rows(frame: pd.DataFrame) -> list[int]:
    """The row of each record as the user sees it in the file (line of a CSV record's start; blank lines counted).

    Set by :func:`read_text_table`; for other frames the header is row 1 and records follow it.

    Examples
    --------
    >>> source_rows(pd.DataFrame({"a": ["x", "y"]}))
    [2, 3]
    """
    rows = frame.attrs.get("source_rows")
    return list(rows) if rows is not None and len(rows) == len(frame) else list(range(2, len(frame) + 2))


def _csv_table(text: str, what: str, name: str) -> pd.DataFrame:
    """Every record of a CSV text as text cells, with the line on which each record starts (``attrs["source_rows"]``).

    Blank lines are skipped but counted, and a quoted cell with a line break
    makes its record span lines, so the rows named in messages are the lines
    an editor shows. A record with more cells than the header is refused.

    Examples
    --------
    >>> f = _csv_table('a;b\\n\\n1;"x\\ny"\\n2;z\\n', "rules", "r.csv")
    >>> f.to_dict("records"), f.attrs["source_rows"]
    ([{'a': '1', 'b': 'x\\ny'}, {'a': '2', 'b': 'z'}], [3, 5])
    """
    first = text.lstrip("\r\n").split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header: list[str] | None = None
    records: list[list[str]] = []
    starts: list[int] = []
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record:
                continue
            if header is None:
                header = [c.strip() for c in record]
                continue
            if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
                raise InputError(say("table.cells", what=_what(what), line=start, n=len(record), header=len(header), sep=repr(sep)),
                                 file=name, row=start)
            records.append((record + [""] * len(header))[: len(header)])
            starts.append(start)
    except csv.Error as exc:
        raise InputError(say("table.bad_csv", what=_what(what), line=reader.line_num, reason=exc), file=name, row=reader.line_num) from None
    if header is None:
        raise InputError(say("table.empty", what=_what(what)), file=name)
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header, dtype=object)
    frame.attrs["source_rows"] = starts
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
    lapsibudjetti._errors.InputError: k.csv, rivi 2: avaintaulukko: kaksi merkistöä sekaisin: rivi 2 ei ole UTF-8:aa mutta rivi 1 on; ...
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
            say("table.mixed_encodings", what=_what(what), line=line, good=good),
            file=name,
            row=line,
        ) from None


def _refuse_ambiguous_numbers(values: pd.Series, what: str, name: str, rows_of: list[int]) -> None:
    """Refuse numbers like ``1.500`` or ``1,500`` when no value of the column shows the decimal mark.

    ``1.500`` pupils read as 1,5 would make a key share a thousand times too
    small. The rule is the ledger reader's (:func:`_ambiguous_groups`).

    Examples
    --------
    >>> _refuse_ambiguous_numbers(pd.Series(["0,125", "1,5"]), "key table", "k.csv", [2, 3])  # proven decimal
    >>> _refuse_ambiguous_numbers(pd.Series(["1.500", "750"]), "key table", "k.csv", [2, 3])
    Traceback (most recent call last):
    ...
    lapsibudjetti._errors.InputError: k.csv, rivi 2: avaintaulukko: 1 arvoa on monitulkintaisia: rivi 2: '1.500'. ...
    """
    text = values.astype(str)
    for mark in (".", ","):
        if not text.str.contains(mark, regex=False).any():
            continue
        bad = _ambiguous_groups([pa.array(text.tolist(), type=pa.string())], mark)
        if len(bad):
            rows = [rows_of[int(i)] for i in bad]
            shown = ", ".join(f"{PLACE[0]('row', r)}: {text.iloc[i]!r}" for r, i in list(zip(rows, bad))[:5])
            raise InputError(
                say("table.ambiguous", what=_what(what), n=len(bad), shown=shown, mark=repr(mark)),
                file=name,
                row=rows[0],
                column=None if values.name is None else str(values.name),
            )
