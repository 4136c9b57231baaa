"""Exports: the child-budget workbook (XLSX) and tidy CSV / Parquet tables.

What the users take to a council meeting is a workbook, and what they feed to
the next script is a folder of tidy tables. Both are built here from the same
frames (:func:`export_tables`), so a figure in the workbook and the same figure
in a CSV file can never disagree.

Three promises hold for every file written here:

* **numbers stay numbers**: euros, shares and counts are numeric cells with
  Excel number formats, not text;
* **nothing from the input runs**: text that a spreadsheet would read as a
  formula (a cost centre ``=HYPERLINK(...)``, a rule basis ``+1+1``) is
  written as text in the workbook and neutralised with a leading apostrophe
  in CSV files (:func:`lapsibudjetti._xlsx.safe_text`);
* **the same input gives the same bytes**: tables are sorted explicitly, the
  workbook carries fixed document timestamps (``SOURCE_DATE_EPOCH`` when set,
  else 2000-01-01) and fixed zip entry times, and Parquet files carry only
  fixed metadata (no pandas index metadata, no timestamps).

Header texts and value labels in Finnish, Swedish and English are data:
``lapsibudjetti/data/labels.csv`` (``key,fi,sv,en``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import math
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from ._errors import InputError, ReferenceDataError
from ._xlsx import safe_text, write_frame

__all__ = ["write_workbook", "write_tables", "export_tables", "text", "LANGS", "BudgetResult"]

#: Languages of the labels.
LANGS: tuple[str, ...] = ("fi", "sv", "en")
#: Organisation-year-phase columns that identify a row of most tables.
_GROUP: tuple[str, ...] = ("org_type", "org_code", "year", "phase")
#: The ``by()`` dimensions, each with a sheet and a table.
_DIMENSIONS: tuple[str, ...] = ("category", "tier", "sector", "colour")
#: Rows per sheet; Excel's limit is 1 048 576 and every row is in the CSV/Parquet files anyway.
MAX_SHEET_ROWS = 1_000_000
#: The default measure text of :func:`lapsibudjetti.child_budget`.
_DEFAULT_MEASURE = "amounts as given in the ledger"
#: Zip entry time of every workbook part (the earliest a zip file can store).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Excel number formats. Excel and LibreOffice show ``,`` as the thousands
# separator of the reader's locale (a space in Finnish), so one format serves all.
_EURO = '#,##0 "€"'
_CENTS = '#,##0.00 "€"'
_PERCENT = "0.0 %"
_PERCENT_FINE = "0.00 %"
_RATIO = "0.00"
_COUNT = "#,##0"
_INTEGER = "0"


class BudgetResult(Protocol):
    """What the exporters need of a result: a :class:`~lapsibudjetti.ChildBudget` or a cross-boundary view."""

    @property
    def reconciliation(self) -> pd.DataFrame: ...

    @property
    def unmapped(self) -> pd.DataFrame: ...

    def summary(self) -> pd.DataFrame: ...

    def by(self, dimension: Any, *, lang: str = "fi") -> pd.DataFrame: ...

    def method(self) -> dict[str, pd.DataFrame]: ...


# ---------------------------------------------------------------------------
# labels


@functools.lru_cache(maxsize=1)
def _label_table() -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    raw = resources.files("lapsibudjetti").joinpath("data/labels.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    if list(df.columns) != ["key", *LANGS]:
        raise ReferenceDataError(f"lapsibudjetti/data/labels.csv must have the columns key,fi,sv,en; it has {','.join(df.columns)}")
    dup = df["key"].duplicated(keep=False)
    if dup.any():
        raise ReferenceDataError("lapsibudjetti/data/labels.csv has keys twice: " + ", ".join(sorted(set(df.loc[dup, "key"]))), rows=df[dup])
    empty = (df[list(LANGS)] == "").any(axis=1)
    if empty.any():
        raise ReferenceDataError("lapsibudjetti/data/labels.csv has empty labels; give every key fi, sv and en", rows=df[empty])
    table = {k: {lang: v for lang, v in zip(LANGS, vals)} for k, *vals in df.itertuples(index=False, name=None)}
    order = {k: i for i, k in enumerate(df["key"])}
    return table, order


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")


def text(key: str, lang: str = "fi", *, default: str | None = None, **values: object) -> str:
    """A label from ``lapsibudjetti/data/labels.csv`` in ``lang``, with ``{placeholders}`` filled in.

    Parameters
    ----------
    key
        The label key, e.g. ``"col.child_euros"`` or ``"value.tier.targeted"``.
    lang
        ``fi``, ``sv`` or ``en``.
    default
        Returned (formatted) when the key is not in the file; without it an
        unknown key is returned as it is.
    **values
        Values for the placeholders.

    Examples
    --------
    >>> text("col.euros_per_child", "fi")
    '€ / lapsi'
    >>> text("note.amounts", "en", measure="net operating cost", target="ages 0–17")
    'Amounts: net operating cost. Target group: ages 0–17.'
    >>> text("col.something_new", "sv", default="something_new")
    'something_new'
    """
    _check_lang(lang)
    table, _ = _label_table()
    entry = table.get(key)
    template = entry[lang] if entry is not None else (default if default is not None else key)
    return template.format(**values) if values else template


def _value_code(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _value_label(kind: str, v: object, lang: str) -> str:
    code = _value_code(v)
    return text(f"value.{kind}.{code}", lang, default=code)


def _value_order(kind: str, v: object) -> int:
    _, order = _label_table()
    return order.get(f"value.{kind}.{_value_code(v)}", len(order))


# ---------------------------------------------------------------------------
# tables


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain values (missing as None), a fresh index; the input is not changed."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            values = s.astype(object).to_numpy()
            out[col] = pd.Series([None if _value_code(v) == "" and not isinstance(v, str) else v for v in values], dtype=object, index=out.index)
    return out.reset_index(drop=True)


def _sorted(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    cols = [c for c in keys if c in frame.columns]
    if not cols or frame.empty:
        return frame.reset_index(drop=True)
    # Mixed None/str object columns sort with None last; the sort is stable, so ties keep the library's order.
    return frame.sort_values(cols, kind="stable", na_position="last").reset_index(drop=True)


def _registry(result: object) -> Any:
    reg = getattr(result, "registry", None)
    if reg is None:
        from ._registry import Registry

        reg = Registry.default()
    return reg


class _Names:
    """Organisation names from the result's registry, each looked up once per export."""

    def __init__(self, result: object, lang: str) -> None:
        self.registry = _registry(result)
        self.lang = lang
        self.cache: dict[tuple[str, str], str] = {}

    def add(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with ``org_name`` after ``org_code`` (when it has both organisation columns)."""
        if not {"org_type", "org_code"} <= set(frame.columns) or "org_name" in frame.columns:
            return frame
        if "name" in frame.columns:  # series tables name organisations in Finnish; use the chosen language
            frame = frame.drop(columns="name")
        pairs = list(zip(frame["org_type"].astype(object).tolist(), frame["org_code"].astype(object).tolist()))
        for t, c in set(pairs):
            key = (_value_code(t), _value_code(c))
            if key not in self.cache:
                self.cache[key] = self.registry.name(key[0], key[1], self.lang) if key[1] else ""
        out = frame.copy()
        names = [self.cache[(_value_code(t), _value_code(c))] for t, c in pairs]
        out.insert(list(out.columns).index("org_code") + 1, "org_name", pd.Series(names, dtype=object, index=out.index))
        return out


def _by_table(result: BudgetResult, dimension: str, lang: str) -> pd.DataFrame | None:
    from ._errors import LapsibudjettiError

    try:
        try:
            raw = result.by(dimension, lang=lang)
        except TypeError:  # a result whose by() has no lang
            raw = result.by(dimension)
    except (LapsibudjettiError, ValueError, KeyError):
        return None  # the result has no such dimension
    t = _plain(raw)
    if dimension != "category" and dimension in t.columns:
        t["label"] = [_value_label(dimension, v, lang) for v in t[dimension]]
    elif "label" in t.columns and dimension in t.columns:
        t["label"] = [lab if isinstance(lab, str) and lab else _value_code(code) for lab, code in zip(t["label"], t[dimension])]
    group = [c for c in _GROUP if c in t.columns]
    if "child_euros" in t.columns and group:
        total = t.groupby(group, dropna=False, sort=False)["child_euros"].transform("sum").to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            t["share_of_child_euros"] = np.where(total > 0, t["child_euros"].to_numpy(dtype=float) / total, np.nan)
    if dimension != "category" and dimension in t.columns:
        t["_order"] = [_value_order(dimension, v) for v in t[dimension]]
        t = _sorted(t, [*group, "_order"]).drop(columns="_order")
    else:
        t = _sorted(t, group)  # by("category") comes in the categories' reading order
    return t


def _comparison(summary: pd.DataFrame) -> pd.DataFrame:
    """Rank and median of euros per child among organisations of one type, year and phase."""
    need = {"org_type", "org_code", "year", "phase", "euros_per_child"}
    if not need <= set(summary.columns):
        return pd.DataFrame()
    cols = [c for c in ("org_type", "org_code", "org_name", "year", "phase", "children", "child_euros", "euros_per_child") if c in summary.columns]
    out = summary[cols].copy()
    group = ["org_type", "year", "phase"]
    per = out["euros_per_child"].astype(float)
    grouped = per.groupby([out[c] for c in group], dropna=False, sort=False)
    out["rank_per_child"] = grouped.rank(ascending=False, method="min").astype("Int64")
    out["organisations"] = grouped.transform("count").astype("int64")
    median = grouped.transform("median")
    out["median_euros_per_child"] = median
    out["difference_from_median_euros"] = per - median
    with np.errstate(invalid="ignore", divide="ignore"):
        out["difference_from_median_share"] = np.where(median > 0, per / median - 1.0, np.nan)
    if "preventive_share" in summary.columns:
        prev = summary["preventive_share"].astype(float)
        out["preventive_share"] = prev
        out["rank_preventive_share"] = prev.groupby([out[c] for c in group], dropna=False, sort=False).rank(ascending=False, method="min").astype("Int64")
    for col in ("corrective_share", "placements_ratio"):
        if col in summary.columns:
            out[col] = summary[col].astype(float)
    out = _sorted(out, ["year", "phase", "org_type", "rank_per_child", "org_code"])
    return out


def _settings(frame: pd.DataFrame) -> pd.DataFrame:
    from . import __version__

    if {"setting", "value"} <= set(frame.columns):
        extra = pd.DataFrame({"setting": ["exported with"], "value": [f"lapsibudjetti {__version__}"]})
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame


_METHOD_SORT: dict[str, tuple[str, ...]] = {
    "keys": ("rule_id", "org_type", "org_code", "year", "service_class"),
    "population": _GROUP,
    "population_notes": _GROUP,
}


def _series_parts(result: Any) -> tuple[Any, dict[str, pd.DataFrame], Any]:
    """A series across the 2022/2023 switch (:func:`lapsibudjetti.series`) is exported as its view plus its tables."""
    if not hasattr(result, "summary") and all(hasattr(result, a) for a in ("view", "totals", "table", "budget_vs_actual")):
        extra = {"series": result.totals, "series_by_sector": result.table}
        if len(result.budget_vs_actual):
            extra["budget_vs_actual"] = result.budget_vs_actual
        return result.view, extra, result
    return result, {}, result


def export_tables(
    result: BudgetResult,
    *,
    lang: str = "fi",
    comparison: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every summary table of a result as tidy frames, sorted deterministically.

    The frames behind :func:`write_workbook` and :func:`write_tables`:
    English snake_case columns, codes rather than labels (``municipality``,
    ``actual``, ``corrective``) plus an ``org_name`` and, in the ``by_*``
    tables, a ``label`` in ``lang``.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or any object with
        ``summary()``, ``by()``, ``reconciliation``, ``unmapped`` and
        ``method()`` (the cross-boundary views).
    lang
        Language of organisation names and labels.
        A series across the 2022/2023 switch (:func:`lapsibudjetti.series`)
        is exported as its view plus the tables ``series`` (totals),
        ``series_by_sector`` and ``budget_vs_actual``.
    comparison
        A ready comparison table to use instead of the one computed from
        ``summary()`` (rank and median within organisation type, year and phase).
    extra
        More tables to export, by name (after the comparison), e.g.
        ``{"series": s.totals}``; names beginning with ``method_`` go at the
        end with the method tables. An ``org_name`` is added where they
        have ``org_type`` and ``org_code``.

    Returns
    -------
    dict of str to DataFrame
        ``summary``, ``by_category``, ``by_tier``, ``by_sector``,
        ``by_colour``, ``comparison``, the extra tables, ``unmapped``,
        ``reconciliation`` and ``method_<name>`` for every table of
        ``result.method()`` (the rules first).

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564", "564"], "year": [2019, 2019],
    ...     "task_class": ["Perusopetus", "Vesihuolto"], "amount": [1000.0, 50.0]},
    ...     org_type="municipality", phase="actual")
    >>> tables = export_tables(lb.child_budget(led), lang="en")
    >>> list(tables)[:6]
    ['summary', 'by_category', 'by_tier', 'by_sector', 'by_colour', 'comparison']
    >>> tables["summary"][["org_name", "year", "child_euros"]].to_dict("records")
    [{'org_name': 'Oulu', 'year': 2019, 'child_euros': 1000.0}]
    """
    _check_lang(lang)
    result, series_tables, method_source = _series_parts(result)
    more = {**series_tables, **dict(extra or {})}
    for name, frame in more.items():
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"extra table {name!r} must be a DataFrame, not {type(frame).__name__}")
    out: dict[str, pd.DataFrame] = {}
    names = _Names(result, lang)
    summary = names.add(_plain(result.summary()))
    out["summary"] = _sorted(summary, _GROUP)
    for dim in _DIMENSIONS:
        t = _by_table(result, dim, lang)
        if t is not None:
            out[f"by_{dim}"] = names.add(t)
    if comparison is not None:
        if not isinstance(comparison, pd.DataFrame):
            raise InputError(f"comparison must be a DataFrame (e.g. from compare()), not {type(comparison).__name__}")
        comp = names.add(_plain(comparison))
        out["comparison"] = _sorted(comp, ["year", "phase", "org_type", "org_code"])
    else:
        out["comparison"] = _comparison(out["summary"])
    for name, frame in more.items():
        if not str(name).startswith("method_"):
            keys = [*_GROUP[:2], "phase", "sector", "year"] if str(name).startswith("series") else [*_GROUP, "sector"]
            out[str(name)] = _sorted(names.add(_plain(frame)), keys)
    out["unmapped"] = _sorted(names.add(_plain(result.unmapped)), [*_GROUP, "source_file", "source_row"])
    out["reconciliation"] = _sorted(names.add(_plain(result.reconciliation)), _GROUP)
    method = method_source.method()
    # the rules first: the method sheet is the one a reader opens to see how the figures were made
    for name in sorted(method, key=lambda k: k != "rules"):
        frame = method[name]
        t = _plain(frame)
        if name == "settings":
            t = _settings(t)
        elif name != "rules":  # a rule's org_code is a pattern, not an organisation
            t = names.add(t)
        out[f"method_{name}"] = _sorted(t, _METHOD_SORT.get(name, ()))
    for name, frame in more.items():  # method tables of extra results (e.g. a series' view) go with the method
        if str(name).startswith("method_") and str(name) not in out:
            out[str(name)] = names.add(_plain(frame)) if name != "method_rules" else _plain(frame)
    return out


