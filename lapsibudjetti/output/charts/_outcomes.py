"""Euros and an outcome indicator on one time axis (e.g. placements euros and children placed outside the home)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from ...reference._format import format_number
from ...reference._labels import lang_or_default
from ...reference._labels import text as label_text
from ._base import (
    _INK,
    ORG_COLOURS,
    ResultLike,
    _axes,
    _euro_ticks,
    _finish,
    _Fit,
    _frame_axes,
    _note,
    _number_ticks,
    _org_names,
    _subtitle,
    _titles,
    _value_scale,
)

#: The euros drawn beside each indicator (a summary column); other indicators are drawn beside child euros.
_EUROS_FOR = {"placed_children": "placements_euros"}


def plot_outcome(
    result: ResultLike,
    org_code: str,
    *,
    indicator: str = "placed_children",
    indicators: pd.DataFrame | None = None,
    ax: Axes | None = None,
    lang: str | None = None,
    phase: str = "actual",
    figsize: tuple[float, float] | None = None,
    fontsize: float | None = None,
) -> Axes:
    """Euros (bars, left axis) and an outcome indicator (line, right axis) of one organisation over the years.

    For ``placed_children`` the bars are the placements euros (child-protection
    substitute care), else the child euros. Years without an indicator figure
    have no point (never a zero); the note names them.

    Parameters
    ----------
    result
        A child budget (or view) with ``outcomes()``.
    org_code
        The organisation (e.g. a wellbeing area ``"20"``).
    indicator
        The indicator to draw; default children placed outside the home.
    indicators
        An indicator table (see :meth:`ChildBudget.outcomes`); default the packaged one.
    ax, lang, phase, figsize, fontsize
        As in :func:`plot_tiers`.

    Returns
    -------
    matplotlib.axes.Axes
        The euro axes (the indicator is on its twin).
    """
    lang = lang_or_default(lang)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing years are named in the note instead
        table = result.outcomes(indicators)  # type: ignore[attr-defined]
    t = table[(table["org_code"].astype(str) == str(org_code)) & (table["indicator"] == indicator) & (table["phase"].astype(str) == phase)]
    if t.empty:
        raise InputError(label_text("chart.no_outcome", lang, what="plot_outcome", indicator=repr(indicator), phase=phase, org=repr(org_code),
                                    orgs=", ".join(sorted(set(table["org_code"].astype(str)))) or label_text("error.no_column_none", lang)))
    t = t.sort_values("year")
    euros_col = _EUROS_FOR.get(indicator, "child_euros")
    years = t["year"].to_numpy(dtype=int)
    euros = t[euros_col].to_numpy(dtype=float)
    values = t["value"].to_numpy(dtype=float)
    ax, style = _axes(ax, figsize, fontsize)
    fit = _Fit()
    _frame_axes(ax, style, "y")
    bars = ax.bar(years, euros, width=0.6, color="#9DBBD6", edgecolor="white", zorder=2)
    ax.yaxis.set_major_formatter(_euro_ticks(lang, _value_scale(float(np.nanmax(np.abs(euros))) if len(euros) else 0.0)))
    ax.set_ylabel(label_text(f"col.{euros_col}", lang), fontsize=style.label, color=_INK)
    ax.set_xticks(years, [str(y) for y in years])
    twin = ax.twinx()
    ok = np.isfinite(values)
    line = twin.plot(years[ok], values[ok], color=ORG_COLOURS[1], marker="o", linewidth=2.6, markersize=8, zorder=4)[0]
    twin.yaxis.set_major_formatter(_number_ticks(lang))
    top = float(np.nanmax(values)) if ok.any() else 1.0
    twin.set_ylim(0, top * 1.15 if top > 0 else 1.0)
    name = label_text(f"indicator.{indicator}", lang, default=indicator)
    twin.set_ylabel(name, fontsize=style.label, color=ORG_COLOURS[1])
    twin.tick_params(labelsize=style.tick, colors=ORG_COLOURS[1])
    for side in ("top", "left", "bottom"):
        twin.spines[side].set_visible(False)
    org = _org_names(result, t.iloc[:1], lang).iloc[0]
    summary = result.summary()
    _titles(ax, style, fit, label_text("title.outcome", lang, org=org, indicator=name[:1].lower() + name[1:]), _subtitle(result, summary, t, lang))
    handles: list[Any] = [bars, line]
    ax.legend(handles, [label_text(f"col.{euros_col}", lang), name], loc="upper left", frameon=True, framealpha=0.9,
              edgecolor="none", fontsize=style.small)
    source = str(t["source"].dropna().iloc[0]).split(",")[0] if t["source"].notna().any() else ""  # its first clause: who
    note = label_text("note.outcome", lang, source=source)
    if (~ok).any():
        note += " " + label_text("note.outcome_missing", lang, years=", ".join(str(y) for y in years[~ok]))
    per = t["placements_euros_per_placed_child"].to_numpy(dtype=float) if indicator == "placed_children" else np.array([])
    if len(per) and np.isfinite(per).any():
        last = int(np.flatnonzero(np.isfinite(per))[-1])
        note += " " + label_text("note.outcome_per_child", lang, year=int(years[last]), value=format_number(per[last], lang))
    _note(ax, style, fit, note)
    _finish(ax, fit)
    return ax
