"""The PxWeb dialect: Statistics Finland / THL PxWeb exports (CSV or XLSX) read into the statistics ledger.

A PxWeb table as analysts download it has title and note lines above the
header, one or more *stub* columns (area, task or service, year, measure)
and the figures spread over columns whose headings carry the year, the
measure and the unit (``"2019 Nettokäyttökustannukset (1000 €)"``). Missing
and confidential cells are written ``..``, ``.``, ``-``; areas carry
Statistics Finland prefixes (``KU049 Espoo``, ``HVA01 …``, ``MK01 …``) or are
names alone. :func:`read_pxweb` turns such a table into the long statistics
layout (one row per area × year × task) and hands it to the statistics
dialect, so the aggregate rows are reconciled to the cent exactly as in
:func:`~lapsibudjetti.read_statistics`.

The words it understands (stub headings, units, missing-cell marks, area
prefixes and whole-country names, in Finnish, Swedish and English) are data:
``lapsibudjetti/data/pxweb.csv``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import InputError, LapsibudjettiWarning
from ..reference._labels import interface, say
from ._columns import _categorical_from, _Raw
from ._dialect import Dialect, DialectResult, register_dialect
from ._text import _data_table, _norm

__all__ = ["read_pxweb", "PXWEB", "looks_like_pxweb"]

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_AREA = re.compile(r"^\s*([A-Za-zÅÄÖåäö]{2,3})\s*(\d{1,3})\b\s*(.*)$")
_CODE_NAME = re.compile(r"^\s*(\d{3})\s+(\S.*)$")
_MAX_LISTED = 8
#: Records read to tell whether a file is a PxWeb export (the heading row is looked for in the first 80).
_LOOK = 100


@dataclass(frozen=True)
class _Vocabulary:
    stubs: dict[str, str]
    values: frozenset[str]
    perhead: tuple[str, ...]
    units: tuple[tuple[str, int], ...]
    missing: frozenset[str]
    prefixes: dict[str, str]
    totals: frozenset[str]


@functools.cache
def _vocabulary() -> _Vocabulary:
    t = _data_table("pxweb.csv")
    by = {str(k): g for k, g in t.groupby("kind")}

    def words(kind: str) -> list[str]:
        return [str(w) for w in by[kind]["word"]] if kind in by else []

    units = sorted(((_space(w.lower()), int(v)) for w, v in zip(by["unit"]["word"], by["unit"]["value"])), key=lambda u: -len(u[0]))
    return _Vocabulary(
        stubs={_norm(w): str(v) for w, v in zip(by["stub"]["word"], by["stub"]["value"])},
        values=frozenset(_norm(w) for w in words("value")),
        perhead=tuple(sorted((_space(w.lower()) for w in words("perhead")), key=len, reverse=True)),
        units=tuple(units),
        missing=frozenset(w.strip() for w in words("missing")),
        prefixes={str(w).upper(): str(v) for w, v in zip(by["area_prefix"]["word"], by["area_prefix"]["value"])},
        totals=frozenset(_norm(w) for w in words("area_total")),
    )


_SPACES = re.compile(r"\s+")


def _space(text: str) -> str:
    """The cell's text with every run of white space (no-break spaces too) one space, and none at the ends."""
    if text.isprintable() and "  " not in text and text == text.strip():  # the common case: nothing to do
        return text  # (isprintable is False for tabs, line breaks and every space but the ASCII one)
    return _SPACES.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


@dataclass
class _Heading:
    """What a measure column's heading says: year, measure name and unit (multiplier, or ``perhead``)."""

    text: str
    year: int | None = None
    measure: str = ""
    unit: str = ""
    factor: int | None = None
    perhead: bool = False


