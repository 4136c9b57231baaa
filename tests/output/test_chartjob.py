"""Issue 11: the report's charts drawn in a helper process are the same files as drawn in the report's own process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import lapsibudjetti as lb
from lapsibudjetti.output._chartjob import ChartJob


@pytest.fixture(scope="module")
def sample() -> lb.ChildBudget:
    return lb.load_sample("synthetic").child_budget()


def _drawn(job: ChartJob, folder: Path, cb: lb.ChildBudget) -> dict[str, bytes]:
    folder.mkdir()
    job.start(folder, cb, None, "sv", None)
    files, notes = job.files()
    job.close()
    assert all(isinstance(n, str) for n in notes)
    return {p.name: p.read_bytes() for p in files}


def test_the_helper_draws_the_same_files_as_the_report_itself(sample: lb.ChildBudget, tmp_path: Path) -> None:
    helper = ChartJob(parallel=True)
    if helper.proc is None:
        pytest.skip("SKIPPED LOUDLY: one core or no second Python process here, so the helper is not used")
    there = _drawn(helper, tmp_path / "helper", sample)
    here = _drawn(ChartJob(parallel=False), tmp_path / "here", sample)
    assert len(there) == 10 and there.keys() == here.keys()
    assert there == here  # byte for byte: PNG and SVG


def test_a_helper_that_cannot_start_leaves_the_drawing_to_the_report(sample: lb.ChildBudget, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    job = ChartJob(parallel=True)
    assert job.proc is None
    assert len(_drawn(job, tmp_path / "x", sample)) == 10


def test_an_error_while_drawing_reaches_the_caller(tmp_path: Path) -> None:
    job = ChartJob(parallel=True)
    (tmp_path / "s").mkdir()
    job.start(tmp_path / "s", "not a result", None, "fi", None)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        job.files()
    job.close()
