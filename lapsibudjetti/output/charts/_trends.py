"""Trends over the years: the preventive share and euros per child."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._errors import InputError, LapsibudjettiWarning

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from ...reference._format import format_euros
from ...reference._labels import check_lang as check_lang
from ...reference._labels import lang_or_default, option, say
from ...reference._labels import text as label_text
from ._base import (
    _HIGHLIGHT_OTHER,
    _INK,
    _PHASE_PRIORITY,
    MAX_LINES,
    ORG_COLOURS,
    ResultLike,
    _axes,
    _axis_break,
    _cap_bars,
    _euro_ticks,
    _filter_orgs,
    _finish,
    _Fit,
    _frame_axes,
    _highlight_set,
    _legend,
    _mpl,
    _note,
    _org_names,
    _org_style,
    _percent_ticks,
    _plain,
    _select_phase,
    _select_year,
    _starts_above_zero,
    _Style,
    _subtitle,
    _target_ages,
    _titles,
    _value_scale,
    _years_text,
)


def _series(
    result: ResultLike,
    ax: Axes,
    style: _Style,
    frame: pd.DataFrame,
    column: str,
    lang: str,
    highlight: set[str],
    legend: bool = True,
    order_by: str | None = None,
) -> list[str]:
    """Lines with markers per organisation over the years; budget-only points hollow.

    Organisations are ordered (and so styled, and listed in the legend) by
    their latest value of ``order_by`` (default ``column``), highest first,
    so that the legend reads in the order of the line ends. Highlighted
    organisations take the first styles, the others are grey.
    """
    frame = frame.assign(name=_org_names(result, frame, lang).to_numpy())
    key = order_by or column
    last = frame.dropna(subset=[key]).sort_values("year").groupby("name")[key].last()
    ranked = pd.DataFrame({"name": last.index, "value": last.to_numpy()}).sort_values(["value", "name"], ascending=[False, True])
    names = list(ranked["name"]) + sorted(set(frame["name"]) - set(ranked["name"]))
    code_of = dict(zip(frame["name"], frame["org_code"].astype(str)))
    if len(names) > MAX_LINES and not highlight:
        return _crowd(ax, style, frame, column, lang, legend)
    strong = [n for n in names if code_of[n] in highlight]
    handles: list[Any] = []
    shown_names: list[str] = []
    hollow_phases: set[str] = set()
    years = sorted(set(frame["year"]))
    for i, name in enumerate(names):
        sub = frame[frame["name"] == name].sort_values("year")
        faded = bool(highlight) and code_of[name] not in highlight
        st = _org_style(strong.index(name) if highlight and not faded else i)
        colour = _HIGHLIGHT_OTHER if faded else st["color"]
        lw = 1.4 if faded else (3.0 if highlight else 2.2)
        ms = 5.5 if faded else 7.5
        if faded and len(names) > MAX_LINES:  # a crowd behind the highlighted ones: thin plain lines
            ax.plot(sub["year"], sub[column], color=colour, linewidth=0.8, alpha=0.8, zorder=2)
            continue
        ax.plot(sub["year"], sub[column], color=colour, linestyle=st["linestyle"], linewidth=lw, zorder=2 if faded else 3)
        actual = (sub["phase"] == "actual").to_numpy()
        ax.plot(sub["year"][actual], sub[column][actual], linestyle="none", marker=st["marker"], markersize=ms, color=colour,
                markeredgecolor="white", markeredgewidth=0.8, zorder=4)
        if (~actual).any():
            hollow_phases |= set(sub.loc[~actual, "phase"])
            ax.plot(sub["year"][~actual], sub[column][~actual], linestyle="none", marker=st["marker"], markersize=ms,
                    markerfacecolor="white", markeredgecolor=colour, markeredgewidth=1.6, zorder=4)
        if not faded or len(names) <= MAX_LINES:
            handles.append(_mpl().Line2D([], [], color=colour, linestyle=st["linestyle"], linewidth=lw, marker=st["marker"],
                                         markersize=ms, markeredgecolor="white"))
            shown_names.append(name)
    ax.set_xticks(years, [str(y) for y in years])
    pad = 0.5 if len(years) == 1 else 0.25
    ax.set_xlim(years[0] - pad, years[-1] + pad)
    ax.set_xlabel(label_text("axis.year", lang), fontsize=style.label, color=_INK)
    if len(shown_names) < len(names):  # many in grey behind the highlighted: one legend entry for them
        handles.append(_mpl().Line2D([], [], color=_HIGHLIGHT_OTHER, linewidth=1.4))
        shown_names.append(label_text("legend.others", lang, n=len(names) - len(shown_names)))
    if legend:
        _legend(ax, style, handles, shown_names)
    notes = []
    if hollow_phases:
        ordered = sorted(hollow_phases, key=lambda p: _PHASE_PRIORITY.get(p, 9))
        sep = label_text("fmt.list_sep", lang)
        notes.append(label_text("note.hollow", lang, phase=sep.join(label_text(f"phase.{p}", lang) for p in ordered)))
    return notes


def _crowd(ax: Axes, style: _Style, frame: pd.DataFrame, column: str, lang: str, legend: bool) -> list[str]:
    """Many organisations: each a thin grey line, their median by year a bold line; a note on how to pick some out."""
    years = sorted(set(frame["year"]))
    for _, sub in frame.sort_values("year").groupby("name", sort=True):
        ax.plot(sub["year"], sub[column], color=_HIGHLIGHT_OTHER, linewidth=1.0, alpha=0.8, zorder=2)
    median = frame.groupby("year")[column].median()
    ax.plot(median.index, median.to_numpy(), color=_INK, linewidth=3.0, marker="o", markersize=7, zorder=4)
    ax.set_xticks(years, [str(y) for y in years])
    pad = 0.5 if len(years) == 1 else 0.25
    ax.set_xlim(years[0] - pad, years[-1] + pad)
    ax.set_xlabel(label_text("axis.year", lang), fontsize=style.label, color=_INK)
    n = frame["name"].nunique()
    if legend:
        handles = [_mpl().Line2D([], [], color=_INK, linewidth=3.0, marker="o"), _mpl().Line2D([], [], color=_HIGHLIGHT_OTHER, linewidth=1.0)]
        _legend(ax, style, handles, [label_text("legend.median_line", lang, n=n), label_text("legend.each_org", lang, n=n)])
    return [label_text("note.many_lines", lang, n=n)]


def _share_limits(values: pd.Series) -> tuple[float, float]:
    v = values.dropna()
    if v.empty:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    span = max(hi - lo, 0.05)
    return max(0.0, lo - span * 0.25), min(1.0, hi + span * 0.25)


def _sentences(*parts: str) -> str:
    return " ".join(p[:1].upper() + p[1:] + ("" if p.endswith(".") else ".") for p in parts if p)


def plot_preventive_share(
    result: ResultLike,
    *,
    ax: Axes | None = None,
    lang: str | None = None,
    phase: str | None = None,
    orgs: Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    ylim: tuple[float, float] | None = None,
    figsize: tuple[float, float] | None = None,
    fontsize: float | None = None,
) -> Axes:
    """Preventive share of child euros over the years, one line per organisation.

    Preventive share = (universal + targeted early support) ÷ all child
    euros (``summary()["preventive_share"]``), drawn in %. Points that are
    budgets rather than actuals are hollow.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a view with ``summary()``.
    ax, lang, phase, orgs, figsize, fontsize
        As in :func:`plot_tiers`.
    highlight
        Organisation code(s) to draw strongly, the others in grey.
    ylim
        Limits of the share axis as fractions (e.g. ``(0, 1)``); default
        zoomed to the data.

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
    >>> ax = plot_preventive_share(lb.child_budget(led), lang="fi")
    >>> ax.get_title(loc="left")
    'Ehkäisevien palvelujen osuus lapsiin kohdistuvista euroista 2018–2019'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    what = "plot_preventive_share"
    lang = lang_or_default(lang)
    summary = _plain(result.summary())
    frame = _select_phase(_filter_orgs(summary, orgs, what), phase, what)
    hl = _highlight_set(highlight, frame, what)
    ax, style = _axes(ax, figsize, fontsize)
    fit = _Fit()
    _frame_axes(ax, style, "y")
    notes = _series(result, ax, style, frame, "preventive_share", lang, hl)
    ax.yaxis.set_major_formatter(_percent_ticks(lang))
    ax.set_ylim(*(ylim if ylim is not None else _share_limits(frame["preventive_share"])))
    if _starts_above_zero(ax):
        _axis_break(ax)
        notes.append(label_text("note.axis_break", lang))
    ax.set_ylabel(label_text("axis.preventive", lang), fontsize=style.label, color=_INK)
    _titles(ax, style, fit, label_text("title.preventive", lang, years=_years_text(frame["year"])), _subtitle(result, summary, frame, lang))
    _note(ax, style, fit, _sentences(label_text("note.preventive", lang), *notes))
    _finish(ax, fit)
    return ax