def _parse_heading(text: str) -> _Heading:
    """Year, measure and unit of a heading such as ``2019 Nettokäyttökustannukset (1000 €)``.

    Examples
    --------
    >>> h = _parse_heading("2019 Nettokäyttökustannukset (1000 €)")
    >>> h.year, h.measure, h.unit, h.factor, h.perhead
    (2019, 'Nettokäyttökustannukset', '1000 €', 1000, False)
    >>> _parse_heading("Nettodriftskostnader, euro/invånare 2018").perhead
    True
    """
    voc = _vocabulary()
    h = _Heading(text)
    low = _space(text.lower())
    m = _YEAR.search(low)
    if m:
        h.year = int(m.group(1))
    rest = _YEAR.sub(" ", low)
    for word in voc.perhead:
        if word in rest:
            h.perhead, h.unit = True, word
            rest = rest.replace(word, " ")
            break
    if not h.perhead:
        for word, factor in voc.units:
            if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", rest):
                h.unit, h.factor = word, factor
                rest = re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", " ", rest, count=1)
                break
    name = _YEAR.sub(" ", _space(text))
    if h.unit:
        name = re.sub(re.escape(h.unit), " ", name, flags=re.IGNORECASE)
    h.measure = _space(re.sub(r"[()\[\],;:]+", " ", name)).strip(" .-")
    return h


