"""The si-sote split: child euros by sector, per organisation or view."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..._errors import LapsibudjettiWarning

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from ...reference._format import format_euros, format_percent
from ...reference._labels import check_lang as check_lang
from ...reference._labels import lang_or_default, value_label
from ...reference._labels import text as label_text
from ._base import (
    _DARK,
    _INK,
    _MUTED,
    SECTOR_STYLE,
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
    _years_text,
)


def plot_sisote_split(
    result: ResultLike,
    *,
    org_code: str | None = None,
    year: int | None = None,
    ax: Axes | None = None,
    lang: str | None = None,
    phase: str | None = None,
    orgs: Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    fontsize: float | None = None,
) -> Axes:
    """The si-sote split of child euros: education and culture vs social and health.

    With one organisation (``org_code`` given, or a result with only one),
    stacked columns per year with each side's share and the total. With
    several organisations and no ``org_code``, one 100 % bar per
    organisation for ``year`` (default the latest), sorted by the
    education-and-culture share.

    For a municipality from 2023 on, the social and health side is in the
    wellbeing area's ledger: draw a municipality view (``municipality_view``)
    to see the municipality's share of it. Years where a municipality's
    result has no sote euros are named in the note and warned about.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a municipality / region
        view with ``by("sector")``.
    org_code
        The organisation to draw over the years.
    year
        For the comparison of several organisations: the year (default latest).
    ax, lang, phase, orgs, figsize, fontsize
        As in :func:`plot_tiers`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"] * 4, "year": [2018, 2018, 2019, 2019],
    ...     "task_class": ["Perusopetus", "Lastensuojelun laitos- ja perhehoito"] * 2,
    ...     "amount": [9e7, 1e7, 9.2e7, 0.8e7]}, org_type="municipality", phase="actual")
    >>> ax = plot_sisote_split(lb.child_budget(led), lang="en")
    >>> ax.get_title(loc="left").replace("\\n", " ")
    'Oulu: child-targeted euros, education and culture vs social and health, 2018–2019'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    what = "plot_sisote_split"
    lang = lang_or_default(lang)
    table = _plain(result.by("sector", lang=lang))
    table = table[table["sector"].astype(object).isin(list(SECTOR_STYLE))]
    table = _filter_orgs(table, [str(org_code)] if org_code is not None else orgs, what)
    table = _select_phase(table, phase, what)
    labels = dict(zip(table["sector"].astype(str), table["label"].astype(str)))
    summary = result.summary()
    n_orgs = len(table[["org_type", "org_code"]].drop_duplicates())
    table = table.assign(name=_org_names(result, table, lang).to_numpy())
    ax, style = _axes(ax, figsize, fontsize)
    fit = _Fit()
    notes = [label_text("note.sisote", lang)]

    if n_orgs == 1:
        title, no_sote, levels = _over_years(ax, style, fit, table, labels, lang)
    else:
        table = table[table["year"] == _select_year(table, year, what)]
        title, no_sote, levels = _side_by_side(ax, style, fit, table, labels, lang)
    if no_sote:
        warnings.warn(
            label_text("chart.no_sote", lang, what=what, years=_years_text(no_sote)),
            LapsibudjettiWarning,
            stacklevel=2,
        )
        notes.append(label_text("note.sote_missing", lang, years=_years_text(no_sote)))
    _titles(ax, style, fit, title, _subtitle(result, summary, table, lang))
    handles = [_mpl().Patch(facecolor=SECTOR_STYLE[s]["color"], hatch=SECTOR_STYLE[s]["hatch"], edgecolor="white") for s in levels]
    _legend(ax, style, handles, [labels.get(s, s) for s in levels])
    _note(ax, style, fit, " ".join(notes))
    _finish(ax, fit)
    return ax


