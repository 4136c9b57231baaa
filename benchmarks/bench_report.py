"""The national report on the real kta_14 file: time of each step, and the workbook writer against openpyxl.

Run from a checkout with ``../shared/data`` beside it::

    python benchmarks/bench_report.py            # the whole report (workbook, tables, charts, page)
    python benchmarks/bench_report.py --repeat 3 # best of three per step

It prints the seconds of each step of ``lapsibudjetti.report`` on the real
2015–2019 net operating costs of all municipalities (Statistics Finland kta_14,
1 558 organisation-years, 73 377 workbook rows) and, as the reference engine
measured in the same run, the same workbook tables written with openpyxl (the
writer the library used before), with the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
KTA14 = REPO.parent / "shared" / "data" / "nettokayttokustannukset_tehtavittain_kunnat_2015_2019__budgetr_statfin_kta14.csv"


def _openpyxl_workbook(tables: dict, path: Path, lang: str) -> None:
    """The reference: every table on its own sheet with openpyxl (the writer the library used before xlsxwriter).

    The same shown frames, headers and number formats as the library's sheets, written cell by cell as openpyxl
    does; no cover or chart sheets (the library's own timing below covers only the same tables).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from lapsibudjetti._present import display_frame
    from lapsibudjetti._xlsx import _cell_value
    from lapsibudjetti.output._workbook import _number_format
    from lapsibudjetti.reference._labels import text

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for i, (name, frame) in enumerate(tables.items()):
        ws = wb.create_sheet(f"s{i}")
        shown = display_frame(name, frame, lang)
        ws.append([text(f"col.{c}", lang, default=str(c)) for c in shown.columns])
        for cell in ws[1]:
            cell.font = bold
        formats = [_number_format(name, str(c)) for c in shown.columns]
        for row in shown.itertuples(index=False, name=None):
            ws.append([_cell_value(v) for v in row])
        for j, fmt in enumerate(formats, start=1):
            if fmt is not None:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
    wb.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--lang", default="fi")
    args = parser.parse_args()
    if not KTA14.exists():
        print(f"needs the real data at {KTA14}", file=sys.stderr)
        return 2
    import lapsibudjetti as lb
    from lapsibudjetti.output._collect import export_tables
    from lapsibudjetti.output._workbook import workbook_of

    warnings.simplefilter("ignore", lb.LapsibudjettiWarning)
    lb.set_lang("en")  # the steps' names in the figures below (the report itself is in --lang)
    best: dict[str, float] = {}

    def keep(label: str, seconds: float) -> None:
        best[label] = min(best.get(label, float("inf")), seconds)

    for _ in range(args.repeat):
        t = time.perf_counter()
        ledger = lb.read_statistics(KTA14)
        keep("read the kta_14 file", time.perf_counter() - t)
        t = time.perf_counter()
        budget = lb.child_budget(ledger, population_year="nearest")
        keep("child budget", time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            steps: list[tuple[str, float]] = []
            last = [time.perf_counter(), "prepare (the views shown)"]

            def step(label: str, steps: list[tuple[str, float]] = steps, last: list = last) -> None:
                now = time.perf_counter()
                steps.append((str(last[1]), now - float(last[0])))
                last[:] = [now, label]

            t = time.perf_counter()
            lb.report(budget, Path(tmp) / "r", lang=args.lang, progress=step)
            step("end")
            keep("report (all)", time.perf_counter() - t)
            for label, seconds in steps:
                keep(f"  {label}", seconds)
            tables = export_tables(budget, lang=args.lang)
            t = time.perf_counter()
            workbook_of(tables, budget, Path(tmp) / "x.xlsx", lang=args.lang)
            keep("workbook tables, xlsxwriter (the library)", time.perf_counter() - t)
            t = time.perf_counter()
            _openpyxl_workbook(tables, Path(tmp) / "y.xlsx", args.lang)
            keep("workbook tables, openpyxl (reference)", time.perf_counter() - t)
            rows = sum(len(f) for f in tables.values())
    total = best["read the kta_14 file"] + best["child budget"] + best["report (all)"]
    print(f"national kta_14 report, best of {args.repeat}; {rows:,} table rows")
    for label, seconds in best.items():
        print(f"{label:<48} {seconds:7.2f} s")
    print(f"{'read + budget + report':<48} {total:7.2f} s")
    ratio = best["workbook tables, openpyxl (reference)"] / best["workbook tables, xlsxwriter (the library)"]
    share = best.get("  writing the workbook", float("nan")) / best["report (all)"]
    print(f"xlsxwriter is {ratio:.1f}x faster than openpyxl on the same tables; the workbook is {share:.0%} of the report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