@dataclass
class _Table:
    """The cells of a file as text: the heading row, the data rows and the line of each, and the title lines."""

    name: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    title: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _records(path: Path, sheet: str | int | None, limit: int | None = None) -> tuple[list[list[str]], list[int]]:
    """Every record of the file (the first ``limit``) as stripped text, with the row (CSV: line) where it starts."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[sheet] if isinstance(sheet, int) else (wb[sheet] if sheet else wb.worksheets[0])
            rows = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True, max_row=limit)]
        finally:
            wb.close()
        return rows, list(range(1, len(rows) + 1))
    if suffix not in (".csv", ".txt", ".tsv"):
        raise InputError(say("px.suffix", suffix=repr(path.suffix)), file=path.name)
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        from ._tables import _decode_table

        text = _decode_table(raw, "PxWeb export", path.name)
    lines = text.splitlines()
    sample = [ln for ln in lines[:60] if ln.strip()]
    delimiter = max((";", "\t", ","), key=lambda d: sum(ln.count(d) >= 1 for ln in sample) * 1000 + sum(ln.count(d) for ln in sample))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    out: list[list[str]] = []
    starts: list[int] = []
    line = 0
    try:
        for record in reader:
            if limit is not None and len(out) >= limit:
                break
            start, line = line + 1, reader.line_num
            out.append([_space(c) for c in record])
            starts.append(start)
    except csv.Error as exc:
        raise InputError(say("px.bad_csv", line=reader.line_num, reason=exc), file=path.name, row=reader.line_num) from None
    return out, starts


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return _space(str(v))


def _table(path: Path, sheet: str | int | None, limit: int | None = None) -> _Table:
    """Find the heading row (the first with two or more cells that names a stub or a year) and the data under it
    (of the first ``limit`` records: enough to tell what the file is)."""
    rows, lines = _records(path, sheet, limit)
    voc = _vocabulary()
    header_at = None
    for k, r in enumerate(rows[:80]):
        cells = [c for c in r if c]
        if len(cells) < 2:
            continue
        if any(_norm(_stub_word(c)) in voc.stubs or _YEAR.search(c) for c in cells):
            header_at = k
            break
    if header_at is None:
        cli = interface() == "cli"
        raise InputError(say("px.no_heading", ledger="--ledger" if cli else "read_ledger()",
                             statistics="--statistics" if cli else "read_statistics()"), file=path.name)
    header = rows[header_at]
    width = max(i for i, c in enumerate(header) if c) + 1
    title = [" ".join(c for c in r if c) for r in rows[:header_at]]
    data, data_lines, notes = [], [], []
    for r, ln in zip(rows[header_at + 1 :], lines[header_at + 1 :]):
        cells = (r + [""] * width)[:width]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if len(filled) == 1 and cells[0] and all(not c for c in cells[1:]):
            notes.append(cells[0])  # a note or source line under the table
            continue
        data.append(cells)
        data_lines.append(ln)
    return _Table(path.name, list(header[:width]), data, data_lines, [t for t in title if t], notes)


def _stub_word(heading: str) -> str:
    """A stub heading without a trailing parenthesis (``Alue (2023)`` → ``Alue``)."""
    return re.sub(r"\s*\(.*\)\s*$", "", heading)


def looks_like_pxweb(path: str | Path) -> bool:
    """Whether a CSV/XLSX file looks like a PxWeb export (a heading row with stubs and years or units in the headings).

    Used by :func:`~lapsibudjetti.read_statistics` to hand such files to :func:`read_pxweb`.
    """
    try:
        t = _table(Path(path), None, limit=_LOOK)  # the heading is within the first 80 rows: no need to read every row
    except (InputError, OSError, ValueError):
        return False
    voc = _vocabulary()
    kinds = [voc.stubs.get(_norm(_stub_word(h))) for h in t.header]
    headings = [_parse_heading(h) for h, k in zip(t.header, kinds) if k is None and h]
    from ._text import _header_table

    # the long statistics layout (area, year, task, amount in ledger header words) is read_statistics' own
    canonical = {_header_table()[0].get(_norm(h)) for h in t.header}
    long_statistics = ({"org_code", "year", "amount"} <= canonical and bool({"task_class", "service_class"} & canonical)
                       and "measure" not in kinds and not t.title)
    figures = any(h.year is not None or h.unit for h in headings) or (
        "year" in kinds and any(_norm(h) in voc.values for h, k in zip(t.header, kinds) if k is None))
    return "area" in kinds and "task" in kinds and figures and not long_statistics


def _amount_cents(text: str, factor: int) -> int | None:
    """Exact cents of a figure written in units of ``factor`` euros, or ``None`` when it is not a number.

    Examples
    --------
    >>> _amount_cents("8 123", 1000), _amount_cents("-12,5", 1000), _amount_cents("1234.56", 1)
    (812300000, -1250000, 123456)
    """
    s = text.replace(" ", "").replace("\u2212", "-").replace("\u2013", "-")
    if "," in s and "." in s:
        return None
    s = s.replace(",", ".")
    try:
        value = Decimal(s) * factor * 100
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if value != value.to_integral_value():
        raise ValueError("a fraction of a cent")
    return int(value)


def read_pxweb(
    source: str | Path,
    *,
    phase: str = "actual",
    unit: str | None = None,
    measure: str | None = None,
    sheet: str | int | None = None,
    return_totals: bool = False,
    check_codes: bool = True,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Read a Statistics Finland / THL PxWeb export of net operating costs by task into the canonical ledger.

    The table may have the years as columns (``2018 … (1000 €)``, ``2019 …
    (1000 €)``), the measures as columns with a year stub, or be long (a
    year stub and one value column). Units are applied exactly (``1000 €``
    multiplies by 1 000 in integer cents) and recorded in
    ``ledger.attrs["pxweb"]``; per-resident measures (``euroa/asukas``) are
    never ledger amounts. Missing or confidential cells (``..``, ``.``,
    ``-``) are left out, never read as zero, and listed in a warning and in
    ``ledger.attrs["pxweb"]["missing"]`` (one ``{row, column, value, file}``
    record a cell); the organisation-years that have
    one cannot be reconciled and are named. Area labels with Statistics
    Finland prefixes (``KU049 Espoo``, ``HVA01 …``) or names alone are read;
    region and whole-country rows (``MK``, ``SHP``, ``KOKO MAA``) are totals,
    left out like the task totals. The task rows are reconciled with the
    ``… yhteensä`` totals to the cent as in
    :func:`~lapsibudjetti.read_statistics`.

    Parameters
    ----------
    source
        The ``.csv`` (``;``, ``,`` or tab; UTF-8, Windows-1252 or UTF-16) or
        ``.xlsx`` export.
    phase
        Phase of every line (``actual`` for the financial statements).
    unit
        The unit when no heading or title says it: ``"1000 €"`` or ``"€"``.
    measure
        Which measure to read when the table has several amount measures.
    sheet
        Sheet of an XLSX export.
    return_totals, check_codes
        As :func:`~lapsibudjetti.read_statistics`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kta.csv"
    >>> _ = path.write_text('"Nettokäyttökustannukset tehtävittäin"\\n\\n'
    ...     '"Alue";"Tehtävä";"2019 Nettokäyttökustannukset (1000 €)"\\n'
    ...     '"KU005 Alajärvi";"Perusopetus";"8 123"\\n"KU005 Alajärvi";"Esiopetus";"800"\\n'
    ...     '"KU005 Alajärvi";"Käyttötalous yhteensä";"8 923"\\n', encoding="utf-8")
    >>> led = read_pxweb(path)
    >>> led[["org_code", "year", "task_class", "amount", "source_row"]].to_dict("records")
    [{'org_code': '005', 'year': 2019, 'task_class': 'Perusopetus', 'amount': 8123000.0, 'source_row': 4},
     {'org_code': '005', 'year': 2019, 'task_class': 'Esiopetus', 'amount': 800000.0, 'source_row': 5}]
    >>> led.attrs["pxweb"]["unit"], led.attrs["pxweb"]["factor"]
    ('1000 €', 1000)
    """
    path = Path(source)
    if not path.is_file():
        raise InputError(say("read.no_file", path=repr(str(path)), cwd=Path.cwd()), file=path.name)
    options = {"phase": phase, "check_codes": check_codes, "unit": unit, "measure": measure}
    result = PXWEB.to_ledger(_table(path, sheet), options)  # type: ignore[arg-type]
    return (result.ledger, result.tables["totals"]) if return_totals else result.ledger


