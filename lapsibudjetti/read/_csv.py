"""CSV container: Arrow splits the bytes, text columns are dictionary-encoded, amounts parsed on threads."""

from __future__ import annotations

import csv
import io
import mmap
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .._errors import InputError, LapsibudjettiWarning
from .._schema import _fractional_cents
from ..reference._labels import say

if TYPE_CHECKING:  # pragma: no cover
    pass
from ._amounts import _ambiguous_groups, _parse_chunk, _raise_amounts, _string_parts
from ._columns import _assemble, _Dict, _Raw
from ._encoding import (
    _NONSPACE,
    _UTF8_SIGNS,
    _count_newlines,
    _decode,
    _Encoding,
    _head_lines,
    _mapped_text,
    _prepare_encoding,
    _single_byte_table,
    _split,
    _utf8_no_break_spaces,
)
from ._fast import _U32, _fast_amounts
from ._header import _choose_header, _Header, _map_cells, _warn_header
from ._text import _CSV_BLOCK, _DELIMITERS, _HEADER_SCAN_CSV, _PARALLEL_MIN_ROWS


def _record_lines(text: str, delimiter: str, first_line: int) -> Iterator[tuple[int, int, list[str]]]:
    """Records of CSV text with the physical lines on which each starts and ends (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    prev = 0
    for fields in reader:
        start = prev + 1
        prev = reader.line_num
        if not fields:
            continue
        yield first_line + start - 1, first_line + prev - 1, fields


def _swallowed_lines(start: int, end: int, fields: list[str], delimiter: str, ncols: int, name: str) -> None:
    """Refuse a record whose quoted field spans lines and holds a whole record's worth of separators.

    A name with a line break in quotes is a legitimate CSV field; but when
    the quoted text holds at least as many separators as a line has (and a
    line break), a quote was opened and not closed: the lines up to the next
    quote character were read as one field, and their euros were lost.

    Examples
    --------
    >>> _swallowed_lines(5, 6, ["091", "Koulu A\\nrakennus B", "300"], ";", 3, "l.csv")  # a two-line name
    >>> _swallowed_lines(5, 7, ["091", "Koulu A;100\\n091;Koulu B;200\\n091;Sali 24", "300"], ";", 3, "l.csv")
    Traceback (most recent call last):
    ...
    lapsibudjetti._errors.InputError: l.csv, rivi 5: rivillä 5 avattu lainausmerkki jatkuu riville 7, ...
    """
    if end == start:
        return
    for field in fields:
        if ("\n" in field or "\r" in field) and field.count(delimiter) >= max(ncols - 1, 1):
            shown = field.replace("\r\n", "\n").split("\n")[0]
            raise InputError(
                say("read.quote_runs_on", start=start, end=end, shown=repr(shown[:80]), n=field.count(delimiter), sep=repr(delimiter),
                    breaks=end - start),
                file=name,
                row=start,
            )


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
            say("read.empty_file"),
            file=name,
        )
    if sep is not None:
        if sep in ("tab", "\\t"):
            sep = "\t"
        if not isinstance(sep, str) or len(sep) != 1:
            raise InputError(say("arg.type", name="sep", expected=say("what.separator"), got=repr(sep)), file=name)
    delimiters = (sep,) if sep is not None else _DELIMITERS
    header = _find_header(data, start, enc, delimiters, column_map, defaults, name)
    delimiter = header.delimiter or ","
    data_start = header.end
    end = len(data)
    while end > data_start and data[end - 1] in (10, 13):  # trailing newlines and blank lines
        end -= 1
    if _NONSPACE.search(data, data_start, end) is None:
        raise InputError(
            say("read.no_lines", line=header.line),
            file=name,
            row=header.line,
        )
    names = [f"c{i}" for i in range(len(header.cells))]
    needed = dict(header.mapping.items())
    unnamed = [i for i, c in enumerate(header.cells) if not c.strip()]
    table, exact = _arrow_table(data, data_start, end, header, names, needed, unnamed, enc, name)
    n = table.num_rows
    if n == 0:  # pragma: no cover - excluded by the check above
        raise InputError(
            say("read.no_lines", line=header.line),
            file=name,
            row=header.line,
        )

    source_row = _source_rows(data, data_start, end, n, header, exact, enc, name)

    for i in unnamed:
        col = table.column(names[i])
        if len(col) and pc.max(pc.binary_length(col)).as_py():
            header.ignored.append(say("read.unnamed_column", n=i + 1))
    _warn_header(header, name, column_map, defaults)

    columns, whole_cents, enc = _columns(table, names, needed, n, enc, header, name, source_row)
    frame = _assemble(columns, n, name=name, source_row=source_row, defaults=defaults)
    headers = {canon: header.cells[i] for canon, i in needed.items()}
    meta: dict[str, object] = {"encoding": enc.label, "delimiter": delimiter, "header_row": header.line}
    return _Raw(frame, name, headers, meta, whole_cents=whole_cents)


def _find_header(data: Any, start: int, enc: _Encoding, delimiters: tuple[str, ...], column_map: Mapping[str, str | None],
                 defaults: Mapping[str, object], name: str) -> _Header:
    """The header among the first lines (and its delimiter); ``header.end`` is where the data begin."""
    lines = _head_lines(data, start, _HEADER_SCAN_CSV)
    ends = {line: end for line, end, _ in lines}

    def candidates() -> Iterator[tuple[int, list[tuple[str | None, list[str]]]]]:
        for line, _, raw_line in lines:
            try:
                text = raw_line.decode(enc.name)
            except UnicodeDecodeError:
                if enc.given:
                    raise InputError(
                        say("read.line_not_encoding", line=line, enc=enc.label, text=repr(raw_line[:120])),
                        file=name,
                        row=line,
                    ) from None
                text = _decode(raw_line, enc)
            if not text.strip():
                continue
            variants: list[tuple[str | None, list[str]]] = [(d, _split(text, d)) for d in delimiters]
            # most recognised cells first
            variants.sort(key=lambda v: -len({m for m in _map_cells(v[1], column_map) if m}))
            yield line, variants

    header = _choose_header(candidates(), column_map=column_map, defaults=defaults, name=name, where="line")
    header.end = ends[header.line]
    return header


def _arrow_table(data: Any, data_start: int, end: int, header: _Header, names: list[str], needed: dict[str, int],
                 unnamed: list[int], enc: _Encoding, name: str) -> tuple[pa.Table, bool]:
    """Arrow splits the data lines into byte columns; ``exact``: one record per line (no counting needed)."""
    delimiter = header.delimiter or ","
    column_types: dict[str, pa.DataType] = {}
    for i in needed.values():
        # bytes; text columns are dictionary-encoded afterwards, one column per thread, which is
        # about twice as fast as Arrow's dictionary conversion while parsing
        column_types[names[i]] = pa.binary()
    for i in unnamed:
        column_types[names[i]] = pa.binary()
    include = [names[i] for i in sorted(set(needed.values()) | set(unnamed))]
    quoted = data.find(b'"', data_start, end) >= 0
    body = pa.py_buffer(data).slice(data_start, end - data_start)

    def parse_block(source: pa.Buffer, ignore_empty_lines: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(source),
            # never Arrow's own thread pool: its tasks can outlive a failed read and abort the interpreter at exit
            # ("terminate called without an active exception"); the blocks run on a Python pool, joined on every path
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=_CSV_BLOCK),
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

    bounds = _record_blocks(data, data_start, end, quoted)

    def parse(ignore_empty_lines: bool) -> pa.Table:
        blocks = [body.slice(lo - data_start, hi - lo) for lo, hi in bounds]
        try:
            tables = _run_jobs([partial(parse_block, b, ignore_empty_lines) for b in blocks], len(blocks) * _PARALLEL_MIN_ROWS)
        except pa.ArrowException:
            if len(blocks) == 1 or not quoted:
                raise
            # a quote character inside an unquoted field can mislead the cut between blocks: read in one piece
            return parse_block(body, ignore_empty_lines)
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables)

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
    return table, exact


def _record_blocks(data: Any, start: int, end: int, quoted: bool) -> list[tuple[int, int]]:
    """``data[start:end]`` cut into about one block per core (at least 4 MiB each) at the ends of records.

    A cut is made after a line break; where the file has quotes, only after
    a line break preceded by an even number of quote characters (outside a
    quoted field). Each block is then parsed on its own thread.

    Examples
    --------
    >>> text = b'a;1\\n"b\\nc";2\\nd;3\\n' * 3
    >>> _record_blocks(text, 0, len(text), quoted=True)
    [(0, 48)]
    """
    size = end - start
    cores = os.cpu_count() or 1
    target = max(_CSV_BLOCK, -(-size // cores))
    bounds: list[tuple[int, int]] = []
    lo = start
    parity = 0  # quotes in data[start:lo], modulo 2
    while end - lo > target + target // 2:
        cut = data.find(b"\n", lo + target, end)
        if cut < 0:
            break
        if quoted:
            p = (parity + _count_quotes(data, lo, cut)) % 2
            while p and cut >= 0:  # inside a quoted field: the next line break
                nxt = data.find(b"\n", cut + 1, end)
                if nxt < 0:
                    cut = -1
                    break
                p = (p + _count_quotes(data, cut, nxt)) % 2
                cut = nxt
            if cut < 0:
                break
            parity = 0
        bounds.append((lo, cut + 1))
        lo = cut + 1
    bounds.append((lo, end))
    return bounds


def _count_quotes(data: Any, lo: int, hi: int) -> int:
    """Number of ``"`` bytes in ``data[lo:hi]`` without copying it."""
    if hi <= lo:
        return 0
    view = np.frombuffer(data, dtype=np.uint8, count=hi - lo, offset=lo)
    n = int(np.count_nonzero(view == 34))
    del view
    return n


