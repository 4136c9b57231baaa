"""Child euros by service tier (or traffic-light colour), absolute or as shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..._errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from ...reference._format import format_euros, format_percent
from ...reference._labels import check_lang as check_lang
from ...reference._labels import lang_or_default
from ...reference._labels import text as label_text
from ._base import (
    _DARK,
    _INK,
    _MUTED,
    COLOUR_STYLE,
    MAX_BARS,
    TIER_STYLE,
    ResultLike,
    _axes,
    _euro_ticks,
    _filter_orgs,
    _finish,
    _Fit,
    _frame_axes,
    _in_bar_label,
    _legend,
    _mpl,
    _note,
    _org_names,
    _percent_ticks,
    _plain,
    _select_phase,
    _select_year,
    _Style,
    _subtitle,
    _titles,
    _value_scale,
)

# ---------------------------------------------------------------- charts

#: Child euros of the largest organisation more than this many times the smallest's: ``stat="auto"`` draws shares.
SHARES_ABOVE = 20

def plot_tiers(
    result: ResultLike,
    *,
    year: int | None = None,
    ax: Axes | None = None,
    lang: str | None = None,
    by: Literal["tier", "colour"] = "tier",
    stat: Literal["auto", "euros", "share"] = "auto",
    phase: str | None = None,
    orgs: Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    fontsize: float | None = None,
) -> Axes:
    """Stacked bars of child euros by service tier per organisation, for one year.

    Bars are sorted by total (largest at the top), each labelled with its
    total; segments wide enough carry their share of the organisation's
    child euros.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a view with ``by()``.
    year
        Year to draw; default the latest in the result.
    ax
        Axes to draw on; default a new slide-sized figure.
    lang
        ``fi``, ``sv`` or ``en``.
    by
        ``tier`` (universal / targeted early support / corrective) or
        ``colour`` (green / yellow traffic-light colour).
    stat
        ``euros``, ``share`` (100 % stacked bars) or ``auto`` (default):
        euros, unless the largest organisation's child euros are more than
        :data:`SHARES_ABOVE` (20) times the smallest's, when the small ones'
        bars would be slivers; then shares, and the note says so. More than
        :data:`~lapsibudjetti.output.charts._base.MAX_BARS` organisations: the largest are drawn,
        with a note.
    phase
        ``actual``, ``budget``, ``revised_budget``; default the actuals
        where available, else the budget (the subtitle says which).
    orgs
        Organisation codes to draw (default all).
    figsize, fontsize
        Size of a new figure (inches) and base font size (points).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["091", "091", "564"], "year": [2019] * 3,
    ...     "task_class": ["Perusopetus", "Lastensuojelun laitos- ja perhehoito", "Perusopetus"],
    ...     "amount": [5e8, 2e8, 1.5e8]}, org_type="municipality", phase="actual")
    >>> ax = plot_tiers(lb.child_budget(led), lang="en")
    >>> ax.get_title(loc="left")
    'Child-targeted euros by service tier, 2019'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    what = "plot_tiers"
    lang = lang_or_default(lang)
    if by not in ("tier", "colour"):
        raise InputError(f"{what}: " + label_text("arg.one_of", lang_or_default(lang), name="by", value=repr(by), allowed="'tier', 'colour'"))
    if stat not in ("auto", "euros", "share"):
        raise InputError(f"{what}: " + label_text("arg.one_of", lang_or_default(lang), name="stat", value=repr(stat),
                                                   allowed="'auto', 'euros', 'share'"))
    styles = TIER_STYLE if by == "tier" else COLOUR_STYLE
    table = _plain(result.by(by, lang=lang))
    table = table[table[by].astype(object).isin(list(styles))]
    table = _select_phase(_filter_orgs(table, orgs, what), phase, what)
    yr = _select_year(table, year, what)
    table = table[table["year"] == yr]
    summary = result.summary()
    labels = dict(zip(table[by].astype(str), table["label"].astype(str)))
    table = table.assign(name=_org_names(result, table, lang).to_numpy())
    wide = table.pivot_table(index="name", columns=by, values="child_euros", aggfunc="sum", fill_value=0.0)
    # red lines carry no child euros by definition: no empty legend entry for them
    levels = [k for k in styles if k in wide.columns and (by == "tier" or float(wide[k].abs().sum()) > 0)]
    wide = wide[levels]
    totals = wide.sum(axis=1)
    notes: list[str] = []
    if len(wide) > MAX_BARS:
        biggest = totals.sort_values(ascending=False, kind="stable").index[:MAX_BARS]
        notes.append(label_text("note.capped_bars", lang, shown=MAX_BARS, n=len(wide)))
        wide, totals = wide.loc[biggest], totals.loc[biggest]
    if stat == "auto":
        positive = totals[totals > 0]
        stat = "share" if len(positive) > 1 and float(positive.max()) > SHARES_ABOVE * float(positive.min()) else "euros"
        if stat == "share":
            notes.append(label_text("note.shares_auto", lang, ratio=SHARES_ABOVE))
    ranking = pd.DataFrame({"total": totals.to_numpy(), "name": totals.index.to_numpy()})
    order = ranking.sort_values(["total", "name"], ascending=[True, False])["name"].to_numpy()
    wide, totals = wide.loc[order], totals.loc[order]  # barh draws bottom-up: largest on top
    values = wide.div(totals.where(totals != 0), axis=0).fillna(0.0) if stat == "share" else wide

    ax, style = _axes(ax, figsize, fontsize)
    fit = _Fit()
    _frame_axes(ax, style, "x")
    y = np.arange(len(wide))
    _stacked_bars(ax, style, fit, wide, values, levels, styles, stat, lang)
    ax.set_yticks(y, list(wide.index))
    ax.set_ylim(-0.6, len(wide) - 0.4)
    fit.rows = len(wide)
    key = ("title.tiers" if by == "tier" else "title.colours") + ("_share" if stat == "share" else "")
    _titles(ax, style, fit, label_text(key, lang, year=yr), _subtitle(result, summary, table, lang))
    handles = [_mpl().Patch(facecolor=styles[lv]["color"], hatch=styles[lv]["hatch"], edgecolor="white") for lv in levels]
    _legend(ax, style, handles, [labels.get(lv, lv) for lv in levels])
    note = label_text("note.tiers" if by == "tier" else "note.colours", lang)
    if by == "tier":
        keyed = _keyed_corrective_share(result, table, yr)
        if keyed is not None:
            notes.append(label_text("note.tiers_keyed", lang, share=format_percent(keyed, lang)))
    if stat == "share":
        note = note.rsplit(".", 2)[0] + "."  # no totals at the bar ends
    _note(ax, style, fit, " ".join([note, *notes]))
    _finish(ax, fit)
    return ax