def plot_per_child(
    result: ResultLike,
    *,
    year: int | None = None,
    ax: Axes | None = None,
    lang: str | None = None,
    phase: str | None = None,
    orgs: Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    fontsize: float | None = None,
) -> Axes:
    """Child euros per child (target-group resident) across organisations, median marked.

    Bars are sorted (highest at the top) and labelled; a dashed line marks
    the median of the organisations drawn. Organisations without a
    population figure cannot have a per-child figure: they are left out with
    a :class:`~lapsibudjetti.LapsibudjettiWarning` and named in the note.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a view with ``summary()``.
    year
        Year to draw; default the latest.
    ax, lang, phase, orgs, figsize, fontsize
        As in :func:`plot_tiers`.
    highlight
        Organisation code(s) to draw in a strong colour.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["091", "564", "092"], "year": [2019] * 3,
    ...     "task_class": ["Perusopetus"] * 3, "amount": [7e8, 3e8, 4e8]},
    ...     org_type="municipality", phase="actual")
    >>> ax = plot_per_child(lb.child_budget(led), lang="en")
    >>> ax.get_title(loc="left")
    'Child-targeted euros per child, 2019'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    what = "plot_per_child"
    lang = lang_or_default(lang)
    summary = _plain(result.summary())
    frame = _select_phase(_filter_orgs(summary, orgs, what), phase, what)
    yr = _select_year(frame, year, what)
    frame = frame[frame["year"] == yr]
    frame = frame.assign(name=_org_names(result, frame, lang).to_numpy())
    lost = frame[~np.isfinite(frame["euros_per_child"].to_numpy(dtype=float))]
    if len(lost):
        warnings.warn(
            say("warn.chart_no_population", what=what, names=", ".join(lost["name"]), year=yr, option=option("population")),
            LapsibudjettiWarning,
            stacklevel=2,
        )
    frame = frame[np.isfinite(frame["euros_per_child"].to_numpy(dtype=float))]
    if frame.empty:
        raise InputError(say("error.chart_no_population", what=what, year=yr, option=option("population")))
    hl = _highlight_set(highlight, frame, what)
    median = float(np.median(frame["euros_per_child"].to_numpy(dtype=float)))  # of every organisation, also those not drawn
    summary_count = len(frame)
    frame, capped = _cap_bars(frame, "euros_per_child", hl, lang)
    frame = frame.sort_values(["euros_per_child", "name"], ascending=[True, False], kind="stable")
    values = frame["euros_per_child"].to_numpy(dtype=float)

    ax, style = _axes(ax, figsize, fontsize)
    fit = _Fit()
    _frame_axes(ax, style, "x")
    y = np.arange(len(frame))
    codes = frame["org_code"].to_numpy()
    colours = [ORG_COLOURS[0] if not hl or c in hl else "#9DBBD6" for c in codes]
    ax.barh(y, values, height=0.7, color=colours, edgecolor="white", linewidth=0.6)
    for yi, v in enumerate(values):
        # on a white box above the median line, which may cross the label
        fit.ends.append(ax.annotate(format_euros(v, lang), xy=(v, yi), xytext=(4, 0), textcoords="offset points", va="center",
                                    ha="left", fontsize=style.small, color=_INK, zorder=5,
                                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}))
    ax.axvline(median, color=_INK, linestyle=(0, (5, 3)), linewidth=1.6, zorder=3)
    ax.annotate(label_text("label.median", lang, value=format_euros(median, lang)), xy=(median, 1.0),
                xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                fontsize=style.small, fontweight="bold", color=_INK, annotation_clip=False,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"})
    vmax = float(values.max())
    ax.set_xlim(min(0.0, float(values.min()) * 1.1), vmax * 1.02 if vmax > 0 else 1.0)
    ax.xaxis.set_major_formatter(_euro_ticks(lang, _value_scale(vmax)))
    ax.set_yticks(y, list(frame["name"]))
    for tick, code in zip(ax.get_yticklabels(), codes):
        if code in hl:
            tick.set_fontweight("bold")
    ax.set_ylim(-0.6, len(frame) - 0.4)
    fit.rows = len(frame)
    lo, hi = _target_ages(result, summary)
    ax.set_xlabel(label_text("axis.per_child", lang, low=lo, high=hi), fontsize=style.label, color=_INK)
    # the median label sits just above the plot area: the subtitle goes above it
    _titles(ax, style, fit, label_text("title.per_child", lang, year=yr), _subtitle(result, summary, frame, lang),
            extra=style.small * 1.8)
    note = label_text("note.per_child", lang, low=lo, high=hi, n=len(values) if not capped else int(summary_count))
    if capped:
        note += " " + capped
    if len(lost):
        note += " " + label_text("note.no_population", lang, names=label_text("fmt.list_sep", lang).join(lost["name"]))
    _note(ax, style, fit, note)
    _finish(ax, fit)
    return ax
