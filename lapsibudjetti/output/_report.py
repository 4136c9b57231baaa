"""report: the annual child-budget report of a result (workbook, tables, charts), as the CLI writes it.

``lapsibudjetti report`` and the workshop notebooks call this one function,
so the report a council gets from a script and from a notebook is the same:
which tables, views and charts go in is decided here, not in the CLI.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from .._errors import InputError, LapsibudjettiError, LapsibudjettiWarning
from .._files import write_atomic
from .._version import __version__
from ..consolidate._municipality import municipality_view
from ..consolidate._region import region_view
from ..consolidate._series import series
from ..reference._labels import default_lang, interface, lang_or_default, say, speaking, text
from ..reference._tables import reference_figures
from ._chartjob import CHARTS, MAX_CHART_ORGS, ChartJob
from ._collect import _amounts_line, export_tables
from ._html import HTML_NAME, browser, print_pdf, write_html
from ._tables import tables_to_files
from ._workbook import workbook_of

if TYPE_CHECKING:
    from .._budget import ChildBudget
    from ..consolidate._view import BoundaryView

__all__ = ["CHARTS", "MANIFEST_NAME", "MAX_CHART_ORGS", "VIEWS", "WORKBOOK_NAME", "Report", "report"]

#: What a report shows: ``auto`` (the municipality views when the data have municipalities and their
#: wellbeing area, else each ledger as booked) or ``booked`` (each ledger as booked).
VIEWS: tuple[str, ...] = ("auto", "booked")
WORKBOOK_NAME = "lapsibudjetti.xlsx"
PDF_NAME = "lapsibudjetti.pdf"




@dataclass(frozen=True)
class Report:
    """What :func:`report` wrote and the tables it used.

    Attributes
    ----------
    folder
        The report folder.
    workbook
        The workbook's path.
    html
        The report page (one self-contained HTML file).
    pdf
        The page printed to A4 PDF (with ``pdf=True``), else ``None``.
    tables
        The CSV and Parquet tables written.
    charts
        The chart files written (PNG and SVG).
    removed
        Files of an earlier report in the folder that this one no longer has.
    view
        The municipality views (own spend plus the share of the wellbeing
        area's) when the inputs have an area's ledger, else ``None``.
    shown
        What the report's headline sheets and charts show: ``"municipality"``
        (the municipality views; the ledgers as booked are on the appendix
        sheet) or ``"booked"``.
    extra
        The tables beyond the child budget's own (the series across years
        and its method), by name.
    notes
        What the report noted on the way (charts skipped, organisations
        left out of the charts), also issued as warnings.
    """

    folder: Path
    workbook: Path
    html: Path
    tables: list[Path]
    charts: list[Path]
    removed: list[Path] = field(default_factory=list)
    view: BoundaryView | None = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    shown: str = "booked"
    pdf: Path | None = None

    def _card(self) -> tuple[str, list[str]]:
        from ..reference._labels import default_lang, text

        lang = default_lang()
        lines = [text("cli.written_report", lang, path=self.html)] + ([text("cli.written_pdf", lang, path=self.pdf)] if self.pdf else [])
        lines += [text("cli.written_workbook", lang, path=self.workbook),
                  text("cli.written_tables", lang, path=self.folder / "tables", n=len(self.tables), dialect="fi/plain")]
        if self.charts:
            lines.append(text("cli.written_charts", lang, path=self.folder / "charts", n=len(self.charts)))
        return text("card.report_title", lang, folder=self.folder), lines

    def __repr__(self) -> str:
        title, lines = self._card()
        return "\n  ".join([title, *lines])

    def _repr_html_(self) -> str:
        from .._display import card_html

        return card_html(*self._card())


class _Notes(list[str]):
    def add(self, text: str) -> None:
        self.append(text)
        warnings.warn(text, LapsibudjettiWarning, stacklevel=3)


def municipality_views(result: ChildBudget, notes: _Notes | None = None, **options: Any) -> BoundaryView | None:
    """Each municipality's own spend plus its share of its wellbeing area's, when the data have an area's ledger.

    The views are of the municipalities with a ledger of their own in the
    data (an area's member without one would show the area's share alone);
    with no municipal ledger at all, of every member of the areas.
    """
    types = set(result.summary()["org_type"].astype(str))
    if "wellbeing_area" not in types:
        return None
    summary = result.summary()
    own = sorted(set(summary.loc[summary["org_type"].astype(str) == "municipality", "org_code"].astype(str)))
    try:
        return municipality_view(result, own or "all", **options)
    except LapsibudjettiError as err:
        if notes is not None:
            notes.add(f"the si-sote split is drawn per organisation as booked: the municipality views failed: {err}")
        return None


def shown_result(result: ChildBudget, view: str, notes: _Notes | None = None,
                 **options: Any) -> tuple[ChildBudget, BoundaryView | None, dict[str, pd.DataFrame]]:
    """What a report shows, the municipality views, and the tables that go with that choice.

    With ``view="auto"`` and municipalities together with their wellbeing
    area in the data, the report shows the municipality views (own spend plus
    the share of the area's): the area's ledger alone, or a municipality's
    without its sote after 2022, is not what the municipality's children
    get. The region views (the area plus its members' own spend) and the
    ledgers as booked then go with it as the tables ``region_view`` and
    ``appendix_booked``. Otherwise, and with ``view="booked"``, each ledger
    as booked.
    """
    if view not in VIEWS:
        raise InputError(say("arg.one_of", name="view", value=repr(view), allowed=", ".join(VIEWS)))
    mview = municipality_views(result, notes, **options)
    types = set(result.summary()["org_type"].astype(str))
    if view == "booked" or mview is None or "municipality" not in types:
        return result, mview, {}
    extra = {}
    try:
        extra["region_view"] = region_view(result, "all", **options).summary()
    except LapsibudjettiError as err:
        if notes is not None:
            notes.add(say("report.region_left_out", error=err))
    extra["appendix_booked"] = result.summary()
    return mview, mview, extra


def sensitivity_tables(result: ChildBudget, notes: _Notes | None = None) -> dict[str, pd.DataFrame]:
    """The headline figures under each key profile (:meth:`ChildBudget.sensitivity`), of the ledgers as given."""
    try:
        return {"sensitivity": result.sensitivity()}
    except LapsibudjettiError as err:
        if notes is not None:
            notes.add(f"the sensitivity to the key profiles is left out: {err}")
        return {}


def outcome_tables(shown: ChildBudget, notes: _Notes | None = None) -> dict[str, pd.DataFrame]:
    """Euros beside the packaged outcome indicators, for the organisations that have them (wellbeing areas, Helsinki)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LapsibudjettiWarning)
        table = shown.outcomes()
    if notes is not None:
        for w in caught:
            if issubclass(w.category, LapsibudjettiWarning):
                notes.add(f"outcomes: {w.message}")
    return {"outcomes": table} if len(table) else {}


def reference_tables(shown: ChildBudget) -> dict[str, pd.DataFrame]:
    """The national and municipality-group figures of the packaged real data for the report's years (municipalities only)."""
    summary = shown.summary()
    if "municipality" not in set(summary["org_type"].astype(str)):
        return {}
    figures = reference_figures(sorted(int(y) for y in summary["year"].unique()))
    return {"reference_figures": figures} if len(figures) else {}


def changes(result: ChildBudget, view: BoundaryView | None, price_index: Any, notes: _Notes | None = None,
            **options: Any) -> dict[str, pd.DataFrame]:
    """Year-on-year changes in nominal and real terms, as extra tables for the exports.

    Computed for the municipality views (each municipality's own spend plus
    its share of its wellbeing area's) with :func:`lapsibudjetti.series`, which
    marks the 2022/2023 break; only with a price index and two years or more.
    """
    if price_index is None:
        return {}
    if result.summary()["year"].nunique() < 2:
        if notes is not None:
            notes.add(text("note.price_index_one_year", default_lang()))
        return {}
    shown = view if view is not None else municipality_view(result, "all", **options)
    s = series(shown, price_index=price_index)
    extra = {"series": s.totals, "series_by_sector": s.table}
    if len(s.budget_vs_actual):
        extra["budget_vs_actual"] = s.budget_vs_actual
    own = set(result.method())
    for name, frame in s.method().items():
        if name not in own:
            extra[f"method_{name}"] = frame
    return extra


#: The report's list of the files it wrote, in the report folder.
MANIFEST_NAME = "lapsibudjetti-manifest.json"


def _manifest(folder: Path) -> set[str]:
    """The files an earlier report wrote into ``folder`` (relative paths), from its manifest; empty without one."""
    path = folder / MANIFEST_NAME
    if not path.exists():
        return set()
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(say("report.not_manifest", path=path, reason=exc), file=str(path)) from None
    return {str(f) for f in files}


def _guard(folder: Path, previous: set[str], *, charts: bool, force: bool) -> None:
    """Refuse to write where files are that no earlier report wrote (unless ``force``; they are never deleted)."""
    places = [folder / "tables"] + ([folder / "charts"] if charts else [])
    foreign = [p for d in places if d.is_dir() for p in sorted(d.iterdir())
               if p.is_file() and not p.name.startswith(".") and p.relative_to(folder).as_posix() not in previous]
    for name in (PDF_NAME, HTML_NAME, WORKBOOK_NAME):
        if (folder / name).exists() and name not in previous:
            foreign.insert(0, folder / name)
    if foreign and not force:
        listed = ", ".join(p.relative_to(folder).as_posix() for p in foreign[:8]) + (" …" if len(foreign) > 8 else "")
        raise InputError(
            say("report.foreign_files", folder=repr(str(folder)), n=len(foreign), listed=listed),
            file=str(folder))


def _remove_outdated(folder: Path, previous: set[str], written: set[str]) -> list[Path]:
    """The files of the earlier report (its manifest) that this one did not write again; nothing else is touched."""
    stale = [folder / rel for rel in sorted(previous - written) if (folder / rel).is_file()]
    for p in stale:
        p.unlink()
    return stale


def _place(staging: Path, folder: Path, staged: list[Path]) -> list[Path]:
    """Move the staged files to their places in ``folder`` (each an atomic rename); their new paths."""
    placed = []
    for path in staged:
        final = folder / path.relative_to(staging)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
        placed.append(final)
    return placed


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (POSIX; elsewhere the block just runs)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def report(
    result: ChildBudget,
    out: str | Path = "lapsibudjetti-report",
    *,
    lang: str | None = None,
    price_index: pd.DataFrame | Mapping[int, float] | str | Path | None = None,
    charts: bool = True,
    chart_orgs: Sequence[str] | None = None,
    csv_dialect: Literal["fi", "plain"] = "fi",
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    view: Literal["auto", "booked"] = "auto",
    pdf: bool = False,
    income: pd.DataFrame | str | Path | None = None,
    **view_options: Any,
) -> Report:
    """Write the annual child-budget report of ``result`` into the folder ``out``.

    The report page ``lapsibudjetti.html`` (one self-contained file for
    people: the headline figures, trends, the si-sote split, child
    protection, the comparison, the change since last year, the method and
    what was left unmapped; it prints to A4), the workbook (every table in
    ``lang``), the CSV/Parquet tables and the charts, each written whole or not at all (a temporary name renamed into
    place), and ``lapsibudjetti-manifest.json``, the list of what it wrote: a
    later report into the same folder replaces and removes only those files.

    When the result has municipalities' ledgers and their wellbeing area's,
    the summary, the tables by category, tier and sector, the comparison,
    the charts and (with ``price_index``) the changes from year to year are
    the municipality views: each municipality's own spend plus its share of
    its area's, so that the 2022/2023 switch is not mistaken for a change and
    no chart sets the area beside municipalities that already hold a share
    of it. The region views and each ledger as booked are then extra sheets
    (``region_view``, ``appendix_booked``). ``view="booked"`` shows each
    ledger as booked.

    Parameters
    ----------
    result
        A child budget (or a view).
    out
        The report folder; created if needed.
    lang
        ``fi``, ``sv`` or ``en``.
    price_index
        ``year, index`` for the changes in real terms (optional).
    charts
        Draw the charts (PNG 200 dpi and SVG).
    chart_orgs
        Organisation codes to draw (default: all, or the 20 largest).
    csv_dialect
        ``fi`` (``;`` and decimal comma, UTF-8 with BOM) or ``plain``.
    progress
        Called with a short label before each step (e.g. a progress bar).
    force
        Write even where the folder has files that no report wrote (they
        are overwritten only if they have a report file's name, and never
        deleted). Without it such files are an error listing them.
    view
        ``auto`` (default; see above) or ``booked``.
    pdf
        Also print the report page to ``lapsibudjetti.pdf`` (A4) with a
        headless Chromium or Chrome; without one, an error saying so.
    income
        An income statement (:func:`~lapsibudjetti.read_income_statement`,
        or its file): the sheet ``income_beside`` sets each ledger's child
        euros, as booked, beside its operating expenses, revenue and margin,
        each figure with the measure it is.
    **view_options
        ``registry=``, ``population=`` for the municipality views.

    Returns
    -------
    Report
        The paths written and the tables used.

    Examples
    --------
    >>> import tempfile, lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"], "year": [2019], "task_class": ["Perusopetus"],
    ...     "amount": [1000.0]}, org_type="municipality", phase="actual")
    >>> r = report(lb.child_budget(led), tempfile.mkdtemp(), lang="en", charts=False)
    >>> r.workbook.name, len(r.tables) > 10
    ('lapsibudjetti.xlsx', True)
    """
    lang = lang_or_default(lang)
    with speaking(lang):  # the views, series and notes computed here say their texts in the report's language
        result = _in_language(result, lang)
        return _report(result, out, lang, price_index, charts, chart_orgs, csv_dialect, progress, force, view, pdf, income,
                       view_options)


def _report(result: ChildBudget, out: str | Path, lang: str, price_index: Any, charts: bool, chart_orgs: Sequence[str] | None,
            csv_dialect: Literal["fi", "plain"], progress: Callable[[str], None] | None, force: bool,
            view: Literal["auto", "booked"], pdf: bool, income: pd.DataFrame | str | Path | None,
            view_options: dict[str, Any]) -> Report:
    step = progress or (lambda _label: None)
    notes = _Notes()
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(say("report.out_is_file", folder=repr(str(folder))), file=str(folder))
    previous = _manifest(folder)
    _guard(folder, previous, charts=charts, force=force)
    if pdf and browser() is None:
        raise InputError(say("report.needs_browser", option="--pdf" if interface() == "cli" else "pdf=True"))
    job = ChartJob() if charts else None  # a helper process imports the drawing code while the views are computed
    try:
        return _written(result, folder, lang, price_index, job, chart_orgs, csv_dialect, step, view, pdf, income, view_options,
                        notes, previous)
    finally:
        if job is not None:
            job.close()


def _written(result: ChildBudget, folder: Path, lang: str, price_index: Any, job: ChartJob | None, chart_orgs: Sequence[str] | None,
             csv_dialect: Literal["fi", "plain"], step: Callable[[str], None], view: Literal["auto", "booked"], pdf: bool,
             income: pd.DataFrame | str | Path | None, view_options: dict[str, Any], notes: _Notes, previous: set[str]) -> Report:
    """The report's files: computed, staged (charts drawn beside the workbook and tables), then put in place."""
    shown, mview, extra = shown_result(result, view, notes, **view_options)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    # everything is written into a hidden staging folder first (the slow, interruptible part); then the files are
    # moved into place, the old ones removed and the manifest written with SIGINT/SIGTERM held back, so an
    # interrupted report leaves the folder as it was or complete, never half-listed
    staging = folder / f".lapsibudjetti-staging-{os.getpid()}"
    staging.mkdir()
    try:
        return _staged(result, shown, mview, extra, folder, staging, lang, price_index, job, chart_orgs, csv_dialect, step, pdf,
                       income, view_options, notes, previous)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the report's own hidden folder
        if created and not any(folder.iterdir()):  # a report that failed leaves no empty folder it made
            folder.rmdir()


def _staged(result: ChildBudget, shown: ChildBudget, mview: Any, extra: dict[str, Any], folder: Path, staging: Path, lang: str,
            price_index: Any, job: ChartJob | None, chart_orgs: Sequence[str] | None, csv_dialect: Literal["fi", "plain"],
            step: Callable[[str], None], pdf: bool, income: pd.DataFrame | str | Path | None, view_options: dict[str, Any],
            notes: _Notes, previous: set[str]) -> Report:
    """The report written into ``staging`` and put in place (the charts' helper has its job before the tables are computed)."""
    charts = job is not None
    if job is not None:
        job.start(staging, shown, mview, lang, chart_orgs)
    step(say("progress.tables"))
    extra = {**changes(result, mview, price_index, notes, **view_options), **reference_tables(shown),
             **sensitivity_tables(result, notes), **outcome_tables(shown, notes), **extra}
    if income is not None:
        from ..measure._income import beside_income
        from ..read._income import read_income_statement

        statement = income if isinstance(income, pd.DataFrame) else read_income_statement(income)
        extra["income_beside"] = beside_income(result, statement, lang=lang)
    tables = export_tables(shown, lang=lang, extra=extra)
    drawn_files: list[Path] = []

    def pngs() -> dict[str, Path]:  # the charts, when the workbook needs them (drawn meanwhile by the helper)
        if job is None:
            return {}
        files, said = job.files(step)
        for note in said:
            notes.add(note)
        drawn_files[:] = files
        return {p.stem: p for p in files if p.suffix == ".png"}

    if job is not None:
        job.draw_mine(step)
    step(say("progress.write_tables"))
    staged = tables_to_files(tables, shown, staging / "tables", dialect=csv_dialect, formats=("csv", "parquet"), lang=lang)
    step(say("progress.workbook"))
    staged.insert(0, workbook_of(tables, shown, staging / WORKBOOK_NAME, lang=lang, cover=True, shown=_shown_name(shown, result),
                                 charts=pngs if charts else None))
    pngs()
    staged += drawn_files
    step(say("progress.page"))
    svgs = {p.stem: p.read_text(encoding="utf-8") for p in drawn_files if p.suffix == ".svg"}
    staged.append(write_html(tables, staging / HTML_NAME, lang=lang, charts=svgs, shown=_shown_name(shown, result),
                             amounts=_amounts_line(shown, tables["summary"], lang), notes=list(notes)))
    if pdf:
        step(say("progress.pdf"))
        staged.append(print_pdf(staging / HTML_NAME, staging / PDF_NAME))
    with _signals_held():
        placed = _place(staging, folder, staged)
        written = {p.relative_to(folder).as_posix() for p in placed}
        kept = {rel for rel in previous if rel.startswith("charts/")} if not charts else set()  # not drawn now: left alone
        removed = _remove_outdated(folder, previous - kept, written)
        write_atomic(folder / MANIFEST_NAME, json.dumps(
            {"written_by": f"lapsibudjetti {__version__}", "files": sorted(written | kept)},
            ensure_ascii=False, indent=1).encode("utf-8"))
    workbook = folder / WORKBOOK_NAME
    table_files = [p for p in placed if p.parent == folder / "tables"]
    drawn = [p for p in placed if p.parent == folder / "charts"]
    if removed:
        notes.add(text("note.removed", default_lang(), n=len(removed),
                       files=", ".join(str(p.relative_to(folder)) for p in removed[:6]) + (" …" if len(removed) > 6 else "")))
    return Report(folder=folder, workbook=workbook, html=folder / HTML_NAME, tables=table_files, charts=drawn, removed=removed,
                  view=mview, extra=extra, notes=list(notes), shown=_shown_name(shown, result),
                  pdf=folder / PDF_NAME if pdf else None)


def _in_language(result: ChildBudget, lang: str) -> ChildBudget:
    """The result with its texts (population notes, keys used, unmapped reasons) in ``lang``: computed again if they are not.

    A result computed in one session language and reported in another would
    otherwise carry the first language's texts into the second's workbook.
    The warnings of computing were said already, when it was first computed.
    """
    from .._budget import _again
    from .._schema import LEDGER_COLUMNS

    if not getattr(result, "lang", "") or result.lang == lang:
        return result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LapsibudjettiWarning)
        lines = result.annotated[list(LEDGER_COLUMNS)] if result.source is None else None
        return _again(result, lines, result.rules)


def _shown_name(shown: ChildBudget, result: ChildBudget) -> str:
    return "booked" if shown is result else "municipality"
