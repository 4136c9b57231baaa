"""save_chart: a chart to PNG/SVG/PDF with fixed metadata."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..._errors import InputError
from ..._files import atomic_path

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
        with m.mpl.rc_context({"svg.hashsalt": "lapsibudjetti"}), atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, facecolor=facecolor, transparent=transparent)
    finally:
        if target is not None:
            fig.set_size_inches(*original, forward=False)
    return path
