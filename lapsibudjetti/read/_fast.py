"""The byte-level fast path for amounts (SWAR on a 16-byte window per value); other shapes use the pattern."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    pass



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
