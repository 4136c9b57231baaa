"""The ``lapsibudjetti`` command: the annual child-budget report in one reproducible command.

::

    lapsibudjetti report                                  # the bundled synthetic sample
    lapsibudjetti report --ledger tp2024_kunta.xlsx --ledger tp2024_hyvinvointialue.csv \\
        --rules saannot.xlsx --out lapsibudjetti-2024
    lapsibudjetti report --statistics kta14.csv --population-year nearest --lang en
    lapsibudjetti validate --ledger tp2024_kunta.xlsx --rules saannot.xlsx
    lapsibudjetti rules --out saannot.xlsx [--profile placements_only]

``report`` writes the workbook (``lapsibudjetti.xlsx``), every summary table
as CSV and Parquet (``tables/``) and the charts as PNG and SVG (``charts/``)
into the output folder, and prints a short summary. ``validate`` reads the
ledgers and rules and lists every problem without writing anything.
``rules`` writes the default rules to a workbook to edit and read back with
``--rules``.

Exit codes: 0 fine; 1 a problem with the input files or rules (the message
says which file, row and column, and how to fix it); 2 a usage error (an
unknown option, a malformed value); 3 an internal error (please report it;
``--debug`` shows the traceback). Progress is shown on stderr when it is a
terminal.

The command is a thin layer over the library: everything it does can be done
in Python with :func:`lapsibudjetti.read_ledger`,
:func:`lapsibudjetti.child_budget`, :func:`lapsibudjetti.write_workbook`,
:func:`lapsibudjetti.write_tables` and the ``plot_…`` functions.
"""

from __future__ import annotations

import argparse
import functools
import re
import signal
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._cli_terminal import Progress, _Console
from ._errors import InputError, LapsibudjettiError, LapsibudjettiWarning
from ._groups import line_counts
from .measure._metrics import pooled
from .output._chartjob import HELPER_CHARTS
from .output._report import CHARTS, MAX_CHART_ORGS, report
from .read._tables import number_text, read_text_table
from .reference import _labels
from .reference._format import format_euros, format_number, format_percent, format_years
from .reference._labels import default_lang, lang_or_default, set_interface, set_lang

__all__ = ["main", "build_parser", "parse_years"]

#: Exit codes.
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
#: Rows of an error's offending rows printed; the rest are counted.
_ROWS_SHOWN = 20
# ---------------------------------------------------------------------------
# argument parsing


#: A label in the command's language (``--lang``, else ``$LAPSIBUDJETTI_LANG``, else Finnish): the library's one say().
_text = _labels.say


def parse_years(text: str) -> list[int]:
    """Years from ``2021-2024``, ``2023`` or ``2019,2021-2022``.

    Examples
    --------
    >>> parse_years("2021-2024")
    [2021, 2022, 2023, 2024]
    >>> parse_years("2019, 2021-2022")
    [2019, 2021, 2022]
    """
    years: set[int] = set()
    for part in str(text).replace("–", "-").split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{4})(?:\s*-\s*(\d{4}))?", part)
        if not m:
            raise argparse.ArgumentTypeError(_text("cli.bad_years", text=repr(text)))
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if hi < lo:
            raise argparse.ArgumentTypeError(_text("cli.years_backwards", part=repr(part)))
        years.update(range(lo, hi + 1))
    return sorted(years)


