"""Issue 14, class 6: the report folder. Other files stay byte-identical; an interrupted report leaves no partial file."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import lapsibudjetti as lb
from lapsibudjetti.output._report import MANIFEST_NAME

REPO = Path(__file__).resolve().parents[2]


def _budget() -> lb.ChildBudget:
    led = lb.make_ledger({"org_code": ["564"] * 2, "year": [2018, 2019], "task_class": ["Perusopetus"] * 2,
                          "amount": [100.0, 120.0]}, org_type="municipality", phase="actual")
    return lb.child_budget(led)


def test_other_files_in_the_folder_stay_byte_identical(tmp_path: Path) -> None:
    out = tmp_path / "report"
    (out / "tables").mkdir(parents=True)
    theirs = {out / "muistio.docx": b"\x50\x4b\x03\x04 a document", out / "summary.csv": b"not ours",
              out / "tables" / "omat.parquet": b"PAR1 someone else's"}
    for path, data in theirs.items():
        path.write_bytes(data)
    with pytest.raises(lb.InputError, match="tables/omat.parquet"):
        lb.report(_budget(), out, charts=False)
    written = lb.report(_budget(), out, charts=False, force=True)
    assert all(path.read_bytes() == data for path, data in theirs.items())
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert "tables/omat.parquet" not in manifest["files"] and "lapsibudjetti.xlsx" in manifest["files"]
    again = lb.report(_budget(), out, charts=False, force=True)  # while their files are in its folders, again with force
    assert again.removed == [] and all(path.read_bytes() == data for path, data in theirs.items())
    assert {p.name for p in written.tables} == {p.name for p in again.tables}


def test_a_workbook_not_written_by_a_report_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "lapsibudjetti.xlsx").write_bytes(b"my edited workbook")
    with pytest.raises(lb.InputError, match="lapsibudjetti.xlsx"):
        lb.report(_budget(), tmp_path, charts=False)
    assert (tmp_path / "lapsibudjetti.xlsx").read_bytes() == b"my edited workbook"


def _whole(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    if path.suffix == ".parquet":
        return data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    if path.suffix == ".png":
        return data.endswith(b"IEND\xaeB`\x82")
    if path.suffix == ".svg":
        return data.rstrip().endswith(b"</svg>")
    if path.suffix == ".json":
        json.loads(data)
        return True
    return data.endswith(b"\n")  # csv


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_a_sigterm_storm_never_leaves_a_partial_file(tmp_path: Path) -> None:
    """SIGTERM at a random moment of the report, again and again (LB_SIGTERM_TRIES, default 4; 20 by hand)."""
    tries = int(os.environ.get("LB_SIGTERM_TRIES", "4"))
    rng = random.Random(14)
    out = tmp_path / "report"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    codes = []
    for _ in range(tries):
        proc = subprocess.Popen([sys.executable, "-m", "lapsibudjetti", "report", "--out", str(out)], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(1.0, 8.0))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        codes.append(proc.returncode)
        if proc.returncode == 143:
            assert "keskeytetty".encode() in err  # the CLI speaks Finnish by default
        # 143: the CLI's own SIGTERM exit; -15: killed while Python was still starting, before anything was written
        assert proc.returncode in (0, 143, -signal.SIGTERM), err.decode(errors="replace")[-500:]
        if out.exists():
            files = [p for p in out.rglob("*") if p.is_file()]
            assert [p.name for p in files if p.name.endswith(".part")] == []
            broken = [str(p.relative_to(out)) for p in files if not _whole(p)]
            assert broken == []
    assert 143 in codes  # the storm did hit a running report
