"""Finding the header row of a raw table and mapping its columns to the canonical ledger."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._errors import InputError, LapsibudjettiWarning
from ..reference._labels import say

if TYPE_CHECKING:  # pragma: no cover
    pass
from ._text import (
    _HEADER_SCAN_CSV,
    _HEADER_SCAN_XLSX,
    MAPPABLE,
    TEXT_COLUMNS,
    _header_table,
    _norm,
)

# ---------------------------------------------------------------------------
# header recognition


@dataclass
class _Header:
    cells: list[str]
    mapping: dict[str, int]  # canonical -> index of the cell
    line: int  # 1-based line (CSV) or Excel row
    delimiter: str | None = None
    ignored: list[str] = field(default_factory=list)
    end: int = 0  # CSV: the byte offset where the data lines begin


def _check_column_map(column_map: Mapping[str, str | None] | None) -> dict[str, str | None]:
    if column_map is None:
        return {}
    if not isinstance(column_map, Mapping):
        raise InputError(say("arg.type", name="column_map", expected=say("what.column_map"), got=type(column_map).__name__))
    out: dict[str, str | None] = {}
    for original, canonical in column_map.items():
        if canonical is not None and canonical not in MAPPABLE:
            raise InputError(say("read.map_not_column", original=repr(original), canonical=repr(canonical), allowed=", ".join(MAPPABLE)))
        out[str(original)] = canonical
    return out


def _check_defaults(defaults: Mapping[str, object] | None) -> dict[str, object]:
    if defaults is None:
        return {}
    if not isinstance(defaults, Mapping):
        raise InputError(say("arg.type", name="defaults", expected=say("what.defaults"), got=type(defaults).__name__))
    allowed = TEXT_COLUMNS + ("year",)
    for name in defaults:
        if name not in allowed:
            raise InputError(say("read.default_not_allowed", name=repr(name), allowed=", ".join(allowed)))
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
        variants = list(variants)
        if first_seen is None and any(any(c.strip() for c in cells) for _, cells in variants):
            first_seen = max((cells for _, cells in variants), key=len)  # split by the delimiter that splits it most
        for delimiter, cells in variants:
            mapped = _map_cells(cells, column_map)
            names = {m for m in mapped if m is not None}
            header = _Header(cells=cells, mapping={}, line=line, delimiter=delimiter)
            if not _missing_required(names, defaults):
                return _finish_header(header, mapped, column_map, name, where)
            if names and (best is None or len(names) > best[0]):
                best = (len(names), _finish_header(header, mapped, column_map, name, where, check_duplicates=False))
    _, aliases = _header_table()
    from ..reference._labels import default_lang, interface, text

    lang = default_lang()
    if best is None:
        cells = [c for c in first_seen if str(c).strip()] if first_seen else []
        shown = cells[0] if len(cells) == 1 else cells
        seen = text("error.no_header_seen", lang, where=where, shown=repr(shown)) if first_seen else text("error.no_header_empty", lang)
        raise InputError(
            text("error.no_header", lang, n=_HEADER_SCAN_XLSX if where == "row" else _HEADER_SCAN_CSV, where=where, seen=seen,
                 expected=_alias_hint(("org_code", "year", "phase", "service_class", "amount"), aliases)),
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
    cli = interface() == "cli"
    statistics = ""
    if {"org_code", "year", "task_class", "amount"} <= set(header.mapping) and "phase" in missing:
        statistics = text("error.looks_kta14_cli" if cli else "error.looks_kta14_python", lang)
    how = (text("error.how_cli", lang, flag=f"--set {wanted[0]}={_default_example(wanted[0])}") if cli else
           text("error.how_python", lang, column=wanted[0], example=repr(_default_example(wanted[0]))))
    place = text("error.place_frame", lang) if where == "header" else text("error.place_header", lang, where=where, line=header.line)
    raise InputError(
        text("error.no_column", lang, missing=", ".join(missing), place=place, cells=repr(list(header.cells)),
             found=found or text("error.no_column_none", lang), statistics=statistics, aliases=_alias_hint(wanted, aliases), how=how),
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
                    say("read.same_column", a=repr(a), b=repr(b), canon=repr(canon)),
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
        notes.append(say("warn.ignored_columns", columns=", ".join(repr(c) for c in header.ignored), first=repr(header.ignored[0])))
    present = set(header.cells) | {_norm(c) for c in header.cells}
    unused = [k for k in column_map if k not in present and _norm(k) not in present]
    if unused:
        notes.append(say("warn.column_map_unused", columns=", ".join(repr(k) for k in unused)))
    shadowed = [k for k in defaults if k in header.mapping]
    if shadowed:
        notes.append(say("warn.defaults_unused", columns=", ".join(
            say("warn.in_column", name=k, header=repr(header.cells[header.mapping[k]])) for k in shadowed)))
    if notes:
        warnings.warn(f"{name}: " + "; ".join(notes) + ".", LapsibudjettiWarning, stacklevel=5)
