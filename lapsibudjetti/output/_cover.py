"""The council-facing sheets of the report workbook: a cover, the key figures with years as columns, the charts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._xlsx import Styles, print_landscape, shown_length
from ..measure._metrics import METRICS, pooled
from ..reference._format import format_years
from ..reference._labels import text, value_label
from ._html import HEADLINE, main_phase, org_list_text

#: Excel number format of each headline figure.
_FORMAT = {"child_euros": '#,##0 "€"', "children": "#,##0", "euros_per_child": '#,##0 "€"'}
#: Width of a chart on the charts sheet, in pixels (the PNG is 200 dpi; Excel shows it at 96).
_CHART_PX = 960


def _format(metric: str) -> str:
    return _FORMAT.get(metric, "0.0 %" if METRICS.get(metric) is not None and METRICS[metric].kind == "share" else "0.00")


def _shown_width(x: object, metric: str, scale: float = 16 / 11 * 1.15) -> float:
    """Column width (in characters of the 11 pt font) that a figure needs (default: in the cover's bold 16 pt style)."""
    return shown_length(_value(x), _format(metric)) * scale + 2


def _value(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _put(ws: Any, row: int, col: int, x: object, style: Any, empty: Any) -> None:
    v = _value(x)
    if v is None:
        ws.write_string(row, col, "–", empty)
    else:
        ws.write_number(row, col, v, style)


class _Blank(dict[str, str]):
    """Placeholders of a title that the cover's list of sheets does not fill are left out."""

    def __missing__(self, key: str) -> str:
        return ""


def write_cover(wb: Any, styles: Styles, used: set[str], tables: Mapping[str, pd.DataFrame], *, lang: str, amounts: str,
                shown: str, charts: Mapping[str, Path] | Callable[[], Mapping[str, Path]],
                sheet_name: Callable[[str, str, set[str]], str], sheet_title: Callable[[str, str], str]) -> Callable[[], None] | None:
    """Add the cover, the years-as-columns sheet and (with ``charts``) the charts sheet, in that order.

    ``sheet_name`` and ``sheet_title`` are the workbook's own (a sheet's name in the language, unique in ``used``).
    ``charts`` may be a function giving the PNGs when they are drawn (in a second process while the tables are
    written): the charts sheet keeps its place, and the returned function fills it, to be called before the
    workbook is closed.
    """
    _sheet_name, _sheet_title = sheet_name, sheet_title

    summary = tables["summary"]
    phase = main_phase(summary)
    rows = summary[summary["phase"].astype(str) == phase] if phase else summary
    years = sorted(int(y) for y in rows["year"].unique()) if len(rows) else []
    orgs = rows[["org_code", "org_name"]].drop_duplicates().astype(str).values.tolist() if len(rows) else []
    names = {n: _sheet_name(n, lang, used) for n in ("cover", "by_year", *(["charts"] if charts else []))}
    later = {n: _sheet_name(n, lang, set(used)) for n in tables}  # the table sheets' names, as write_workbook will give them

    title, bold, plain = styles.get(bold=True, font_size=18), styles.get(bold=True), styles.get()
    muted, wrap = styles.get(italic=True, font_color="#555555"), styles.get(text_wrap=True, valign="top")
    big = {m: styles.get(bold=True, font_size=16, num_format=_format(m), align="left") for m in HEADLINE}

    ws = wb.add_worksheet(names["cover"])
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 70)
    ws.write_string(0, 0, text("html.title", lang).format(orgs=org_list_text(orgs, lang)), title)
    phase_text = value_label("phase", phase, lang) if phase else ""
    years_text = format_years(years)
    ws.write_string(1, 0, text("html.meta", lang).format(years=years_text, phase=phase_text), muted)
    r = 3
    if years:
        latest = years[-1]
        head = pooled(rows[rows["year"] == latest], list(HEADLINE)).iloc[0]
        whose = text("html.headline_of_one", lang).format(org=org_list_text(orgs, lang)) if len(orgs) == 1 else \
            text("html.headline_of_all", lang).format(n=len(orgs))
        ws.write_string(r, 0, f"{text('html.headline', lang).format(year=latest, phase=phase_text)} {whose}", bold)
        ws.set_column(1, 1, max(22.0, max(_shown_width(head[m], m) for m in HEADLINE)))  # the whole country's euros too, never ###
        r += 1
        for metric in HEADLINE:
            ws.set_row(r, 22)  # the 16 pt figures clear of each other
            ws.write_string(r, 0, text(f"col.{metric}", lang), plain)
            _put(ws, r, 1, head[metric], big[metric], plain)
            r += 1
    r += 1
    for line in (text(f"html.view_{shown}", lang), amounts, text("html.reading", lang)):
        ws.merge_range(r, 0, r, 2, line, wrap)
        ws.set_row(r, 15 * max(1, int(np.ceil(len(line) / 120))) + 4)
        r += 1
    r += 1
    ws.write_string(r, 0, text("html.sheets", lang), bold)
    r += 1
    for name, sheet in list(names.items())[1:] + list(later.items()):
        ws.write_url(r, 0, f"internal:'{sheet}'!A1", string=sheet)
        ws.write_string(r, 1, "", plain)
        ws.merge_range(r, 1, r, 2, text(f"title.{name}", lang, default=_sheet_title(name, lang)).format_map(_Blank(phase=phase_text)), plain)
        r += 1
    print_landscape(ws)

    _years_sheet(wb, styles, names["by_year"], rows, years, orgs, lang, amounts, phase_text)
    if not charts:
        return None
    sheet = wb.add_worksheet(names["charts"])
    return lambda: _charts_sheet(sheet, styles, charts() if callable(charts) else charts, lang)


def _years_sheet(wb: Any, styles: Styles, name: str, rows: pd.DataFrame, years: list[int], orgs: list[list[str]], lang: str,
                 amounts: str, phase_text: str) -> None:
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, text("title.by_year", lang).format(phase=phase_text), styles.get(bold=True, font_size=13))
    ws.write_string(1, 0, amounts, styles.get(italic=True, font_color="#555555"))
    ws.set_column(0, 0, 34)
    head = styles.get(bold=True, font_color="#FFFFFF", bg_color="#34495E", align="center")
    block = styles.get(bold=True, font_size=12)
    cells = {m: styles.get(num_format=_format(m)) for m in HEADLINE}
    empty = styles.get(align="right")
    r = 3
    ws.write_string(r, 0, "", head)
    for j, y in enumerate(years, start=1):
        ws.write_number(r, j, y, head)
    ws.freeze_panes(r + 1, 1)
    print_landscape(ws, repeat_row=r)
    r += 1
    # every organisation's pooled figures in one grouping (one per organisation took seconds on the national data)
    each = pooled(rows.assign(org_code=rows["org_code"].astype(str)), list(HEADLINE), ["org_code", "year"])
    figures = _by_year(each, "org_code")  # {code: {year: {metric: value}}}
    groups: list[tuple[str, dict[Any, dict[str, Any]]]] = []
    if len(orgs) > 1:
        groups.append((text("html.all_orgs", lang).format(n=len(orgs)),
                       _by_year(pooled(rows, list(HEADLINE), ["year"]).assign(_all=""), "_all").get("", {})))
    groups += [(org_name or code, figures.get(str(code), {})) for code, org_name in orgs]
    widest = max((_shown_width(v, m, 1.1) for _, by_year in groups for y in by_year.values() for m, v in y.items() if m in HEADLINE),
                 default=0.0)
    ws.set_column(1, max(1, len(years)), max(14.0, widest))  # the whole country's euros too
    for label, by_year in groups:
        ws.write_string(r, 0, label, block)
        r += 1
        for metric in HEADLINE:
            ws.write_string(r, 0, text(f"col.{metric}", lang), styles.get(indent=1))
            for j, y in enumerate(years, start=1):
                _put(ws, r, j, by_year.get(y, {}).get(metric, np.nan), cells[metric], empty)
            r += 1
        r += 1


