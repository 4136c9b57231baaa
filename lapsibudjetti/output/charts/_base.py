"""What every chart shares: styles, labels of the data, fitting text, tick formatters."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import pandas as pd

from ..._errors import InputError
from ...reference._labels import measure_text, say
from ...reference._registry import Registry

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox
from ...reference._format import format_euros, format_number, format_percent
from ...reference._labels import text as label_text

SLIDE_SIZE = (13.333, 7.5)
"""Widescreen (16:9) slide in inches; new figures are drawn at this size."""

_PHASE_PRIORITY = {"actual": 0, "revised_budget": 1, "budget": 2}

# Light → dark with hatching, so that the three tiers stay apart in greyscale
# (grey levels about 190, 135 and 70) and for every type of colour blindness
# (Paul Tol's "muted" cyan, teal and wine). Preventive tiers are cool colours,
# the corrective tier warm.
TIER_STYLE: dict[str, dict[str, str]] = {
    "universal": {"color": "#88CCEE", "hatch": ""},
    "targeted": {"color": "#44AA99", "hatch": "///"},
    "corrective": {"color": "#882255", "hatch": "xx"},
}
# Traffic-light colours of the classification, again with distinct lightness
# and hatching (a red-green reader tells them apart by lightness and pattern).
COLOUR_STYLE: dict[str, dict[str, str]] = {
    "green": {"color": "#117733", "hatch": ""},
    "yellow": {"color": "#DDCC77", "hatch": "..."},
    "red": {"color": "#CC6677", "hatch": "xx"},
}
SECTOR_STYLE: dict[str, dict[str, str]] = {
    "sivistys": {"color": "#E69F00", "hatch": ""},
    "sote": {"color": "#0072B2", "hatch": "///"},
    "other": {"color": "#BBBBBB", "hatch": ".."},
}
# Okabe–Ito without yellow (too light for lines on white); each organisation
# also gets its own marker and line style, so that lines stay apart in
# greyscale (56 combinations before one repeats).
ORG_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
ORG_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")
ORG_LINESTYLES = ("-", "--", ":", "-.")
_INK = "#222222"
_MUTED = "#555555"
_GRID = "#DDDDDD"
_HIGHLIGHT_OTHER = "#B0B0B0"


class ResultLike(Protocol):
    """What a chart needs from a result: a summary and tables by dimension."""

    def summary(self) -> pd.DataFrame: ...

    def by(self, dimension: Any, *, lang: str = "fi") -> pd.DataFrame: ...


def _step_decimals(values: Sequence[float], most: int) -> int:
    """The fewest decimals (at most ``most``) that show every tick value exactly.

    A step of 2.5 needs one decimal (0, 2.5, 5, 7.5), a step of 0.25 two;
    whole steps none. Values that need more than ``most`` get ``most``.

    Examples
    --------
    >>> _step_decimals([0, 2.5, 5, 7.5], 3), _step_decimals([0, 0.25, 0.5], 3), _step_decimals([0, 20, 40], 3)
    (1, 2, 0)
    """
    v = np.asarray([x for x in values if math.isfinite(x)], dtype=float)
    if not len(v):
        return 0
    scale = max(1.0, float(np.max(np.abs(v))))
    for d in range(most + 1):
        if np.all(np.abs(np.round(v, d) - v) <= 1e-9 * scale):
            return d
    return most


@functools.cache
def _mpl() -> Any:
    """matplotlib, imported on the first chart (``import lapsibudjetti`` stays fast).

    Returns a namespace with the matplotlib names the charts use and the
    tick formatters, which subclass ``matplotlib.ticker.Formatter``.
    """
    import types

    import matplotlib
    from matplotlib import ticker
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    class StepFormatter(ticker.Formatter):
        """Tick labels with as many decimals as the tick step needs, in the chart's language."""

        unit = 1.0
        most = 3

        def __init__(self, lang: str) -> None:
            self.lang = lang
            self.decimals = 0

        def format_ticks(self, values: Sequence[float]) -> list[str]:
            self.decimals = _step_decimals([v / self.unit for v in values], self.most)
            return [self(v, i) for i, v in enumerate(values)]

        def text(self, x: float) -> str:
            raise NotImplementedError

        def __call__(self, x: float, pos: int | None = None) -> str:
            return self.text(x)

    class EuroFormatter(StepFormatter):
        """Tick labels in euros or M€."""

        def __init__(self, lang: str, million: bool = False) -> None:
            super().__init__(lang)
            self.million = million
            self.unit = 1e6 if million else 1.0

        def text(self, x: float) -> str:
            return format_euros(x, self.lang, scale="million" if self.million else "unit", decimals=self.decimals)

    class PercentFormatter(StepFormatter):
        """Tick labels for shares (0–1) as percentages."""

        unit = 0.01
        most = 2

        def text(self, x: float) -> str:
            return format_percent(x, self.lang, decimals=self.decimals)

    class NumberFormatter(StepFormatter):
        """Plain numbers with the language's decimal separator."""

        def text(self, x: float) -> str:
            return format_number(x, self.lang, decimals=self.decimals)

    return types.SimpleNamespace(
        mpl=matplotlib, Axes=Axes, Figure=Figure, SubFigure=SubFigure, Line2D=Line2D, Patch=Patch,
        EuroFormatter=EuroFormatter, PercentFormatter=PercentFormatter, NumberFormatter=NumberFormatter,
    )


