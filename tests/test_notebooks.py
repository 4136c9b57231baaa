"""The workshop notebooks run top to bottom and stay what their generator makes.

Each notebook is executed with nbclient in a fresh ``python3`` kernel whose
working folder is a temporary copy of ``notebooks/``, as a participant would
run it: any error fails the test, and afterwards the folder may hold nothing
new except the ``tulokset/`` (results) folder the notebook made.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import lapsibudjetti

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "notebooks"
NOTEBOOKS = sorted(p.name for p in FOLDER.glob("*.ipynb"))


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_notebooks", REPO / "scripts" / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_notebooks"] = module
    spec.loader.exec_module(module)
    return module


def test_every_notebook_has_a_twin_and_is_what_the_script_makes() -> None:
    expected = _generator().all_notebooks()
    assert sorted(expected) == NOTEBOOKS, "notebooks/ and scripts/make_notebooks.py disagree; run the script"
    for name, text in expected.items():
        assert (FOLDER / name).read_text(encoding="utf-8") == text, f"{name} differs from scripts/make_notebooks.py; run it"
    assert len(NOTEBOOKS) == 15  # five notebooks in Finnish, English and Swedish


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs(name: str) -> None:
    nb = nbformat.read(FOLDER / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: commit the notebook without outputs"


def test_twins_run_the_same_code() -> None:
    """The Finnish, English and Swedish versions differ only in text: same cells, same calls."""
    gen = _generator()
    for nb in gen.NOTEBOOKS:
        fi, en, sv = gen.build(nb, "fi"), gen.build(nb, "en"), gen.build(nb, "sv")
        assert [c.cell_type for c in fi.cells] == [c.cell_type for c in en.cells] == [c.cell_type for c in sv.cells]
        for a, b, c in zip(fi.cells, en.cells, sv.cells):
            if a.cell_type == "code":
                assert len(a.source.splitlines()) == len(b.source.splitlines()) == len(c.source.splitlines())
            assert "⟪" not in a.source + b.source + c.source  # every pick resolved


def test_no_notebook_sets_its_own_number_format() -> None:
    """Numbers are shown by the library's formatter per language (lb.styled, .table()), never a float_format lambda."""
    for name in NOTEBOOKS:
        assert "float_format" not in (FOLDER / name).read_text(encoding="utf-8"), name


def _run(name: str, root: Path) -> tuple[nbformat.NotebookNode, set[Path], set[Path], float, BaseException | None]:
    """Execute one notebook in its own copy of notebooks/ under ``root``: the notebook, files before and after, seconds, error."""
    work = root / name.replace(".ipynb", "") / "notebooks"
    shutil.copytree(FOLDER, work)
    before = {p.relative_to(work) for p in work.rglob("*")}
    nb = nbformat.read(work / name, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(work)}})
    start = time.perf_counter()
    error: BaseException | None = None
    try:
        client.execute()  # raises CellExecutionError naming the cell on any error
    except Exception as exc:  # reported by the test of this notebook
        error = exc
    seconds = time.perf_counter() - start
    return nb, before, {p.relative_to(work) for p in work.rglob("*")}, seconds, error


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:  # type: ignore[type-arg]
    """Every notebook executed once, two kernels at a time (each kernel is its own process, so they run side by side)."""
    from concurrent.futures import ThreadPoolExecutor

    root = tmp_path_factory.mktemp("notebooks")
    # the kernels import the same lapsibudjetti as this test (a checkout or the installed package)
    package_root = str(Path(lapsibudjetti.__file__).resolve().parents[1])
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "MPLBACKEND")}
    os.environ["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [saved["PYTHONPATH"]])])
    os.environ.pop("MPLBACKEND", None)  # the kernel's own inline backend, as in Jupyter
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {name: pool.submit(_run, name, root) for name in NOTEBOOKS}
            return {name: f.result() for name, f in futures.items()}
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.notebook
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(name: str, executed: dict[str, tuple]) -> None:  # type: ignore[type-arg]
    nb, before, after, seconds, error = executed[name]
    print(f"{name}: {seconds:.1f} s")
    if error is not None:
        raise error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "every code cell ran"
    stray = sorted(str(p) for p in after - before if p.parts[0] != "tulokset")
    assert not stray, f"{name} wrote outside tulokset/: {stray}"
    assert seconds < 120, f"{name} took {seconds:.0f} s; a workshop notebook should run in well under a minute"
