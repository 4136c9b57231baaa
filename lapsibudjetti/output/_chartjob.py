"""The report's charts drawn in a second Python process while the workbook and the tables are written.

Drawing the five charts (PNG and SVG) is the largest single cost of a report
and uses one core. The helper draws three of them (:data:`HELPER_CHARTS`)
while the report's own process draws the other two and writes the CSV/Parquet
tables and the workbook. The helper process is started with
``python -m lapsibudjetti.output._chartjob``
(not :mod:`multiprocessing`, which would import the user's own script again
in the child), imports matplotlib while the parent computes the views, then
reads the charts' inputs from a pickle in the report's hidden staging
folder and writes back the files it drew and the notes it made. Where a
second process cannot be started, or there is only one core, the charts are
drawn in this process, as before; the files are the same either way.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._errors import InputError, LapsibudjettiError
from ..reference._labels import default_lang, option, say, text

if TYPE_CHECKING:
    from .._budget import ChildBudget
    from ..consolidate._view import BoundaryView

__all__ = ["CHARTS", "MAX_CHART_ORGS", "ChartJob", "chart_orgs"]

#: The charts of a report: file stem, function name in ``lapsibudjetti.output.charts``
#: and whether it shows a change over time (then it needs two years or more).
CHARTS: tuple[tuple[str, str, bool], ...] = (
    ("tiers", "plot_tiers", False),
    ("per_child", "plot_per_child", False),
    ("preventive_share", "plot_preventive_share", True),
    ("sisote_split", "plot_sisote_split", False),
    ("child_protection_balance", "plot_child_protection_balance", True),
)
#: More organisations than this make bar and line charts unreadable: the charts
#: then show the largest ones (all are in the workbook and tables).
MAX_CHART_ORGS = 20


#: The charts the helper draws; the report's own process draws the others before it writes the tables and workbook
#: (on the national data: 2.9 s of charts in the helper; 1.8 s of charts, 1 s of views and 1.9 s of tables and workbook here,
#: so that neither waits long for the other).
HELPER_CHARTS = frozenset({"tiers", "preventive_share", "sisote_split"})


#: Resolution of the report's PNG charts (13.33 × 7.5 in: 2 666 × 1 500 pixels).
_DPI = 200


class ChartJob:
    """The charts of one report: started early, shared with a helper, collected when the workbook needs them."""

    #: A helper started ahead (:meth:`prestart`, by the command line before it reads its files), taken by the next job.
    _spare: subprocess.Popen[bytes] | None = None

    def __init__(self, *, parallel: bool = True) -> None:
        self.folder = Path()
        self.proc: subprocess.Popen[bytes] | None = None
        self.inputs: tuple[Any, ...] | None = None
        self.mine: tuple[list[Path], list[str]] = ([], [])
        self.handled: frozenset[str] = frozenset()  # the charts drawn (or skipped) in this process so far
        self.done: tuple[list[Path], list[str]] | None = None
        spare, ChartJob._spare = ChartJob._spare, None
        if not parallel:
            if spare is not None:
                _end(spare)
            return
        self.proc = spare if spare is not None and spare.poll() is None else _helper()

    @classmethod
    def prestart(cls) -> None:
        """Start a helper now, so that it has imported matplotlib by the time the report needs it."""
        if cls._spare is None:
            cls._spare = _helper()

    def start(self, folder: Path, result: Any, view: Any, lang: str, orgs: Sequence[str] | None) -> None:
        """Hand the helper its charts (it draws into ``folder/charts`` at once); :meth:`draw_mine` draws the rest."""
        from ..reference._labels import interface

        self.folder = folder
        self.inputs = (result, view, self.folder / "charts", lang, list(orgs) if orgs else None, interface())
        if self.proc is None or self.proc.stdin is None:
            return
        job = self.folder / ".charts-job.pickle"
        job.write_bytes(pickle.dumps((*self.inputs, HELPER_CHARTS), protocol=pickle.HIGHEST_PROTOCOL))
        try:
            self.proc.stdin.write(str(job).encode("utf-8") + b"\n")
            self.proc.stdin.close()
        except OSError:  # the helper is gone: its charts are drawn here in files()
            self._stop()

    def draw_mine(self, progress: Any = None) -> None:
        """Draw in this process the charts the helper does not (with no helper, all are drawn in :meth:`files`)."""
        if self.inputs is not None and self.proc is not None:
            self.handled = frozenset(stem for stem, *_ in CHARTS) - HELPER_CHARTS
            self.mine = self._here(self.handled, progress)

    def files(self, progress: Any = None) -> tuple[list[Path], list[str]]:
        """Every chart file drawn, in the report's order, and the notes said while drawing them (each once)."""
        if self.done is not None:
            return self.done
        if self.inputs is None:
            return [], []
        theirs: tuple[list[Path], list[str]] | None = None
        if self.proc is not None:
            code = self.proc.wait()
            answer = self.folder / ".charts-result.pickle"
            if code == 0 and answer.exists():
                files, notes, error = pickle.loads(answer.read_bytes())
                if error is not None:
                    raise error
                theirs = (files, notes)
            self.proc = None
        everything = frozenset(stem for stem, *_ in CHARTS)
        if theirs is None:  # no helper, or it failed to start or died: the same charts, drawn here
            theirs = self._here(everything - self.handled, progress)
        elif everything - HELPER_CHARTS - self.handled:  # draw_mine was not called: this process's share now
            self.mine = self._here(everything - HELPER_CHARTS - self.handled, progress)
        order = {stem: k for k, (stem, *_) in enumerate(CHARTS)}
        files = sorted([*self.mine[0], *theirs[0]], key=lambda p: (order.get(p.stem, len(order)), p.suffix != ".png"))
        self.done = (files, list(dict.fromkeys([*self.mine[1], *theirs[1]])))
        return self.done

    def _here(self, stems: frozenset[str], progress: Any) -> tuple[list[Path], list[str]]:
        result, view, folder, lang, orgs, iface = self.inputs or (None, None, Path(), "fi", None, "python")
        return _draw(result, view, folder, lang, orgs, iface, stems, progress)

    def _stop(self) -> None:
        if self.proc is not None:
            _end(self.proc)
            self.proc = None

    def close(self) -> None:
        """Stop the helper if the report ended before its charts were collected (an error elsewhere)."""
        if self.done is None:
            self._stop()