def _keyed_corrective_share(result: ResultLike, shown: pd.DataFrame, year: int) -> float | None:
    """The share of the drawn organisations' corrective child euros that comes from keyed (yellow) lines, if the result has lines."""
    lines = getattr(result, "lines", None)
    if not isinstance(lines, pd.DataFrame) or not {"tier", "colour", "child_euros"} <= set(lines.columns):
        return None
    orgs = set(shown["org_code"].astype(str))
    phases = set(shown["phase"].astype(str)) if "phase" in shown.columns else None
    mine = lines[(lines["year"] == year) & lines["org_code"].astype(str).isin(orgs) & (lines["tier"].astype(str) == "corrective")]
    if phases is not None:
        mine = mine[mine["phase"].astype(str).isin(phases)]
    total = float(mine["child_euros"].sum())
    if total <= 0:
        return None
    return float(mine.loc[mine["colour"].astype(str) == "yellow", "child_euros"].sum()) / total


def _stacked_bars(ax: Axes, style: _Style, fit: _Fit, wide: pd.DataFrame, values: pd.DataFrame, levels: list[str],
                  styles: dict[str, dict[str, str]], stat: str, lang: str) -> None:
    """One horizontal bar per organisation, the levels stacked, shares inside and (for euros) the total at the end."""
    y = np.arange(len(wide))
    # negative amounts (revenue above cost) stack leftwards from zero, positive ones rightwards
    right, left = np.zeros(len(wide)), np.zeros(len(wide))
    share_of = wide.sum(axis=1).to_numpy(dtype=float)
    mixed = (wide.to_numpy(dtype=float) < 0).any(axis=1)  # shares of a total with negative parts mislead: none shown
    for level in levels:
        v = values[level].to_numpy(dtype=float)
        start = np.where(v >= 0, right, left)
        st = styles[level]
        bars = ax.barh(y, v, left=start, height=0.7, color=st["color"], hatch=st["hatch"], edgecolor="white", linewidth=0.8)
        shares = wide[level].to_numpy(dtype=float) / np.where(share_of != 0, share_of, np.nan)
        for yi, (lv, wv, sh) in enumerate(zip(start, v, shares)):
            if wv > 0 and np.isfinite(sh) and not mixed[yi]:
                _in_bar_label(ax, style, fit, lv + wv / 2, yi, format_percent(sh, lang), st["color"], bars[yi], level in _DARK)
        right, left = right + np.clip(v, 0, None), left + np.clip(v, None, 0)
    vmax = float(right.max()) if len(right) else 0.0
    vmin = float(left.min()) if len(left) else 0.0
    if stat == "euros":
        ax.xaxis.set_major_formatter(_euro_ticks(lang, _value_scale(max(vmax, -vmin))))
        for yi, tot in enumerate(share_of):
            fit.ends.append(ax.annotate(format_euros(tot, lang, scale="auto"), xy=(right[yi], yi), xytext=(4, 0),
                                        textcoords="offset points", va="center", ha="left", fontsize=style.small, color=_INK))
        ax.set_xlim(vmin * 1.02, vmax * 1.02 if vmax > 0 else 1)
        if vmin < 0:
            ax.axvline(0.0, color=_MUTED, linewidth=1.0, zorder=2)
        ax.set_xlabel(label_text("axis.child_euros", lang), fontsize=style.label, color=_INK)
    else:
        ax.xaxis.set_major_formatter(_percent_ticks(lang))
        ax.set_xlim(0, 1)
        ax.set_xlabel(label_text("axis.share_of_child_euros", lang), fontsize=style.label, color=_INK)