# ---------------------------------------------------------------------------
# context lines


def _measure(result: object, summary: pd.DataFrame) -> str:
    m = getattr(result, "measure", None)
    if isinstance(m, str) and m:
        return m
    if "measure" in summary.columns and len(summary):
        return " / ".join(sorted({str(v) for v in summary["measure"].dropna()})) or _DEFAULT_MEASURE
    return _DEFAULT_MEASURE


def _target(result: object, summary: pd.DataFrame, lang: str) -> str:
    tg = getattr(result, "target_group", None)
    if hasattr(tg, "low") and hasattr(tg, "high"):
        return text("target.ages", lang, low=tg.low, high=tg.high)
    if "target_group" in summary.columns and len(summary):
        return " / ".join(sorted({str(v) for v in summary["target_group"].dropna()}))
    return text("target.ages", lang, low=0, high=17)


def measure_text(measure: str, lang: str) -> str:
    """The wording of a measure (``"net operating cost"``) in ``lang`` from ``labels.csv``; else as given.

    Examples
    --------
    >>> measure_text("Net operating cost", "fi")
    'nettokäyttökustannukset'
    >>> measure_text("euros of our own kind", "sv")
    'euros of our own kind'
    """
    return text(f"measure.{measure.strip().lower()}", lang, default=measure)