def _euro_ticks(lang: str, million: bool) -> Any:
    """Tick formatter for euros (``million``: in M€)."""
    return _mpl().EuroFormatter(lang, million)


def _percent_ticks(lang: str) -> Any:
    """Tick formatter for shares shown as percentages."""
    return _mpl().PercentFormatter(lang)


def _number_ticks(lang: str) -> Any:
    """Tick formatter for plain numbers (ratios)."""
    return _mpl().NumberFormatter(lang)


def _years_text(years: Iterable[int]) -> str:
    from ...reference._format import format_years

    return format_years(years)


# ---------------------------------------------------------------- data helpers
def _registry(result: ResultLike) -> Registry:
    reg = getattr(result, "registry", None)
    return reg if isinstance(reg, Registry) else Registry.default()


def _org_names(result: ResultLike, frame: pd.DataFrame, lang: str) -> pd.Series:
    """Organisation names; the code is added where two organisations share a name."""
    orgs = frame[["org_type", "org_code"]].astype(str).drop_duplicates().reset_index(drop=True)
    orgs["name"] = _registry(result).names(orgs["org_type"], orgs["org_code"], lang).to_numpy()
    clash = orgs["name"].duplicated(keep=False)
    orgs.loc[clash, "name"] = [
        label_text("label.org_code", lang, name=n, code=c) for n, c in zip(orgs.loc[clash, "name"], orgs.loc[clash, "org_code"])
    ]
    key = frame["org_type"].astype(str) + "\0" + frame["org_code"].astype(str)
    lookup = dict(zip(orgs["org_type"] + "\0" + orgs["org_code"], orgs["name"]))
    return key.map(lookup)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Grouping columns as plain objects (categoricals would group on unused categories)."""
    out = frame.copy()
    for col in ("org_type", "org_code", "phase"):
        if col in out:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
            out[col] = [None if v is None else str(v) for v in out[col]]
    out["year"] = pd.to_numeric(out["year"]).astype("int64")
    return out


def _filter_orgs(frame: pd.DataFrame, orgs: Sequence[str] | None, what: str) -> pd.DataFrame:
    if orgs is None:
        return frame
    if isinstance(orgs, str):
        orgs = [orgs]
    wanted = [str(o) for o in orgs]
    known = sorted(set(frame["org_code"]))
    missing = [o for o in wanted if o not in known]
    if missing:
        raise InputError(say("chart.orgs_missing", what=what, missing=", ".join(missing), known=", ".join(known)))
    return frame[frame["org_code"].isin(wanted)]


def _select_phase(frame: pd.DataFrame, phase: str | None, what: str) -> pd.DataFrame:
    """One phase per organisation-year.

    ``phase=None`` takes the actuals where there are any, else the revised
    budget, else the budget; the chart then says which phase each year shows.
    """
    if frame.empty:
        raise InputError(say("chart.no_rows", what=what))
    if phase is not None:
        if phase not in _PHASE_PRIORITY:
            raise InputError(say("chart.phase_arg", what=what, phases=", ".join(_PHASE_PRIORITY), phase=repr(phase)))
        out = frame[frame["phase"] == phase]
        if out.empty:
            raise InputError(
                say("chart.no_phase", what=what, phase=repr(phase), have=", ".join(sorted(set(frame["phase"]))))
            )
        return out
    unknown = sorted(set(frame["phase"]) - set(_PHASE_PRIORITY))
    if unknown:
        raise InputError(say("chart.unknown_phases", what=what, phases=", ".join(map(str, unknown))))
    prio = frame["phase"].map(_PHASE_PRIORITY)
    best = prio.groupby([frame["org_type"], frame["org_code"], frame["year"]]).transform("min")
    return frame[prio == best]


def _select_year(frame: pd.DataFrame, year: int | None, what: str) -> int:
    years = sorted(set(frame["year"].tolist()))
    if not years:
        raise InputError(say("chart.no_rows", what=what))
    if year is None:
        return int(years[-1])
    if int(year) not in years:
        raise InputError(say("chart.no_year", what=what, year=year, years=_years_text(years)))
    return int(year)


def _phase_text(frame: pd.DataFrame, lang: str) -> str:
    """Which phase(s) the chart shows, with years when they differ."""
    per = frame[["phase", "year"]].drop_duplicates()
    phases = sorted(set(per["phase"]), key=lambda p: _PHASE_PRIORITY.get(p, 9))
    if len(phases) == 1:
        return label_text(f"phase.{phases[0]}", lang)
    parts = [
        label_text("phase.years", lang, phase=label_text(f"phase.{p}", lang), years=_years_text(per.loc[per["phase"] == p, "year"]))
        for p in phases
    ]
    return label_text("fmt.list_sep", lang).join(parts)


def _target_ages(result: ResultLike, summary: pd.DataFrame | None) -> tuple[int, int]:
    tg = getattr(result, "target_group", None)
    ages = getattr(tg, "ages", None)
    if isinstance(ages, tuple) and len(ages) == 2:
        return int(ages[0]), int(ages[1])
    if summary is not None and "target_group" in summary and len(summary):
        m = re.search(r"(\d+)\s*[–-]\s*(\d+)", str(summary["target_group"].iloc[0]))
        if m:
            return int(m.group(1)), int(m.group(2))
    return 0, 17


def _measure_text(result: ResultLike, summary: pd.DataFrame | None, lang: str) -> str:
    measure = getattr(result, "measure", None)
    if not isinstance(measure, str) and summary is not None and "measure" in summary and len(summary):
        measure = str(summary["measure"].iloc[0])
    if not isinstance(measure, str) or not measure:
        return ""
    return measure_text(measure, lang)  # one wording for workbook and charts (data/labels.csv)


def _subtitle(result: ResultLike, summary: pd.DataFrame | None, shown: pd.DataFrame, lang: str) -> str:
    lo, hi = _target_ages(result, summary)
    parts = [_measure_text(result, summary, lang), label_text("target", lang, low=lo, high=hi), _phase_text(shown, lang)]
    text = label_text("subtitle.sep", lang).join(p for p in parts if p)
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- drawing helpers
class _Style:
    """Font sizes for one chart: larger on the slide-sized figures we create."""

    def __init__(self, created: bool, fontsize: float | None) -> None:
        base = float(fontsize) if fontsize is not None else (15.0 if created else float(_mpl().mpl.rcParams["font.size"]))
        self.base = base
        self.title = base * 1.3
        self.subtitle = base * 0.95
        self.tick = base * 0.9
        self.label = base
        self.small = base * 0.82
        self.note = base * 0.78


@dataclass
class _Fit:
    """What to fit once the figure's layout is known (see :func:`_finish`).

    Before drawing, nobody knows how wide an axes will be: the layout engine
    sizes it around tick labels and legends. So the charts draw first, let
    matplotlib lay the figure out, and then wrap titles and notes to the
    room they really have, thin crowded tick labels, hide in-bar labels that
    do not fit their bar and widen the axis for labels at bar ends.
    """

    texts: list[tuple[Any, str, float, bool]] = field(default_factory=list)  # artist, text, size, bold
    span: list[Any] = field(default_factory=list)  # further panels the title and note may run over
    twins: list[tuple[Any, Any]] = field(default_factory=list)  # (text, invisible twin keeping its height)
    inside: list[tuple[Any, Any]] = field(default_factory=list)  # (label, bar)
    ends: list[Any] = field(default_factory=list)  # labels right of horizontal bars (data x anchor)
    tops: list[Any] = field(default_factory=list)  # labels above columns (data y anchor)
    rows: int = 0  # horizontal bars: labels shrink to the row pitch when there are many rows


def _axes(ax: Axes | None, figsize: tuple[float, float] | None, fontsize: float | None) -> tuple[Axes, _Style]:
    if ax is not None:
        if not isinstance(ax, _mpl().Axes):
            raise InputError(say("arg.type", name="ax", expected=say("what.axes"), got=type(ax).__name__))
        return ax, _Style(False, fontsize)
    import matplotlib.pyplot as plt  # only when we create a figure (lets notebooks show it)

    fig = plt.figure(figsize=figsize or SLIDE_SIZE, layout="constrained")
    return fig.add_subplot(), _Style(True, fontsize)


def _frame_axes(ax: Axes, style: _Style, value_axis: Literal["x", "y"]) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(_MUTED)
    ax.tick_params(labelsize=style.tick, colors=_INK, length=3)
    ax.grid(axis=value_axis, color=_GRID, linewidth=0.8)
    ax.grid(axis="y" if value_axis == "x" else "x", visible=False)
    ax.set_axisbelow(True)


def _title_pad(style: _Style, extra: float = 0.0) -> float:
    """Points between the axes and the title: room for the subtitle (and ``extra``)."""
    return style.subtitle * 1.35 + 12.0 + extra


def _titles(ax: Axes, style: _Style, fit: _Fit, title: str, subtitle: str, *, extra: float = 0.0) -> list[Any]:
    """Bold title, with the measure / target group / phase as a grey subtitle under it.

    ``extra`` (points) leaves room between the subtitle and the axes for
    labels drawn just above the plot area (the median label).
    """
    t = ax.set_title(title, loc="left", fontsize=style.title, fontweight="bold", color=_INK, pad=_title_pad(style, extra))
    s = ax.annotate(
        subtitle,
        xy=(0.0, 1.0),
        xycoords="axes fraction",
        xytext=(0.0, 8.0 + extra),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=style.subtitle,
        color=_MUTED,
        annotation_clip=False,
        gid="lapsibudjetti-subtitle",
    )
    fit.texts += [(t, title, style.title, True), (s, subtitle, style.subtitle, False)]
    return [t, s]


def _note(ax: Axes, style: _Style, fit: _Fit | None, text: str, *, color: str = _MUTED) -> Any:
    """A footnote under the x axis (its tick labels and label), left-aligned with the axes."""
    if not text:
        return None

    def below_xaxis(renderer: RendererBase) -> Bbox:
        return ax.xaxis.get_tightbbox(renderer) or ax.get_window_extent(renderer)

    note = ax.annotate(
        text,
        xy=(0.0, 0.0),
        xycoords=("axes fraction", below_xaxis),
        xytext=(0.0, -6.0),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=style.note,
        color=color,
        annotation_clip=False,
        gid="lapsibudjetti-note",
    )
    if fit is not None:
        fit.texts.append((note, text, style.note, False))
    return note


def _wrap(text: str, width: int) -> str:
    """Wrap at ``width`` characters (for short axis labels)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) if text else ""


