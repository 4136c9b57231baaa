"""write_scenario: a scenario's before/after workbook and chart (what ``lapsibudjetti scenario`` writes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import InputError
from .._xlsx import Styles, new_workbook, write_sheet
from ..reference._format import format_percent
from ..reference._labels import lang_or_default, say, text, value_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .._scenario import Scenario

__all__ = ["SCENARIO_FILES", "plot_scenario", "write_scenario"]

SCENARIO_FILES = ("scenario.xlsx", "scenario.png", "scenario.svg")
_EURO, _PERCENT = '#,##0 "€"', "0.0 %"


def _changed(s: Scenario) -> pd.DataFrame:
    """The organisation-years whose figures the changes moved (any difference), in a stable order."""
    c = s.comparison
    moved = np.zeros(len(c), dtype=bool)
    for col in [k for k in c.columns if k.endswith("_difference")]:
        moved |= c[col].fillna(0).to_numpy(dtype=float) != 0
    return c[moved].sort_values(["org_code", "year", "phase"], kind="stable").reset_index(drop=True)


def plot_scenario(s: Scenario, *, lang: str | None = None, ax: Axes | None = None) -> Axes:
    """The corrective share of the child euros before and after the changes, per organisation-year they move."""
    from .charts import _base

    lang = lang_or_default(lang)
    rows = _changed(s)
    if rows.empty:
        raise InputError(say("scenario.no_change"))
    ax, style = _base._axes(ax, None, None)
    fit = _base._Fit()
    _base._frame_axes(ax, style, "x")
    names = _base._org_names(s.base, rows, lang).to_numpy()
    labels = [f"{n} {y}" for n, y in zip(names, rows["year"])]
    y = np.arange(len(rows))
    before, after = rows["corrective_share_before"].to_numpy(dtype=float), rows["corrective_share_after"].to_numpy(dtype=float)
    ax.barh(y + 0.2, before, height=0.38, color="#B0B0B0", label=text("scenario.before", lang))
    ax.barh(y - 0.2, after, height=0.38, color=_base.ORG_COLOURS[0], label=text("scenario.after", lang))
    for yi, (b, a) in enumerate(zip(before, after)):
        for v, off in ((b, 0.2), (a, -0.2)):
            if np.isfinite(v):
                fit.ends.append(ax.annotate(format_percent(v, lang, decimals=1), xy=(v, yi + off), xytext=(4, 0),
                                            textcoords="offset points", va="center", fontsize=style.small))
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(_base._percent_ticks(lang))
    top = np.nanmax(np.concatenate([before, after])) if len(rows) else 1.0
    ax.set_xlim(0, min(1.0, float(top) * 1.25) if np.isfinite(top) and top > 0 else 1.0)
    ax.set_xlabel(text("col.corrective_share", lang), fontsize=style.label)
    fit.rows = len(rows)
    _base._titles(ax, style, fit, text("scenario.title", lang), text("scenario.subtitle", lang, n=len(s.changes)))
    ax.legend(loc="lower right", frameon=False, fontsize=style.small)
    _base._note(ax, style, fit, text("scenario.note", lang))
    _base._finish(ax, fit)
    return ax


#: The figures of the before/after sheet, in reading order.
_FIGURES = ("child_euros", "euros_per_child", "preventive_share", "corrective_share", "placements_euros", "total_euros")


def _long(compared: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per organisation-year and figure, with before, after and difference (readable and printable)."""
    rows = []
    for r in compared.itertuples(index=False):
        for f in _FIGURES:
            if f"{f}_before" not in compared.columns:
                continue
            rows.append({"org_name": r.org_name, "year": r.year, "phase": value_label("phase", r.phase, lang),
                         "figure": text(f"col.{f}", lang, default=f), "before": getattr(r, f"{f}_before"),
                         "after": getattr(r, f"{f}_after"), "difference": getattr(r, f"{f}_difference"),
                         "is_share": f.endswith("_share")})
    return pd.DataFrame(rows)


def _compare_sheet(wb: Any, styles: Styles, name: str, frame: pd.DataFrame, lang: str, title: str, notes: list[str]) -> None:
    """The long before/after table: shares as percentages, euros with a euro format, row by row."""
    ws = wb.add_worksheet(name)
    cols = ["org_name", "year", "phase", "figure", "before", "after", "difference"]
    heads = [text("col.org_name", lang), text("col.year", lang), text("col.phase", lang), text("scenario.figure", lang),
             text("scenario.before", lang), text("scenario.after", lang), text("scenario.difference", lang)]
    shares = [_PERCENT if bool(v) else None for v in frame["is_share"]]  # share rows: their figures as percentages
    write_sheet(ws, styles, frame[cols], headers=heads, formats={"before": _EURO, "after": _EURO, "difference": _EURO},
                title=title, notes=notes, widths={"org_name": 28, "year": 8, "phase": 14, "figure": 34, "before": 16,
                                                  "after": 16, "difference": 16}, centred=["year"],
                row_formats={"before": shares, "after": shares, "difference": shares})
    ws.set_portrait()


def _sheet(wb: Any, styles: Styles, name: str, frame: pd.DataFrame, lang: str, title: str, notes: list[str]) -> None:
    frame = frame.copy()
    for col, kind in (("org_type", "org_type"), ("phase", "phase")):
        if col in frame.columns:
            frame[col] = [value_label(kind, v, lang) for v in frame[col]]
    formats = {}
    for col in frame.columns:
        stem = str(col).rsplit("_", 1)[0] if str(col).endswith(("_before", "_after", "_difference")) else str(col)
        if stem.endswith("_share"):
            formats[str(col)] = _PERCENT
        elif stem.endswith(("euros", "_per_child")):
            formats[str(col)] = _EURO
    headers = []
    for col in frame.columns:
        c = str(col)
        for end in ("_before", "_after", "_difference"):
            if c.endswith(end):
                c = f"{text(f'col.{c[: -len(end)]}', lang, default=c[: -len(end)])} ({text(f'scenario{end.replace(chr(95), chr(46))}', lang)})"
                break
        else:
            c = text(f"col.{c}", lang, default=c)
        headers.append(c)
    ws = wb.add_worksheet(name)
    write_sheet(ws, styles, frame, headers=headers, formats=formats, title=title, notes=notes,
                widths={str(c): 16.0 for c in frame.columns})


def write_scenario(s: Scenario, folder: str | Path, *, lang: str | None = None, charts: bool = True) -> list[Path]:
    """Write ``scenario.xlsx`` (before/after per organisation-year, and the changes) and the chart into ``folder``."""
    lang = lang_or_default(lang)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "scenario.xlsx"]
    with new_workbook(written[0], {"title": text("scenario.title", lang)}) as (wb, styles):
        compared = _changed(s)
        compared.insert(2, "org_name", s.base.registry.names(compared["org_type"], compared["org_code"], lang).to_numpy())
        _compare_sheet(wb, styles, text("scenario.sheet_compare", lang), _long(compared, lang), lang, text("scenario.title", lang),
                       [text("scenario.note", lang)])
        _sheet(wb, styles, text("scenario.sheet_changes", lang), s.changes, lang, text("scenario.changes", lang), [])
    if charts:
        from .charts import save_chart

        ax = plot_scenario(s, lang=lang)
        for suffix in (".png", ".svg"):
            written.append(save_chart(ax, folder / f"scenario{suffix}", dpi=150))
    return written
