"""save_chart: a chart to PNG/SVG/PDF with fixed metadata."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..._errors import InputError
from ..._files import atomic_path
from ...reference._labels import say

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
from ._base import SLIDE_SIZE, _mpl

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
        raise InputError(say("arg.type", name="save_chart(chart)", expected=say("what.axes_or_figure"), got=type(chart).__name__))
    while isinstance(fig, m.SubFigure):
        fig = fig.figure
    if not isinstance(fig, m.Figure):
        raise InputError(say("chart.no_figure", what="save_chart"))
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise InputError(say("chart.suffix", what="save_chart", name=repr(path.name)))
    if isinstance(size, str) and size not in ("slide", "print"):
        raise InputError("save_chart: " + say("arg.type", name="size", expected=say("what.chart_size"), got=repr(size)))
    if dpi is None:
        dpi = 300 if size == "print" else 200
    if dpi <= 0:
        raise InputError("save_chart: " + say("arg.positive", name="dpi", got=dpi))
    target: tuple[float, float] | None
    if size == "slide":
        target = SLIDE_SIZE
    elif size is None or size == "print":
        target = None
    else:
        w, h = size
        if not (w > 0 and h > 0):
            raise InputError("save_chart: " + say("arg.type", name="size", expected=say("what.inches"), got=repr(size)))
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
        with m.mpl.rc_context({"svg.hashsalt": "lapsibudjetti"}), atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, facecolor=facecolor, transparent=transparent)
    finally:
        if target is not None:
            fig.set_size_inches(*original, forward=False)
    return path
