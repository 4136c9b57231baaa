"""The documentation runs and cannot go stale.

- Every ```python block of README.md and docs/user-guide.md runs, in order,
  in one namespace per document, in a temporary folder. A block with ``>>>``
  prompts is a doctest: its shown output must be what the code prints. A
  block is skipped only when the line before it is ``<!-- no-test -->``.
- The command-line help shown in the user guide is the real ``--help``.
- The tables of header aliases, value synonyms and rule columns in the user
  guide list exactly what the packaged data and code say.
- docs/api.md is what scripts/make_api_docs.py makes from the docstrings.
- Links between the documents point to files that exist.
"""

from __future__ import annotations

import doctest
import importlib.util
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import lapsibudjetti as lb
from lapsibudjetti import cli
from lapsibudjetti._rules import RULE_COLUMNS
from lapsibudjetti.reference._labels import LANGS, text

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "user-guide.md"
DOCUMENTS = [REPO / "README.md", GUIDE, REPO / "docs" / "larger-than-memory.md"]
NO_TEST = "<!-- no-test -->"


@dataclass(frozen=True)
class Block:
    document: str
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    marker: str  # the HTML comment on the line before, if any


def blocks(path: Path) -> list[Block]:
    """Fenced code blocks of a Markdown file with the comment line before each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, language, indent = i, m.group(2), m.group(1)
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        if j == len(lines):
            raise AssertionError(f"{path.name}:{start + 1}: a code fence is never closed")
        code = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in lines[start + 1 : j])
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        marker = lines[k].strip() if k >= 0 and lines[k].strip().startswith("<!--") else ""
        out.append(Block(path.name, start + 1, language, code + "\n", marker))
        i = j + 1
    return out


def _run_python(block: Block, namespace: dict[str, object]) -> None:
    if ">>>" in block.code:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(block.code, namespace, f"{block.document}:{block.line}", block.document, block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        report = io.StringIO()
        runner.run(test, out=report.write, clear_globs=False)
        namespace.update(test.globs)
        assert runner.failures == 0, f"{block.document} line {block.line}: the shown output is not what the code gives:\n{report.getvalue()}"
    else:
        exec(compile(block.code, f"{block.document}:{block.line}", "exec"), namespace)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_python_examples_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    python = [b for b in blocks(path) if b.language == "python"]
    assert python, f"{path.name} has no python examples"
    skipped = [b for b in python if b.marker == NO_TEST]
    assert len(skipped) <= 2, f"{path.name}: use {NO_TEST} sparingly ({len(skipped)} blocks skipped)"
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem.replace('-', '_')}"}
    pd.options.display.width = 200
    try:
        for block in python:
            if block.marker == NO_TEST:
                continue
            _run_python(block, namespace)
    finally:
        plt.close("all")
        pd.reset_option("display.width")


def _help(command: str | None, capsys: pytest.CaptureFixture[str]) -> str:
    argv = ([command] if command else []) + ["--help"]
    assert cli.main(argv) == 0
    return capsys.readouterr().out


def test_cli_help_in_the_guide_is_the_real_help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    shown = [b for b in blocks(GUIDE) if b.marker.startswith("<!-- cli-help")]
    commands = [re.match(r"<!-- cli-help:?\s*(\S*)\s*-->", b.marker).group(1) for b in shown]  # type: ignore[union-attr]
    assert sorted(commands) == sorted(["", "report", "validate", "rules", "scenario", "convert"]), "the guide shows the help of the command and each subcommand"
    for command, block in zip(commands, shown):
        real = _help(command or None, capsys)
        # wrapping depends on the Python version's argparse: compare the words
        assert block.code.split() == real.split(), (
            f"user-guide.md line {block.line}: the help of 'lapsibudjetti {command}' changed; "
            f"run python scripts/make_api_docs.py to paste it in:\n{real}"
        )


def _marked_table(name: str) -> list[list[str]]:
    text = GUIDE.read_text(encoding="utf-8")
    m = re.search(rf"<!-- begin: {name} -->\n(.*?)<!-- end: {name} -->", text, re.DOTALL)
    assert m, f"user-guide.md has no table marked {name}"
    rows = [line for line in m.group(1).splitlines() if line.startswith("|") and not re.match(r"^\|[-| :]+\|$", line)]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def _codes(cell: str) -> list[str]:
    return re.findall(r"`([^`]*)`", cell)


def test_header_aliases_in_the_guide_are_the_packaged_ones() -> None:
    packaged = pd.read_csv(REPO / "lapsibudjetti" / "data" / "headers.csv", dtype=str, keep_default_na=False)
    shown = {(_codes(row[0]) or [row[0]])[0]: _codes(row[1]) for row in _marked_table("headers")}
    expected = packaged.groupby("canonical", sort=False)["alias"].apply(list).to_dict()
    assert {k: sorted(v) for k, v in shown.items()} == {k: sorted(v) for k, v in expected.items()}


def test_value_synonyms_in_the_guide_are_the_packaged_ones() -> None:
    packaged = pd.read_csv(REPO / "lapsibudjetti" / "data" / "values.csv", dtype=str, keep_default_na=False)
    shown = {(row[0].strip("`"), row[1].strip("`")): sorted(_codes(row[2])) for row in _marked_table("values")}
    expected = {k: sorted(g["alias"]) for k, g in packaged.groupby(["column", "canonical"], sort=False)}
    assert shown == expected


def test_every_rules_column_is_explained_in_order() -> None:
    shown = [_codes(row[0])[0] for row in _marked_table("rule-columns")]
    assert shown == list(RULE_COLUMNS)
    for col in RULE_COLUMNS:
        for lang in LANGS:  # the workbook's headings and help (an unknown label key comes back as the key itself)
            assert text(f"rulecol.{col}", lang) != f"rulecol.{col}" and text(f"rulehelp.{col}", lang) != f"rulehelp.{col}"
            assert len(text(f"rulehelp.{col}", lang)) <= 255, (col, lang)  # Excel's limit for a cell's help message


def test_api_reference_is_generated_from_the_docstrings() -> None:
    spec = importlib.util.spec_from_file_location("make_api_docs", REPO / "scripts" / "make_api_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    committed = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/api.md is stale: run python scripts/make_api_docs.py"
    for name in lb.__all__:
        assert f"### `{name}`" in committed


@pytest.mark.parametrize("path", [GUIDE, REPO / "docs" / "api.md", REPO / "notebooks" / "README.md"], ids=lambda p: p.name)
def test_links_point_to_files_that_exist(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"^[a-z]+://", target) or target.startswith("mailto:"):
            continue
        if not (path.parent / target).exists():
            broken.append(target)
    assert not broken, f"{path.name} links to missing files: {broken}"


def test_the_guide_names_only_real_public_functions() -> None:
    """``lb.name`` in the guide's prose and code is something the package exports."""
    text = GUIDE.read_text(encoding="utf-8")
    used = set(re.findall(r"\blb\.([A-Za-z_][A-Za-z0-9_]*)", text))
    unknown = sorted(n for n in used if not hasattr(lb, n))
    assert not unknown, f"user-guide.md uses lb.{', lb.'.join(unknown)}, which lapsibudjetti does not export"


def test_block_parser_sees_markers(tmp_path: Path) -> None:
    probe = tmp_path / "probe.md"
    probe.write_text("intro\n\n<!-- no-test -->\n```python\nraise SystemExit\n```\n\n```python\nx = 1\n```\n", encoding="utf-8")
    assert [(b.line, b.marker, b.code) for b in blocks(probe)] == [(4, NO_TEST, "raise SystemExit\n"), (8, "", "x = 1\n")]