def _long(t: _Table, unit: str | None, measure: str | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table in long form: area, year, task, cents, file row and column (missing cells apart)."""
    voc = _vocabulary()
    kinds = [voc.stubs.get(_norm(_stub_word(h))) for h in t.header]
    for kind in ("area", "task"):
        if kinds.count(kind) != 1:
            raise InputError(say("px.needs_column", kind=kind, names="Alue/Område/Area" if kind == "area" else "Tehtävä/Uppgift/Task",
                                 headings=", ".join(repr(h) for h in t.header)), file=t.name)
    col = {k: kinds.index(k) for k in ("area", "task", "year", "measure") if k in kinds}
    value_cols = [j for j, k in enumerate(kinds) if k is None and t.header[j]]
    if not value_cols:
        raise InputError(say("px.no_figures"), file=t.name)
    headings = {j: _parse_heading(t.header[j]) for j in value_cols}
    title_heading = _parse_heading(" ".join(t.title)) if t.title else _Heading("")
    given = _parse_heading(unit) if unit else None
    if unit and (given is None or given.factor is None):
        raise InputError(say("px.not_euro_unit", unit=repr(unit)), file=t.name)
    if "year" not in col and any(headings[j].year is None for j in value_cols):
        bad = [t.header[j] for j in value_cols if headings[j].year is None]
        raise InputError(say("px.no_year", columns=", ".join(map(repr, bad))), file=t.name)

    recs: list[tuple[str, int, str, int, int, str]] = []
    missing: list[tuple[int, str, str]] = []
    skipped_perhead: set[str] = set()
    measures_used: dict[str, tuple[str, int]] = {}
    for r, ln in zip(t.rows, t.lines):
        row_measure = _parse_heading(r[col["measure"]]) if "measure" in col else None
        for j in value_cols:
            h = headings[j]
            name = (row_measure.measure if row_measure is not None and row_measure.measure else h.measure)
            perhead = h.perhead or (row_measure is not None and row_measure.perhead)
            if perhead:
                skipped_perhead.add(row_measure.text if row_measure is not None and row_measure.perhead else h.text)
                continue
            factor = next((f for f in (h.factor, row_measure.factor if row_measure else None, title_heading.factor,
                                       given.factor if given else None) if f is not None), None)
            if factor is None:
                raise InputError(say("px.no_unit", column=repr(t.header[j])), file=t.name, row=ln, column=t.header[j])
            if measure is not None and _norm(name) != _norm(measure):
                continue
            unit_text = next((u for u in (h.unit, row_measure.unit if row_measure else "", title_heading.unit,
                                          given.unit if given else "") if u), "")
            measures_used.setdefault(name, (unit_text, factor))
            year = h.year if h.year is not None else _year_cell(r[col["year"]], t.name, ln)
            text = r[j]
            if text in voc.missing:
                missing.append((ln, t.header[j], text))
                recs.append((r[col["area"]], year, r[col["task"]], 0, ln, "\0missing"))
                continue
            try:
                cents = _amount_cents(text, factor)
            except ValueError:
                raise InputError(say("px.fraction_cent", text=repr(text), unit=unit_text), file=t.name, row=ln, column=t.header[j]) from None
            if cents is None:
                raise InputError(say("px.not_figure", text=repr(text)), file=t.name, row=ln, column=t.header[j])
            recs.append((r[col["area"]], year, r[col["task"]], cents, ln, t.header[j]))
    if not measures_used:
        if skipped_perhead:
            raise InputError(say("px.per_resident", measures=", ".join(sorted(skipped_perhead))), file=t.name)
        raise InputError(say("px.no_measure", measure=repr(measure)), file=t.name)
    if len(measures_used) > 1:
        raise InputError(say("px.several_measures", measures=", ".join(sorted(measures_used))), file=t.name)
    (name, (unit_text, factor)), = measures_used.items()
    frame = pd.DataFrame(recs, columns=["area", "year", "task", "cents", "row", "column"])
    info: dict[str, Any] = {"measure": name, "unit": unit_text, "factor": factor, "title": " / ".join(t.title),
                            "per_resident_left_out": sorted(skipped_perhead),
                            "missing": pd.DataFrame(missing, columns=["row", "column", "value"]).assign(file=t.name)}
    return frame, info


def _year_cell(text: str, name: str, line: int) -> int:
    m = _YEAR.search(text)
    if not m:
        raise InputError(say("px.not_year", text=repr(text)), file=name, row=line, column="year")
    return int(m.group(1))


def _areas(labels: pd.Series, years: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(org_type, org_code) of every area label; aggregates (regions, the whole country) have org_type ``aggregate``."""
    from ..reference._registry import Registry

    voc = _vocabulary()
    reg = Registry.default()
    out: dict[tuple[str, int], tuple[str, str]] = {}
    for label, year in set(zip(labels, years)):
        m = _AREA.match(label)
        if m and m.group(1).upper() in voc.prefixes:
            kind = voc.prefixes[m.group(1).upper()]
            code = m.group(2).zfill(3 if kind == "municipality" else 2)
            out[(label, year)] = (kind, code if kind != "aggregate" else label)
            continue
        m2 = _CODE_NAME.match(label)
        if m2 or label.isdigit():
            out[(label, year)] = ("municipality", (m2.group(1) if m2 else label).zfill(3))
            continue
        if _norm(label) in voc.totals:
            out[(label, year)] = ("aggregate", label)
            continue
        try:
            out[(label, year)] = reg.resolve(label, int(year))
        except InputError as err:
            raise InputError(say("px.area", label=repr(label), message=err.message), file=name, column="area") from None
    types = np.array([out[(a, y)][0] for a, y in zip(labels, years)], dtype=object)
    codes = np.array([out[(a, y)][1] for a, y in zip(labels, years)], dtype=object)
    return types, codes


def _pxweb_ledger(t: _Table, options: Mapping[str, Any]) -> DialectResult:
    """Long form, areas resolved, region and country rows apart, then the statistics dialect's reconciliation."""
    from ._statistics import _statistics_defaults, _statistics_ledger

    frame, info = _long(t, options.get("unit"), options.get("measure"))
    types, codes = _areas(frame["area"], frame["year"], t.name)
    is_missing = (frame["column"] == "\0missing").to_numpy()
    regional = types == "aggregate"
    skip = {(str(c), int(y)) for c, y in zip(codes[is_missing], frame["year"].to_numpy()[is_missing])}
    keep = ~is_missing & ~regional
    kinds = sorted(set(types[keep]))
    if len(kinds) > 1:
        raise InputError(say("px.mixed_kinds", kinds=" + ".join(kinds)), file=t.name)
    defaults = _statistics_defaults(options)
    n = int(keep.sum())
    cats = {c: _categorical_from(np.zeros(n, dtype=np.int64), [str(v)]) for c, v in defaults.items()}
    org_type = kinds[0] if kinds else "municipality"
    task = frame.loc[keep, "task"].astype(str).to_numpy()
    codes_t, uniq_t = pd.factorize(task)
    codes_o, uniq_o = pd.factorize(codes[keep])
    ledger_frame = pd.DataFrame({
        "org_type": _categorical_from(np.zeros(n, dtype=np.int64), [org_type]),
        "org_code": _categorical_from(codes_o.astype(np.int64), [str(v) for v in uniq_o]),
        "business_id": _categorical_from(np.full(n, -1, dtype=np.int64), []),
        "year": frame.loc[keep, "year"].astype("int64").to_numpy(),
        "phase": cats["phase"],
        "service_class": _categorical_from(np.full(n, -1, dtype=np.int64), []),
        "task_class": _categorical_from(codes_t.astype(np.int64), [str(v) for v in uniq_t]),
        "account": _categorical_from(np.full(n, -1, dtype=np.int64), []),
        "cost_centre": _categorical_from(np.full(n, -1, dtype=np.int64), []),
        "amount": frame.loc[keep, "cents"].to_numpy(dtype=np.int64) / 100.0,
        "source_file": _categorical_from(np.zeros(n, dtype=np.int64), [t.name]),
        "source_row": frame.loc[keep, "row"].astype("int64").to_numpy(),
    })
    headers = {"org_code": t.header[0], "task_class": "task", "amount": ", ".join(h for h in t.header if h)}
    raw = _Raw(ledger_frame, t.name, headers, {"pxweb": info})
    result = _statistics_ledger(raw, {**options, "skip_reconcile": skip})
    if len(info["missing"]):
        m = info["missing"]
        listed = ", ".join(say("px.cell", row=r, column=repr(c), value=repr(v))
                           for r, c, v in m[["row", "column", "value"]].head(_MAX_LISTED).itertuples(index=False))
        warnings.warn(say("px.missing_cells", file=t.name, n=len(m), listed=listed + (" …" if len(m) > _MAX_LISTED else ""),
                          skipped=len(skip), where=say("px.missing_where")), LapsibudjettiWarning, stacklevel=4)
    if info["per_resident_left_out"]:
        warnings.warn(say("px.per_resident_left_out", file=t.name, columns=", ".join(info["per_resident_left_out"])),
                      LapsibudjettiWarning, stacklevel=4)
    info["regional_rows"] = int(regional.sum())
    info["unreconciled"] = sorted(skip)
    # plain records, not a frame: pandas compares attrs when it combines frames, and a frame there cannot be compared
    info["missing"] = info["missing"].to_dict("records")
    result.ledger.attrs["pxweb"] = info
    return result


PXWEB = register_dialect(Dialect(
    name="pxweb",
    description="Statistics Finland / THL PxWeb exports (years or measures as columns, or long), units applied exactly",
    defaults=lambda options: {},
    to_ledger=_pxweb_ledger,  # type: ignore[arg-type]
    detect=looks_like_pxweb,
    read=read_pxweb,
))