def _source_rows(data: Any, data_start: int, end: int, n: int, header: _Header, exact: bool, enc: _Encoding,
                 name: str) -> np.ndarray:
    """The line number (as the user sees it) of each record."""
    delimiter = header.delimiter or ","
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
            ncols = len(header.cells)
            starts = []
            for line, last, fields in _record_lines(text, delimiter, header.line + 1):
                _swallowed_lines(line, last, fields, delimiter, ncols, name)
                starts.append(line)
            source_row = np.asarray(starts, dtype=np.int64)
            if len(source_row) != n:  # pragma: no cover - the two CSV parsers disagree
                warnings.warn(
                    say("read.rows_by_record", name=name),
                    LapsibudjettiWarning,
                    stacklevel=6,
                )
                source_row = np.arange(header.line + 1, header.line + 1 + n, dtype=np.int64)

    return source_row


def _columns(table: pa.Table, names: list[str], needed: dict[str, int], n: int, enc: _Encoding, header: _Header, name: str,
             source_row: np.ndarray) -> tuple[dict[str, Any], bool, _Encoding]:
    """Text columns dictionary-encoded and amounts parsed, on a thread pool; the encoding as finally decoded."""
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
    done: list[Any] = [None] * len(jobs)
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
    return columns, whole_cents, decoded


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
        if not enc.given and enc.name != "utf-8":
            _refuse_mixed_encodings(raw_dicts, header, name, source_row)
        return cols, enc
    except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
        if enc.given or enc.name != "utf-8" or not enc.tentative:
            _raise_decode(raw_dicts, amount_bin, enc, header, name, source_row, exc)
    fallback = _Encoding("cp1252", "cp1252", False)
    _refuse_mixed_encodings(raw_dicts, header, name, source_row)
    try:
        return decode_all("cp1252"), fallback
    except UnicodeDecodeError as exc:
        _raise_decode(raw_dicts, amount_bin, fallback, header, name, source_row, exc)
    raise AssertionError("unreachable")  # pragma: no cover


