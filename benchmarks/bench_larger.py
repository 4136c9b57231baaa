"""Benchmark: a ledger larger than memory, as a partitioned Parquet dataset, three engines over the same files.

Run from the repository root (duckdb, dask and psutil come with the ``bench`` extra)::

    python benchmarks/bench_larger.py --lines 1000000 10000000 100000000
    python benchmarks/bench_larger.py --quick            # 1 000 000 lines, a smoke run

For every size the SYNTHETIC national ledger of ``synthetic.py`` (fixed
seeds, built in chunks of at most 10 M lines so that building it never
needs the whole ledger in memory) is written once with
:func:`lapsibudjetti.write_dataset`, partitioned by year, and reused by
later runs. Then, each in a fresh process, over the same Parquet files:

* **stream**: ``lb.child_budget(directory, rules=..., population=..., batch_size=B, workers=W)``
  and the tables ``summary()``, ``reconciliation``, ``by("category")``;
* **dask**: the same on ``dask.dataframe.read_parquet(directory)`` with a
  ``distributed.LocalCluster`` of 2 worker processes (1 thread each), the
  memory budget split between them;
* **duckdb**: the one-query reference of ``duckdb_reference.py`` over
  ``read_parquet(directory/**/*.parquet)``, with ``memory_limit`` set to the
  budget and a temporary directory to spill to (its out-of-core mode).

Time is wall-clock seconds from the start of the computation to the three
tables in memory (reading the files included). Peak memory is the largest
resident set of the process and all its children (Dask's scheduler and
workers), sampled every 50 ms with psutil, so every engine is measured the
same way. The three engines' tables are compared: integer-cent columns
and line counts must be equal, the script fails otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(REPO), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import pandas as pd  # noqa: E402
import synthetic  # noqa: E402

import lapsibudjetti as lb  # noqa: E402

CHUNK = 10_000_000
ENGINES = ("stream", "dask", "duckdb", "duckdb-arrow")


def dataset_dir(root: Path, n_lines: int) -> Path:
    return root / f"synthetic_{n_lines}"


def build_dataset(root: Path, n_lines: int) -> tuple[Path, float]:
    """The synthetic ledger of ``n_lines`` lines as a dataset partitioned by year (built once; seconds taken, 0 if reused)."""
    target = dataset_dir(root, n_lines)
    marker = target / lb._dataset.MARKER
    if marker.exists():
        written = json.loads(marker.read_text())
        if written["total"]["lines"] == n_lines and written.get("layout") == lb._dataset.LAYOUT:
            return target, 0.0
    if target.exists():
        raise SystemExit(f"{target} exists but is not a finished dataset of {n_lines} lines in this library's Parquet layout: remove it")
    start = time.perf_counter()

    def chunks():
        done = 0
        k = 0
        while done < n_lines:
            n = min(CHUNK, n_lines - done)
            frame = synthetic.build_ledger(n, seed=synthetic.SEED + k)
            frame["source_row"] += done  # rows of one ledger, numbered through
            yield frame
            done += n
            k += 1

    lb.write_dataset(chunks(), target, partition_by=("year",))
    return target, time.perf_counter() - start


def arrow_defaults_copy(directory: Path) -> Path:
    """The dataset again with Arrow's default Parquet encodings (every column dictionary-encoded where it fits, plain
    after), written once and kept: DuckDB is timed over both copies, and the faster is the reference, so that the
    library's own layout (delta-encoded source rows, plain amounts) cannot flatter the comparison."""
    import shutil

    import pyarrow.dataset as pads

    target = directory.with_name(directory.name + "_arrow_defaults")
    if (target / lb._dataset.MARKER).exists():
        return target
    if target.exists():
        shutil.rmtree(target)  # a copy this script started and did not finish
    source = lb._dataset.open_dataset(directory)
    pads.write_dataset(source, str(target), format="parquet", partitioning=lb._dataset._partitioning(["year"]),
                       min_rows_per_group=1 << 17, max_rows_per_group=1 << 20, basename_template="part-{i}.parquet",
                       **lb._dataset._in_order())
    shutil.copy(directory / lb._dataset.MARKER, target / lb._dataset.MARKER)
    return target