@functools.cache
def _measurer() -> Any:
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(8, 8, 72)  # at 72 dpi a pixel is a point


def _text_width(text: str, fontsize: float, bold: bool = False) -> float:
    """Width of one line of text in points, as the Agg renderer lays it out."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=fontsize, weight="bold" if bold else "normal")
    width, _, _ = _measurer().get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def _fit_lines(text: str, room: float, fontsize: float, bold: bool = False) -> str:
    """Break ``text`` into lines no wider than ``room`` points (at spaces)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and _text_width(candidate, fontsize, bold) > room:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def _root_figure(ax: Axes) -> Figure:
    fig: Any = ax.figure
    while isinstance(fig, _mpl().SubFigure):
        fig = fig.figure
    return fig


def _room(ax: Axes, span: Sequence[Axes]) -> float:
    """Points from the left edge of ``ax`` to where its title and note must stop (after layout).

    Alone on its figure, a chart's texts may run to the figure's right edge
    (over the legend column); among other axes they stop at the right edge
    of ``ax`` (or of the last panel in ``span``).
    """
    fig = _root_figure(ax)
    own = [ax, *span]
    scale = 72.0 / fig.dpi
    x0 = ax.get_window_extent().x0
    if all(any(a is o for o in own) for a in fig.axes):
        right = fig.bbox.x1 - 8.0 / scale
    else:
        right = max(a.get_window_extent().x1 for a in own)
    return max(144.0, (right - x0) * scale)