def _refuse_mixed_encodings(raw_dicts: dict[str, tuple[np.ndarray, list[bytes]]], header: _Header, name: str,
                            source_row: np.ndarray) -> None:
    """Refuse a file read as Windows-1252 whose text also holds UTF-8 (a mix garbles one of the two).

    One Windows-1252 byte in a UTF-8 file makes the whole file undecodable
    as UTF-8; read as Windows-1252 its UTF-8 letters would turn into
    ``PÃ¤ivÃ¤koti`` and stop matching rules. Names the first line that is
    not UTF-8 and a line that is.

    Examples
    --------
    >>> from lapsibudjetti.read._header import _Header
    >>> h = _Header(line=1, cells=["Nimi"], mapping={"cost_center_name": 0}, delimiter=";")
    >>> dicts = {"cost_center_name": (np.array([0, 1]), ["Päiväkoti".encode(), "Päiväkoti".encode("cp1252")])}
    >>> _refuse_mixed_encodings(dicts, h, "m.csv", np.array([2, 3]))
    Traceback (most recent call last):
    ...
    lapsibudjetti._errors.InputError: m.csv, rivi 3, sarake 'Nimi': tiedostossa on kaksi merkistöä sekaisin: rivi 3 ei ole UTF-8:aa ...
    """
    utf8_at: tuple[int, str, str] | None = None
    other_at: tuple[int, str, str] | None = None
    for canon, (indices, dictionary) in raw_dicts.items():
        for k, value in enumerate(dictionary):
            if value.isascii():
                continue
            try:
                text = value.decode("utf-8")
                is_utf8 = _UTF8_SIGNS.search(value) is not None
            except UnicodeDecodeError:
                text, is_utf8 = value.decode("cp1252", errors="replace"), False
                row = int(source_row[int(np.flatnonzero(indices == k)[0])])
                if other_at is None or row < other_at[0]:
                    other_at = (row, canon, text)
                continue
            if is_utf8:
                row = int(source_row[int(np.flatnonzero(indices == k)[0])])
                if utf8_at is None or row < utf8_at[0]:
                    utf8_at = (row, canon, text)
    if utf8_at is None or other_at is None:
        return
    row, canon, text = other_at
    raise InputError(
        say("read.mixed_encodings", row=row, text=repr(text[:60]), good=utf8_at[0], good_text=repr(utf8_at[2][:60])),
        file=name,
        row=row,
        column=header.cells[header.mapping[canon]],
    )


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
                    say("read.text_not_encoding", text=repr(b), enc=enc.label),
                    file=name,
                    row=int(source_row[pos]),
                    column=header.cells[header.mapping[canon]],
                ) from None
    raise InputError(say("read.file_not_encoding", enc=enc.label, reason=exc), file=name) from None


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
            parsed = _fast_amounts(*nbsp, decimal, (0x20, 0xA0), out=values)
        else:
            parsed = _fast_amounts(offsets, data, decimal, separators, out=values)
        if isinstance(parsed, tuple):  # pragma: no cover - with out= it returns the mask only
            raise InputError(say("internal.error", detail="the amount parser returned values where a mask was asked"))
        rest = np.flatnonzero(~parsed)
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
    chunks = [c for c in amount_bin.chunks if len(c)]
    comma = any(bool(np.any(np.frombuffer(c.buffers()[2], dtype=np.uint8) == ord(","))) for c in chunks
                if c.buffers()[2] is not None)
    bad = np.union1d(bad, _ambiguous_groups(chunks, "," if comma else ".")).astype(np.int64)
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
    for line, last, fields in _record_lines(text, delimiter, header.line + 1):
        _swallowed_lines(line, last, fields, delimiter, ncols, name)
        if len(fields) != ncols and last > line:
            raise InputError(
                say("read.quote_not_closed", line=line, last=last, n=len(fields), header=header.line, ncols=ncols),
                file=name,
                row=line,
            ) from None
        if len(fields) != ncols:
            shown = delimiter.join(fields)
            raise InputError(
                say("read.field_count", line=line, n=len(fields), header=header.line, ncols=ncols, sep=repr(delimiter),
                    shown=repr(shown[:200])),
                file=name,
                row=line,
            ) from None
    raise InputError(say("read.not_csv", reason=exc), file=name) from None