def _helper() -> subprocess.Popen[bytes] | None:
    """A helper process waiting for its job (None: one core, or no second Python process can be started)."""
    if (os.cpu_count() or 1) < 2 or not sys.executable:
        return None
    # the helper imports this very copy of the library (a checkout on sys.path, not another one installed)
    home = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (home, os.environ.get("PYTHONPATH", "")) if p)}
    try:
        return subprocess.Popen([sys.executable, "-m", "lapsibudjetti.output._chartjob"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return None


def _end(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()


def chart_orgs(summary: pd.DataFrame, requested: Sequence[str] | None, notes: Any = None) -> list[str] | None:
    """The organisations to draw: as requested, all (``None``), or the largest by child euros in the latest year."""
    codes = sorted(set(summary["org_code"].astype(str)))
    if requested:
        unknown = [c for c in requested if c not in codes]
        if unknown:
            shown = ", ".join(codes[:30]) + (" …" if len(codes) > 30 else "")
            raise InputError(say("report.chart_orgs_unknown", orgs=", ".join(unknown), codes=shown))
        return list(requested)
    if len(codes) <= MAX_CHART_ORGS:
        return None
    latest = summary[summary["year"] == summary["year"].max()]
    euros = latest.groupby(latest["org_code"].astype(str))["child_euros"].sum()
    ranked = sorted(euros.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CHART_ORGS]
    if notes is not None:
        notes.add(text("note.chart_orgs", default_lang(), n=MAX_CHART_ORGS, year=int(latest["year"].max()), total=len(codes),
                       option=option("chart_orgs")))
    return [code for code, _ in ranked]


def _draw_charts(result: ChildBudget, view: BoundaryView | None, folder: Path, lang: str, orgs: Sequence[str] | None,
                 notes: Any, progress: Callable[[str], None], stems: frozenset[str] | None = None) -> list[Path]:
    """Draw the report's charts (``stems`` of :data:`CHARTS`, default all) as PNG and SVG into ``folder``."""
    from matplotlib.figure import Figure

    from . import charts

    folder.mkdir(parents=True, exist_ok=True)
    summary = result.summary()
    chosen = chart_orgs(summary, orgs, notes)
    if chosen is not None:
        summary = summary[summary["org_code"].astype(str).isin(chosen)]
    years = summary["year"].nunique() if "year" in summary else 0
    written: list[Path] = []
    for stem, function, needs_years in CHARTS:
        if stems is not None and stem not in stems:
            continue
        progress(say("progress.chart", chart=text(f"html.caption_{stem}", lang).rstrip(".")))
        if needs_years and years < 2:
            notes.add(text("note.chart_one_year", lang, chart=stem))
            continue
        drawn: Any = view if (stem == "sisote_split" and view is not None) else result
        fig = Figure(figsize=charts.SLIDE_SIZE, layout="constrained", dpi=_DPI)  # laid out at the PNG's resolution
        options: dict[str, Any] = {"ax": fig.add_subplot(), "lang": lang, "fontsize": 15.0}
        if chosen is not None:
            have = set(drawn.summary()["org_code"].astype(str)) if drawn is not result else set(chosen)
            options["orgs"] = [c for c in chosen if c in have] or None
        try:
            ax = getattr(charts, function)(drawn, **options)
        except LapsibudjettiError as err:
            notes.add(text("note.chart_skipped", lang, chart=stem, error=err))
            continue
        # laid out once more after the chart's own fitting, then kept: saving would lay it out twice per file
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
        fig.set_layout_engine("none")
        for suffix in (".png", ".svg"):
            written.append(charts.save_chart(ax, folder / f"{stem}{suffix}", dpi=_DPI))
    return written


def _draw(result: Any, view: Any, folder: Path, lang: str, orgs: list[str] | None, interface: str,
          stems: frozenset[str] | None = None, progress: Any = None) -> tuple[list[Path], list[str]]:
    """The charts drawn in this process: the files and the notes (said by the parent, which warns with them)."""
    from ..reference._labels import set_interface, speaking

    before = _interface()
    set_interface(interface)
    notes = _Collected()
    try:
        with speaking(lang):
            files = _draw_charts(result, view, folder, lang, orgs, notes, progress or (lambda _label: None), stems)  # type: ignore[arg-type]
    finally:
        set_interface(before)
    return files, list(notes)


def _interface() -> str:
    from ..reference._labels import interface

    return interface()


class _Collected(list[str]):
    """Notes kept to be said by the parent (a warning in the helper would reach nobody)."""

    def add(self, text: str) -> None:
        self.append(text)


def _main() -> int:
    """The helper: import the drawing code, wait for the job's path, draw, write the answer beside the job."""
    import matplotlib

    matplotlib.use("Agg")
    from . import charts  # noqa: F401  (imported while the parent computes)

    line = sys.stdin.readline().strip()
    if not line:
        return 0  # the parent did not need charts after all
    job = Path(line)
    answer = job.parent / ".charts-result.pickle"
    files: list[Path] = []
    notes: list[str] = []
    error: BaseException | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what matters is returned as notes
        try:
            files, notes = _draw(*pickle.loads(job.read_bytes()))
        except Exception as exc:  # handed to the parent, which raises it
            error = exc
    try:
        payload = pickle.dumps((files, notes, error), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an error that cannot be pickled: said in words
        payload = pickle.dumps((files, notes, RuntimeError(f"{type(error).__name__}: {error} ({exc})")))
    answer.write_bytes(payload)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