def _widen(wide: pd.DataFrame, labels: dict[str, str], lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Sectors as columns (education and sote always, other only when it has euros), in the style order."""
    for s in ("sivistys", "sote"):
        if s not in wide.columns:
            wide[s] = 0.0
            labels.setdefault(s, _sector_label(s, lang))
    levels = [s for s in SECTOR_STYLE if s in wide.columns and (s != "other" or float(wide[s].abs().sum()) > 0)]
    return wide, levels


def _over_years(ax: Axes, style: _Style, fit: _Fit, table: pd.DataFrame, labels: dict[str, str], lang: str
                ) -> tuple[str, list[int], list[str]]:
    """One organisation: stacked bars per year, the sectors' shares inside and the total on top."""
    _frame_axes(ax, style, "y")
    by_year = table.pivot_table(index="year", columns="sector", values="child_euros", aggfunc="sum", fill_value=0.0).sort_index()
    wide, levels = _widen(by_year, labels, lang)
    totals = wide[levels].sum(axis=1).to_numpy(dtype=float)
    years = [int(y) for y in wide.index]
    x = np.arange(len(years))
    top, below = np.zeros(len(years)), np.zeros(len(years))  # negative amounts stack downwards from zero
    for s in levels:
        v = wide[s].to_numpy(dtype=float)
        start = np.where(v >= 0, top, below)
        st = SECTOR_STYLE[s]
        bars = ax.bar(x, v, bottom=start, width=0.62, color=st["color"], hatch=st["hatch"], edgecolor="white", linewidth=0.8)
        for xi, (b, h, tot) in enumerate(zip(start, v, totals)):
            if h > 0 and tot > 0 and not (wide[levels].to_numpy(dtype=float)[xi] < 0).any():
                _in_bar_label(ax, style, fit, xi, b + h / 2, format_percent(h / tot, lang), st["color"], bars[xi], s in _DARK)
        top, below = top + np.clip(v, 0, None), below + np.clip(v, None, 0)
    vmax, vmin = (float(top.max()), float(below.min())) if len(years) else (0.0, 0.0)
    for xi, tot in enumerate(totals):
        fit.tops.append(ax.annotate(format_euros(tot, lang, scale="auto"), xy=(xi, top[xi]), xytext=(0, 4),
                                    textcoords="offset points", ha="center", va="bottom", fontsize=style.small, color=_INK))
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlim(-0.6, len(years) - 0.4)
    ax.set_ylim(vmin * 1.02, vmax * 1.02 if vmax > 0 else 1)
    if vmin < 0:
        ax.axhline(0.0, color=_MUTED, linewidth=1.0, zorder=2)
    ax.yaxis.set_major_formatter(_euro_ticks(lang, _value_scale(max(vmax, -vmin))))
    ax.set_ylabel(label_text("axis.child_euros", lang), fontsize=style.label, color=_INK)
    ax.set_xlabel(label_text("axis.year", lang), fontsize=style.label, color=_INK)
    title = label_text("title.sisote", lang, org=str(table["name"].iloc[0]), years=_years_text(years))
    no_sote = [y for y, v in zip(years, wide["sote"].to_numpy(dtype=float)) if v == 0]
    return title, no_sote, levels


def _side_by_side(ax: Axes, style: _Style, fit: _Fit, table: pd.DataFrame, labels: dict[str, str], lang: str
                  ) -> tuple[str, list[int], list[str]]:
    """Several organisations in one year: 100 % bars side by side, the total at the end."""
    _frame_axes(ax, style, "x")
    yr = int(table["year"].iloc[0])
    wide, levels = _widen(table.pivot_table(index="name", columns="sector", values="child_euros", aggfunc="sum", fill_value=0.0), labels, lang)
    totals_s = wide[levels].sum(axis=1)
    shares = wide[levels].div(totals_s.where(totals_s != 0), axis=0).fillna(0.0)
    shares = shares.assign(_name=shares.index).sort_values(["sivistys", "_name"], ascending=[True, False], kind="stable").drop(columns="_name")
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    for s in levels:
        v = shares[s].to_numpy(dtype=float)
        st = SECTOR_STYLE[s]
        bars = ax.barh(y, v, left=left, height=0.7, color=st["color"], hatch=st["hatch"], edgecolor="white", linewidth=0.8)
        for yi, (lv, wv) in enumerate(zip(left, v)):
            if wv > 0:
                _in_bar_label(ax, style, fit, lv + wv / 2, yi, format_percent(wv, lang), st["color"], bars[yi], s in _DARK)
        left = left + v
    for yi, name in enumerate(shares.index):
        fit.ends.append(ax.annotate(format_euros(float(totals_s.loc[name]), lang, scale="auto"), xy=(1.0, yi), xytext=(4, 0),
                                    textcoords="offset points", va="center", ha="left", fontsize=style.small, color=_INK))
    ax.set_yticks(y, list(shares.index))
    ax.set_ylim(-0.6, len(shares) - 0.4)
    fit.rows = len(shares)
    ax.set_xlim(0, 1.0)  # widened for the totals right of 100 % once the layout is known
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.spines["bottom"].set_bounds(0, 1)
    ax.xaxis.set_major_formatter(_percent_ticks(lang))
    ax.set_xlabel(label_text("axis.share_of_child_euros", lang), fontsize=style.label, color=_INK)
    title = label_text("title.sisote_compare", lang, year=yr)
    no_sote = [yr] if (wide["sote"] == 0).any() else []
    return title, no_sote, levels


def _sector_label(sector: str, lang: str) -> str:
    return value_label("sector", sector, lang)
