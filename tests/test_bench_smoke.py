"""Keeps the pipeline benchmark from rotting: its ledger builder, rules and DuckDB reference on 2 000 lines.

Speed is measured in ``benchmarks/`` (``python benchmarks/bench_pipeline.py``),
never here; this only checks that the benchmark's pieces still fit the
library and that the SQL reference still computes the same child budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lapsibudjetti as lb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic  # noqa: E402

N = 2_000


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return synthetic.build_ledger(N)


@pytest.fixture(scope="module")
def budget(ledger: pd.DataFrame) -> lb.ChildBudget:
    return lb.child_budget(ledger, rules=synthetic.build_rules(), population=synthetic.population_object())


def test_ledger_is_canonical_and_reproducible(ledger: pd.DataFrame) -> None:
    assert list(ledger.columns) == list(lb.LEDGER_COLUMNS)
    again = lb.validate_ledger(ledger, check_codes=False)  # the builder's frame passes the library's own checks
    assert again["amount"].equals(ledger["amount"])
    pd.testing.assert_frame_equal(synthetic.build_ledger(N), ledger)
    # amounts are whole cents: back from integer cents to the same floats
    cents = np.rint(ledger["amount"].to_numpy() * 100).astype("int64")
    assert np.array_equal(cents / 100.0, ledger["amount"].to_numpy())
    assert set(ledger["year"]) <= set(synthetic.YEARS)


def test_library_reconciles_and_uses_every_colour(budget: lb.ChildBudget, ledger: pd.DataFrame) -> None:
    rec = budget.reconciliation
    assert rec["ok"].all()
    assert rec["input_euros"].sum() == pytest.approx(ledger["amount"].sum(), abs=0.005)
    assert set(budget.lines["colour"]) == {"green", "yellow", "red"}
    assert budget.lines["rule_id"].str.startswith("acc-").any()  # the account layer is exercised
    # the 1xxx classes of 2014-2016 have no rule in the benchmark set: reported, not dropped
    unmapped = budget.unmapped
    assert (unmapped["service_class"].astype(str).str.startswith("1") & (unmapped["year"] < 2017)).all()


def test_duckdb_reference_gives_the_same_budget(budget: lb.ChildBudget, ledger: pd.DataFrame) -> None:
    pytest.importorskip("duckdb", reason="duckdb is a benchmark-only dependency (extra 'bench')")
    import duckdb_reference as ddb

    ref = ddb.DuckDBReference(synthetic.build_rules(), synthetic.build_population(), threads=1)
    got = ref.run(ledger)
    diff = ddb.compare(ddb.library_tables(budget), got)
    assert diff["cent_mismatches"] == 0
    assert diff["max_abs_child_euros"] < 1e-6
    assert diff["max_rel"] < 1e-9
    assert got["summary"]["total_euros"].sum() == pytest.approx(ledger["amount"].sum(), abs=0.005)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_csv_benchmark_reads_back_the_ledger(tmp_path: Path, encoding: str) -> None:
    """The CSV reading benchmark's Finnish export reads back to the same ledger (no timing checked)."""
    import bench_pipeline

    result = bench_pipeline.bench_csv(N, repeats=1, workdir=tmp_path, rounds=1, spawn_readers=False, encoding=encoding)
    assert result["read_back_identical"] is True and result["encoding"] == encoding
    assert result["read_ledger_seconds"] > 0 and result["pyarrow_seconds"] > 0
    assert not list(tmp_path.iterdir())  # the file is removed


def test_the_report_benchmarks_reference_writer_still_fits_the_library(budget: lb.ChildBudget, tmp_path: Path) -> None:
    """``bench_report.py``'s openpyxl reference writes the library's own tables, read back the same (it had rotted once)."""
    import bench_report
    from openpyxl import load_workbook

    from lapsibudjetti.output._collect import export_tables

    tables = {k: v for k, v in export_tables(budget, lang="fi").items() if k in ("summary", "by_tier")}
    bench_report._openpyxl_workbook(tables, tmp_path / "y.xlsx", "fi")
    wb = load_workbook(tmp_path / "y.xlsx", read_only=True)
    sheet = [row for row in wb["s0"].iter_rows(values_only=True)]
    assert len(sheet) == len(tables["summary"]) + 1 and sheet[0][0] == "Organisaatiotyyppi"
    wb.close()
