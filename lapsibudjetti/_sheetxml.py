"""The rows of a table as worksheet XML, built a column at a time.

xlsxwriter stores and then serialises every cell through several Python
calls; on the national report's 790 000 cells that took 7 of its 17 seconds.
Every table's body is therefore written here as the ``<row>`` elements of the
sheet, with the same cell styles xlsxwriter uses (its formats' ``xf``
indices), and put into the sheet's ``<sheetData>`` when the workbook is
packed (:func:`lapsibudjetti._xlsx.new_workbook`). Numbers are written with
``repr`` (the shortest text that reads back as the same float, so amounts
round-trip exactly; xlsxwriter writes 16 digits), text as inline strings
escaped as ECMA-376 asks (``& < >``, control characters as ``_xHHHH_`` and a
literal ``_xHHHH_`` kept literal as ``_x005F_xHHHH_``, as xlsxwriter does for
the cells it writes), booleans as booleans; an empty cell is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Body", "column_letter", "body_xml", "insert_body"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")


def column_letter(j: int) -> str:
    """The column's letters (0 → ``A``, 26 → ``AA``).

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    out = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        out = chr(65 + rest) + out
    return out


def _escape(text: str) -> str:
    """Text for the XML of a cell: ``& < >`` escaped, control characters as ``_xHHHH_``, a literal ``_xHHHH_`` kept literal.

    Examples
    --------
    >>> _escape("a < b & c"), _escape("bell\\x07"), _escape("_x0041_")
    ('a &lt; b &amp; c', 'bell_x0007_', '_x005F_x0041_')
    """
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F\1", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text


@dataclass
class Body:
    """A table body waiting for its sheet: the rows' XML and the last cell it fills (0-based)."""

    xml: str
    last_row: int
    last_col: int


def body_xml(values: Sequence[Sequence[Any]], first_row: int, number_xf: Sequence[int | Sequence[int]], text_xf: int, quoted_xf: int,
             formula_prefixes: tuple[str, ...]) -> Body:
    """The ``<row>`` elements of a table body whose top row is ``first_row`` (0-based).

    ``values`` holds one list per column (``None`` for an empty cell,
    ``bool``, a number or ``str``); ``number_xf`` the style of each column's
    numbers (one, or one per row), ``text_xf`` and ``quoted_xf`` the styles of text and of text that
    starts as a formula would (shown with the quote prefix, never run).
    """
    n = len(values[0]) if values else 0
    cells = [_column_cells(column, column_letter(j), first_row + 1, number_xf[j], text_xf, quoted_xf, formula_prefixes)
             for j, column in enumerate(values)]
    rows = [f'<row r="{first_row + 1 + i}">' + "".join(row) + "</row>" for i, row in enumerate(zip(*cells))] if cells else []
    return Body("".join(rows), first_row + n - 1, len(values) - 1)


def _column_cells(column: Sequence[Any], letter: str, first: int, nxf: int | Sequence[int], text_xf: int, quoted_xf: int,
                  formula_prefixes: tuple[str, ...]) -> list[str]:
    """The ``<c>`` elements of one column (``""`` for an empty cell); a column of one kind is written in one pass."""
    kinds = set(map(type, column))
    kinds.discard(type(None))
    if kinds and kinds <= {float, int} and isinstance(nxf, int):  # amounts, shares, counts: the common case
        return ["" if v is None else f'<c r="{letter}{r}" s="{nxf}"><v>{v!r}</v></c>' for r, v in enumerate(column, first)]
    if kinds == {str}:  # names, codes, labels: each distinct text escaped once
        inner: dict[str, str] = {}
        for v in set(column):
            if v is not None:
                style = quoted_xf if v.startswith(formula_prefixes) else text_xf
                inner[v] = f'" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_escape(v)}</t></is></c>'
        return ["" if v is None else f'<c r="{letter}{r}{inner[v]}' for r, v in enumerate(column, first)]
    out = []
    for i, v in enumerate(column):
        if v is None:
            out.append("")
            continue
        ref = f"{letter}{first + i}"
        if isinstance(v, str):
            style = quoted_xf if v.startswith(formula_prefixes) else text_xf
            out.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_escape(v)}</t></is></c>')
        elif isinstance(v, bool):
            out.append(f'<c r="{ref}" s="{text_xf}" t="b"><v>{int(v)}</v></c>')
        else:
            out.append(f'<c r="{ref}" s="{nxf if isinstance(nxf, int) else nxf[i]}"><v>{v!r}</v></c>')
    return out


def insert_body(sheet: bytes, body: Body) -> bytes:
    """A worksheet's XML with ``body`` after the rows xlsxwriter wrote (title, notes, header) and its dimension widened."""
    text = sheet.decode("utf-8")
    last = max(int(r) for r in re.findall(r'<row r="(\d+)"', text)) if "<row " in text else 0
    first = int(re.search(r'<row r="(\d+)"', body.xml).group(1)) if body.xml else last + 1  # type: ignore[union-attr]
    if first <= last:
        from ._errors import LapsibudjettiError
        from .reference._labels import say

        raise LapsibudjettiError(say("internal.error", detail=f"the table body starts at row {first}, inside rows written before it (to {last})"))
    if "</sheetData>" in text:
        text = text.replace("</sheetData>", body.xml + "</sheetData>", 1)
    else:
        text = text.replace("<sheetData/>", "<sheetData>" + body.xml + "</sheetData>", 1)
    text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{column_letter(body.last_col)}{body.last_row + 1}"/>', text, count=1)
    return text.encode("utf-8")
