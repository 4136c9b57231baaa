"""One result contract, whichever engine: in memory, a Parquet dataset read in batches, and a Dask frame (issue 15).

The summary, by(), reconciliation and unmapped tables must agree: cents
(input, classified, unmapped euros, euros by category) and line counts
exactly, child euros to the cent (floats added in another order differ in
their last bits only).
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lapsibudjetti as lb
from lapsibudjetti._errors import InputError

TASKS = ["Perusopetus", "Varhaiskasvatus", "Kirjastotoiminta", "Lukiokoulutus", "Lastensuojelun avohuoltopalvelut",
         "Lastensuojelun laitos- ja perhehoito", "Erikoissairaanhoito", "Vesihuolto", "Kotihoito",
         "Käyttötalous yhteensä"]  # the aggregate has no rule: unmapped
MUNIS = ["091", "564", "049", "005"]
PARTITIONS = [(), ("year",), ("year", "org_code"), ("phase",), ("org_code",)]


def ledger(rows: list[tuple[str, str, int, str, int]]) -> pd.DataFrame:
    return lb.make_ledger(
        {"org_code": [r[0] for r in rows], "task_class": [r[1] for r in rows], "year": [r[2] for r in rows],
         "phase": [r[3] for r in rows], "amount": [r[4] / 100 for r in rows]},
        org_type="municipality")


line = st.tuples(st.sampled_from(MUNIS), st.sampled_from(TASKS), st.sampled_from([2018, 2019]), st.sampled_from(["actual", "budget"]),
                 st.integers(min_value=-10**9, max_value=10**11))
ledgers = st.lists(line, min_size=1, max_size=80)


def _quiet_budget(data: object, **options: object) -> lb.ChildBudget:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tiny ledgers: plausibility warnings are expected
        return lb.child_budget(data, **options)  # type: ignore[arg-type]


def assert_same_tables(a: lb.ChildBudget, b: lb.ChildBudget) -> None:
    """Every table of the result contract equal: cents and counts exactly, child euros to the cent."""
    s1, s2 = a.summary(), b.summary()
    assert list(s1.columns) == list(s2.columns)
    floats = [c for c in s1.columns if s1[c].dtype.kind == "f" and c not in ("total_euros", "unmapped_euros", "children")]
    pd.testing.assert_frame_equal(s1.drop(columns=floats), s2.drop(columns=floats))
    np.testing.assert_allclose(s1[floats].to_numpy(dtype=float), s2[floats].to_numpy(dtype=float), rtol=1e-9, atol=0.005)
    for dim in ("category", "tier", "sector", "colour"):
        b1, b2 = a.by(dim), b.by(dim)
        pd.testing.assert_frame_equal(b1.drop(columns="child_euros"), b2.drop(columns="child_euros"))
        np.testing.assert_allclose(b1["child_euros"], b2["child_euros"], rtol=1e-9, atol=0.005)
    pd.testing.assert_frame_equal(a.reconciliation, b.reconciliation)
    u1, u2 = (x.unmapped.astype(object).sort_values(["source_file", "source_row"]).reset_index(drop=True) for x in (a, b))
    pd.testing.assert_frame_equal(u1, u2)
    assert int(lb._groups.line_counts(b.annotated).sum()) == len(a.annotated)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ledgers, cuts=st.lists(st.integers(0, 80), max_size=4), batch=st.integers(1, 40), partition=st.sampled_from(PARTITIONS),
       parts=st.integers(1, 6))
def test_same_cents_in_memory_in_batches_and_on_dask(rows: list, cuts: list[int], batch: int, partition: tuple[str, ...],
                                                     parts: int) -> None:
    import dask
    import dask.dataframe as dd

    led = ledger(rows)
    whole = _quiet_budget(led, population_year="nearest")  # ages by year are packaged for 2019 only
    # the input split into files at random places, written partitioned, read in batches of any size
    edges = sorted({0, len(led), *[c for c in cuts if c < len(led)]})
    pieces = [led.iloc[i:j] for i, j in zip(edges, edges[1:]) if j > i]
    with tempfile.TemporaryDirectory() as tmp:
        written = lb.write_dataset(pieces, Path(tmp) / "ds", partition_by=partition)
        assert int(written["lines"].iloc[-1]) == len(led)
        streamed = _quiet_budget(Path(tmp) / "ds", batch_size=batch, population_year="nearest")
    assert_same_tables(whole, streamed)
    with dask.config.set(scheduler="synchronous"):
        on_dask = _quiet_budget(dd.from_pandas(led, npartitions=parts, sort=False), population_year="nearest")
    assert_same_tables(whole, on_dask)


def test_dask_on_a_local_cluster_gives_the_sample_to_the_cent() -> None:
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed: the Dask path is NOT tested")
    import dask.dataframe as dd

    sample = lb.load_sample("synthetic")
    options = {"population": sample.population, "keys": sample.keys, "registry": sample.registry,
               "measure": "net cost (expenses − revenue)"}
    whole = pd.concat([d.astype(object) for d in sample.ledgers.values()], ignore_index=True)  # plain text: validated per partition
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        on_cluster = lb.child_budget(dd.from_pandas(whole, npartitions=5, sort=False), **options)
    assert_same_tables(sample.child_budget(), on_cluster)
    assert on_cluster.options["lines"].startswith("summed")


@pytest.fixture(scope="module")
def sample_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[lb.ChildBudget, Path, dict]:
    sample = lb.load_sample("real")
    target = tmp_path_factory.mktemp("dataset") / "kta14"
    lb.write_dataset(list(sample.ledgers.values()), target, partition_by=("year", "org_code"))
    return sample.child_budget(), target, {"population_year": sample.population_year}


def test_real_sample_streamed_equals_in_memory_and_keeps_the_leading_zero(sample_dataset: tuple) -> None:
    whole, target, options = sample_dataset
    assert (target / "year=2019" / "org_code=092").is_dir()  # Vantaa's code as text, never the number 92
    streamed = lb.child_budget(target, batch_size=97, measure=whole.measure, **options)
    assert_same_tables(whole, streamed)
    assert sorted(set(streamed.summary()["org_code"])) == sorted(set(whole.summary()["org_code"]))
    marker = json.loads((target / "_lapsibudjetti.json").read_text(encoding="utf-8"))
    assert marker["partition_by"] == ["year", "org_code"] and sum(i["lines"] for i in marker["inputs"]) == len(whole.annotated)


def test_streamed_sensitivity_reads_the_dataset_again(sample_dataset: tuple) -> None:
    whole, target, options = sample_dataset
    streamed = lb.child_budget(target, measure=whole.measure, **options)
    a, b = whole.sensitivity(), streamed.sensitivity()
    np.testing.assert_allclose(a["child_euros"], b["child_euros"], atol=0.005, rtol=1e-9)


def test_lines_to_writes_every_annotated_line(sample_dataset: tuple, tmp_path: Path) -> None:
    whole, target, options = sample_dataset
    lb.child_budget(target, batch_size=500, lines_to=tmp_path / "lines", **options)
    lines = pd.read_parquet(tmp_path / "lines")
    assert len(lines) == len(whole.annotated)
    assert round(lines["child_euros"].sum(), 2) == round(whole.annotated["child_euros"].sum(), 2)
    with pytest.raises(InputError, match="eikä ole tyhjä kansio"):
        lb.child_budget(target, lines_to=tmp_path / "lines", **options)


def test_line_by_line_comparisons_refuse_summed_results(sample_dataset: tuple) -> None:
    _whole, target, options = sample_dataset
    streamed = lb.child_budget(target, **options)
    with pytest.raises(InputError, match="summattuja rivejä"):
        streamed.compare_rules(lb.default_rules("population_keys"))
    with pytest.raises(InputError, match="summattuja rivejä"):
        streamed.scenario(pd.DataFrame())


def test_a_parquet_file_of_plain_text_is_checked_and_named(tmp_path: Path) -> None:
    frame = pd.DataFrame({"org_type": ["municipality", "municipality"], "org_code": ["091", "091"], "year": [2019, 2019],
                          "phase": ["actual", "actual"], "task_class": ["Perusopetus", "Vesihuolto"], "amount": [100.0, 0.5]})
    path = tmp_path / "plain.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    cb = _quiet_budget(path)
    assert cb.summary()["child_euros"].tolist() == [100.0]
    frame.loc[1, "org_code"] = "9999"  # not a municipality
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    with pytest.raises(InputError) as err:
        _quiet_budget(path)
    assert "plain.parquet" in str(err.value) and "9999" in str(err.value)


def test_what_is_not_a_dataset_is_refused_with_the_way_forward(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="read_ledger"):
        lb.child_budget(str(tmp_path / "ledger.csv"))
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    led = ledger([("091", "Perusopetus", 2019, "actual", 100)])
    with pytest.raises(InputError, match="eikä ole tyhjä kansio"):
        lb.write_dataset(led, tmp_path)
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"
    odd = tmp_path / "odd" / "region=1"
    odd.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(led.astype({c: object for c in led.columns if led[c].dtype == "category"}),
                                        preserve_index=False), odd / "a.parquet")
    with pytest.raises(InputError, match="jaettu kansioihin sarakkeiden region mukaan"):
        lb.child_budget(tmp_path / "odd")
    with pytest.raises(InputError, match="ei voi olla jakoperuste"):
        lb.write_dataset(led, tmp_path / "new", partition_by=("account",))
    with pytest.raises(InputError, match="batch_size"):
        lb.child_budget(tmp_path / "odd", batch_size=0)


def test_an_iterator_of_frames_is_written_one_at_a_time(tmp_path: Path) -> None:
    led = ledger([("091", "Perusopetus", 2019, "actual", 100), ("564", "Vesihuolto", 2018, "budget", 250)])
    written = lb.write_dataset((led.iloc[[i]] for i in range(2)), tmp_path / "ds", partition_by=("year", "phase"))
    assert written["lines"].tolist() == [1, 1, 2] and written["euros"].tolist() == [1.0, 2.5, 3.5]
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["_lapsibudjetti.json", "year=2018", "year=2019"]
    with pytest.raises(InputError, match="ei kirjoitettavia kirjanpitoja"):
        lb.write_dataset(iter([]), tmp_path / "empty")
    assert not (tmp_path / "empty").exists()  # nothing left behind


def test_two_worker_processes_and_a_dask_result_computed_again(sample_dataset: tuple, tmp_path: Path) -> None:
    import dask
    import dask.dataframe as dd

    whole, target, options = sample_dataset  # 50 files, one per year and municipality
    in_two = lb.child_budget(target, batch_size=300, workers=2, lines_to=tmp_path / "lines", measure=whole.measure, **options)
    assert_same_tables(whole, in_two)
    written = sorted(p.name for p in (tmp_path / "lines").iterdir())
    assert written[0].startswith("lines-000000") and "lines-1000000.parquet" in written  # each worker its own files
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "lines").iterdir()}
    in_two.sensitivity()  # reads the dataset again, and leaves the written lines alone
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "lines").iterdir()} == before
    with dask.config.set(scheduler="synchronous"):
        frame = dd.from_pandas(pd.concat(list(lb.load_sample("real").ledgers.values())), npartitions=3, sort=False)
        on_dask = lb.child_budget(frame, measure=whole.measure, **options)
        a, b = whole.sensitivity(), on_dask.sensitivity()
    np.testing.assert_allclose(a["child_euros"], b["child_euros"], atol=0.005, rtol=1e-9)
    with pytest.raises(InputError, match="workers"):
        lb.child_budget(target, workers=0)


def test_every_input_cent_is_counted_once_in_the_partial_sums(sample_dataset: tuple) -> None:
    whole, target, options = sample_dataset
    streamed = lb.child_budget(target, batch_size=123, **options)
    led = pd.concat(list(lb.load_sample("real").ledgers.values()))
    total = int(np.rint(led["amount"].to_numpy() * 100).sum())
    rec = streamed.reconciliation
    assert round(rec["input_euros"].sum() * 100) == total == round((rec["classified_euros"].sum() + rec["unmapped_euros"].sum()) * 100)


def test_read_ahead_keeps_order_raises_the_readers_error_and_stops_when_the_caller_does() -> None:
    import threading

    from lapsibudjetti._dataset import _ahead

    assert list(_ahead(iter(range(50)))) == list(range(50))

    def broken():
        yield 1
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in _ahead(broken()):
            got.append(item)
    assert got == [1]

    produced = []

    def endless():
        k = 0
        while True:
            produced.append(k)
            yield k
            k += 1

    for item in _ahead(endless()):
        if item == 3:
            break
    # the caller stopped: the reading thread ends too, having read at most two items more
    assert not any(t.name == "lapsibudjetti-read-ahead" and t.is_alive() for t in threading.enumerate())
    assert len(produced) <= 6


def test_the_same_ledger_gives_the_same_dataset_line_for_line(tmp_path: Path) -> None:
    """Arrow's writer threads would put lines in any order: the unmapped lines' list changed from run to run."""
    import pyarrow.dataset as pads

    rng = np.random.default_rng(7)
    n = 400_000  # enough lines for Arrow to split the work between threads
    led = lb.make_ledger({"org_code": rng.choice(MUNIS, n), "task_class": rng.choice(TASKS, n), "year": rng.choice([2018, 2019], n),
                          "phase": "actual", "amount": rng.integers(-10**6, 10**8, n) / 100}, org_type="municipality")
    tables = []
    for k in range(2):
        lb.write_dataset(led, tmp_path / f"d{k}", partition_by=("year",), check_codes=False)
        ds = pads.dataset(str(tmp_path / f"d{k}"), format="parquet", partitioning="hive")
        tables.append(ds.to_table(columns=["org_code", "service_class", "amount", "source_row"]).to_pandas())
    assert tables[0]["amount"].tolist() == tables[1]["amount"].tolist()
    assert tables[0]["source_row"].tolist() == tables[1]["source_row"].tolist()


def test_two_processes_by_default_only_for_large_datasets(sample_dataset: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    from lapsibudjetti import _dataset

    _whole, target, _options = sample_dataset  # 2 550 lines in 50 files
    dataset = _dataset.open_dataset(target)
    assert _dataset.auto_workers(dataset) == 1
    monkeypatch.setattr(_dataset, "AUTO_WORKERS_FROM", 2_000)
    monkeypatch.setattr(_dataset.os, "cpu_count", lambda: 2)
    assert not _dataset._spawn_safe()  # pytest's main is a file: a plain script is read in one process
    assert _dataset.auto_workers(dataset) == 1
    monkeypatch.setattr(_dataset, "_spawn_safe", lambda: True)  # a notebook or the lapsibudjetti command
    assert _dataset.auto_workers(dataset) == 2
    monkeypatch.setattr(_dataset.os, "cpu_count", lambda: 1)
    assert _dataset.auto_workers(dataset) == 1
    assert _dataset.ParquetSource.of(target, batch_size=100, lines_to=None).workers == 1


def test_an_unguarded_script_asking_for_workers_is_told_how_to_fix_it(sample_dataset: tuple, tmp_path: Path) -> None:
    """A spawned worker runs the main script again: without the __main__ guard the pool broke with BrokenProcessPool."""
    import subprocess
    import sys

    _whole, target, _options = sample_dataset
    script = tmp_path / "unguarded.py"
    script.write_text("import warnings, lapsibudjetti as lb\nwarnings.simplefilter('ignore')\n"
                      f"lb.set_lang('en')\nlb.child_budget({str(target)!r}, population_year='nearest', workers=2)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr and "workers=1" in done.stderr
    assert "BrokenProcessPool" not in done.stderr.splitlines()[-1]


def test_the_calling_process_takes_the_first_share_with_a_head_start() -> None:
    from lapsibudjetti._dataset import _shares_of

    files, sizes = [f"f{k}" for k in range(6)], [10] * 6
    assert _shares_of(files, sizes, 2) == [["f0", "f2", "f4"], ["f1", "f3", "f5"]]
    mine, theirs = _shares_of(files, sizes, 2, head_start=20)  # the caller starts while the worker's interpreter does
    assert len(mine) == 4 and len(theirs) == 2 and sorted(mine + theirs) == files


def test_an_error_in_the_callers_share_stops_the_worker_and_names_the_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"org_type": ["municipality"] * 2, "org_code": ["091", "9999"], "year": [2019, 2019],
                          "phase": ["actual", "actual"], "task_class": ["Perusopetus", "Vesihuolto"], "amount": [100.0, 0.5]})
    for k in range(4):  # plain-text files: checked as read, each with a code that is no municipality
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / f"part-{k}.parquet")
    with pytest.raises(InputError) as err:
        _quiet_budget(tmp_path, workers=2)
    assert "part-" in str(err.value) and "9999" in str(err.value)


def test_datasets_are_written_with_encodings_that_read_fast(tmp_path: Path) -> None:
    led = lb.load_sample("real").ledgers["kta14"]
    lb.write_dataset(led, tmp_path / "ds")
    meta = pq.ParquetFile(next((tmp_path / "ds").rglob("*.parquet"))).metadata.row_group(0)
    encodings = {meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)}
    assert "DELTA_BINARY_PACKED" in encodings["source_row"] and not any("DICTIONARY" in e for e in encodings["amount"])
    assert "RLE_DICTIONARY" in encodings["org_code"]
    back = pd.read_parquet(tmp_path / "ds")
    assert np.array_equal(np.sort(back["amount"].to_numpy()), np.sort(led["amount"].to_numpy()))  # exactly, to the bit
