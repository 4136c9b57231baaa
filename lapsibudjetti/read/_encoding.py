"""The text encoding of a file: detection, decoding and the single-byte tables."""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._errors import InputError
from ..reference._labels import say

if TYPE_CHECKING:  # pragma: no cover
    pass
from ._amounts import _string_parts
from ._text import _EN_DASH, _HEAD_BYTES, _MINUS, _NBSP, _NNBSP

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
            raise InputError(say("read.unknown_encoding", encoding=repr(encoding)), file=name) from None
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
                say("read.bad_encoding", encoding=encoding, byte=exc.start),
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
            raise InputError(say("read.bad_utf16"), file=name) from None
        return text.encode("utf-8"), 0, _Encoding("utf-8", "utf-16", False)
    order = _utf16_without_bom(head)
    if order is not None:
        raise InputError(say("read.utf16_no_bom", order=order, lower=order.lower()), file=name)
    if _utf8_head_ok(head, complete=len(head) == len(data)):
        return data, 0, _Encoding("utf-8", "utf-8", False, tentative=head.isascii())
    return data, 0, _Encoding("cp1252", "cp1252", False)


def _utf16_without_bom(head: bytes) -> str | None:
    """``"LE"``/``"BE"`` when the text is UTF-16 without a BOM (zeros at one parity of the bytes), else None.

    Text of the Latin alphabet in UTF-16 has a zero in every other byte;
    no CSV in UTF-8 or Windows-1252 has zeros at all.

    Examples
    --------
    >>> _utf16_without_bom("Kunta;Vuosi\\n".encode("utf-16-le")), _utf16_without_bom(b"Kunta;Vuosi\\n")
    ('LE', None)
    """
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * len(sample) / 2 and even <= odd // 10:
        return "LE"
    if even >= 0.3 * len(sample) / 2 and odd <= even // 10:
        return "BE"
    return None


#: Byte pairs that UTF-8 text of Finnish and Swedish is full of (ä ö å Ä Ö Å é, no-break space, € – ’ ”)
#: and Windows-1252 text never has: they read there as "Ã¤", "Â ", "â‚¬".
_UTF8_SIGNS = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2[\x80-\x82][\x80-\xbf]")


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