def _amounts_line(result: object, summary: pd.DataFrame, lang: str) -> str:
    measure = _measure(result, summary)
    return text("note.amounts", lang, measure=measure_text(measure, lang), target=_target(result, summary, lang))


# ---------------------------------------------------------------------------
# workbook


#: Columns shown in the notes line of every sheet instead of on every row.
_CONTEXT_COLUMNS = frozenset({"measure", "target_group"})
#: Columns whose codes are shown as labels (value.<kind>.<code> in labels.csv).
_VALUE_COLUMNS: dict[str, str] = {"org_type": "org_type", "member_type": "org_type", "phase": "phase", "tier": "tier",
                                  "sector": "sector", "colour": "colour", "ok": "ok", "break": "yesno"}


_FORMATS: dict[str, str] = {
    "integer": _INTEGER,
    "count": _COUNT,
    "euro": _EURO,
    "cents": _CENTS,
    "percent": _PERCENT,
    "percent_fine": _PERCENT_FINE,
    "ratio": _RATIO,
    "index": "0.0",
}
#: Tables about cents (a reconciliation, ledger lines): euros shown to the cent.
_CENT_TABLES = frozenset({"reconciliation", "unmapped", "method_allocation_check"})


@functools.lru_cache(maxsize=1)
def _column_formats() -> dict[str, str]:
    raw = resources.files("lapsibudjetti").joinpath("data/export_columns.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    bad = ~df["format"].isin(list(_FORMATS))
    if bad.any() or df["column"].duplicated().any():
        raise ReferenceDataError(
            f"lapsibudjetti/data/export_columns.csv: every column once, formats one of {', '.join(_FORMATS)}",
            rows=df[bad | df["column"].duplicated(keep=False)],
        )
    return dict(zip(df["column"], df["format"]))


def _number_format(table: str, col: str) -> str | None:
    """The Excel number format of a numeric column (``data/export_columns.csv``).

    Columns not in the file (from tables added later) get one by their name's
    ending, so that euros never show up as bare numbers.
    """
    kind = _column_formats().get(col)
    if kind is None:
        if col.endswith("_euros") or col.endswith("_per_child"):
            kind = "euro"
        elif col.endswith("_share") or col.endswith("_pct"):
            kind = "percent"
        elif col.endswith("_ratio"):
            kind = "ratio"
        else:
            return None
    if kind == "euro" and table in _CENT_TABLES:
        kind = "cents"
    return _FORMATS[kind]


def _display_frame(name: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The columns shown on a sheet: labels instead of codes, context columns dropped."""
    t = frame.drop(columns=[c for c in frame.columns if c in _CONTEXT_COLUMNS])
    dim = name[3:] if name.startswith("by_") else None
    if dim is not None and dim in t.columns and "label" in t.columns:
        # One readable column instead of code + label, right after the organisation and year.
        t = t.drop(columns=dim).rename(columns={"label": dim})
        front = [c for c in (*_GROUP[:2], "org_name", *_GROUP[2:], dim, "euros", "child_euros", "share_of_child_euros", "lines") if c in t.columns]
        t = t[front + [c for c in t.columns if c not in front]]
    for col in t.columns:
        kind = _VALUE_COLUMNS.get(str(col))
        if kind is None or (dim is not None and col == dim):
            continue
        if kind in ("ok", "yesno"):
            t[col] = [text(f"value.{kind}." + ("true" if bool(v) else "false"), lang) if _value_code(v) else "" for v in t[col]]
        elif name == "method_rules" and kind in ("org_type",):
            continue  # a rule constraint; empty or a list, shown as written in the rules file
        else:
            t[col] = [_value_label(kind, v, lang) if _value_code(v) else "" for v in t[col]]
    if name == "budget_vs_actual":
        # without a revised budget its columns would be empty; the CSV/Parquet tables keep them
        t = t[[c for c in t.columns if not (c.endswith("revised_budget") or c.startswith("revised_budget")) or t[c].notna().any()]]
    if name.startswith("method_") and {"setting", "value"} <= set(t.columns):
        t["setting"] = [text(f"setting.{v}", lang, default=str(v)) for v in t["setting"]]
    return t


def _formatted_length(v: object, fmt: str | None) -> int:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return 0
    if isinstance(v, bool | np.bool_):
        return 5
    if isinstance(v, int | float | np.integer | np.floating):
        x = float(v)
        if fmt in (_PERCENT, _PERCENT_FINE):
            return len(f"{x * 100:.2f}") + 2
        if fmt == _RATIO:
            return len(f"{x:.2f}")
        digits = len(f"{abs(x):,.0f}") + (1 if x < 0 else 0)
        return digits + (5 if fmt == _CENTS else 2 if fmt == _EURO else 0)
    return len(str(v))


def _layout(frame: pd.DataFrame, headers: list[str], formats: Mapping[str, str]) -> tuple[dict[str, float], float]:
    """Column widths from the values (headers wrap), and the header row height."""
    widths: dict[str, float] = {}
    lines = 1
    sample = frame.head(500)
    for col, head in zip(frame.columns, headers):
        fmt = formats.get(str(col))
        longest_value = max([0] + [_formatted_length(v, fmt) for v in sample[col].tolist()])
        longest_word = max([0] + [len(w) for w in head.split()])
        cap = 60 if fmt is None else 22
        width = float(min(cap, max(8, longest_value + 2, longest_word + 2, min(len(head), 14) + 2)))
        if fmt == _INTEGER:
            width = max(width, 10.0)  # a right-aligned year needs air before the text column after it
        widths[str(col)] = width
        lines = max(lines, math.ceil(len(head) / max(1.0, width - 2)))
    return widths, 15.0 * min(lines, 5) + 3.0


def _sheet_title(name: str, lang: str) -> str:
    return text(f"sheet.{name}", lang, default=name)


def _sheet_name(name: str, lang: str, used: set[str]) -> str:
    base = _sheet_title(name, lang)
    for ch in '[]:*?/\\':
        base = base.replace(ch, " ")
    base = base[:31]
    candidate, k = base, 2
    while candidate.lower() in used:
        suffix = f" ({k})"
        candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(candidate.lower())
    return candidate


def _freeze_columns(frame: pd.DataFrame) -> int:
    cols = list(frame.columns)
    return cols.index("org_name") + 1 if "org_name" in cols and cols.index("org_name") < 4 else 0


def _centre(ws: Any, column: int, first: int, last: int) -> None:
    from openpyxl.styles import Alignment

    centred = Alignment(horizontal="center")
    for (cell,) in ws.iter_rows(min_row=first, max_row=last, min_col=column, max_col=column):
        cell.alignment = centred


def _print_setup(ws: Any, header_row: int) -> None:
    """Landscape, as wide as the page, the header repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _fixed_time() -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    return _dt.datetime(2000, 1, 1)


def _deterministic_bytes(wb: Any) -> bytes:
    """The workbook as bytes with fixed timestamps in docProps and in every zip entry."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = _fixed_time()
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp "modified" with the current time.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def write_workbook(
    result: BudgetResult,
    path: str | Path,
    *,
    lang: Literal["fi", "sv", "en"] = "fi",
    comparison: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the child-budget workbook (XLSX) of a result.

    Sheets: summary (child euros, euros per child, share of all spending,
    preventive and corrective shares, child-protection balance, per
    organisation and year), by category, by tier, by sector, by colour, the
    comparison between organisations (rank, euros per child against the
    median), the unmapped lines, the reconciliation, and the method (every
    rule with its basis and line counts, the settings and library version,
    the allocation keys and the population used). Every sheet says in its
    notes line what the amounts are and the target group; headers are
    frozen, filters are on, and numbers carry Excel number formats.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a cross-boundary result
        (anything with ``summary()``, ``by()``, ``reconciliation``,
        ``unmapped`` and ``method()``).
    path
        The ``.xlsx`` file to write (replaced if it exists).
    lang
        Language of sheet names, headers and labels: ``fi``, ``sv`` or ``en``.
        A series across the 2022/2023 switch (:func:`lapsibudjetti.series`)
        gives its view's sheets plus the changes in nominal and real terms.
    comparison
        A comparison table to show instead of the default (e.g. a peer-group
        comparison); by default ranks and medians are computed from
        ``summary()`` within organisation type, year and phase.
    extra
        More tables, by name, each on its own sheet after the comparison
        (sheet name and headers from the labels where known).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        For an unknown language, a path not ending in ``.xlsx`` or a folder
        that does not exist.

    Notes
    -----
    The same result gives a byte-identical file: the document's created and
    modified times are fixed (``SOURCE_DATE_EPOCH`` if set, else
    2000-01-01T00:00:00Z), as are the times inside the zip container. Text
    cells are stored as text and text a spreadsheet would read as a formula
    gets a leading apostrophe.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import lapsibudjetti as lb
    >>> from openpyxl import load_workbook
    >>> led = lb.make_ledger({"org_code": ["564", "564"], "year": [2019, 2019],
    ...     "task_class": ["Perusopetus", "Vesihuolto"], "amount": [1000.0, 50.0]},
    ...     org_type="municipality", phase="actual")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lapsibudjetti.xlsx"
    >>> _ = write_workbook(lb.child_budget(led), path, lang="en")
    >>> wb = load_workbook(path)
    >>> wb.sheetnames[:3]
    ['Summary', 'By category', 'By tier']
    >>> wb["Summary"]["A2"].value
    'Amounts: amounts as given in the ledger. Target group: ages 0–17.'
    """
    _check_lang(lang)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"write the workbook to a file ending in .xlsx, not {path.name!r}", file=str(path))
    if not path.parent.exists():
        raise InputError(f"the folder {str(path.parent)!r} does not exist; create it first", file=str(path))
    from openpyxl import Workbook

    from . import __version__

    tables = export_tables(result, lang=lang, comparison=comparison, extra=extra)
    amounts = _amounts_line(_series_parts(result)[0], tables["summary"], lang)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, frame in tables.items():
        ws = wb.create_sheet(_sheet_name(name, lang, used))
        shown = _display_frame(name, frame, lang)
        notes = [amounts]
        explanation = text(f"note.{name}", lang, default="", version=__version__)
        if explanation:
            notes.append(explanation)
        if len(shown) > MAX_SHEET_ROWS:
            notes.append(text("note.truncated", lang, shown=f"{MAX_SHEET_ROWS:,}".replace(",", " "), total=f"{len(shown):,}".replace(",", " ")))
            shown = shown.head(MAX_SHEET_ROWS)
        headers = [text(f"col.{c}", lang, default=str(c)) for c in shown.columns]
        formats = {str(c): f for c in shown.columns if (f := _number_format(name, str(c))) is not None}
        widths, height = _layout(shown, headers, formats)
        header_row = write_frame(
            ws,
            shown,
            headers=headers,
            formats=formats,
            widths=widths,
            title=text(f"title.{name}", lang, default=_sheet_title(name, lang)),
            notes=notes,
            freeze_columns=_freeze_columns(shown),
            header_height=height,
        )
        _print_setup(ws, header_row)
        if "year" in shown.columns:  # a centred year reads apart from the text column beside it
            _centre(ws, list(shown.columns).index("year") + 1, header_row + 1, header_row + len(shown))
    props = wb.properties
    props.creator = f"lapsibudjetti {__version__}"
    props.lastModifiedBy = f"lapsibudjetti {__version__}"
    props.title = _sheet_title("summary", lang)
    props.language = lang
    path.write_bytes(_deterministic_bytes(wb))
    return path


# ---------------------------------------------------------------------------
# tidy tables


def _number_text(x: float, decimal: str) -> str:
    if math.isnan(x):
        return ""
    if x == 0:
        return "0"  # also -0.0
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    s = np.format_float_positional(x, unique=True, trim="-")
    return s.replace(".", decimal) if decimal != "." else s


def _csv_cell(v: object, decimal: str) -> str:
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        return _number_text(float(v), decimal)
    return safe_text(str(v))


def _csv_bytes(frame: pd.DataFrame, dialect: str) -> bytes:
    sep, decimal, bom = (";", ",", True) if dialect == "fi" else (",", ".", False)
    buf = io.StringIO()
    # CRLF as RFC 4180 says; it also makes the writer quote a field holding a bare CR or LF
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_text(str(c)) for c in frame.columns])
    columns = [frame[c].astype(object).tolist() for c in frame.columns]
    for row in zip(*columns):
        writer.writerow([_csv_cell(v, decimal) for v in row])
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def _arrow_column(s: pd.Series) -> tuple[Any, Any]:
    import pyarrow as pa
    from pandas.api import types as ptypes

    dtype = s.dtype
    if not isinstance(dtype, pd.CategoricalDtype) and dtype != object:
        if ptypes.is_bool_dtype(dtype):
            return pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.bool_()), pa.bool_()
        if ptypes.is_integer_dtype(dtype):
            return pa.array([None if pd.isna(v) else int(v) for v in s.tolist()], type=pa.int64()), pa.int64()
        if ptypes.is_float_dtype(dtype):
            return pa.array(s.to_numpy(dtype=float, na_value=np.nan), type=pa.float64(), from_pandas=True), pa.float64()
    values = s.astype(object).tolist()
    present = [v for v in values if _value_code(v) != ""]
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return pa.array([None if _value_code(v) == "" else bool(v) for v in values], type=pa.bool_()), pa.bool_()
    if present and all(isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_) for v in present):
        return pa.array([None if _value_code(v) == "" else int(v) for v in values], type=pa.int64()), pa.int64()
    if present and all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_) for v in present):
        return pa.array([None if _value_code(v) == "" else float(v) for v in values], type=pa.float64()), pa.float64()
    return pa.array([None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values], type=pa.string()), pa.string()