def _thin_ticks(axis: Any) -> None:
    """Keep every k-th tick label when neighbours would touch."""
    labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
    if len(labels) < 3:
        return
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.x0)
    gap = 6.0 * _root_figure(axis.axes).dpi / 72.0
    if all(a.x1 + gap <= b.x0 for a, b in zip(boxes, boxes[1:])):
        return
    widest = max(b.width for b in boxes)
    pitch = (boxes[-1].x0 - boxes[0].x0) / (len(boxes) - 1)
    k = max(2, math.ceil((widest + gap) / max(pitch, 1e-9)))
    ticks = axis.get_ticklocs()
    lo, hi = sorted(axis.get_view_interval())
    shown = [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9]
    axis.set_ticks(shown[::k])


def _fit_ends(ax: Axes, labels: Sequence[Any]) -> None:
    """Widen the x axis so that labels right of the bar ends stay inside the axes."""
    if not labels:
        return
    box = ax.get_window_extent()
    width = box.width
    xmin, xmax = ax.get_xlim()
    needed = xmax
    pad = 4.0
    for label in labels:
        ext = label.get_window_extent()
        anchor = label.xy[0]
        beyond = ext.x1 - box.x0 - (anchor - xmin) / (xmax - xmin) * width  # pixels right of the anchor
        room = width - pad - beyond
        if room <= width * 0.2:  # cannot fit sensibly: leave it to the label running over the edge
            continue
        needed = max(needed, xmin + (anchor - xmin) * width / room)
    if needed > xmax:
        ax.set_xlim(xmin, needed)


