"""Excel container (.xlsx/.xlsm): title rows above the header, cells read as shown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import InputError
from ..reference._labels import option, say

if TYPE_CHECKING:  # pragma: no cover
    pass
from ._amounts import _amounts_from_python
from ._columns import _assemble, _dict_from_python, _Raw
from ._header import _choose_header, _warn_header
from ._text import _HEADER_SCAN_XLSX

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
        raise InputError(say("read.not_workbook", reason=exc), file=name) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise InputError(say("read.no_sheet_number", sheet=sheet, names=names), file=name)
            ws = wb.worksheets[sheet]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise InputError(say("read.no_sheet", sheet=repr(sheet), names=names), file=name)
        where = f"{name} [{ws.title}]" if len(names) > 1 else name
        rows_iter = ws.iter_rows(values_only=True)
        head: list[tuple[object, ...]] = []
        for row in rows_iter:
            head.append(row)
            if len(head) >= _HEADER_SCAN_XLSX:
                break
        if not any(any(v is not None and str(v).strip() for v in r) for r in head):
            raise InputError(
                say("read.empty_sheet", option=option("sheet")), file=where
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
        raise InputError(say("read.sheet_no_rows", line=header.line, option=option("sheet")), file=where, row=header.line)
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
