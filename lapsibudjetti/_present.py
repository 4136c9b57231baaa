"""How result tables are shown to people: headings and codes in the chosen language, one number formatter per language.

One definition serves the workbook sheets, the notebook tables and the
result objects' HTML: :func:`display_frame` (value labels instead of codes,
context columns dropped), :func:`number_kind` (what a column's numbers are,
from ``data/export_columns.csv``), :func:`number_formatter` (how they are
written in fi/sv/en) and :func:`styled` (a pandas ``Styler`` for notebooks,
so no notebook needs a ``float_format`` of its own).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Iterable
from importlib import resources
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._errors import InputError, ReferenceDataError
from .reference._format import format_number, format_percent
from .reference._labels import basis_text, key_text, lang_or_default, say, setting_text, text, value_code, value_label

if TYPE_CHECKING:
    from ._budget import ChildBudget

__all__ = ["display_frame", "number_kind", "number_formatter", "styled", "budget_table", "NUMBER_KINDS", "TABLES"]

#: The number kinds of ``data/export_columns.csv``.
NUMBER_KINDS: tuple[str, ...] = ("integer", "count", "euro", "cents", "percent", "percent_fine", "ratio", "index")
#: Decimals shown per number kind.
_DECIMALS = {"integer": 0, "count": 0, "euro": 0, "cents": 2, "ratio": 2, "index": 1, "percent": 1, "percent_fine": 2}
#: Columns shown in the notes line of every sheet instead of on every row.
_CONTEXT_COLUMNS = frozenset({"measure", "target_group"})
#: Columns whose codes are shown as labels (value.<kind>.<code> in labels.csv).
VALUE_COLUMNS: dict[str, str] = {"org_type": "org_type", "member_type": "org_type", "phase": "phase", "tier": "tier",
                                 "sector": "sector", "colour": "colour", "ok": "ok", "break": "yesno",
                                 "change": "change", "tier_before": "tier", "tier_after": "tier", "colour_before": "colour",
                                 "colour_after": "colour", "total_same": "yesno", "category_sum_ok": "yesno", "tier_sum_ok": "yesno",
                                 "profile": "profile", "population_basis": "population_basis"}
#: Columns of free text that may name a packaged source (``SYNTHETIC population …``): shown as :func:`setting_text` says.
_SOURCE_COLUMNS = ("source", "population_source", "key_source", "basis")
_GROUP = ("org_type", "org_code", "year", "phase")
#: The tables of a child budget that :func:`budget_table` shows.
TABLES = ("summary", "by_category", "by_tier", "by_sector", "by_colour", "reconciliation", "unmapped", "missing_population")


@functools.lru_cache(maxsize=1)
def column_kinds() -> dict[str, str]:
    """Column → number kind, from ``data/export_columns.csv``."""
    raw = resources.files("lapsibudjetti").joinpath("data/export_columns.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    bad = ~df["format"].isin(list(NUMBER_KINDS))
    if bad.any() or df["column"].duplicated().any():
        raise ReferenceDataError(
            say("ref.export_columns", kinds=", ".join(NUMBER_KINDS)),
            rows=df[bad | df["column"].duplicated(keep=False)],
        )
    return dict(zip(df["column"], df["format"]))


def number_kind(col: str) -> str | None:
    """What a column's numbers are (``euro``, ``percent`` …): ``data/export_columns.csv``, else by the name's ending.

    Columns not in the file (from tables added later) get a kind by their
    name, so that euros never show up as bare numbers; ``x_before`` and
    ``x_after`` are of the kind of ``x``.

    Examples
    --------
    >>> number_kind("child_euros"), number_kind("preventive_share_after"), number_kind("rule_id")
    ('euro', 'percent', None)
    """
    kind = column_kinds().get(col)
    if kind is not None:
        return kind
    for suffix in ("_before", "_after"):
        if col.endswith(suffix):
            return number_kind(col[: -len(suffix)])
    if col.endswith(("_euros", "_per_child")) or col in ("difference", "euros", "amount"):
        return "euro"
    if col.endswith(("_share", "_pct")) or col == "child_share":
        return "percent"
    if col.endswith("_ratio"):
        return "ratio"
    return None


def _each(values: Iterable[Any], shown: Callable[..., Any], *args: Any) -> list[Any]:
    """``shown(value, *args)`` of every value, worked out once per distinct value (a column of codes repeats a few of them)."""
    memo: dict[tuple[type, Any], Any] = {}
    out = []
    for v in values:
        try:
            key = (type(v), v)
            out.append(memo[key] if key in memo else memo.setdefault(key, shown(v, *args)))
        except TypeError:  # unhashable (a list of values): as it is
            out.append(shown(v, *args))
    return out


def _scope_label(v: object, lang: str) -> str:
    return value_label("scope", v, lang)


def _yes_no(v: object, kind: str, lang: str) -> str:
    return text(f"value.{kind}." + ("true" if bool(v) else "false"), lang) if value_code(v) else ""


def _code_label(v: object, kind: str, lang: str) -> str:
    return value_label(kind, v, lang) if value_code(v) else ""


def _setting_shown(v: object, column: str, lang: str) -> object:
    return setting_text(column, v, lang) if isinstance(v, str) else v


def display_frame(name: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The columns shown on a sheet: labels instead of codes, context columns dropped."""
    t = frame.drop(columns=[c for c in frame.columns if c in _CONTEXT_COLUMNS])
    dim = name[3:] if name.startswith("by_") else None
    if dim is not None and dim in t.columns and "label" in t.columns:
        # One readable column instead of code + label, right after the organisation and year.
        t = t.drop(columns=dim).rename(columns={"label": dim})
        front = [c for c in (*_GROUP[:2], "org_name", *_GROUP[2:], dim, "euros", "child_euros", "share_of_child_euros", "lines") if c in t.columns]
        t = t[front + [c for c in t.columns if c not in front]]
    if name == "reference_figures" and f"name_{lang}" in t.columns:
        # one name, in the reader's language, where the three were
        t = t.drop(columns=[f"name_{x}" for x in ("fi", "sv", "en") if x != lang]).rename(columns={f"name_{lang}": "group_name"})
        if "scope" in t.columns:
            t["scope"] = _each(t["scope"], _scope_label, lang)
    for col in t.columns:
        kind = VALUE_COLUMNS.get(str(col))
        if kind is None or (dim is not None and col == dim):
            continue
        if kind == "population_basis":  # a code, or "code: how it was estimated" (the detail written in the session's language)
            t[col] = _each(t[col], _basis_shown, lang)
            continue
        if kind in ("ok", "yesno"):
            t[col] = _each(t[col], _yes_no, kind, lang)
        elif name == "method_rules" and kind in ("org_type",):
            continue  # a rule constraint; empty or a list, shown as written in the rules file
        else:
            t[col] = _each(t[col], _code_label, kind, lang)
    if name == "method_rules" and f"label_{lang}" in t.columns:  # the category by its name in the reader's language
        named = t[f"label_{lang}"].astype(str).str.strip() != ""
        t["category"] = t["category"].astype(object).where(~named, t[f"label_{lang}"])
        t = t.drop(columns=[c for c in ("label_fi", "label_sv", "label_en") if c in t.columns])
    if name.endswith("population_notes") and "basis" in t.columns:  # how each population figure was obtained: a code
        t["basis"] = _each(t["basis"], _basis_shown, lang)
    if name == "method_rules" and lang != "fi" and "task_class" in t.columns:  # the match key, with its name in the language
        t["task_class"] = _each(t["task_class"], _task_class_shown, lang)
    if name == "method_rules" and "basis" in t.columns:
        t["basis"] = _each(t["basis"], basis_text, lang)
    for col in ("key", "key_fallback", "allocation_key", "key_used"):
        if col in t.columns:
            t[col] = _each(t[col], key_text, lang)
    if "lines" in t.columns and not pd.api.types.is_numeric_dtype(t["lines"]):  # the area allocation: which lines (child or other), not a count
        t["lines"] = _each(t["lines"], _code_label, "linekind", lang)
    for col in _SOURCE_COLUMNS:
        if col in t.columns and not pd.api.types.is_numeric_dtype(t[col]):
            t[col] = _each(t[col], _setting_shown, col, lang)
    if name == "budget_vs_actual":
        # without a revised budget its columns would be empty; the CSV/Parquet tables keep them
        t = t[[c for c in t.columns if not (c.endswith("revised_budget") or c.startswith("revised_budget")) or t[c].notna().any()]]
    if name.startswith("method_") and {"setting", "value"} <= set(t.columns):
        t["value"] = [setting_text(str(k), v, lang) for k, v in zip(t["setting"], t["value"])]
        t["setting"] = _each(t["setting"], lambda v: text(f"setting.{v}", lang, default=str(v)))
    return t