def _setting(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(_text("cli.bad_setting", text=repr(text), example="--set org_type=municipality"))
    key, value = text.split("=", 1)
    key, value = key.strip(), value.strip()
    if not key or not value:
        raise argparse.ArgumentTypeError(_text("cli.bad_setting", text=repr(text), example="--set org_code=564"))
    return key, value


def _codes(text: str) -> list[str]:
    codes = [c.strip() for c in str(text).split(",") if c.strip()]
    if not codes:
        raise argparse.ArgumentTypeError(_text("cli.bad_orgs"))
    return codes


def _add_debug(p: argparse.ArgumentParser, *, top: bool) -> None:
    # accepted before and after the command; the command's default must not override the top-level flag
    p.add_argument("--debug", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="show the full traceback when something goes wrong")


def _input_arguments(p: argparse.ArgumentParser, *, sample_default: bool = True) -> None:
    title = "inputs (with none, the bundled synthetic sample is used)" if sample_default else "inputs (at least one ledger or statistics file)"
    g = p.add_argument_group(title)
    g.add_argument("--ledger", action="append", default=[], metavar="PATH", type=Path,
                   help="a ledger (CSV, XLSX or Parquet) of a municipality or wellbeing area; repeat for several. "
                        "A directory: a Parquet dataset (lapsibudjetti convert), read in batches")
    g.add_argument("--sheet", metavar="NAME", default=None,
                   help="the sheet of the --ledger workbooks to read (name or number from 1; default: the first)")
    g.add_argument("--statistics", action="append", default=[], metavar="PATH", type=Path,
                   help="Statistics Finland's net operating costs by task: the long format (kta_14: muni, year, func, amount) or a "
                        "PxWeb export (CSV or XLSX; years or measures as columns, 1000 € or €); totals reconciled; repeatable")
    g.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE", type=_setting, dest="defaults",
                   help="a value for a column the ledgers lack, e.g. --set org_type=municipality --set phase=TP")
    g.add_argument("--phase", default="actual", metavar="PHASE",
                   help="phase of the --statistics lines: actual (default), budget, revised_budget (or TP/TA)")
    g.add_argument("--rules", type=Path, metavar="PATH", help="rules CSV or XLSX (default: the national rules)")
    g.add_argument("--profile", choices=("default", "placements_only", "population_keys"), default="default",
                   help="rule profile; placements_only counts non-residential child protection as targeted support; "
                        "population_keys keys health care by the plain 0-17 population share (as before the age-cost weights)")
    g.add_argument("--population", type=Path, metavar="PATH",
                   help="residents by age: org_code, year, age, persons (CSV, XLSX or Parquet), added to the packaged figures")
    g.add_argument("--keys", type=Path, metavar="PATH", help="user allocation keys: key, org_code, year, share (CSV or XLSX)")
    g.add_argument("--years", type=parse_years, metavar="YEARS", help="only these years, e.g. 2021-2024 or 2023")
    g.add_argument("--target-group", default="0-17", metavar="AGES",
                   help="0-17 (children, default), 0-24 (aftercare), 0-28 (Youth Act) or any low-high")
    g.add_argument("--population-year", choices=("exact", "nearest"), default=None,
                   help="exact: population by age must exist for each year; nearest: use the nearest year's age structure")
    g.add_argument("--on-missing-key", choices=("raise", "unmapped"), default="raise",
                   help="a missing allocation key is an error (raise, default) or makes the lines unmapped")
    g.add_argument("--measure", metavar="TEXT",
                   help="what the amounts are, shown on every sheet (default: 'net operating cost' for --statistics)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lapsibudjetti`` command."""
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog="lapsibudjetti",
        description="Child-oriented budgeting (lapsibudjetointi) for Finnish municipalities and wellbeing areas.",
        epilog="Exit codes: 0 fine, 1 input or rule problems, 2 usage error, 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"lapsibudjetti {__version__}")
    _add_debug(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    report = sub.add_parser("report", help="write the workbook, the CSV/Parquet tables and the charts",
                            description="Compute the child budget and write the annual report folder.")
    _input_arguments(report)
    out = report.add_argument_group("output")
    out.add_argument("--price-index", type=Path, metavar="PATH",
                     help="price index (year, index), e.g. the basic-services price index: adds the year-on-year changes "
                          "in nominal and real terms of each municipality (with its share of its wellbeing area)")
    out.add_argument("--income", type=Path, metavar="PATH",
                     help="an income statement of Statistics Finland (kta_11-style CSV/XLSX): each ledger's child euros beside its "
                          "operating expenses, revenue and margin, with the measure of each")
    out.add_argument("--lang", choices=("fi", "sv", "en"), default=None,
                     help="language of the report, workbook, charts and notes (default: $LAPSIBUDJETTI_LANG or fi)")
    out.add_argument("--out", type=Path, default=Path("lapsibudjetti-report"), metavar="DIR",
                     help="output folder (default: lapsibudjetti-report)")
    out.add_argument("--csv-dialect", choices=("fi", "plain"), default="fi",
                     help="fi: ; and decimal comma, for Excel (default); plain: , and decimal point")
    out.add_argument("--no-charts", action="store_true", help="do not draw the charts")
    out.add_argument("--force", action="store_true",
                     help="write into a folder that has files no report wrote there (they are never deleted)")
    out.add_argument("--view", choices=("auto", "booked"), default="auto",
                     help="auto (default): with municipalities and their wellbeing area, show the municipality views (own spend plus the "
                          "share of the area's) and put each ledger as booked on an appendix sheet; booked: each ledger as booked")
    out.add_argument("--pdf", action="store_true", help="also print the report page to lapsibudjetti.pdf (A4; needs Chromium or Chrome)")
    out.add_argument("--chart-orgs", type=_codes, metavar="CODES",
                     help=f"organisation codes to draw, e.g. 091,564 (default: all, or the {MAX_CHART_ORGS} largest by child euros)")
    _add_debug(report, top=False)

    validate = sub.add_parser("validate", help="check ledgers and rules and list every problem",
                              description="Read the ledgers and rules and list every problem; writes nothing.")
    _input_arguments(validate, sample_default=False)
    validate.add_argument("--lang", choices=("fi", "sv", "en"), default=None, help="language of the notes (default: $LAPSIBUDJETTI_LANG or fi)")
    _add_debug(validate, top=False)

    scen = sub.add_parser("scenario", help="the child impact of a decision: move or add euros and compare before and after",
                          description="Apply a table of changes (action move/add, org_code, year, phase, from_category, "
                                      "to_category, euros) to the child budget and write scenario.xlsx and the chart.")
    scen.add_argument("changes", type=Path, metavar="CHANGES", help="the changes (CSV or XLSX)")
    _input_arguments(scen)
    so = scen.add_argument_group("output")
    so.add_argument("--lang", choices=("fi", "sv", "en"), default=None,
                    help="language of the workbook, chart and notes (default: $LAPSIBUDJETTI_LANG or fi)")
    so.add_argument("--out", type=Path, default=Path("lapsibudjetti-scenario"), metavar="DIR",
                    help="output folder (default: lapsibudjetti-scenario)")
    so.add_argument("--no-charts", action="store_true", help="do not draw the chart")
    so.add_argument("--force", action="store_true", help="replace scenario files already in the folder")
    _add_debug(scen, top=False)

    conv = sub.add_parser("convert", help="write ledger files into a Parquet dataset, for data larger than memory",
                          description="Read ledger files (CSV, XLSX or Parquet) one at a time, check them, and write them into a new "
                                      "directory as a Parquet dataset partitioned by year (or --partition-by). report --ledger DIR then "
                                      "computes the child budget from it in batches of bounded memory.")
    conv.add_argument("inputs", nargs="+", type=Path, metavar="FILE", help="ledger files, read one at a time")
    conv.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new (or empty) directory for the dataset")
    conv.add_argument("--partition-by", default="year", metavar="COLUMNS",
                      help="partition columns, outermost first: year (default), org_type, org_code, phase; e.g. year,org_code")
    conv.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE", type=_setting, dest="defaults",
                      help="a value for a column the ledgers lack, e.g. --set org_type=municipality")
    conv.add_argument("--statistics", action="store_true",
                      help="the files are Statistics Finland's net operating costs by task (kta_14 or PxWeb), not ledgers")
    conv.add_argument("--phase", default="actual", metavar="PHASE", help="with --statistics: the phase of the lines (default: actual)")
    conv.add_argument("--lang", choices=("fi", "sv", "en"), default=None, help="language of the notes (default: $LAPSIBUDJETTI_LANG or fi)")
    _add_debug(conv, top=False)

    rules = sub.add_parser("rules", help="write the default rules to an editable workbook, or compare two rules files",
                           description="Write the national default rules to a workbook (headings, help and dropdowns in --lang) to "
                                       "edit and use with --rules; or, with --diff A B, show which rules changed and which child "
                                       "euros move on the given ledgers (default: the bundled sample).")
    rules.add_argument("--out", type=Path, metavar="PATH",
                       help="the .xlsx (or .csv) rules file to write; with --diff: the comparison workbook (.xlsx) to write")
    rules.add_argument("--diff", nargs=2, metavar=("A", "B"),
                       help="compare rules A and B (CSV or XLSX files; 'default' for the national rules)")
    rules.add_argument("--lang", choices=("fi", "sv", "en"), default=None,
                       help="language of the workbook and notes (default: $LAPSIBUDJETTI_LANG or fi)")
    rules.add_argument("--force", action="store_true", help="replace the file if it exists")
    _input_arguments(rules)
    _add_debug(rules, top=False)
    return parser


# ---------------------------------------------------------------------------
# terminal output


@contextmanager
def _notes(console: _Console) -> Iterator[list[str]]:
    """Show the library's warnings (automatic repairs, assumptions) as plain notes on stderr."""
    seen: list[str] = []

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        text = str(message)
        if text not in seen:
            seen.append(text)
            label = _text("cli.note") if issubclass(category, LapsibudjettiWarning) else category.__name__
            console.err(f"{label}: {text}")

    with warnings.catch_warnings():
        warnings.simplefilter("always", LapsibudjettiWarning)
        warnings.showwarning = show
        yield seen


def _rows_text(rows: pd.DataFrame) -> str:
    if rows is None or rows.empty:
        return ""
    shown = rows.head(_ROWS_SHOWN)
    shown = shown.set_axis([_text(f"col.{c}") if _labels.text(f"col.{c}", "en") != f"col.{c}" else str(c) for c in shown.columns], axis=1)
    text = shown.to_string(index=False, max_colwidth=60)
    more = len(rows) - len(shown)
    lines = ["  " + line for line in text.splitlines()]
    if more > 0:
        lines.append("  " + _text("cli.more_rows", n=more))
    return "\n".join(lines)


def _describe(err: LapsibudjettiError) -> str:
    kind = type(err).__name__
    text = f"{kind}: {err}"
    rows = _rows_text(err.rows)
    return f"{text}\n{rows}" if rows else text


# ---------------------------------------------------------------------------
# inputs


@dataclass
class _Inputs:
    ledgers: list[Any] = field(default_factory=list)  # frames, or one Parquet dataset directory (a Path)
    files: list[str] = field(default_factory=list)
    problems: list[LapsibudjettiError] = field(default_factory=list)
    rules: Any = None
    registry: Any = None
    population: Any = None
    keys: Any = None
    price_index: pd.DataFrame | Path | None = None
    population_year: str = "exact"
    measure: str = "amounts as given in the ledger"
    sample: str | None = None


def _read_frame(path: Path, what: str) -> pd.DataFrame:
    """A small table (population, price index) from CSV (``,`` or ``;``), XLSX or Parquet, as text."""
    return read_text_table(path, what=what)


def _numbers(values: pd.Series) -> pd.Series:
    """Numbers written the Finnish way too: ``1 234,5`` (spaces or no-break spaces between thousands, decimal comma)."""
    return pd.to_numeric(number_text(values), errors="coerce")


def _collect(problems: list[LapsibudjettiError] | None, action: Callable[[], Any]) -> Any:
    """Run ``action``; in validate mode (``problems`` given) keep its error and go on."""
    if problems is None:
        return action()
    try:
        return action()
    except LapsibudjettiError as err:
        problems.append(err)
        return None


def _load_inputs(args: argparse.Namespace, console: _Console, progress: Progress, *, collect: bool, rules: bool = True) -> _Inputs:
    import lapsibudjetti as lb

    inp = _Inputs()
    problems = inp.problems if collect else None
    defaults = dict(args.defaults)
    files = [("ledger", p) for p in args.ledger] + [("statistics", p) for p in args.statistics]
    rules_path: Path | None = args.rules
    if not files and getattr(args, "command", "") in ("report", "scenario", "rules"):
        from .samples._load import load_sample

        progress.step(_text("progress.sample"))
        sample = load_sample("synthetic")
        console.err(f"{_text('cli.note')}: " + _text("cli.no_ledgers", sample=_text(f"sample.{sample.name}")))
        inp.sample = sample.name
        inp.ledgers = list(sample.ledgers.values())
        inp.files = [f"sample:{name}" for name in sample.ledgers]
        inp.registry = sample.registry
        inp.population = sample.population
        inp.keys = sample.keys
        inp.price_index = sample.price_index
        inp.population_year = sample.population_year
        inp.measure = "net cost (expenses − revenue)" if sample.synthetic else "net operating cost"
        if rules_path is None and rules:
            rules_path = sample.rules_path
    for kind, path in files:
        progress.step(_text("progress.reading", file=path.name))
        if kind == "ledger" and path.is_dir():  # a Parquet dataset: read in batches by child_budget
            inp.ledgers.append(path)
            inp.files.append(str(path))
            continue
        if kind == "ledger":
            led = _collect(problems, functools.partial(lb.read_ledger, path, defaults=defaults or None, sheet=_sheet(args, path)))
        else:
            led = _collect(problems, functools.partial(lb.read_statistics, path, phase=args.phase))
            inp.measure = "net operating cost"
        if led is not None:
            inp.ledgers.append(led)
            inp.files.append(str(path))
    if args.measure:
        inp.measure = args.measure
    if args.population_year:
        inp.population_year = args.population_year
    if rules_path is not None and rules:
        inp.rules = _collect(problems, lambda: lb.load_rules(rules_path, profile=args.profile))
    else:
        inp.rules = lb.default_rules(args.profile)
    if args.population is not None:
        def population() -> Any:
            frame = _read_frame(args.population, "population")
            if "persons" in frame.columns:
                persons = _numbers(frame["persons"])
                frame["persons"] = persons.where(persons.notna(), frame["persons"])  # unreadable cells stay for the error
            user = lb.Population.from_frame(frame, source=args.population.name)
            # on top of the packaged figures (or the sample's): the user's rows win for their organisation-years
            return (inp.population or lb.Population.packaged()).combine(user)

        inp.population = _collect(problems, population)
    if args.keys is not None:
        inp.keys = _collect(problems, lambda: lb.KeyTable.read(args.keys))
    if getattr(args, "price_index", None) is not None:
        if not args.price_index.exists():
            raise InputError(_text("cli.price_index_missing", path=args.price_index), file=str(args.price_index))
        inp.price_index = args.price_index
    if args.years and inp.ledgers:
        inp.ledgers = _collect(problems, lambda: _only_years(inp.ledgers, args.years)) or []
    return inp


def _sheet(args: argparse.Namespace, path: Path) -> str | int | None:
    """--sheet for a workbook (a number counts from 1, as Excel shows them); CSV and Parquet files have none."""
    sheet = getattr(args, "sheet", None)
    if sheet is None or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    return int(sheet) - 1 if str(sheet).isdigit() else str(sheet)


def _only_years(ledgers: list[Any], years: list[int]) -> list[pd.DataFrame]:
    for led in ledgers:
        if isinstance(led, Path):
            raise InputError(_text("cli.dataset_years", path=led))
    kept = [led.loc[led["year"].isin(years)].reset_index(drop=True) for led in ledgers]
    kept = [k for k in kept if len(k)]
    if not kept:
        have = sorted({int(y) for led in ledgers for y in led["year"].unique()})
        raise InputError(_text("cli.no_lines_in_years", years=_years_text(years), have=_years_text(have)))
    return kept


def _years_text(years: Sequence[int]) -> str:
    return format_years(years, empty="–")


def _child_budget(inp: _Inputs, args: argparse.Namespace) -> Any:
    import lapsibudjetti as lb

    options: dict[str, Any] = {
        "rules": inp.rules,
        "target_group": args.target_group,
        "population_year": inp.population_year,
        "on_missing_key": args.on_missing_key,
        "measure": inp.measure,
    }
    for name in ("registry", "population", "keys"):
        if getattr(inp, name) is not None:
            options[name] = getattr(inp, name)
    datasets = [led for led in inp.ledgers if isinstance(led, Path)]
    if datasets and len(inp.ledgers) > 1:
        raise InputError(_text("cli.dataset_alone", path=datasets[0]))
    return lb.child_budget(datasets[0] if datasets else inp.ledgers, **options)


def _convert(args: argparse.Namespace, console: _Console) -> int:
    import lapsibudjetti as lb

    parts = tuple(p.strip() for p in str(args.partition_by).split(",") if p.strip())
    with _notes(console):
        if args.statistics:
            written = lb.write_dataset(list(args.inputs), args.out, partition_by=parts,
                                       reader=functools.partial(lb.read_statistics, phase=args.phase))
        else:
            written = lb.write_dataset(list(args.inputs), args.out, partition_by=parts, defaults=dict(args.defaults) or None)
    total = written.iloc[-1]
    console.out(_text("cli.converted", lines=format_number(int(total["lines"]), default_lang()), files=len(written) - 1,
                      euros=format_euros(float(total["euros"]), default_lang(), decimals=2), path=args.out, partitions=", ".join(parts) or "–"))
    console.out(_text("cli.converted_use", path=args.out))
    return EXIT_OK


# ---------------------------------------------------------------------------
# commands


def _money(value: float, lang: str) -> str:
    return format_euros(float(value), lang)


def _percent(value: float, lang: str) -> str:
    return format_percent(float(value), lang, decimals=1)


def _print_summary(result: Any, lang: str, console: _Console) -> None:
    from .reference._labels import text

    summary = result.summary()
    rec = result.reconciliation
    console.out(text("cli.title", lang) + f" ({text(f'measure.{result.measure}', lang, default=result.measure)}; "
                f"{text('target.ages', lang, low=result.target_group.low, high=result.target_group.high)})")
    phases = [p for p in ("actual", "revised_budget", "budget") if p in set(summary["phase"].astype(str))]
    for phase in phases:
        rows = summary[summary["phase"].astype(str) == phase]
        for year in sorted(rows["year"].unique()):
            s = rows[rows["year"] == year]
            total, child = float(s["total_euros"].sum()), float(s["child_euros"].sum())
            pooled_share = float(pooled(s, ["child_share_of_total"])["child_share_of_total"].iloc[0])
            share = _percent(pooled_share, lang) if np.isfinite(pooled_share) else "–"
            label = text(f"value.phase.{phase}", lang)
            console.out(f"  {year} {label}: " + text("cli.totals", lang, orgs=s[["org_type", "org_code"]].drop_duplicates().shape[0],
                                                       total=_money(total, lang), child=_money(child, lang), share=share))
    bad = int((~rec["ok"].astype(bool)).sum())
    console.out(text("cli.reconciled_ok", lang, n=len(rec)) if bad == 0 else text("cli.reconciled_bad", lang, bad=bad, n=len(rec)))
    unmapped = result.unmapped
    console.out(text("cli.unmapped", lang, lines=len(unmapped), euros=_money(float(unmapped["amount"].sum()) if len(unmapped) else 0.0, lang)))
    cats = result.by("category", lang=lang)
    if len(cats):
        first_phase = phases[0] if phases else None
        latest = cats[cats["phase"].astype(str) == first_phase] if first_phase else cats
        year = int(latest["year"].max())
        latest = latest[latest["year"] == year]
        top = latest.groupby("label", sort=False)["child_euros"].sum().sort_values(ascending=False)
        top = top[top > 0].head(5)
        if len(top):
            console.out(text("cli.top_categories", lang) + f" {year} {text(f'value.phase.{first_phase}', lang) if first_phase else ''}".rstrip())
            width = max(len(str(k)) for k in top.index)
            for name, euros in top.items():
                console.out(f"  {str(name).ljust(width)}  {_money(euros, lang).rjust(16)}")


def _print_changes(result: Any, extra: dict[str, pd.DataFrame], lang: str, console: _Console) -> None:
    """The latest real change of child euros per municipality (the first ten), from the series."""
    from .reference._labels import text

    totals = extra.get("series")
    if totals is None or "real_change_pct" not in totals or totals["real_change_pct"].isna().all():
        return
    rows = totals[totals["real_change_pct"].notna()]
    phase = "actual" if (rows["phase"].astype(str) == "actual").any() else str(rows["phase"].iloc[0])
    rows = rows[rows["phase"].astype(str) == phase]
    year = int(rows["year"].max())
    rows = rows[rows["year"] == year].sort_values("org_code")
    more = len(rows) - 10
    rows = rows.head(10)
    names = result.registry.names(rows["org_type"].astype(str), rows["org_code"].astype(str), lang)
    shown = ", ".join(f"{name} {'+' if v >= 0 else ''}{_percent(v, lang)}" for name, v in zip(names, rows["real_change_pct"]))
    if more > 0:
        shown += " " + text("cli.more", lang, n=more, sheet=text("sheet.series", lang))
    with_area = "wellbeing_area" in set(result.summary()["org_type"].astype(str))
    key = "cli.real_change_with_area" if with_area else "cli.real_change"
    console.out(text(key, lang, year=year, phase=text(f"value.phase.{phase}", lang), changes=shown))


@contextmanager
def _computed(args: argparse.Namespace, console: _Console, steps: int, *, rules: bool = True) -> Iterator[tuple[Any, Any, Progress]]:
    """The inputs read and the child budget computed, with a progress bar and the notes said, for a command's block.

    ``rules=False``: the packaged rules of ``--profile``, not the sample's or ``--rules``.
    """
    progress = Progress(steps)
    console.progress = progress
    try:
        with _notes(console):
            inp = _load_inputs(args, console, progress, collect=False, rules=rules)
            progress.step(_text("progress.budget"))
            yield inp, _child_budget(inp, args), progress
    finally:
        progress.close()
        console.progress = None


def _report(args: argparse.Namespace, console: _Console) -> int:
    n_files = len(args.ledger) + len(args.statistics)
    # reading, classifying, the tables, writing tables, workbook and page, and the charts drawn here (the helper's are not counted)
    steps = max(1, n_files) + 5 + (0 if args.no_charts else len(CHARTS) - len(HELPER_CHARTS))
    if not args.no_charts:
        from .output._chartjob import ChartJob

        ChartJob.prestart()  # the chart helper imports matplotlib while the files are read
    with _computed(args, console, steps) as (inp, result, progress):
        view_options = {k: v for k, v in (("registry", inp.registry), ("population", inp.population)) if v is not None}
        written = report(result, args.out, lang=args.lang, price_index=inp.price_index, charts=not args.no_charts,
                         chart_orgs=args.chart_orgs, csv_dialect=args.csv_dialect, progress=progress.step, force=args.force,
                         view=args.view, pdf=args.pdf, income=args.income, **view_options)
    shown = written.view if written.shown == "municipality" and written.view is not None else result
    if shown is not result:
        from .reference._labels import text

        console.out(text("cli.shown_municipality", args.lang))
    _print_summary(shown, args.lang, console)
    _print_changes(result, written.extra, args.lang, console)
    console.out("")
    console.out(_text("cli.written_report", path=written.html))
    if written.pdf:
        console.out(_text("cli.written_pdf", path=written.pdf))
    console.out(_text("cli.written_workbook", path=written.workbook))
    console.out(_text("cli.written_tables", path=written.folder / "tables", n=len(written.tables), dialect=args.csv_dialect))
    if written.charts:
        console.out(_text("cli.written_charts", path=written.folder / "charts", n=len(written.charts)))
    return EXIT_OK


def _validate(args: argparse.Namespace, console: _Console) -> int:
    if not (args.ledger or args.statistics or args.rules or args.population or args.keys):
        console.err("lapsibudjetti validate: give at least one of --ledger, --statistics, --rules, --population, --keys")
        return EXIT_USAGE
    progress = Progress(len(args.ledger) + len(args.statistics) + 1)
    console.progress = progress
    try:
        with _notes(console):
            inp = _load_inputs(args, console, progress, collect=True)
            result = None
            if inp.ledgers and not inp.problems:
                progress.step(_text("progress.budget"))
                result = _collect(inp.problems, lambda: _child_budget(inp, args))
    finally:
        progress.close()
        console.progress = None
    if inp.problems:
        console.err(_text("cli.problems", n=len(inp.problems)))
        for k, err in enumerate(inp.problems, start=1):
            console.err(f"\n{k}. {_describe(err)}")
        return EXIT_INPUT
    lines = int(line_counts(result.annotated).sum()) if result is not None else sum(len(led) for led in inp.ledgers if isinstance(led, pd.DataFrame))
    checked = [_text("cli.checked_ledgers", files=len(inp.files), lines=lines)] if inp.files else []
    if args.rules is not None:
        checked.append(_text("cli.checked_rules", name=args.rules.name, n=len(inp.rules)))
    console.out(_text("cli.validate_ok", checked="; ".join(checked or [_text("cli.checked_inputs")])))
    if result is not None:
        un = result.unmapped
        if len(un):
            console.out(_text("cli.validate_unmapped", n=len(un), euros=format_euros(float(un["amount"].sum()), default_lang(), decimals=2)))
            for reason, n in un["reason"].astype(str).value_counts().head(5).items():
                console.out(f"  {n:>6}  {reason}")
    return EXIT_OK


def _rules(args: argparse.Namespace, console: _Console) -> int:
    import lapsibudjetti as lb

    if args.diff:
        return _rules_diff(args, console)
    if args.out is None:  # pragma: no cover - main() refuses it as a usage error
        return EXIT_USAGE
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(_text("cli.rules_suffix", name=repr(out.name)), file=str(out))
    _check_new_file(out, args.force)
    rules = lb.default_rules(args.profile)
    lb.write_rules(rules, out, lang=args.lang)
    console.out(_text("cli.rules_written", n=len(rules), profile=_text(f"value.profile.{args.profile}"), path=out))
    console.out(_text("cli.rules_use", path=out))
    return EXIT_OK


def _check_new_file(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise InputError(_text("cli.file_exists", path=out), file=str(out))
    if not out.parent.exists():
        raise InputError(_text("cli.no_folder", folder=repr(str(out.parent))), file=str(out))


def _rules_diff(args: argparse.Namespace, console: _Console) -> int:
    from .output._rules_diff_out import write_rules_comparison

    if args.rules is not None:
        raise InputError(_text("cli.diff_no_rules"))
    if args.out is not None:
        if args.out.suffix.lower() != ".xlsx":
            raise InputError(_text("cli.diff_suffix", name=repr(args.out.name)), file=str(args.out))
        _check_new_file(args.out, args.force)
    first, second = (None if a.strip().lower() == "default" else Path(a) for a in args.diff)
    for path in (first, second):
        if path is not None and not path.exists():
            raise InputError(_text("rule.file_not_found", path=path), file=str(path))
    args.rules = first
    with _computed(args, console, 3, rules=first is not None) as (_inp, result, progress):
        progress.step(_text("progress.compare_rules"))
        import lapsibudjetti as lb

        diff = result.compare_rules(second if second is not None else lb.default_rules(args.profile), profile=args.profile)
    console.out(diff.text(args.lang))
    if args.out is not None:
        write_rules_comparison(diff, args.out, lang=args.lang)
        console.out(_text("cli.written", paths=args.out))
    return EXIT_OK


def _scenario(args: argparse.Namespace, console: _Console) -> int:
    from .output._scenario_out import SCENARIO_FILES, write_scenario

    existing = [args.out / n for n in SCENARIO_FILES if (args.out / n).exists()]
    if existing and not args.force:
        raise InputError(_text("cli.scenario_exists", paths=", ".join(str(p) for p in existing)), file=str(args.out))
    with _computed(args, console, 3) as (_inp, result, progress):
        progress.step(_text("progress.apply_changes"))
        s = result.scenario(args.changes)
        written = write_scenario(s, args.out, lang=args.lang, charts=not args.no_charts)
    moved = s.comparison[s.comparison.filter(like="_difference").fillna(0).ne(0).any(axis=1)]
    console.out(_text("cli.scenario_moves", changes=len(s.changes), moved=len(moved)))
    for r in moved.head(12).itertuples(index=False):
        console.out("  " + _text("cli.scenario_line", org=r.org_code, year=r.year, phase=_text(f"value.phase.{r.phase}"),
                                 before=format_euros(r.child_euros_before, args.lang), after=format_euros(r.child_euros_after, args.lang),
                                 share_before=format_percent(r.corrective_share_before, args.lang, decimals=1),
                                 share_after=format_percent(r.corrective_share_after, args.lang, decimals=1)))
    console.out(_text("cli.written", paths=", ".join(str(p) for p in written)))
    return EXIT_OK


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the files being written are left under their temporary names and removed."""


_TERMINATED: list[bool] = []


def _raise_terminated(signum: int, frame: Any) -> None:
    _TERMINATED.append(True)  # remembered too: an exception raised inside a finaliser (__del__) is swallowed
    raise _Terminated()


def _on_sigterm() -> Any:
    """Handle SIGTERM like SIGINT while the command runs (only from the main thread, where signals can be set)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_terminated)


_COMMANDS: dict[str, Callable[[argparse.Namespace, _Console], int]] = {
    "report": _report,
    "validate": _validate,
    "rules": _rules,
    "scenario": _scenario,
    "convert": _convert,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lapsibudjetti`` command; returns the exit code.

    Parameters
    ----------
    argv
        The arguments (default: ``sys.argv[1:]``).

    Examples
    --------
    >>> main(["rules", "--out", "/nonexistent-folder/rules.xlsx"])
    1
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        if args.command == "rules" and args.out is None and not args.diff:
            parser.error("rules: give --out FILE to write the rules, or --diff A B to compare two rules files")
    except SystemExit as exc:  # argparse: --help and --version exit 0, usage errors 2
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    console = _Console()
    previous = _on_sigterm()
    _TERMINATED.clear()
    chosen = list(_labels._CHOSEN)
    try:
        if hasattr(args, "lang"):
            args.lang = lang_or_default(args.lang)
            set_lang(args.lang)
        set_interface("cli")  # messages spell options as flags (--population-year nearest)
        code = _COMMANDS[args.command](args, console)
        if _TERMINATED:  # the signal came where Python could not raise it; the command still finished whole
            console.err(_text("cli.terminated"))
            return 143
        return code
    except LapsibudjettiError as err:
        if args.debug:
            traceback.print_exc()
        console.err(_describe(err))
        return EXIT_INPUT
    except OSError as err:
        if args.debug:
            traceback.print_exc()
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        console.err(f"{type(err).__name__}: {err.strerror or err}{where}")
        return EXIT_INPUT
    except _Terminated:
        console.err(_text("cli.terminated"))
        return 143
    except KeyboardInterrupt:
        console.err(_text("cli.interrupted"))
        return 130
    except Exception as err:  # a bug: say so plainly, traceback on request
        if args.debug:
            traceback.print_exc()
        else:
            console.err(_text("cli.internal_error", error=f"{type(err).__name__}: {err}"))
        return EXIT_INTERNAL
    finally:
        set_interface("python")
        _labels._CHOSEN[:] = chosen
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
