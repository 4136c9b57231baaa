"""Partitioned Parquet datasets of ledgers: written once (:func:`write_dataset`), read in bounded batches by :func:`child_budget`."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._errors import InputError
from ._schema import LEDGER_COLUMNS, amount_cents
from .reference._labels import say

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as pads

    from ._partial import Partial
    from ._steps import Settings

__all__ = ["write_dataset", "ParquetSource", "is_dataset", "ledger_batches", "MARKER"]

#: The file that says a directory is a dataset this library wrote (Arrow skips names starting with "_").
MARKER = "_lapsibudjetti.json"
_PARTITION_COLUMNS = ("year", "org_type", "org_code", "phase")
#: The Parquet layout :func:`write_dataset` writes, recorded in :data:`MARKER` (2: delta-encoded source rows, plain amounts).
LAYOUT = 2


def _arrow_schema() -> pa.Schema:
    """The canonical ledger columns in Arrow: text dictionary-encoded (int32 indices), years and rows int64, amounts float64."""
    import pyarrow as pa

    kinds = {"cat": pa.dictionary(pa.int32(), pa.string()), "int": pa.int64(), "float": pa.float64()}
    return pa.schema([(col, kinds[kind]) for col, kind in LEDGER_COLUMNS.items()])


def _partitioning(columns: Sequence[str]) -> pads.Partitioning:
    import pyarrow as pa
    import pyarrow.dataset as pads

    return pads.partitioning(pa.schema([(c, pa.int64() if c == "year" else pa.string()) for c in columns]), flavor="hive")


def is_dataset(obj: object) -> bool:
    """True for a ``pyarrow.dataset.Dataset``, a directory, or a path ending in ``.parquet``."""
    try:
        import pyarrow.dataset as pads
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return False
    if isinstance(obj, pads.Dataset):
        return True
    if isinstance(obj, str | Path):
        p = Path(obj)
        return p.is_dir() or p.suffix.lower() in (".parquet", ".pq")
    return False


def _partition_fields(path: Path) -> list[str]:
    """The hive partition keys of a directory tree (``year=2019/org_code=091``), outermost first."""
    fields: list[str] = []
    level = path
    while True:
        subdirs = sorted(d for d in level.iterdir() if d.is_dir() and "=" in d.name and not d.name.startswith(("_", ".")))
        if not subdirs:
            return fields
        fields.append(subdirs[0].name.split("=", 1)[0])
        level = subdirs[0]


def open_dataset(obj: str | Path | pads.Dataset) -> pads.Dataset:
    """A Parquet dataset with its hive partition keys read as text (``org_code=091`` stays ``091``) and years as integers."""
    import pyarrow.dataset as pads

    if isinstance(obj, pads.Dataset):
        return obj
    path = Path(obj)
    if not path.exists():
        raise InputError(say("ds.no_path", path=path))
    if path.is_file():
        return pads.dataset(str(path), format="parquet")
    fields = _partition_fields(path)
    unknown = [f for f in fields if f not in LEDGER_COLUMNS]
    if unknown:
        raise InputError(say("ds.bad_partition", path=path, columns=", ".join(unknown), ledger=", ".join(LEDGER_COLUMNS), how=say("ds.how")))
    dataset = pads.dataset(str(path), format="parquet", partitioning=_partitioning(fields) if fields else None)
    if not dataset.files:
        raise InputError(say("ds.no_files", path=path))
    return dataset


def _canonical(frame: pd.DataFrame, file: str, first_row: int, registry: Any) -> pd.DataFrame:
    """A batch in canonical form: as stored when the dataset has the canonical types, otherwise validated (naming file and row)."""
    from ._steps import is_canonical
    from ._validate import validate_ledger

    for col in _PARTITION_COLUMNS:  # partition keys arrive as plain text
        if col in frame.columns and col != "year" and not isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype("category")
    if "source_file" not in frame.columns:
        frame["source_file"] = pd.Categorical([file] * len(frame))
        frame["source_row"] = np.arange(first_row, first_row + len(frame), dtype="int64")
    ordered = frame[[c for c in LEDGER_COLUMNS if c in frame.columns]]
    if is_canonical(ordered):
        return ordered
    return validate_ledger(ordered, file=file, registry=registry)


def ledger_batches(dataset: pads.Dataset, batch_size: int, registry: Any = None) -> Iterator[pd.DataFrame]:
    """Canonical ledgers of about ``batch_size`` lines each (small files gathered, large ones split), in the dataset's order.

    The Parquet files are read and decoded into Arrow tables in a second thread (Arrow works without the GIL), one batch
    ahead of the pandas work on the current one; memory holds at most two batches more than the one being computed.
    """
    columns = [c for c in LEDGER_COLUMNS if c in dataset.schema.names]
    missing = [c for c in ("org_type", "org_code", "year", "phase", "amount") if c not in columns]
    if missing:
        raise InputError(say("ds.no_column", missing=", ".join(missing), have=", ".join(dataset.schema.names), how=say("ds.how")))
    for table, files in _ahead(_arrow_batches(dataset, columns, batch_size)):
        name = files[0] if len(files) == 1 else say("ds.files_of", n=len(files), first=files[0])
        yield _canonical(table.to_pandas(), name, 1, registry)


def _arrow_batches(dataset: pads.Dataset, columns: list[str], batch_size: int) -> Iterator[tuple[pa.Table, list[str]]]:
    """Arrow tables of about ``batch_size`` lines with the files they come from (each line named by its file and row)."""
    import pyarrow as pa

    named = "source_file" in columns
    pending: list[pa.Table] = []
    pending_files: list[str] = []
    size = 0

    def gathered() -> tuple[pa.Table, list[str]]:
        table = pa.concat_tables(pending).combine_chunks() if len(pending) > 1 else pending[0]
        return table, sorted({str(f) for f in pending_files})

    for fragment in dataset.get_fragments():
        row = 1
        for batch in fragment.to_batches(schema=dataset.schema, columns=columns, batch_size=batch_size):
            n = batch.num_rows
            if n == 0:
                continue
            table = pa.Table.from_batches([batch])
            if not named:  # lines are named by their file and row in it
                table = table.append_column("source_file", pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype="int32")),
                                                                                          pa.array([fragment.path])))
                table = table.append_column("source_row", pa.array(np.arange(row, row + n, dtype="int64")))
            pending.append(table)
            pending_files.append(fragment.path)
            row += n
            size += n
            if size >= batch_size:
                yield gathered()
                pending, pending_files, size = [], [], 0
    if pending:
        yield gathered()


def _ahead(items: Iterator[Any]) -> Iterator[Any]:
    """The items of ``items``, each produced in a second thread while the caller works on the one before.

    An error in the thread is raised here; a caller that stops early (an error of its own) stops the thread.
    """
    import queue
    import threading

    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(("end", None))
        except BaseException as exc:  # handed to the caller, which raises it
            box.put(("error", exc))

    worker = threading.Thread(target=produce, name="lapsibudjetti-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked put see the stop
            try:
                box.get_nowait()
            except queue.Empty:
                pass
            worker.join(timeout=0.1)


def _files_partial(root: str, files: list[str], fields: list[str], s: Settings, batch_size: int, lines_to: Path | None,
                   first_part: int) -> Partial | None:
    """The merged partial result of some files of a dataset (one worker's share), batch by batch."""
    import pyarrow.dataset as pads

    dataset = pads.dataset(files, format="parquet", partitioning=_partitioning(fields) if fields else None, partition_base_dir=root)
    return _batches_partial(dataset, s, batch_size, lines_to, first_part)


#: Batches' sums are merged once they hold this many times ``batch_size`` rows (memory stays bounded by the batch size).
#: Merging earlier only re-sums rows that seldom meet (a dataset sorted by organisation brings new groups in each batch).
MERGE_AT_BATCHES = 4


def _batches_partial(dataset: pads.Dataset, s: Settings, batch_size: int, lines_to: Path | None, first_part: int) -> Partial | None:
    """The merged partial result of a dataset's batches (None: no lines); partial sums merged once they hold
    :data:`MERGE_AT_BATCHES` batches' worth of rows, so memory stays bounded."""
    from ._partial import merge, partial_of

    runs: list[Partial] = []  # merged partial results of consecutive batches, in order
    done: list[Partial] = []
    rows = 0
    for k, batch in enumerate(ledger_batches(dataset, batch_size, s.registry)):
        done.append(partial_of(batch, s, lines_to=lines_to, part=first_part + k))
        rows += len(done[-1].summed)
        if rows >= MERGE_AT_BATCHES * batch_size:
            runs = _absorbed(runs, merge(done, sort=False))  # on the way: unsorted; the last merge sorts
            done, rows = [], 0
    if done:
        runs = _absorbed(runs, merge(done, sort=False))
    return merge(runs) if runs else None


def _absorbed(runs: list[Partial], new: Partial) -> list[Partial]:
    """``runs`` with ``new`` after them: kept apart when their sums have no year in common (a dataset read year by
    year: nothing of the earlier years can add up with it, and merging them again would only re-sort them), merged
    with the last run when only it shares a year, else all merged (memory stays bounded by the distinct sums).
    The order of the lines (unmapped lines, keys) stays that of the batches."""
    from ._partial import merge

    def years(p: Partial) -> set[int]:
        return set(np.unique(p.summed["year"].to_numpy(dtype="int64")).tolist()) if len(p.summed) else set()

    mine = years(new)
    shared = [k for k, r in enumerate(runs) if years(r) & mine]
    if not shared:
        return [*runs, new]
    if shared == [len(runs) - 1]:
        return [*runs[:-1], merge([runs[-1], new], sort=False)]
    return [merge([*runs, new], sort=False)]


#: Lines the calling process reads while a worker's interpreter starts and unpickles the settings (measured on two
#: cores: about 2 s to start, at about 4 M lines a second): the calling process's share is larger by this much.
HEAD_START_LINES = 8_000_000


def _shares_of(files: list[str], sizes: list[int], n: int, head_start: int = 0) -> list[list[str]]:
    """Files dealt to ``n`` processes, largest first to the least loaded, each process's files in dataset order.

    The first share is the calling process's, which starts at once: it is dealt ``head_start`` (in the units of
    ``sizes``) more than the others.
    """
    loads = [-head_start] + [0] * (n - 1)
    dealt: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(files)), key=lambda i: -sizes[i]):
        w = loads.index(min(loads))
        dealt[w].append(i)
        loads[w] += sizes[i]
    return [[files[i] for i in sorted(d)] for d in dealt if d]