@functools.lru_cache(maxsize=2)
def _task_names(lang: str) -> dict[str, str]:
    from .reference._tables import task_classes

    table = task_classes()
    return {fi: other for fi, other in zip(table["name_fi"], table[f"name_{lang}"]) if isinstance(other, str) and other}


def _task_class_shown(value: object, lang: str) -> str:
    """A rule's task class as it matches (the official Finnish name) with the name in ``lang`` beside it.

    Examples
    --------
    >>> _task_class_shown("Perusopetus", "sv"), _task_class_shown("", "en")
    ('Perusopetus (Grundläggande utbildning)', '')
    """
    names = _task_names(lang)
    raw = value_code(value)
    return "|".join(f"{part} ({names[part]})" if part in names else part for part in raw.split("|")) if raw else raw


def _basis_shown(value: object, lang: str) -> str:
    """A population basis with its code in ``lang``: ``nearest: …`` reads ``lähimmän vuoden ikärakenne: …`` in Finnish."""
    raw = value_code(value)
    code, sep, detail = raw.partition(": ")
    if not code or text(f"value.population_basis.{code}", lang, default="") == "":
        return raw
    return value_label("population_basis", code, lang) + (sep + detail if sep else "")


def number_formatter(col: str, lang: str, *, cents: bool = False) -> Callable[[Any], str] | None:
    """How a column's numbers are shown in ``lang`` (``14 596 531``, ``54,8 %``); ``None`` for a column of text.

    Examples
    --------
    >>> number_formatter("child_euros", "fi")(14596531.21)
    '14\\xa0596\\xa0531'
    >>> number_formatter("preventive_share", "sv")(0.548)
    '54,8\\xa0%'
    >>> number_formatter("preventive_share", "en")(float("nan"))
    '–'
    """
    kind = number_kind(col)
    if kind is None:
        return None
    if kind == "euro" and cents:
        kind = "cents"

    def show(v: Any) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return "–"
        if not isinstance(v, int | float):
            return str(v)
        if kind in ("percent", "percent_fine"):
            return format_percent(float(v), lang, decimals=_DECIMALS[kind])
        if kind == "integer":  # years and codes: no thousands separator
            return str(int(v)) if float(v).is_integer() else str(v)
        return format_number(float(v), lang, decimals=_DECIMALS.get(kind or "", 0))

    return show