def _fit_tops(ax: Axes, labels: Sequence[Any], spacing: float) -> None:
    """Shrink labels above columns to the column spacing and raise the y axis to hold them."""
    if not labels:
        return
    box = ax.get_window_extent()
    pitch = box.width * spacing / (ax.get_xlim()[1] - ax.get_xlim()[0])
    widest = max(label.get_window_extent().width for label in labels)
    if widest > pitch * 0.95:
        factor = pitch * 0.95 / widest
        for label in labels:
            label.set_fontsize(max(5.0, label.get_fontsize() * factor))
    height = box.height
    ymin, ymax = ax.get_ylim()
    needed = ymax
    for label in labels:
        ext = label.get_window_extent()
        anchor = label.xy[1]
        above = ext.y1 - box.y0 - (anchor - ymin) / (ymax - ymin) * height
        room = height - 4.0 - above
        if room > height * 0.2:
            needed = max(needed, ymin + (anchor - ymin) * height / room)
    if needed > ymax:
        ax.set_ylim(ymin, needed)


def _fit_rows(ax: Axes, fit: _Fit) -> None:
    """Shrink the row labels of a horizontal bar chart to the rows' pitch (many organisations)."""
    pitch = ax.get_window_extent().height * 72.0 / _root_figure(ax).dpi / max(fit.rows, 1)
    largest = pitch * 0.78
    for label in [*fit.ends, *(label for label, _ in fit.inside)]:
        if float(label.get_fontsize()) > largest:
            label.set_fontsize(max(4.0, largest))
    ticks = ax.get_yticklabels()
    if ticks and float(ticks[0].get_fontsize()) > largest:
        ax.tick_params(axis="y", labelsize=max(4.0, largest))


def _finish(ax: Axes, fit: _Fit) -> None:
    """Fit texts and labels to the laid-out figure (see :class:`_Fit`)."""
    fig = _root_figure(ax)
    # names, measures and notes are the user's text: a "$" is a dollar sign, never mathematics
    for artist in fig.findobj(_mpl().mpl.text.Text):
        artist.set_parse_math(False)
    # first layout without the long texts: they must fit the axes, not the axes them
    wrapped = [*fit.texts, *((twin, "", 0.0, False) for _, twin in fit.twins)]
    states = [artist.get_in_layout() for artist, *_ in wrapped]
    for artist, *_ in wrapped:
        artist.set_in_layout(False)
    fig.draw_without_rendering()
    if fit.rows:
        _fit_rows(ax, fit)
    room = _room(ax, fit.span)
    for artist, text, size, bold in fit.texts:
        artist.set_text(_fit_lines(text, room, size, bold))
    for shown, twin in fit.twins:
        twin.set_text("\n".join("X" for _ in shown.get_text().split("\n")))
    for (artist, *_), state in zip(wrapped, states):
        artist.set_in_layout(state)
    fig.draw_without_rendering()
    for panel in [ax, *fit.span]:
        _thin_ticks(panel.xaxis)
    for label, bar in fit.inside:
        text_box, bar_box = label.get_window_extent(), bar.get_window_extent()
        label.set_visible(text_box.width <= bar_box.width - 2 and text_box.height <= bar_box.height + 1)
    _fit_ends(ax, fit.ends)
    _fit_tops(ax, fit.tops, 1.0)


