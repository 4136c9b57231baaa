"""Charts of a child budget for council papers, workshop slides and annual reports.

Every chart is a function ``plot_…(result, *, ax=None, lang="fi", …)`` that
draws on ``ax`` (or on a new slide-sized figure when ``ax`` is None) and
returns the Axes. No chart calls ``plt.show()`` or changes matplotlib's
global style: colours, fonts and grids are set on the artists themselves.
Titles, axis labels, notes and number formats (thousands separators, decimal
comma, euro sign) come from ``data/chart_labels.csv`` in Finnish, Swedish or
English.

The colours work for colour-blind readers and in greyscale: the service
tiers go from light (universal) to dark (corrective) with hatching on the
targeted and corrective segments, and organisations in line charts differ
in colour, marker and line style (Okabe–Ito palette).

A result is anything with ``summary()`` and ``by(dimension, lang=...)``
shaped like :class:`~lapsibudjetti.ChildBudget` (a child budget or a
municipality / region view); organisation names come from its ``registry``.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import pandas as pd

from ._errors import InputError, LapsibudjettiWarning
from ._export import measure_text
from ._registry import Registry

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.transforms import Bbox

__all__ = [
    "plot_tiers",
    "plot_preventive_share",
    "plot_per_child",
    "plot_sisote_split",
    "plot_child_protection_balance",
    "save_chart",
    "format_euros",
    "format_percent",
    "chart_label",
    "SLIDE_SIZE",
]

LANGS = ("fi", "sv", "en")
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


# ---------------------------------------------------------------- labels and numbers
@functools.cache
def _label_table() -> dict[str, dict[str, str]]:
    path = files("lapsibudjetti").joinpath("data", "chart_labels.csv")
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    out: dict[str, dict[str, str]] = {}
    for row in table.itertuples(index=False):
        out[row.key] = {lang: getattr(row, lang).replace("{nbsp}", "\u00a0") for lang in LANGS}
    return out


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def chart_label(key: str, lang: str = "fi", **values: object) -> str:
    """A chart text from ``data/chart_labels.csv`` in ``lang``, with ``{placeholders}`` filled.

    Parameters
    ----------
    key
        Row key, e.g. ``"title.tiers"``.
    lang
        ``fi``, ``sv`` or ``en``.
    **values
        Values for the placeholders of the text.

    Examples
    --------
    >>> chart_label("title.tiers", "fi", year=2019)
    'Lapsiin kohdistuvat eurot palvelutasoittain 2019'
    >>> chart_label("title.tiers", "en", year=2019)
    'Child-targeted euros by service tier, 2019'
    """
    _check_lang(lang)
    table = _label_table()
    if key not in table:
        raise InputError(f"no chart label {key!r} in data/chart_labels.csv; add a row with fi, sv and en texts")
    text = table[key][lang] or table[key]["fi"]
    return text.format(**values) if values else text


def _number(value: float, decimals: int, lang: str) -> str:
    if not math.isfinite(value):
        return "–"
    value = round(value, decimals)
    if value == 0:
        value = 0.0  # no "−0"
    text = f"{abs(value):,.{decimals}f}"
    text = text.replace(",", "\0").replace(".", chart_label("fmt.decimal", lang)).replace("\0", chart_label("fmt.thousands", lang))
    return text


def format_euros(
    value: float,
    lang: str = "fi",
    *,
    scale: Literal["unit", "million", "auto"] = "unit",
    decimals: int | None = None,
) -> str:
    """Euros as a reader in ``lang`` writes them.

    Finnish and Swedish: ``1 234 567 €`` (non-breaking spaces, decimal
    comma); English: ``€1,234,567``. A minus is the typographic ``−``.

    Parameters
    ----------
    value
        Euros.
    lang
        ``fi``, ``sv`` or ``en``.
    scale
        ``unit`` (whole euros), ``million`` (``1,2 M€``) or ``auto``
        (millions from one million up).
    decimals
        Decimals to show; default 0 for euros and 1 for millions.

    Examples
    --------
    >>> format_euros(1234567.0, "fi")
    '1\\xa0234\\xa0567\\xa0€'
    >>> format_euros(1234567.0, "en")
    '€1,234,567'
    >>> format_euros(-1234567.0, "sv", scale="auto")
    '−1,2\\xa0M€'
    >>> format_euros(581_422_900.0, "en", scale="auto")
    '€581.4M'
    """
    _check_lang(lang)
    if scale not in ("unit", "million", "auto"):
        raise InputError(f"scale must be 'unit', 'million' or 'auto', not {scale!r}")
    million = scale == "million" or (scale == "auto" and math.isfinite(value) and abs(value) >= 1e6)
    if million:
        d = 1 if decimals is None else decimals
        n = _number(value / 1e6, d, lang)
        text = chart_label("fmt.meuro", lang, n=n)
        shown = round(value / 1e6, d)
    else:
        d = 0 if decimals is None else decimals
        n = _number(value, d, lang)
        text = chart_label("fmt.euro", lang, n=n)
        shown = round(value, d)
    return ("\u2212" + text) if shown < 0 else text


def format_percent(share: float, lang: str = "fi", *, decimals: int = 0) -> str:
    """A share (0.78) as a percentage in ``lang``.

    Examples
    --------
    >>> format_percent(0.7826, "fi")
    '78\\xa0%'
    >>> format_percent(0.7826, "en", decimals=1)
    '78.3%'
    """
    text = chart_label("fmt.percent", lang, n=_number(share * 100.0, decimals, lang))
    return ("\u2212" + text) if round(share * 100.0, decimals) < 0 else text


def _step_decimals(values: Sequence[float], most: int) -> int:
    """Decimals the smallest step between tick values needs (0 for whole steps)."""
    v = np.unique(np.asarray(values, dtype=float))
    step = float(np.min(np.diff(v))) if len(v) > 1 else 1.0
    if not math.isfinite(step) or step <= 0 or step >= 1:
        return 0
    return min(most, int(math.ceil(-math.log10(step) - 1e-9)))


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
            body = _number(x, self.decimals, self.lang)
            return ("\u2212" + body) if round(x, self.decimals) < 0 else body

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
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    if len(ys) == 1:
        return str(ys[0])
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


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
        chart_label("label.org_code", lang, name=n, code=c) for n, c in zip(orgs.loc[clash, "name"], orgs.loc[clash, "org_code"])
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
        raise InputError(f"{what}: organisation code(s) {', '.join(missing)} not in the result; it has {', '.join(known)}")
    return frame[frame["org_code"].isin(wanted)]


def _select_phase(frame: pd.DataFrame, phase: str | None, what: str) -> pd.DataFrame:
    """One phase per organisation-year.

    ``phase=None`` takes the actuals where there are any, else the revised
    budget, else the budget; the chart then says which phase each year shows.
    """
    if frame.empty:
        raise InputError(f"{what}: the result has no rows to draw")
    if phase is not None:
        if phase not in _PHASE_PRIORITY:
            raise InputError(f"{what}: phase must be one of {', '.join(_PHASE_PRIORITY)} or None, not {phase!r}")
        out = frame[frame["phase"] == phase]
        if out.empty:
            raise InputError(
                f"{what}: no rows with phase {phase!r}; the result has {', '.join(sorted(set(frame['phase'])))}. "
                "Pass one of those, or phase=None for actuals where available"
            )
        return out
    unknown = sorted(set(frame["phase"]) - set(_PHASE_PRIORITY))
    if unknown:
        raise InputError(f"{what}: unknown phase(s) {', '.join(map(str, unknown))}")
    prio = frame["phase"].map(_PHASE_PRIORITY)
    best = prio.groupby([frame["org_type"], frame["org_code"], frame["year"]]).transform("min")
    return frame[prio == best]


def _select_year(frame: pd.DataFrame, year: int | None, what: str) -> int:
    years = sorted(set(frame["year"].tolist()))
    if not years:
        raise InputError(f"{what}: the result has no rows to draw")
    if year is None:
        return int(years[-1])
    if int(year) not in years:
        raise InputError(f"{what}: no data for year {year}; the result has {_years_text(years)}")
    return int(year)


def _phase_text(frame: pd.DataFrame, lang: str) -> str:
    """Which phase(s) the chart shows, with years when they differ."""
    per = frame[["phase", "year"]].drop_duplicates()
    phases = sorted(set(per["phase"]), key=lambda p: _PHASE_PRIORITY.get(p, 9))
    if len(phases) == 1:
        return chart_label(f"phase.{phases[0]}", lang)
    parts = [
        chart_label("phase.years", lang, phase=chart_label(f"phase.{p}", lang), years=_years_text(per.loc[per["phase"] == p, "year"]))
        for p in phases
    ]
    return chart_label("fmt.list_sep", lang).join(parts)


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
    parts = [_measure_text(result, summary, lang), chart_label("target", lang, low=lo, high=hi), _phase_text(shown, lang)]
    text = chart_label("subtitle.sep", lang).join(p for p in parts if p)
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
            raise InputError(f"ax must be a matplotlib Axes, not {type(ax).__name__}")
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
        if label.get_fontsize() > largest:
            label.set_fontsize(max(4.0, largest))
    ticks = ax.get_yticklabels()
    if ticks and ticks[0].get_fontsize() > largest:
        ax.tick_params(axis="y", labelsize=max(4.0, largest))


def _finish(ax: Axes, fit: _Fit) -> None:
    """Fit texts and labels to the laid-out figure (see :class:`_Fit`)."""
    fig = _root_figure(ax)
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
        raise InputError(f"{what}: highlight code(s) {', '.join(map(str, missing))} not among the organisations drawn ({', '.join(sorted(known))})")
    return {str(c) for c in codes}


def _value_scale(max_abs: float) -> bool:
    """Whether euro ticks are in millions."""
    return bool(np.isfinite(max_abs) and max_abs >= 1e6)


def _in_bar_label(ax: Axes, style: _Style, fit: _Fit, x: float, y: float, text: str, colour: str, bar: Any, dark: bool) -> None:
    label = ax.text(x, y, text, ha="center", va="center", fontsize=style.small, color="white" if dark else _INK,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": colour, "edgecolor": "none", "alpha": 0.9})
    fit.inside.append((label, bar))


_DARK = {"targeted", "corrective", "green", "sote"}  # segments that take white labels


# ---------------------------------------------------------------- charts
def plot_tiers(
    result: ResultLike,
    *,
    year: int | None = None,
    ax: Axes | None = None,
    lang: str = "fi",
    by: Literal["tier", "colour"] = "tier",
    stat: Literal["euros", "share"] = "euros",
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
        ``euros`` (default) or ``share`` (100 % stacked bars).
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
    lang = _check_lang(lang)
    if by not in ("tier", "colour"):
        raise InputError(f"{what}: by must be 'tier' or 'colour', not {by!r}")
    if stat not in ("euros", "share"):
        raise InputError(f"{what}: stat must be 'euros' or 'share', not {stat!r}")
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
    ranking = pd.DataFrame({"total": totals.to_numpy(), "name": totals.index.to_numpy()})
    order = ranking.sort_values(["total", "name"], ascending=[True, False])["name"].to_numpy()
    wide, totals = wide.loc[order], totals.loc[order]  # barh draws bottom-up: largest on top
    values = wide.div(totals.where(totals != 0), axis=0).fillna(0.0) if stat == "share" else wide

    ax, style = _axes(ax, figsize, fontsize)
    fit = _Fit()
    _frame_axes(ax, style, "x")
    y = np.arange(len(wide))
    # negative amounts (revenue above cost) stack leftwards from zero, positive ones rightwards
    right, left = np.zeros(len(wide)), np.zeros(len(wide))
    share_of = totals.to_numpy(dtype=float)
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
        ax.set_xlabel(chart_label("axis.child_euros", lang), fontsize=style.label, color=_INK)
    else:
        ax.xaxis.set_major_formatter(_percent_ticks(lang))
        ax.set_xlim(0, 1)
        ax.set_xlabel(chart_label("axis.share_of_child_euros", lang), fontsize=style.label, color=_INK)
    ax.set_yticks(y, list(wide.index))
    ax.set_ylim(-0.6, len(wide) - 0.4)
    fit.rows = len(wide)
    key = ("title.tiers" if by == "tier" else "title.colours") + ("_share" if stat == "share" else "")
    _titles(ax, style, fit, chart_label(key, lang, year=yr), _subtitle(result, summary, table, lang))
    handles = [_mpl().Patch(facecolor=styles[lv]["color"], hatch=styles[lv]["hatch"], edgecolor="white") for lv in levels]
    _legend(ax, style, handles, [labels.get(lv, lv) for lv in levels])
    note = chart_label("note.tiers" if by == "tier" else "note.colours", lang)
    if stat == "share":
        note = note.rsplit(".", 2)[0] + "."  # no totals at the bar ends
    _note(ax, style, fit, note)
    _finish(ax, fit)
    return ax


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
    strong = [n for n in names if code_of[n] in highlight]
    handles: list[Any] = []
    hollow_phases: set[str] = set()
    years = sorted(set(frame["year"]))
    for i, name in enumerate(names):
        sub = frame[frame["name"] == name].sort_values("year")
        faded = bool(highlight) and code_of[name] not in highlight
        st = _org_style(strong.index(name) if highlight and not faded else i)
        colour = _HIGHLIGHT_OTHER if faded else st["color"]
        lw = 1.4 if faded else (3.0 if highlight else 2.2)
        ms = 5.5 if faded else 7.5
        ax.plot(sub["year"], sub[column], color=colour, linestyle=st["linestyle"], linewidth=lw, zorder=2 if faded else 3)
        actual = (sub["phase"] == "actual").to_numpy()
        ax.plot(sub["year"][actual], sub[column][actual], linestyle="none", marker=st["marker"], markersize=ms, color=colour,
                markeredgecolor="white", markeredgewidth=0.8, zorder=4)
        if (~actual).any():
            hollow_phases |= set(sub.loc[~actual, "phase"])
            ax.plot(sub["year"][~actual], sub[column][~actual], linestyle="none", marker=st["marker"], markersize=ms,
                    markerfacecolor="white", markeredgecolor=colour, markeredgewidth=1.6, zorder=4)
        handles.append(_mpl().Line2D([], [], color=colour, linestyle=st["linestyle"], linewidth=lw, marker=st["marker"],
                                     markersize=ms, markeredgecolor="white"))
    ax.set_xticks(years, [str(y) for y in years])
    pad = 0.5 if len(years) == 1 else 0.25
    ax.set_xlim(years[0] - pad, years[-1] + pad)
    ax.set_xlabel(chart_label("axis.year", lang), fontsize=style.label, color=_INK)
    if legend:
        _legend(ax, style, handles, names)
    notes = []
    if hollow_phases:
        ordered = sorted(hollow_phases, key=lambda p: _PHASE_PRIORITY.get(p, 9))
        sep = chart_label("fmt.list_sep", lang)
        notes.append(chart_label("note.hollow", lang, phase=sep.join(chart_label(f"phase.{p}", lang) for p in ordered)))
    return notes


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
    lang: str = "fi",
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
    lang = _check_lang(lang)
    summary = _plain(result.summary())
    frame = _select_phase(_filter_orgs(summary, orgs, what), phase, what)
    hl = _highlight_set(highlight, frame, what)
    ax, style = _axes(ax, figsize, fontsize)
    fit = _Fit()
    _frame_axes(ax, style, "y")
    notes = _series(result, ax, style, frame, "preventive_share", lang, hl)
    ax.yaxis.set_major_formatter(_percent_ticks(lang))
    ax.set_ylim(*(ylim if ylim is not None else _share_limits(frame["preventive_share"])))
    ax.set_ylabel(chart_label("axis.preventive", lang), fontsize=style.label, color=_INK)
    _titles(ax, style, fit, chart_label("title.preventive", lang, years=_years_text(frame["year"])), _subtitle(result, summary, frame, lang))
    _note(ax, style, fit, _sentences(chart_label("note.preventive", lang), *notes))
    _finish(ax, fit)
    return ax


def plot_per_child(
    result: ResultLike,
    *,
    year: int | None = None,
    ax: Axes | None = None,
    lang: str = "fi",
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
    lang = _check_lang(lang)
    summary = _plain(result.summary())
    frame = _select_phase(_filter_orgs(summary, orgs, what), phase, what)
    yr = _select_year(frame, year, what)
    frame = frame[frame["year"] == yr]
    frame = frame.assign(name=_org_names(result, frame, lang).to_numpy())
    lost = frame[~np.isfinite(frame["euros_per_child"].to_numpy(dtype=float))]
    if len(lost):
        warnings.warn(
            f"{what}: no population figure for {', '.join(lost['name'])} in {yr}, so no euros per child; "
            "they are left out of the chart. Give a population table to child_budget(population=...)",
            LapsibudjettiWarning,
            stacklevel=2,
        )
    frame = frame[np.isfinite(frame["euros_per_child"].to_numpy(dtype=float))]
    if frame.empty:
        raise InputError(f"{what}: no organisation has a population figure for {yr}; give one with child_budget(population=...)")
    hl = _highlight_set(highlight, frame, what)
    frame = frame.sort_values(["euros_per_child", "name"], ascending=[True, False], kind="stable")
    values = frame["euros_per_child"].to_numpy(dtype=float)
    median = float(np.median(values))

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
    ax.annotate(chart_label("label.median", lang, value=format_euros(median, lang)), xy=(median, 1.0),
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
    ax.set_xlabel(chart_label("axis.per_child", lang, low=lo, high=hi), fontsize=style.label, color=_INK)
    # the median label sits just above the plot area: the subtitle goes above it
    _titles(ax, style, fit, chart_label("title.per_child", lang, year=yr), _subtitle(result, summary, frame, lang),
            extra=style.small * 1.8)
    note = chart_label("note.per_child", lang, low=lo, high=hi)
    if len(lost):
        note += " " + chart_label("note.no_population", lang, names=chart_label("fmt.list_sep", lang).join(lost["name"]))
    _note(ax, style, fit, note)
    _finish(ax, fit)
    return ax


def plot_sisote_split(
    result: ResultLike,
    *,
    org_code: str | None = None,
    year: int | None = None,
    ax: Axes | None = None,
    lang: str = "fi",
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
    lang = _check_lang(lang)
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
    notes = [chart_label("note.sisote", lang)]

    def widen(wide: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        for s in ("sivistys", "sote"):
            if s not in wide.columns:
                wide[s] = 0.0
                labels.setdefault(s, _sector_label(s, lang))
        levels = [s for s in SECTOR_STYLE if s in wide.columns and (s != "other" or float(wide[s].abs().sum()) > 0)]
        return wide, levels

    if n_orgs == 1:
        _frame_axes(ax, style, "y")
        wide, levels = widen(table.pivot_table(index="year", columns="sector", values="child_euros", aggfunc="sum", fill_value=0.0).sort_index())
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
        ax.set_ylabel(chart_label("axis.child_euros", lang), fontsize=style.label, color=_INK)
        ax.set_xlabel(chart_label("axis.year", lang), fontsize=style.label, color=_INK)
        title = chart_label("title.sisote", lang, org=str(table["name"].iloc[0]), years=_years_text(years))
        no_sote = [y for y, v in zip(years, wide["sote"].to_numpy(dtype=float)) if v == 0]
    else:
        _frame_axes(ax, style, "x")
        yr = _select_year(table, year, what)
        table = table[table["year"] == yr]
        wide, levels = widen(table.pivot_table(index="name", columns="sector", values="child_euros", aggfunc="sum", fill_value=0.0))
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
        ax.set_xlabel(chart_label("axis.share_of_child_euros", lang), fontsize=style.label, color=_INK)
        title = chart_label("title.sisote_compare", lang, year=yr)
        no_sote = [yr] if (wide["sote"] == 0).any() else []
    if no_sote:
        warnings.warn(
            f"{what}: no social and health (sote) child euros in {_years_text(no_sote)} for some organisation(s): "
            "from 2023 those are in the wellbeing area's ledger. Use municipality_view() to include the municipality's share",
            LapsibudjettiWarning,
            stacklevel=2,
        )
        notes.append(chart_label("note.sote_missing", lang, years=_years_text(no_sote)))
    _titles(ax, style, fit, title, _subtitle(result, summary, table, lang))
    handles = [_mpl().Patch(facecolor=SECTOR_STYLE[s]["color"], hatch=SECTOR_STYLE[s]["hatch"], edgecolor="white") for s in levels]
    _legend(ax, style, handles, [labels.get(s, s) for s in levels])
    _note(ax, style, fit, " ".join(notes))
    _finish(ax, fit)
    return ax


def _sector_label(sector: str, lang: str) -> str:
    from ._measure import label

    return label(sector, lang, dimension="sector")


def plot_child_protection_balance(
    result: ResultLike,
    *,
    measure: Literal["both", "placements_ratio", "family_services_corrective_share"] = "both",
    ax: Axes | None = None,
    lang: str = "fi",
    phase: str | None = None,
    orgs: Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
    fontsize: float | None = None,
) -> Axes:
    """The child-protection balance over the years, per organisation.

    Two measures (domain.md §7), the ratio LAPE wanted to turn:
    placements ÷ non-residential child protection
    (``summary()["placements_ratio"]``) and corrective ÷ (targeted +
    corrective) within child and family social services
    (``family_services_corrective_share``). With ``measure="both"`` the axes
    is split into two panels side by side: the given Axes takes the left
    half of its place and is returned; the right panel is added to the same
    figure in the other half.

    Parameters
    ----------
    result
        A :class:`~lapsibudjetti.ChildBudget` or a view with ``summary()``.
    measure
        ``both`` (default), ``placements_ratio`` or
        ``family_services_corrective_share``.
    ax, lang, phase, orgs, figsize, fontsize
        As in :func:`plot_tiers`.
    highlight
        Organisation code(s) to draw strongly, the others in grey.

    Returns
    -------
    matplotlib.axes.Axes
        The (left) panel.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"] * 4, "year": [2018, 2018, 2019, 2019],
    ...     "task_class": ["Lastensuojelun avohuoltopalvelut", "Lastensuojelun laitos- ja perhehoito"] * 2,
    ...     "amount": [1e7, 2.7e7, 1.1e7, 2.6e7]}, org_type="municipality", phase="actual")
    >>> ax = plot_child_protection_balance(lb.child_budget(led), lang="en", measure="placements_ratio")
    >>> ax.get_title(loc="left")
    'Child-protection placements relative to non-residential care, 2018–2019'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    what = "plot_child_protection_balance"
    lang = _check_lang(lang)
    allowed = ("both", "placements_ratio", "family_services_corrective_share")
    if measure not in allowed:
        raise InputError(f"{what}: measure must be one of {', '.join(allowed)}, not {measure!r}")
    summary = _plain(result.summary())
    frame = _select_phase(_filter_orgs(summary, orgs, what), phase, what)
    hl = _highlight_set(highlight, frame, what)
    fit = _Fit()
    if measure == "both":
        left, style = _axes(ax, figsize, fontsize)
        spec = left.get_subplotspec()
        if spec is not None:
            # the Axes' grid cell is split in two: layout engines then place both panels
            cells = spec.subgridspec(1, 2, wspace=0.08)
            left.set_subplotspec(cells[0])
            right = left.figure.add_subplot(cells[1])
        else:  # an Axes placed by hand (fig.add_axes): split its rectangle
            from mpl_toolkits.axes_grid1 import make_axes_locatable

            right = make_axes_locatable(left).append_axes("right", size="100%", pad=1.2)
        panels = [(left, "placements_ratio"), (right, "family_services_corrective_share")]
        fit.span = [right]
    else:
        left, style = _axes(ax, figsize, fontsize)
        panels = [(left, measure)]
    notes: list[str] = []
    for i, (panel, column) in enumerate(panels):
        _frame_axes(panel, style, "y")
        notes += _series(result, panel, style, frame, column, lang, hl, legend=(i == len(panels) - 1), order_by=panels[0][1])
        if column == "placements_ratio":
            panel.yaxis.set_major_formatter(_number_ticks(lang))
            vals = frame[column].dropna()
            panel.set_ylim(0, max(float(vals.max()) * 1.1 if len(vals) else 1.0, 1.2))
            panel.axhline(1.0, color=_MUTED, linewidth=1.0, linestyle=(0, (1, 2)), zorder=1)
            panel.set_ylabel(_wrap(chart_label("axis.placements_ratio", lang), 34), fontsize=style.label, color=_INK)
        else:
            panel.yaxis.set_major_formatter(_percent_ticks(lang))
            panel.set_ylim(*_share_limits(frame[column]))
            panel.set_ylabel(_wrap(chart_label("axis.family_corrective", lang), 34), fontsize=style.label, color=_INK)
    key = {"both": "title.cp", "placements_ratio": "title.cp_placements", "family_services_corrective_share": "title.cp_family"}[measure]
    heads = _titles(left, style, fit, chart_label(key, lang, years=_years_text(frame["year"])), _subtitle(result, summary, frame, lang))
    keys = {"both": ["note.placements_ratio", "note.parity", "note.family_corrective"],
            "placements_ratio": ["note.placements_ratio", "note.parity"],
            "family_services_corrective_share": ["note.family_corrective"]}[measure]
    shared = _shared_child_protection_note(result, frame, lang)
    note = _note(left, style, fit, _sentences(*[chart_label(k, lang) for k in keys], *dict.fromkeys(notes), *shared))
    if measure == "both":
        # The title and note run over both panels: kept out of the layout of
        # the left one (which they would squeeze), their height is held by
        # invisible twins on the right panel.
        right = panels[1][0]
        for artist in [*heads, note]:
            artist.set_in_layout(False)
        twin_title = right.set_title("X", loc="left", fontsize=style.title, fontweight="bold", color="none", pad=_title_pad(style))
        twin_note = _note(right, style, None, "X", color="none")
        fit.twins += [(heads[0], twin_title), (note, twin_note)]
    _finish(left, fit)
    return left