def _write_parquet(frame: pd.DataFrame, path: Path, metadata: Mapping[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays, fields = [], []
    for col in frame.columns:
        arr, typ = _arrow_column(frame[col])
        arrays.append(arr)
        fields.append(pa.field(str(col), typ))
    # Built column by column, so there is no pandas metadata (index, pandas version) in the file.
    schema = pa.schema(fields, metadata={k.encode(): v.encode() for k, v in metadata.items()})
    table = pa.Table.from_arrays(arrays, schema=schema)
    pq.write_table(table, path, compression="zstd", write_statistics=True)


def write_tables(
    result: BudgetResult,
    folder: str | Path,
    *,
    dialect: Literal["fi", "plain"] = "fi",
    formats: Iterable[str] = ("csv", "parquet"),
    lang: Literal["fi", "sv", "en"] = "fi",
    comparison: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write every summary table of a result as CSV and Parquet files.

    One file per table and format (``summary.csv``, ``by_category.parquet``,
    ``method_rules.csv``, ... as listed in :func:`export_tables`), with
    stable English snake_case column names and a deterministic row order,
    so the same input gives byte-identical files.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a cross-boundary result.
    folder
        Output folder (created if missing; files in it are replaced).
    dialect
        ``fi``: ``;`` between fields, decimal comma, UTF-8 with a BOM (opens
        right in Finnish Excel). ``plain``: ``,`` and a decimal point, UTF-8.
    formats
        Any of ``csv`` and ``parquet``.
    lang
        Language of the ``org_name`` and ``label`` columns (column names
        stay English).
    comparison, extra
        As in :func:`write_workbook`.

    Returns
    -------
    list of pathlib.Path
        The files written, in table order.

    Notes
    -----
    CSV numbers are written in full (shortest exact decimal, no thousands
    separators, never scientific notation); empty cells are missing values;
    lines end in CRLF (RFC 4180).
    Text cells that a spreadsheet would run as a formula (beginning with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading
    apostrophe. Parquet files keep the text as it is (they are typed data,
    not opened by spreadsheets as formulas) and carry only fixed metadata
    (``lapsibudjetti.*`` keys; no pandas index metadata, no timestamps).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Perusopetus"],
    ...     "amount": [1234.5]}, org_type="municipality", phase="actual")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> paths = write_tables(lb.child_budget(led), folder, formats=("csv",))
    >>> paths[0].name
    'summary.csv'
    >>> paths[0].read_text(encoding="utf-8-sig").splitlines()[1][:45]
    'municipality;564;Oulu;2019;actual;1234,5;1234'
    """
    _check_lang(lang)
    if dialect not in ("fi", "plain"):
        raise InputError(f"dialect must be 'fi' (; and decimal comma) or 'plain' (, and decimal point), not {dialect!r}")
    wanted = [formats] if isinstance(formats, str) else list(formats)
    unknown = [f for f in wanted if f not in ("csv", "parquet")]
    if unknown or not wanted:
        raise InputError(f"formats must be one or both of 'csv' and 'parquet', not {wanted!r}")
    from . import __version__

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{str(folder)!r} is a file, not a folder", file=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    tables = export_tables(result, lang=lang, comparison=comparison, extra=extra)
    view = _series_parts(result)[0]
    measure = _measure(view, tables["summary"])
    target = _target(view, tables["summary"], "en")
    paths: list[Path] = []
    for name, frame in tables.items():
        if "csv" in wanted:
            p = folder / f"{name}.csv"
            p.write_bytes(_csv_bytes(frame, dialect))
            paths.append(p)
        if "parquet" in wanted:
            p = folder / f"{name}.parquet"
            meta = {
                "lapsibudjetti.table": name,
                "lapsibudjetti.version": __version__,
                "lapsibudjetti.measure": measure,
                "lapsibudjetti.target_group": target,
                "lapsibudjetti.lang": lang,
            }
            _write_parquet(frame, p, meta)
            paths.append(p)
    return paths
