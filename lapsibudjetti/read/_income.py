"""Statistics Finland income statements (kta_11-style): income-statement items per municipality-year, as a side table.

A child budget is computed on net costs; an income statement gives the
gross items (operating expenses and revenue, the operating margin, tax
revenue, state grants, annual margin, depreciation, result). Read here, they
can be set beside the child budget (:func:`lapsibudjetti.beside_income`),
each figure with the measure it is.

Assumptions (the public files vary; these are stated, not guessed per file):

* the item names are those of the municipal income-statement format
  (kuntajaosto's tuloslaskelmakaava) and Statistics Finland's fi/sv/en
  names, listed in ``lapsibudjetti/data/income_statement.csv``;
* amounts are kept with the sign the file gives; the operating margin is
  checked as operating revenue − |operating expenses| (expenses may be
  published positive or negative);
* the unit is read from a heading (``(1000 €)``, ``euroa``) or given with
  ``unit=``; a file without either is refused, never guessed.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import PLACE, InputError, LapsibudjettiWarning
from ..reference._labels import say
from ._pxweb import _YEAR, _amount_cents, _areas, _parse_heading, _table, _vocabulary
from ._text import _data_table, _norm

__all__ = ["read_income_statement", "INCOME_ITEMS"]

#: The income-statement items, in the order of the statement.
INCOME_ITEMS = ("operating_revenue", "operating_expenses", "operating_margin", "tax_revenue", "state_grants",
                "annual_margin", "depreciation", "result")


@functools.cache
def _words() -> tuple[dict[str, str], dict[str, str]]:
    """Item names and stub headings of the packaged list, folded for matching."""
    t = _data_table("income_statement.csv")
    items = {_norm(w): str(v) for k, w, v in zip(t["kind"], t["word"], t["value"]) if k == "item"}
    stubs = {_norm(w): str(v) for k, w, v in zip(t["kind"], t["word"], t["value"]) if k == "stub"}
    return items, stubs


def _item_of(text: str) -> str | None:
    items, _ = _words()
    name = _norm(_parse_heading(text).measure)
    if name.endswith("yhteensa"):  # "Toimintakulut yhteensä"
        name = name[: -len("yhteensa")]
    return items.get(name)


def read_income_statement(path: str | Path, *, unit: str | None = None, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a Statistics Finland income statement (kta_11-style, CSV or XLSX) into ``org_type, org_code, year, item, amount``.

    Three shapes are read: long (area, year, item and one value column),
    years as columns (area, item, ``2019 (1000 €)`` …) and items as columns
    (area, year, ``Toimintakulut (1000 €)`` …), with title and note lines
    around the table as PxWeb writes them. Areas may be codes (``KU091``,
    ``091``) or names; rows of the whole country or regions are left out
    with a warning. Missing or confidential cells (``..``, ``.``, ``-``) are
    left empty with a warning, never zero. Units are applied exactly, in
    integer cents.

    Parameters
    ----------
    path
        The file.
    unit
        ``"1000 €"`` or ``"€"`` when no heading says it.
    sheet
        Sheet of an XLSX file (default: the first).

    Returns
    -------
    DataFrame
        ``org_type, org_code, year, item, amount, source_file, source_row``;
        ``item`` one of :data:`INCOME_ITEMS`, ``amount`` in euros (whole cents).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "tuloslaskelma.csv")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "Alue;Tuloslaskelman erä;2019 (1000 €)\\nKU091 Helsinki;Toimintakulut;-5 000 123\\n"
    ...     "KU091 Helsinki;Toimintatuotot;1 200 456\\nKU091 Helsinki;Toimintakate;-3 799 667\\n")
    >>> read_income_statement(p)[["org_code", "year", "item", "amount"]].values.tolist()
    [['091', 2019, 'operating_expenses', -5000123000.0], ['091', 2019, 'operating_revenue', 1200456000.0],
     ['091', 2019, 'operating_margin', -3799667000.0]]
    """
    path = Path(path)
    if not path.exists():
        raise InputError(say("income.not_found", path=path), file=str(path))
    t = _table(path, sheet)
    _, stubs = _words()
    voc = _vocabulary()
    given = _unit_factor(unit, t.name) if unit is not None else None
    role: dict[int, str] = {}
    for i, h in enumerate(t.header):
        key = _norm(h.split("(")[0])
        if key in stubs:
            role[i] = stubs[key]
        elif voc.stubs.get(key) in ("area", "year"):
            role[i] = voc.stubs[key]
        elif key in voc.values:
            role[i] = "value"
    rows: list[tuple[str, object, str, str, int, str, int]] = []  # area, year, item, cell, factor, column, line

    def factor_of(heading: str) -> int:
        f = _parse_heading(heading).factor
        if f is not None and given is not None and f != given:
            raise InputError(say("income.unit_conflict", heading=repr(heading), said=_parse_heading(heading).unit, unit=repr(unit)),
                             file=t.name, column=heading)
        if f is None and given is None:
            raise InputError(say("income.no_unit", heading=repr(heading)), file=t.name, column=heading)
        return int(f if f is not None else given)  # type: ignore[arg-type]

    area_at = next((i for i, r in role.items() if r == "area"), None)
    if area_at is None:
        raise InputError(say("income.no_area", header=repr(t.header)), file=t.name)
    year_at = next((i for i, r in role.items() if r == "year"), None)
    item_at = next((i for i, r in role.items() if r == "item"), None)
    title_unit = next((h.factor for h in map(_parse_heading, t.title) if h.factor is not None), None)
    if given is None and title_unit is not None:
        given = title_unit
    others = [i for i in range(len(t.header)) if i not in role]
    for r, line in zip(t.rows, t.lines):
        if item_at is not None and year_at is not None:  # long
            value_at = next((i for i, x in role.items() if x == "value"), others[0] if others else None)
            if value_at is None:
                raise InputError(say("income.no_value"), file=t.name)
            rows.append((r[area_at], r[year_at], r[item_at], r[value_at], factor_of(t.header[value_at]), t.header[value_at], line))
        elif item_at is not None:  # years as columns
            for i in others:
                heading = _parse_heading(t.header[i])
                if heading.year is None:
                    raise InputError(say("income.column_not_year", column=repr(t.header[i])), file=t.name, column=t.header[i])
                rows.append((r[area_at], heading.year, r[item_at], r[i], factor_of(t.header[i]), t.header[i], line))
        elif year_at is not None:  # items as columns
            for i in others:
                rows.append((r[area_at], r[year_at], t.header[i], r[i], factor_of(t.header[i]), t.header[i], line))
        else:
            raise InputError(say("income.no_year_item", header=repr(t.header)), file=t.name)
    return _to_frame(rows, t.name, voc.missing)