def _lines_of(dataset: pads.Dataset) -> int | None:
    """The lines of a Parquet dataset from its files' footers (None: not known without reading)."""
    try:
        return sum(int(f.metadata.num_rows) for f in dataset.get_fragments())
    except (AttributeError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class ParquetSource:
    """A Parquet dataset read in batches of ``batch_size`` lines (memory bounded by the batch, not the dataset).

    With ``workers`` > 1 the files are dealt to that many processes, each
    reading its files batch by batch (memory: ``workers`` batches at a time).
    """

    dataset: Any
    name: str
    batch_size: int = 1_000_000
    lines_to: Path | None = field(default=None)
    workers: int = 1
    root: str | None = None
    fields: tuple[str, ...] = ()

    @classmethod
    def of(cls, obj: str | Path | Any, *, batch_size: int, lines_to: str | Path | None, workers: int | None = None) -> ParquetSource:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InputError(say("arg.type", name="batch_size", expected=say("what.lines"), got=repr(batch_size)))
        if workers is not None and (not isinstance(workers, int) or workers < 1):
            raise InputError(say("arg.type", name="workers", expected=say("what.processes"), got=repr(workers)))
        dataset = open_dataset(obj)
        path = Path(obj) if isinstance(obj, str | Path) else None
        name = str(obj) if path is not None else "<pyarrow dataset>"
        root, fields = (str(path), tuple(_partition_fields(path))) if path is not None and path.is_dir() else (None, ())
        if workers is None:
            workers = auto_workers(dataset)
        if workers > 1 and root is None:
            workers = 1  # a pyarrow Dataset object or one file: read here
        return cls(dataset, name, batch_size, new_directory(lines_to) if lines_to is not None else None, workers, root, fields)

    def partial(self, s: Settings) -> Partial:
        """The merged partial result of every batch; partial sums merged every few batches so memory stays bounded."""
        from ._partial import merge

        files = list(self.dataset.files)
        if not files:
            raise InputError(say("ds.no_files", path=self.name))
        parts = self._parts(files, s, self.root) if self.workers > 1 and self.root is not None else [
            p for p in [_batches_partial(self.dataset, s, self.batch_size, self.lines_to, 0)] if p is not None]
        if not parts:
            raise InputError(say("ds.no_lines", name=self.name))
        return merge(parts) if len(parts) > 1 else parts[0]

    def _parts(self, files: list[str], s: Settings, root: str) -> list[Partial]:
        """The partial results of the files dealt to ``workers`` processes, this one's first (none for a share without lines)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        sizes = [os.path.getsize(f) for f in files]
        lines = _lines_of(self.dataset)
        # at most half a share more: every process asked for gets files
        head_start = min(sum(sizes) * HEAD_START_LINES // lines, sum(sizes) // (2 * self.workers)) if lines else 0
        shares = _shares_of(files, sizes, self.workers, head_start)
        if len(shares) == 1:
            whole = _files_partial(root, shares[0], list(self.fields), s, self.batch_size, self.lines_to, 0)
            return [whole] if whole is not None else []
        # the other shares in spawned processes (a fresh interpreter each: forking a process that runs Arrow's threads is not
        # safe), the first one here meanwhile
        with ProcessPoolExecutor(len(shares) - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_files_partial, root, share, list(self.fields), s, self.batch_size, self.lines_to, k * 10**6)
                       for k, share in enumerate(shares) if k]
            try:
                mine = _files_partial(root, shares[0], list(self.fields), s, self.batch_size, self.lines_to, 0)
                parts = [p for p in (mine, *(f.result() for f in futures)) if p is not None]
            except BrokenProcessPool:  # a spawned worker ran the user's unguarded script again and stopped
                raise InputError(say("ds.workers_broken", name=self.name, n=len(shares))) from None
            except BaseException:  # an error here: the workers' results are not wanted, stop them rather than wait
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.terminate()
                raise
        return parts


def _write_options() -> Any:
    """Parquet encodings that read back fast: text dictionary-encoded; source rows (numbers that mostly count up by one)
    delta-encoded; amounts plain (a dictionary of mostly distinct amounts is only given up, page by page).

    Measured on 2.7 M synthetic lines: 0.14 s of CPU to read every column instead of 0.21 s with Arrow's defaults, and
    10 M lines take 113 MB instead of 181 MB. Byte-stream-split amounts read faster still with Arrow, but slowed DuckDB
    down over the same files (3.9 s against 3.5 s at 10 M lines), so the benchmark's reference would have been handicapped.
    """
    import pyarrow.dataset as pads

    text = [c for c, kind in LEDGER_COLUMNS.items() if kind == "cat"]
    return pads.ParquetFileFormat().make_write_options(use_dictionary=text, column_encoding={"source_row": "DELTA_BINARY_PACKED"})


def _in_order() -> dict[str, bool]:
    """``write_dataset`` options that keep the lines in their order (Arrow's threads otherwise write them in any order,
    and the same ledger would give a different dataset, and unmapped lines listed in a different order, on each run)."""
    import inspect

    import pyarrow.dataset as pads

    if "preserve_order" in inspect.signature(pads.write_dataset).parameters:
        return {"preserve_order": True}
    return {"use_threads": False}  # pragma: no cover - older pyarrow


#: Lines from which a dataset is read by two processes by default (measured on two cores: 14 % faster at 10⁸ lines,
#: slower at 10⁷, where starting the second interpreter costs more than it gains).
AUTO_WORKERS_FROM = 40_000_000


def auto_workers(dataset: pads.Dataset) -> int:
    """The default number of processes: two for a dataset of :data:`AUTO_WORKERS_FROM` lines or more in two or more files
    on a machine with two or more cores, when a second process can start safely (:func:`_spawn_safe`), else one
    (memory: one batch each)."""
    files = list(dataset.files)
    if (os.cpu_count() or 1) < 2 or len(files) < 2 or not _spawn_safe():
        return 1
    lines = _lines_of(dataset)  # None: not Parquet fragments with footers, one process
    return 2 if lines is not None and lines >= AUTO_WORKERS_FROM else 1


def _spawn_safe() -> bool:
    """Whether a spawned worker can start without running the user's code again: a notebook or interactive session
    (no main file), or the ``lapsibudjetti`` command. A spawned process imports the main script; a script that calls
    :func:`child_budget` outside ``if __name__ == "__main__":`` would then start workers of its own and break the pool,
    so a plain script is read in one process unless it asks for ``workers``."""
    import sys

    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None)
    if file is None:
        return True
    spec = getattr(main, "__spec__", None)
    if spec is not None and str(getattr(spec, "name", "")).startswith("lapsibudjetti"):
        return True  # python -m lapsibudjetti
    return Path(file).stem.lower() in ("lapsibudjetti", "lapsibudjetti-script")  # the installed command


def new_directory(path: str | Path) -> Path:
    """A directory to write into: created, or existing and empty (never a user's files overwritten)."""
    p = Path(path)
    if p.exists() and (not p.is_dir() or any(p.iterdir())):
        raise InputError(say("ds.not_empty", path=p))
    p.mkdir(parents=True, exist_ok=True)
    return p


def write_dataset(
    ledgers: pd.DataFrame | str | Path | Iterable[pd.DataFrame | str | Path],
    directory: str | Path,
    *,
    partition_by: Sequence[str] = ("year",),
    check_codes: bool = True,
    reader: Callable[[Path], pd.DataFrame] | None = None,
    **read_options: Any,
) -> pd.DataFrame:
    """Write ledgers into a partitioned Parquet dataset, the fast start of a larger-than-memory child budget.

    Files are read one at a time with :func:`read_ledger` (so memory is
    bounded by the largest file), checked, and written with the canonical
    column types: text dictionary-encoded, years int64, amounts float64 in
    whole cents. :func:`child_budget` then reads the directory in batches.

    Parameters
    ----------
    ledgers
        A ledger DataFrame, a CSV/XLSX file, or a list of them; an iterator
        (e.g. a generator of frames) is consumed one item at a time.
    directory
        A new (or empty) directory; an existing one with files is refused.
    partition_by
        Hive partition columns, outermost first: ``year``, ``org_type``,
        ``org_code`` or ``phase`` (default ``("year",)``).
    check_codes, **read_options
        Passed to :func:`read_ledger` (e.g. ``defaults={...}``).
    reader
        Reads one file into a ledger instead of :func:`read_ledger`, e.g.
        :func:`read_statistics`.

    Returns
    -------
    DataFrame
        One row per input: ``input, lines, euros``, and a last row of totals.
        The same is written as ``_lapsibudjetti.json`` in the directory.

    Examples
    --------
    >>> import tempfile, lapsibudjetti as lb
    >>> led = lb.load_sample("real").ledgers["kta14"]     # Statistics Finland, 10 municipalities, 2015–2019
    >>> out = tempfile.mkdtemp() + "/ds"
    >>> written = lb.write_dataset(led, out, partition_by=("year", "org_code"))
    >>> written[["input", "lines", "euros"]].values.tolist()
    [['<frame 1>', 2550, 9309648000.0], ['total', 2550, 9309648000.0]]
    >>> cb = lb.child_budget(out, population_year="nearest")        # read in batches
    >>> whole = lb.child_budget(led, population_year="nearest")     # in memory
    >>> bool((cb.summary()["child_euros"] - whole.summary()["child_euros"]).abs().max() < 0.005)
    True
    """
    import pyarrow as pa
    import pyarrow.dataset as pads

    from ._steps import is_canonical
    from ._validate import validate_ledger
    from .read import read_ledger

    bad = [c for c in partition_by if c not in _PARTITION_COLUMNS]
    if bad:
        raise InputError(say("ds.bad_partition_by", columns=", ".join(bad), allowed=", ".join(_PARTITION_COLUMNS)))
    items = [ledgers] if isinstance(ledgers, pd.DataFrame | str | Path) else ledgers
    created = not Path(directory).exists()
    target = new_directory(directory)
    schema = _arrow_schema()
    rows: list[dict[str, Any]] = []
    try:
        for k, item in enumerate(items):
            if isinstance(item, pd.DataFrame):
                frame, name = (item if is_canonical(item) else validate_ledger(item, check_codes=check_codes)), f"<frame {k + 1}>"
            elif reader is not None:
                frame, name = reader(Path(item)), str(item)
            else:
                frame, name = read_ledger(item, check_codes=check_codes, **read_options), str(item)
            table = pa.Table.from_pandas(frame[list(LEDGER_COLUMNS)], preserve_index=False).cast(schema)
            pads.write_dataset(table, str(target), format="parquet", partitioning=_partitioning(partition_by) if partition_by else None,
                               basename_template=f"part-{k:05d}-{{i}}.parquet", existing_data_behavior="overwrite_or_ignore",
                               min_rows_per_group=1 << 17, max_rows_per_group=1 << 20, file_options=_write_options(), **_in_order())
            rows.append({"input": name, "lines": len(frame), "cents": int(amount_cents(frame["amount"]).sum())})
        if not rows:
            raise InputError(say("ds.nothing"))
    except BaseException:  # a file that does not read: no half-written dataset left (the directory was new or empty: all ours)
        for child in sorted(target.iterdir()):
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        if created:
            target.rmdir()
        raise
    total = {"input": "total", "lines": sum(int(r["lines"]) for r in rows), "cents": sum(int(r["cents"]) for r in rows)}
    out = pd.DataFrame([*rows, total])
    out["euros"] = out.pop("cents") / 100.0
    from ._steps import version

    (target / MARKER).write_text(json.dumps({"written_by": f"lapsibudjetti {version()}", "layout": LAYOUT, "partition_by": list(partition_by),
                                             "inputs": rows, "total": total}, ensure_ascii=False, indent=1), encoding="utf-8")
    return out