def _legend(ax: Axes, style: _Style, handles: Sequence[Any], labels: Sequence[str]) -> None:
    """Legend right of the axes, in as many columns as its height needs."""
    fig = _root_figure(ax)
    height = ax.get_position().height * fig.get_figheight() * 72.0
    per_column = max(1, int(height // (style.small * 1.5)))
    ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=style.small,
        borderaxespad=0.0,
        handlelength=2.2,
        ncols=max(1, math.ceil(len(labels) / per_column)),
        columnspacing=1.0,
    )


def _org_style(i: int) -> dict[str, Any]:
    return {
        "color": ORG_COLOURS[i % len(ORG_COLOURS)],
        "marker": ORG_MARKERS[i % len(ORG_MARKERS)],
        "linestyle": ORG_LINESTYLES[i % len(ORG_LINESTYLES)],
    }


def _highlight_set(highlight: str | Sequence[str] | None, frame: pd.DataFrame, what: str) -> set[str]:
    if highlight is None:
        return set()
    codes = [highlight] if isinstance(highlight, str) else list(highlight)
    known = set(frame["org_code"])
    missing = [c for c in codes if str(c) not in known]
    if missing:
        raise InputError(say("chart.highlight_missing", what=what, missing=", ".join(map(str, missing)), known=", ".join(sorted(known))))
    return {str(c) for c in codes}


def _value_scale(max_abs: float) -> bool:
    """Whether euro ticks are in millions."""
    return bool(np.isfinite(max_abs) and max_abs >= 1e6)


def _in_bar_label(ax: Axes, style: _Style, fit: _Fit, x: float, y: float, text: str, colour: str, bar: Any, dark: bool) -> None:
    label = ax.text(x, y, text, ha="center", va="center", fontsize=style.small, color="white" if dark else _INK,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": colour, "edgecolor": "none", "alpha": 0.9})
    fit.inside.append((label, bar))


_DARK = {"targeted", "corrective", "green", "sote"}  # segments that take white labels


#: More lines than this in a trend chart: drawn in grey with their median (or the highlighted ones in colour).
MAX_LINES = 8
#: More bars than this in a bar chart: the largest are drawn, with a note (every figure is in the tables).
MAX_BARS = 30


def _cap_bars(frame: pd.DataFrame, value: str, highlight: set[str], lang: str) -> tuple[pd.DataFrame, str]:
    """At most :data:`MAX_BARS` rows: the largest by ``value`` and every highlighted one; a note saying so, or ``""``."""
    if len(frame) <= MAX_BARS:
        return frame, ""
    ranked = frame.sort_values([value, "org_code"], ascending=[False, True], kind="stable", na_position="last")
    keep = ranked.head(MAX_BARS)
    extra = frame[frame["org_code"].astype(str).isin(highlight) & ~frame.index.isin(keep.index)]
    shown = pd.concat([keep, extra])
    return shown, label_text("note.capped_bars", lang, shown=len(shown), n=len(frame))


def _axis_break(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    """A break mark (two short slashes) where a value axis that does not start at zero meets the other axis."""
    kw: dict[str, Any] = {"transform": ax.transAxes, "color": _INK, "clip_on": False, "linewidth": 1.4, "zorder": 6}
    d = 0.012
    if axis == "y":
        for off in (0.0, 0.018):
            ax.plot((-d, d), (off - d, off + d), **kw)
    else:
        for off in (0.0, 0.012):
            ax.plot((off - d, off + d), (-d * 1.6, d * 1.6), **kw)


def _starts_above_zero(ax: Axes, axis: Literal["x", "y"] = "y") -> bool:
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    return min(lo, hi) > 0
