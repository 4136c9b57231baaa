"""The package's layout: no import cycles, every public name importable, modules of a readable size."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import lapsibudjetti as lb

PACKAGE = Path(lb.__file__).resolve().parent
#: The byte-level kernels may be long; they live in their own file with their own tests.
MAX_MODULE_LINES = 800


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of import nodes under ``if TYPE_CHECKING:`` (not imported at run time)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    return skip


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports at run time (top level and inside functions)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(tree):
            if id(node) in skip or not isinstance(node, ast.ImportFrom | ast.Import):
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif node.level:
                base = package[: len(package) - (node.level - 1)]
                stem = ".".join(base + (node.module.split(".") if node.module else []))
                targets = [stem] + [f"{stem}.{a.name}" for a in node.names]
            else:
                stem = node.module or ""
                targets = [stem] + [f"{stem}.{a.name}" for a in node.names]
            for t in targets:
                # importing a.b.c runs a/__init__, a/b/__init__ and a/b/c
                parts = t.split(".")
                for k in range(1, len(parts) + 1):
                    dep = ".".join(parts[:k])
                    # a module's own packages are already being imported when it runs
                    if dep in modules and dep != name and not name.startswith(dep + "."):
                        graph[name].add(dep)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                found.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return found


def test_no_import_cycles() -> None:
    """A module never imports (even inside a function) a module that imports it back."""
    graph = import_graph()
    assert len(graph) > 40
    # the graph sees imports inside functions too: the old _budget -> _measure -> _budget would show here
    assert "lapsibudjetti.measure._summary" in graph["lapsibudjetti._budget"]
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_stages_import_only_downward() -> None:
    """Reference data and reading never reach up to results, views or outputs."""
    graph = import_graph()
    upper = ("lapsibudjetti._budget", "lapsibudjetti.consolidate", "lapsibudjetti.output", "lapsibudjetti.cli",
             "lapsibudjetti.samples", "lapsibudjetti.measure")
    for module, deps in graph.items():
        if module.startswith(("lapsibudjetti.reference", "lapsibudjetti.read", "lapsibudjetti._validate")):
            assert not [d for d in deps if d.startswith(upper)], module
        if module.startswith("lapsibudjetti.measure"):
            assert not [d for d in deps if d.startswith(("lapsibudjetti._budget", "lapsibudjetti.consolidate",
                                                          "lapsibudjetti.output"))], module


def test_every_public_name_is_importable() -> None:
    for name in lb.__all__:
        assert getattr(lb, name) is not None, name
    fresh = importlib.import_module("lapsibudjetti")
    assert sorted(fresh.__all__) == sorted(set(fresh.__all__))


def test_modules_stay_readable() -> None:
    long = {_module_name(p): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}