def _by_year(frame: pd.DataFrame, key: str) -> dict[str, dict[Any, dict[str, Any]]]:
    """The headline figures of a pooled table as ``{key value: {year: {metric: value}}}`` (looked up cell by cell)."""
    out: dict[str, dict[Any, dict[str, Any]]] = {}
    for record in frame[[key, "year", *HEADLINE]].to_dict("records"):
        out.setdefault(str(record[key]), {})[record["year"]] = record
    return out


def _charts_sheet(ws: Any, styles: Styles, charts: Mapping[str, Path], lang: str) -> None:
    from PIL import Image

    ws.hide_gridlines(2)
    r = 0
    if not charts:
        ws.write_string(0, 0, text("note.no_charts", lang), styles.get(italic=True, font_color="#555555"))
    breaks = []
    for stem, path in charts.items():
        if r:
            breaks.append(r)  # each chart on a page of its own, its caption with it
        ws.write_string(r, 0, text(f"html.caption_{stem}", lang), styles.get(bold=True, font_size=12))
        with Image.open(path) as im:
            w, h = im.size
        scale = _CHART_PX / w
        ws.insert_image(r + 1, 0, str(path), {"x_scale": scale, "y_scale": scale, "object_position": 1})
        r += 3 + int(np.ceil(h * scale / 20))
    ws.set_h_pagebreaks(breaks)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
