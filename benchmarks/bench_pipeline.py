"""Benchmark: the child-budget pipeline of lapsibudjetti against one DuckDB SQL query.

Run from the repository root (duckdb comes with the ``bench`` extra)::

    python benchmarks/bench_pipeline.py --lines 1000000 10000000
    python benchmarks/bench_pipeline.py --quick          # 200 000 lines, a smoke run
    python benchmarks/bench_pipeline.py --csv-only --csv-lines 1000000 10000000   # CSV reading only

For every size, a fresh subprocess per engine builds the same SYNTHETIC
national ledger (``synthetic.py``, fixed seed), then times on the loaded
ledger

* library: ``cb = lb.child_budget(ledger, rules=..., population=...)``,
  ``cb.summary()``, ``cb.reconciliation``, ``cb.by("category")``;
* DuckDB: the same computation as one SQL query (``duckdb_reference.py``)
  over the registered pandas frame, split into the same three tables,

and measures the peak memory the computation adds above the loaded ledger.
The results of the two engines are compared table by table (integer cents
must agree exactly). Then the ledger is written as a Finnish-dialect CSV
and ``lb.read_ledger`` is timed against ``pyarrow.csv.read_csv`` on that file.

See ``benchmarks/README.md`` for what is measured and the numbers.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(REPO), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import synthetic  # noqa: E402

import lapsibudjetti as lb  # noqa: E402

SMALL = 2_000_000  # sizes up to this: a warm-up run and the best of 3; larger: a warm-up and the best of 2


# --------------------------------------------------------------------------
# memory: peak resident memory added above a baseline
# --------------------------------------------------------------------------
class PeakMemory:
    """Peak RSS added above the RSS at :meth:`start`, in MiB.

    Uses Linux's resettable high-water mark (``/proc/self/clear_refs`` ←
    ``5``, then ``VmHWM``), which sees every allocation — numpy's, pandas',
    Arrow's and DuckDB's own C++ buffers alike. Where that is not available
    it falls back to ``resource.getrusage`` max RSS, whose high-water mark
    cannot be reset (then a peak reached while building the ledger hides a
    smaller one of the pipeline: the figure is a lower bound).
    """

    def __init__(self) -> None:
        self.method = "VmHWM after clear_refs (Linux)"
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            self._status("VmHWM:")
        except OSError:
            self.method = "getrusage max RSS (lower bound)"

    @staticmethod
    def _status(key: str) -> float:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024.0
        raise OSError(key)

    def _rss(self) -> float:
        if self.method.startswith("VmHWM"):
            return self._status("VmRSS:")
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    def start(self) -> None:
        gc.collect()
        try:  # give freed heap back so the baseline is what is really held
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass
        if self.method.startswith("VmHWM"):
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        self.base = self._rss()

    def peak_added(self) -> float:
        if self.method.startswith("VmHWM"):
            return self._status("VmHWM:") - self.base
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0 - self.base


# --------------------------------------------------------------------------
# one engine, one size: runs in its own process
# --------------------------------------------------------------------------
def run_library(ledger: pd.DataFrame, rules: lb.Rules, population: lb.Population) -> dict[str, pd.DataFrame]:
    """The timed library pipeline; returns the three tables."""
    cb = lb.child_budget(ledger, rules=rules, population=population)
    return {"summary": cb.summary(), "reconciliation": cb.reconciliation, "by_category": cb.by("category")}


def worker(engine: str, n_lines: int, repeats: int, dump: str | None, threads: int | None) -> dict[str, object]:
    """Build the ledger, measure memory on a warm-up run, then time ``repeats`` runs."""
    import duckdb_reference as ddb

    rules = synthetic.build_rules()
    ledger = synthetic.build_ledger(n_lines)
    pop_frame = synthetic.build_population()
    info: dict[str, object] = {"engine": engine, "lines": n_lines}
    if engine == "library":
        make = synthetic.population_object  # a fresh Population per run: its lookups are built inside the timing

        def once() -> dict[str, pd.DataFrame]:
            return run_library(ledger, rules, population)

        population = make()
    else:
        ref = ddb.DuckDBReference(rules, pop_frame, threads=threads)
        info["threads"] = ref.thread_count
        info["duckdb_version"] = __import__("duckdb").__version__

        def once() -> dict[str, pd.DataFrame]:
            return ref.run(ledger)

    mem = PeakMemory()
    mem.start()
    t0, c0 = time.perf_counter(), time.process_time()
    tables = once()
    info["warmup_seconds"] = time.perf_counter() - t0
    info["warmup_cpu_seconds"] = time.process_time() - c0
    info["peak_mb_added"] = mem.peak_added()
    info["memory_method"] = mem.method
    walls, cpus = [], []
    for _ in range(repeats):
        if engine == "library":
            population = make()
        del tables
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        tables = once()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    info["seconds"] = min(walls)
    info["all_seconds"] = walls
    info["cpu_seconds"] = min(cpus)
    if dump:
        if engine == "library":
            tables = ddb.library_tables_from(tables)
        with open(dump, "wb") as fh:
            pickle.dump(tables, fh)
    return info


def spawn(engine: str, n_lines: int, repeats: int, dump: str, threads: int | None) -> dict[str, object]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, str(n_lines),
           "--repeats", str(repeats), "--dump", dump]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"{engine} worker for {n_lines:,} lines failed:\n{res.stderr[-4000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# CSV reading
# --------------------------------------------------------------------------
CSV_HEADER = ["Organisaatiotyyppi", "Organisaatio", "Vuosi", "Vaihe", "Palveluluokka", "Tili", "Kustannuspaikka", "Euroa"]


def finnish_amounts(cents: np.ndarray) -> list[str]:
    """``-1 234 567,89`` with a no-break space between thousands and a decimal comma."""
    return [f"{c / 100:,.2f}".replace(",", "\u00a0").replace(".", ",") for c in cents.tolist()]


def write_finnish_csv(ledger: pd.DataFrame, path: Path, encoding: str = "cp1252") -> None:
    """The ledger as a finance-system export: ``;``, decimal comma, NBSP thousands, Finnish headers and values."""
    org_type = ledger["org_type"].map({"municipality": "kunta", "wellbeing_area": "hyvinvointialue"}).astype(str)
    phase = ledger["phase"].map({"actual": "TP", "budget": "TA"}).astype(str)
    cents = np.rint(ledger["amount"].to_numpy() * 100).astype("int64")
    frame = pd.DataFrame(
        {
            CSV_HEADER[0]: org_type.to_numpy(),
            CSV_HEADER[1]: ledger["org_code"].astype(str).to_numpy(),
            CSV_HEADER[2]: ledger["year"].to_numpy(),
            CSV_HEADER[3]: phase.to_numpy(),
            CSV_HEADER[4]: ledger["service_class"].astype(str).to_numpy(),
            CSV_HEADER[5]: ledger["account"].astype(str).to_numpy(),
            CSV_HEADER[6]: ledger["cost_centre"].astype(str).to_numpy(),
            CSV_HEADER[7]: finnish_amounts(cents),
        }
    )
    frame.to_csv(path, sep=";", index=False, encoding=encoding, lineterminator="\r\n")


CSV_READERS = ("read_ledger", "pyarrow", "pyarrow_1_thread")


def read_csv_with(reader: str, path: Path, encoding: str = "cp1252") -> object:
    """One read of the Finnish CSV by ``reader`` (one of :data:`CSV_READERS`)."""
    import pyarrow.csv as pacsv

    if reader == "read_ledger":
        # the synthetic ledger uses service classes before 2021 too: codes are not checked against the reference
        return lb.read_ledger(path, check_codes=False)
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, use_threads=reader == "pyarrow"),
        parse_options=pacsv.ParseOptions(delimiter=";"),
    )


def csv_worker(reader: str, path: Path, repeats: int, encoding: str = "cp1252") -> dict[str, object]:
    """Time ``repeats`` reads (after a warm-up) in this process: best wall and CPU seconds, and all walls."""
    read_csv_with(reader, path, encoding)
    walls, cpus = [], []
    for _ in range(repeats):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        got = read_csv_with(reader, path, encoding)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        del got
    return {"reader": reader, "seconds": min(walls), "cpu_seconds": min(cpus), "all_seconds": walls}


def bench_csv(n_lines: int, repeats: int, workdir: Path, rounds: int = 2, spawn_readers: bool = True,
              encoding: str = "cp1252") -> dict[str, object]:
    """Time ``lb.read_ledger`` against ``pyarrow.csv.read_csv`` on the same Finnish CSV.

    Each reader runs in a fresh process (so neither inherits the other's
    memory), ``rounds`` times in turn; the best wall time over all rounds
    counts. ``spawn_readers=False`` runs them in this process (the smoke test).
    """
    ledger = synthetic.build_ledger(n_lines)
    path = workdir / f"ledger_{n_lines}.csv"
    write_finnish_csv(ledger, path, encoding)
    out: dict[str, object] = {"lines": n_lines, "file_mb": path.stat().st_size / 2**20, "encoding": encoding,
                              "repeats": repeats, "rounds": rounds}
    got = lb.read_ledger(path, check_codes=False)  # the file reads back to the same ledger
    out["read_back_identical"] = bool(
        len(got) == len(ledger)
        and np.array_equal(np.rint(got["amount"].to_numpy() * 100), np.rint(ledger["amount"].to_numpy() * 100))
        and all(got[c].astype(str).equals(ledger[c].astype(str))
                for c in ("org_type", "org_code", "phase", "service_class", "account", "cost_centre"))
        and np.array_equal(got["year"].to_numpy(), ledger["year"].to_numpy())
    )
    del got, ledger
    runs: dict[str, list[dict[str, object]]] = {r: [] for r in CSV_READERS}
    for _ in range(rounds):
        for reader in CSV_READERS:
            if spawn_readers:
                cmd = [sys.executable, str(Path(__file__).resolve()), "--csv-worker", reader, str(path),
                       "--repeats", str(repeats), "--csv-encoding", encoding]
                res = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if res.returncode != 0:
                    raise RuntimeError(f"{reader} on {n_lines:,} lines failed:\n{res.stderr[-4000:]}")
                runs[reader].append(json.loads(res.stdout.strip().splitlines()[-1]))
            else:
                runs[reader].append(csv_worker(reader, path, repeats, encoding))
    for reader in CSV_READERS:
        out[f"{reader}_seconds"] = min(float(r["seconds"]) for r in runs[reader])
        out[f"{reader}_cpu_seconds"] = min(float(r["cpu_seconds"]) for r in runs[reader])
        out[f"{reader}_all_seconds"] = [t for r in runs[reader] for t in r["all_seconds"]]
    out["ratio"] = out["read_ledger_seconds"] / out["pyarrow_seconds"]
    out["ratio_1_thread"] = out["read_ledger_seconds"] / out["pyarrow_1_thread_seconds"]
    path.unlink()
    return out


def print_csv(results: list[dict[str, object]]) -> None:
    print(f"{'lines':>12} {'file MB':>8} {'read_ledger s':>13} {'(cpu)':>6} {'pyarrow s':>10} {'(cpu)':>6} {'ratio':>6} "
          f"{'pyarrow 1-thread s':>18} {'ratio':>6} {'read back identical':>20}")
    for r in results:
        print(f"{r['lines']:>12,} {r['file_mb']:>8.1f} {r['read_ledger_seconds']:>13.3f} {r['read_ledger_cpu_seconds']:>6.2f} "
              f"{r['pyarrow_seconds']:>10.3f} {r['pyarrow_cpu_seconds']:>6.2f} {r['ratio']:>6.2f} "
              f"{r['pyarrow_1_thread_seconds']:>18.3f} {r['ratio_1_thread']:>6.2f} {str(r['read_back_identical']):>20}")
    r0 = results[0]
    print(f"read_ledger(path, check_codes=False); pyarrow.csv.read_csv(path, delimiter ';', encoding {r0['encoding']}), with its "
          f"default threads and with use_threads=False; each in a fresh process, {r0['rounds']} rounds in turn, "
          f"best of {r0['repeats']} after a warm-up per round")
    for r in results:
        spread = {k: (min(r[f"{k}_all_seconds"]), max(r[f"{k}_all_seconds"])) for k in ("read_ledger", "pyarrow")}
        print(f"  {r['lines']:,} lines, all runs: read_ledger {spread['read_ledger'][0]:.3f}-{spread['read_ledger'][1]:.3f} s, "
              f"pyarrow {spread['pyarrow'][0]:.3f}-{spread['pyarrow'][1]:.3f} s")


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------
def machine() -> dict[str, object]:
    import pyarrow

    try:
        import duckdb

        duckdb_version = duckdb.__version__
    except ImportError:  # the CSV test does not need it
        duckdb_version = "not installed"

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = f"{int(fh.readline().split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "duckdb": duckdb_version,
        "lapsibudjetti": lb.__version__,
    }


def print_pipeline(results: list[dict[str, object]]) -> None:
    print()
    print(f"{'lines':>12} {'library s':>10} {'duckdb s':>9} {'ratio':>6} {'lib cpu s':>9} {'ddb cpu s':>9} "
          f"{'lib +MB':>8} {'ddb +MB':>8} {'max |Δ child €|':>16} {'cents equal':>11}")
    for r in results:
        li, du, ch = r["library"], r["duckdb"], r["check"]
        print(f"{r['lines']:>12,} {li['seconds']:>10.2f} {du['seconds']:>9.2f} {li['seconds'] / du['seconds']:>6.2f} "
              f"{li['cpu_seconds']:>9.2f} {du['cpu_seconds']:>9.2f} {li['peak_mb_added']:>8.0f} {du['peak_mb_added']:>8.0f} "
              f"{ch['max_abs_child_euros']:>16.2e} {'yes' if ch['cent_mismatches'] == 0 else 'NO':>11}")
    du0 = results[0]["duckdb"]
    runs = ", ".join(f"{r['lines']:,} lines: best of {r['repeats']}" for r in results)
    print(f"\nseconds: wall clock after a warm-up run ({runs}); cpu s: process CPU time of the best run; "
          f"ratio = library / DuckDB; DuckDB threads: {du0['threads']} (library: 1)")
    print(f"+MB: peak memory added above the loaded ledger, warm-up run, fresh process; {du0['memory_method']}")
    print("max |Δ child €|: largest difference of child euros per organisation × year × phase; "
          f"largest relative difference over all float columns: {max(r['check']['max_rel'] for r in results):.1e}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000], help="ledger sizes (default: 1M and 10M)")
    ap.add_argument("--quick", action="store_true", help="a 200 000-line smoke run")
    ap.add_argument("--csv-lines", type=int, nargs="+", default=None,
                    help="sizes of the CSV reading test (default: the smallest pipeline size)")
    ap.add_argument("--csv-only", action="store_true", help="only the CSV reading test")
    ap.add_argument("--csv-encoding", default="cp1252", choices=["cp1252", "utf-8"],
                    help="encoding of the CSV file (default: cp1252, as Windows finance systems export)")
    ap.add_argument("--csv-worker", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: DuckDB's own, the number of cores)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--worker", nargs=2, metavar=("ENGINE", "LINES"), help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=3, help=argparse.SUPPRESS)
    ap.add_argument("--dump", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        engine, n = args.worker[0], int(args.worker[1])
        print(json.dumps(worker(engine, n, args.repeats, args.dump, args.threads)))
        return 0
    if args.csv_worker:
        print(json.dumps(csv_worker(args.csv_worker[0], Path(args.csv_worker[1]), args.repeats, args.csv_encoding)),
              flush=True)
        # the result is out: skip the interpreter's teardown, where Arrow's thread pool once aborted the
        # process ("terminate called without an active exception") after a pyarrow-only run
        os._exit(0)

    if not args.csv_only:
        import duckdb_reference as ddb

    sizes = [200_000] if args.quick else sorted(args.lines)
    csv_sizes = sorted(args.csv_lines or [sizes[0]])
    info = machine()
    print(f"lapsibudjetti pipeline benchmark — SYNTHETIC ledger, seed {synthetic.SEED} — {info['date']}")
    print(f"{info['cpu']}, {info['cores']} cores, {info['memory']}; load average {tuple(round(x, 2) for x in info['load_average'])}")
    print(f"python {info['python']}, numpy {info['numpy']}, pandas {info['pandas']}, pyarrow {info['pyarrow']}, duckdb {info['duckdb']}")
    rules = synthetic.build_rules()
    print(f"rules: {len(rules)} ({int((rules.table['account'] != '').sum())} on service class x account range); "
          f"organisations: {len(synthetic.organisations())}; years {synthetic.YEARS[0]}-{synthetic.YEARS[-1]}")
    print()
    results = []
    csv_results = []
    with tempfile.TemporaryDirectory(prefix="lb-bench-") as tmp:
        for n in [] if args.csv_only else sizes:
            repeats = 3 if n <= SMALL else 2
            dumps = {e: str(Path(tmp) / f"{e}_{n}.pkl") for e in ("library", "duckdb")}
            row: dict[str, object] = {"lines": n, "repeats": repeats}
            for engine in ("library", "duckdb"):
                print(f"  {n:>12,} lines: {engine} ...", flush=True)
                row[engine] = spawn(engine, n, repeats, dumps[engine], args.threads)
            with open(dumps["library"], "rb") as fh:
                lib_tables = pickle.load(fh)
            with open(dumps["duckdb"], "rb") as fh:
                ref_tables = pickle.load(fh)
            row["check"] = ddb.compare(lib_tables, ref_tables)
            results.append(row)
        if results:
            print_pipeline(results)
        for n in csv_sizes:
            print(f"\nCSV reading ({n:,} lines, Finnish dialect: ';', decimal comma, NBSP thousands, "
                  f"{args.csv_encoding}) ...", flush=True)
            csv_results.append(bench_csv(n, 3 if n <= SMALL else 2, Path(tmp), encoding=args.csv_encoding))
        print()
        print_csv(csv_results)
    info["load_average_end"] = os.getloadavg()
    print(f"\nload average at the end: {tuple(round(x, 2) for x in info['load_average_end'])}")
    bad = [r["lines"] for r in results if r["check"]["cent_mismatches"] or r["check"]["max_rel"] > 1e-9]
    unread = [r["lines"] for r in csv_results if not r["read_back_identical"]]
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "pipeline": results, "csv": csv_results}, indent=2, default=float))
    if bad:
        print(f"RESULTS DIFFER between the library and DuckDB at {bad} lines", file=sys.stderr)
    if unread:
        print(f"THE CSV DID NOT READ BACK to the same ledger at {unread} lines", file=sys.stderr)
    return 1 if bad or unread else 0


if __name__ == "__main__":
    sys.exit(main())