class PeakRSS:
    """The largest resident set of this process and its children, sampled every 50 ms."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> int:
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            time.sleep(0.05)

    def __enter__(self) -> PeakRSS:
        self.base = self._total()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())


def _tables(cb: lb.ChildBudget) -> dict[str, pd.DataFrame]:
    from duckdb_reference import library_tables

    return library_tables(cb)


def worker(engine: str, directory: Path, budget_gb: float, batch_size: int, out: Path, workers: int | None = None) -> None:
    """One engine, one run, in this (fresh) process; writes its figures and tables to ``out``."""
    import warnings

    warnings.simplefilter("ignore")  # the synthetic population makes no claim to plausibility
    rules = synthetic.build_rules()
    with PeakRSS() as rss:
        start = time.perf_counter()
        if engine == "stream":
            cb = lb.child_budget(directory, rules=rules, population=synthetic.population_object(), batch_size=batch_size, workers=workers)
            tables = _tables(cb)
        elif engine == "dask":
            import dask.dataframe as dd
            from distributed import Client, LocalCluster

            per_worker = f"{budget_gb / 2:.2f}GB"
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=per_worker,
                              dashboard_address=None) as cluster, Client(cluster):
                ddf = dd.read_parquet(str(directory))
                ddf["year"] = ddf["year"].astype("int64")  # the hive partition key arrives as a category
                cb = lb.child_budget(ddf, rules=rules, population=synthetic.population_object())
                tables = _tables(cb)
        elif engine in ("duckdb", "duckdb-arrow"):
            from duckdb_reference import DuckDBReference, split

            ref = DuckDBReference(rules, synthetic.build_population())
            spill = tempfile.mkdtemp(prefix="duckdb-spill-")
            ref.con.execute(f"SET memory_limit = '{budget_gb}GB'")
            ref.con.execute(f"SET temp_directory = '{spill}'")
            ref.con.execute(f"CREATE VIEW ledger AS SELECT * FROM read_parquet('{directory}/**/*.parquet', hive_partitioning = true, "
                            "hive_types = {'year': BIGINT})")
            tables = split(ref.con.execute(ref.sql).df())
        else:
            raise SystemExit(f"unknown engine {engine}")
        seconds = time.perf_counter() - start
    for name, frame in tables.items():
        frame.to_parquet(out.with_suffix(f".{name}.parquet"))
    out.write_text(json.dumps({"engine": engine, "seconds": seconds, "peak_mb": rss.peak / 2**20, "base_mb": rss.base / 2**20}))


def compare(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> dict[str, float]:
    from duckdb_reference import compare as compare_tables

    return compare_tables(a, b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000])
    ap.add_argument("--quick", action="store_true", help="1 000 000 lines only")
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--budget-gb", type=float, default=4.0, help="memory budget (DuckDB's memory_limit; Dask: split over its workers)")
    ap.add_argument("--batch-size", type=int, default=2_000_000, help="lines per batch of the streaming engine")
    ap.add_argument("--workers", type=int, default=0,
                    help="processes of the streaming engine (child_budget's workers=); 0: two from 40 M lines on 2+ cores, "
                         "as the library does in a notebook or the command (a script gets one unless it asks)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each engine, taken in turn; times: best and median of the runs")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "lapsibudjetti-bench",
                    help="where the datasets are written and kept for later runs")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--worker", nargs=6, metavar=("ENGINE", "DIR", "BUDGET", "BATCH", "OUT", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        engine, directory, budget, batch, out, workers = args.worker
        lines = int(json.loads((Path(directory) / lb._dataset.MARKER).read_text())["total"]["lines"])
        auto = 2 if lines >= lb._dataset.AUTO_WORKERS_FROM and (os.cpu_count() or 1) >= 2 else 1
        worker(engine, Path(directory), float(budget), int(batch), Path(out), int(workers) or auto)
        return
    sizes = [1_000_000] if args.quick else args.lines
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"# {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, pandas {pd.__version__}, load average {os.getloadavg()[0]:.2f}")
    print(f"# memory budget {args.budget_gb} GB; streaming batches of {args.batch_size:,} lines in {args.workers or 'the default number of'} process(es); "
          "Dask: LocalCluster of 2 workers")
    rows = []
    for n in sizes:
        directory, built = build_dataset(args.data, n)
        size_mb = sum(f.stat().st_size for f in directory.rglob("*.parquet")) / 2**20
        print(f"\n{n:,} lines: dataset {directory} ({size_mb:,.0f} MB on disk){f', built in {built:.0f} s' if built else ', reused'}")
        copy = arrow_defaults_copy(directory) if "duckdb-arrow" in args.engines else None
        if copy is not None:
            print(f"  duckdb-arrow reads {copy} ({sum(f.stat().st_size for f in copy.rglob('*.parquet')) / 2**20:,.0f} MB): "
                  "the same lines with Arrow's default encodings")
        results: dict[str, dict] = {}
        tables: dict[str, dict[str, pd.DataFrame]] = {}
        runs: dict[str, list[dict]] = {}
        for k in range(args.repeat):  # engines taken in turn, so that each repeat shares the machine's state of the moment
            for engine in args.engines:
                if engine in runs and engine not in results:
                    continue  # failed before
                out = Path(tempfile.mkdtemp()) / f"{engine}.json"
                where = copy if engine == "duckdb-arrow" and copy is not None else directory
                proc = subprocess.run([sys.executable, __file__, "--worker", engine, str(where), str(args.budget_gb),
                                       str(args.batch_size), str(out), str(args.workers)], capture_output=True, text=True)
                if proc.returncode != 0:
                    print(f"  {engine}: FAILED\n{proc.stderr[-3000:]}")
                    runs.setdefault(engine, [])
                    continue
                r = json.loads(out.read_text())
                runs.setdefault(engine, []).append(r)
                tables[engine] = {t: pd.read_parquet(out.with_suffix(f".{t}.parquet")) for t in ("summary", "reconciliation", "by_category")}
                print(f"  {engine:<12} {r['seconds']:8.1f} s   peak {r['peak_mb']:8,.0f} MB   {r['seconds'] / n * 1e9:7.0f} ns/line"
                      + (f"   (run {k + 1} of {args.repeat})" if args.repeat > 1 else ""), flush=True)
                secs = sorted(x["seconds"] for x in runs[engine])
                results[engine] = {"seconds": secs[0], "median": statistics.median(secs),
                                   "peak_mb": max(x["peak_mb"] for x in runs[engine]), "runs": len(secs)}
        # the reference: DuckDB over whichever layout it read faster (best of the runs)
        duck = [e for e in ("duckdb", "duckdb-arrow") if e in results]
        ref = min(duck, key=lambda e: results[e]["seconds"]) if duck else None
        if ref:
            print(f"  reference: {ref}")
        for engine, r in results.items():
            row = {"lines": n, "engine": engine, "seconds": round(r["seconds"], 2), "peak_mb": round(r["peak_mb"]),
                   "ns_per_line": round(r["seconds"] / n * 1e9)}
            if args.repeat > 1:
                row.update({"median_seconds": round(r["median"], 2), "runs": r["runs"]})
            if ref and engine != ref:
                row["reference"] = ref
                row["ratio_to_duckdb"] = round(r["seconds"] / results[ref]["seconds"], 2)
                if args.repeat > 1:
                    row["median_ratio"] = round(r["median"] / results[ref]["median"], 2)
                diff = compare(tables[engine], tables[ref])
                row.update({"cent_mismatches": diff["cent_mismatches"], "max_abs_child_euros": diff["max_abs_child_euros"]})
                print(f"  {engine} / {ref}: time ratio {row['ratio_to_duckdb']:.2f}"
                      + (f" (best of {args.repeat}; medians {row['median_ratio']:.2f})" if args.repeat > 1 else "")
                      + f"; cent mismatches {diff['cent_mismatches']}, "
                      f"max |Δ child €| per org-year-phase {diff['max_abs_child_euros']:.1e}")
                if diff["cent_mismatches"]:
                    raise SystemExit(f"{engine} and DuckDB disagree in integer cents")
            rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print("\n" + pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