def _unit_factor(unit: str, name: str) -> int:
    f = _parse_heading(f"({unit})").factor
    if f is None:
        raise InputError(say("income.not_unit", unit=repr(unit)), file=name)
    return int(f)


def _to_frame(rows: list[tuple[str, object, str, str, int, str, int]], name: str, missing_words: frozenset[str]) -> pd.DataFrame:
    items: list[tuple[str, int, str, int | None, int]] = []
    missing: list[str] = []
    unknown: list[tuple[int, str]] = []
    for area, year, item_text, cell, factor, column, line in rows:
        m = _YEAR.search(str(year))
        if not m:
            raise InputError(say("income.not_year", text=repr(year)), file=name, row=line, column="year")
        item = _item_of(item_text)
        if item is None:
            unknown.append((line, item_text))
            continue
        if cell.strip() in missing_words:
            missing.append(f"{area} {m.group(1)} {item_text} ({say('word.row', row=line)})")
            value = None
        else:
            try:
                value = _amount_cents(cell, factor)
            except ValueError:
                raise InputError(say("income.fraction_cent", cell=repr(cell), column=repr(column)), file=name, row=line, column=column) from None
            if value is None:
                raise InputError(say("income.not_number", cell=repr(cell)), file=name, row=line, column=column)
        items.append((area, int(m.group(1)), item, value, line))
    if unknown:
        shown = "; ".join(f"{PLACE[0]('row', ln)}: {txt!r}" for ln, txt in unknown[:8])
        raise InputError(say("income.unknown_items", n=len(unknown), shown=shown, known=", ".join(sorted(set(_words()[0].values())))),
                         file=name)
    from ..reference._labels import default_lang, text

    lang = default_lang()
    frame = pd.DataFrame(items, columns=["area", "year", "item", "cents", "source_row"])
    org_type, org_code = _areas(frame["area"], frame["year"], name)
    frame.insert(0, "org_type", org_type)
    frame.insert(1, "org_code", org_code)
    total = frame["org_type"] == "aggregate"
    if total.any():
        areas = ", ".join(dict.fromkeys(frame.loc[total, "area"]))
        warnings.warn(text("income.aggregates", lang, n=int(total.sum()), areas=areas), LapsibudjettiWarning, stacklevel=3)
    if missing:
        cells = "; ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        warnings.warn(text("income.missing", lang, n=len(missing), cells=cells), LapsibudjettiWarning, stacklevel=3)
    frame = frame.loc[~total].reset_index(drop=True)
    frame["amount"] = np.array([np.nan if c is None else c / 100.0 for c in frame["cents"]], dtype=float)
    frame["source_file"] = name
    _check_margin(frame, lang)
    return frame[["org_type", "org_code", "year", "item", "amount", "source_file", "source_row"]]


def _check_margin(frame: pd.DataFrame, lang: str) -> None:
    """Operating margin = operating revenue − |operating expenses|, to the cent, where all three are given."""
    from ..reference._labels import text

    wide = frame.pivot_table(index=["org_type", "org_code", "year"], columns="item", values="cents", aggfunc="first")
    need = ["operating_revenue", "operating_expenses", "operating_margin"]
    if not set(need) <= set(wide.columns):
        return
    w = wide[need].dropna()
    bad = w[(w["operating_revenue"] - w["operating_expenses"].abs()) != w["operating_margin"]]
    if len(bad):
        listed = ", ".join(f"{c} {y}" for _t, c, y in bad.index[:8])
        warnings.warn(text("income.margin_mismatch", lang, n=len(bad), rows=listed), LapsibudjettiWarning, stacklevel=4)