def styled(frame: pd.DataFrame, *, name: str = "", lang: str | None = None, formatted: bool = True, cents: bool = False) -> Any:
    """A table for display: headings and codes in ``lang``, numbers formatted per language, numbers right-aligned.

    Parameters
    ----------
    frame
        Any result table (``summary()``, ``by(...)``, a comparison's table …).
    name
        The table's name (``by_category`` …), for the same layout as the workbook sheet.
    lang
        ``fi``, ``sv`` or ``en``; default :func:`lapsibudjetti.default_lang`.
    formatted
        ``False``: only the headings and codes are translated; the numbers are shown as pandas shows them.
    cents
        Show euros to the cent (reconciliations, lines).

    Returns
    -------
    pandas.io.formats.style.Styler
        Its ``.data`` is the translated frame with the numbers unchanged.

    Examples
    --------
    >>> s = styled(pd.DataFrame({"phase": ["actual"], "child_euros": [1234567.891]}), lang="fi")
    >>> list(s.data.columns), s.data["Vaihe"].item()
    (['Vaihe', 'Lapsiin kohdistuvat, €'], 'tilinpäätös')
    >>> "1\\xa0234\\xa0568" in s.to_html()
    True
    """
    lang = lang_or_default(lang)
    shown = display_frame(name, frame, lang)
    formats = {str(c): number_formatter(str(c), lang, cents=cents) for c in shown.columns}
    headers = {c: text(f"col.{c}", lang, default=str(c)) for c in shown.columns}
    data = shown.rename(columns=headers)
    style = data.style.hide(axis="index")
    if formatted:
        style = style.format({headers[c]: f for c, f in formats.items() if f is not None}, na_rep="–")
        numeric = [headers[c] for c, f in formats.items() if f is not None]
        style = style.set_properties(subset=numeric, **{"text-align": "right"})
        text_columns = [h for h in data.columns if h not in numeric]
        style = style.set_properties(subset=text_columns, **{"text-align": "left"})
    return style.set_table_styles([{"selector": "th", "props": [("text-align", "left"), ("font-weight", "bold")]}])


def budget_table(cb: ChildBudget, name: str, *, lang: str | None, formatted: bool) -> Any:
    """:meth:`lapsibudjetti.ChildBudget.table`: one of the result's tables, styled."""
    lang = lang_or_default(lang)
    if name not in TABLES:
        raise InputError(say("arg.one_of", name="table", value=repr(name), allowed=", ".join(TABLES)))
    if name == "summary":
        frame = cb.summary()
    elif name.startswith("by_"):
        frame = cb.by(name[3:], lang=lang)  # type: ignore[arg-type]
    elif name == "missing_population":
        frame = cb.missing_population(lang)
    else:
        frame = getattr(cb, name)
    return styled(frame, name=name, lang=lang, formatted=formatted, cents=name in ("reconciliation", "unmapped"))