def _shared_child_protection_note(result: ResultLike, frame: pd.DataFrame, lang: str) -> list[str]:
    """For a municipality view whose area child protection is shared by one population key: say what that means.

    Amounts shared out by the same share keep their ratios, so a member
    without such services of its own shows the area's ratio and share; the
    chart should not invite reading differences into them.
    """
    if getattr(result, "view", None) != "municipality":
        return []
    from ._rules import categories

    lines = result.lines
    roles = categories().set_index("category")["role"]
    role = lines["category"].astype(object).map(roles)
    measured = role.isin(["placements", "nonresidential", "family_social"]).to_numpy()
    shared = measured & (lines["member_type"].astype(object) == "wellbeing_area").to_numpy()
    shared &= lines["year"].isin(set(frame["year"])).to_numpy()
    keys = set(lines.loc[shared, "allocation_key"].astype(str))
    if len(keys) != 1 or not next(iter(keys)).endswith("population share"):
        return []
    return [chart_label("note.cp_shared_by_population", lang, years=_years_text(lines.loc[shared, "year"]))]


# ---------------------------------------------------------------- export


def save_chart(
    chart: Axes | Figure | SubFigure,
    path: str | Path,
    *,
    dpi: int | None = None,
    size: Literal["slide", "print"] | tuple[float, float] | None = None,
    transparent: bool = False,
) -> Path:
    """Save a chart as PNG, SVG or PDF, reproducibly.

    SVG files carry no date and fixed element ids, PNG and PDF files no
    software version or date, so the same chart gives the same bytes.
    matplotlib's global settings are left as they were.

    Parameters
    ----------
    chart
        An Axes (its figure is saved) or a Figure.
    path
        File name ending ``.png``, ``.svg`` or ``.pdf``.
    dpi
        Resolution of a PNG; default 200, or 300 with ``size="print"``.
    size
        ``"slide"`` (13.33 × 7.5 in, 16:9), ``"print"`` (the figure's own
        size at 300 dpi) or ``(width, height)`` in inches; default the
        figure's own size. The figure is resized for the file only.
    transparent
        Transparent background instead of white.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import matplotlib, tempfile, pathlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> out = save_chart(ax, pathlib.Path(tempfile.mkdtemp()) / "chart.svg")
    >>> out.suffix
    '.svg'
    >>> plt.close(fig)
    """
    m = _mpl()
    if isinstance(chart, m.Axes):
        fig: Any = chart.figure
    elif isinstance(chart, m.Figure | m.SubFigure):
        fig = chart
    else:
        raise InputError(f"save_chart takes a matplotlib Axes or Figure, not {type(chart).__name__}")
    while isinstance(fig, m.SubFigure):
        fig = fig.figure
    if not isinstance(fig, m.Figure):
        raise InputError("save_chart: the Axes is not on a figure")
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise InputError(f"save_chart: {path.name!r} must end in .png, .svg or .pdf")
    if isinstance(size, str) and size not in ("slide", "print"):
        raise InputError(f"save_chart: size must be 'slide', 'print' or (width, height) in inches, not {size!r}")
    if dpi is None:
        dpi = 300 if size == "print" else 200
    if dpi <= 0:
        raise InputError(f"save_chart: dpi must be positive, not {dpi}")
    target: tuple[float, float] | None
    if size == "slide":
        target = SLIDE_SIZE
    elif size is None or size == "print":
        target = None
    else:
        w, h = size
        if not (w > 0 and h > 0):
            raise InputError(f"save_chart: size must be positive inches, not {size!r}")
        target = (float(w), float(h))
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    }[fmt]
    original = tuple(fig.get_size_inches())
    facecolor = "none" if transparent else "white"
    try:
        if target is not None:
            fig.set_size_inches(*target, forward=False)
        # svg.hashsalt fixes the ids of clip paths and hatches; set only for this call
        with m.mpl.rc_context({"svg.hashsalt": "lapsibudjetti"}):
            fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata, facecolor=facecolor, transparent=transparent)
    finally:
        if target is not None:
            fig.set_size_inches(*original, forward=False)
    return path
