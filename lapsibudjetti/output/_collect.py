"""Which tables a report exports: the summary, by-tables, comparison, method and extra tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import pandas as pd

from .._errors import InputError
from ..measure._compare import comparison_table
from ..reference._labels import (
    lang_or_default,
    measure_text,
    say,
    text,
    value_code,
    value_label,
    value_order,
)

if TYPE_CHECKING:
    from .._budget import ChildBudget

#: Organisation-year-phase columns that identify a row of most tables.
_GROUP: tuple[str, ...] = ("org_type", "org_code", "year", "phase")
#: The ``by()`` dimensions, each with a sheet and a table.
_DIMENSIONS: tuple[str, ...] = ("category", "tier", "sector", "colour")
#: The default measure text of :func:`lapsibudjetti.child_budget`.
_DEFAULT_MEASURE = "amounts as given in the ledger"


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
# tables


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain values (missing as None), a fresh index; the input is not changed."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            values = s.astype(object).to_numpy()
            out[col] = pd.Series([None if value_code(v) == "" and not isinstance(v, str) else v for v in values], dtype=object, index=out.index)
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
        from ..reference._registry import Registry

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
        new = sorted({(value_code(t), value_code(c)) for t, c in pairs} - set(self.cache))
        self.cache.update((key, "") for key in new if not key[1])
        named = [key for key in new if key[1]]
        if named:  # every new organisation in one lookup (one name() each took a third of a second on the national data)
            found = self.registry.names(pd.Series([t for t, _ in named]), pd.Series([c for _, c in named]), self.lang)
            self.cache.update(zip(named, found.tolist()))
        out = frame.copy()
        names = [self.cache[(value_code(t), value_code(c))] for t, c in pairs]
        out.insert(list(out.columns).index("org_code") + 1, "org_name", pd.Series(names, dtype=object, index=out.index))
        return out


def _by_table(result: BudgetResult, dimension: str, lang: str) -> pd.DataFrame | None:
    from .._errors import LapsibudjettiError

    try:
        try:
            raw = result.by(dimension, lang=lang)
        except TypeError:  # a result whose by() has no lang
            raw = result.by(dimension)
    except (LapsibudjettiError, ValueError, KeyError):
        return None  # the result has no such dimension
    t = _plain(raw)
    if dimension != "category" and dimension in t.columns:
        t["label"] = [value_label(dimension, v, lang) for v in t[dimension]]
    elif "label" in t.columns and dimension in t.columns:
        t["label"] = [lab if isinstance(lab, str) and lab else value_code(code) for lab, code in zip(t["label"], t[dimension])]
    group = [c for c in _GROUP if c in t.columns]
    if "child_euros" in t.columns and group:
        total = t.groupby(group, dropna=False, sort=False)["child_euros"].transform("sum").to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            t["share_of_child_euros"] = np.where(total > 0, t["child_euros"].to_numpy(dtype=float) / total, np.nan)
    if dimension != "category" and dimension in t.columns:
        t["_order"] = [value_order(dimension, v) for v in t[dimension]]
        t = _sorted(t, [*group, "_order"]).drop(columns="_order")
    else:
        t = _sorted(t, group)  # by("category") comes in the categories' reading order
    return t


def _settings(frame: pd.DataFrame) -> pd.DataFrame:
    from .._version import __version__

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
    lang: str | None = None,
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
        end with the method tables, names beginning with ``appendix_`` after them. An ``org_name`` is added where they
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
    lang = lang_or_default(lang)
    result, series_tables, method_source = _series_parts(result)
    more = {**series_tables, **dict(extra or {})}
    for name, frame in more.items():
        if not isinstance(frame, pd.DataFrame):
            raise InputError(say("arg.type", name=f"extra[{name!r}]", expected=say("what.table"), got=type(frame).__name__))
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
            raise InputError(say("arg.type", name="comparison", expected=say("what.comparison"), got=type(comparison).__name__))
        comp = names.add(_plain(comparison))
        out["comparison"] = _sorted(comp, ["year", "phase", "org_type", "org_code"])
    else:
        out["comparison"] = names.add(comparison_table(cast("ChildBudget", result)))
    for name, frame in more.items():
        if not str(name).startswith(("method_", "appendix_")):
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
    for name, frame in more.items():  # appendices last (e.g. each ledger as booked beside a view)
        if str(name).startswith("appendix_"):
            out[str(name)] = _sorted(names.add(_plain(frame)), _GROUP)
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
    if tg is not None and hasattr(tg, "low") and hasattr(tg, "high"):
        return text("target.ages", lang, low=tg.low, high=tg.high)
    if "target_group" in summary.columns and len(summary):
        return " / ".join(sorted({str(v) for v in summary["target_group"].dropna()}))
    return text("target.ages", lang, low=0, high=17)


def _amounts_line(result: object, summary: pd.DataFrame, lang: str) -> str:
    measure = _measure(result, summary)
    return text("note.amounts", lang, measure=measure_text(measure, lang), target=_target(result, summary, lang))
