"""Write ``docs/api.md``: the public API, generated from the docstrings.

Everything in ``lapsibudjetti.__all__`` is listed with its signature and
docstring, grouped by pipeline stage (the private module it lives in). The
page is generated, never edited by hand: ``tests/test_docs.py`` checks that
the committed file equals this script's output, so it cannot go stale.

It also keeps the command-line help shown in ``docs/user-guide.md`` (the
``text`` blocks after ``<!-- cli-help: COMMAND -->``) equal to the real
``--help`` output at 80 columns.

Usage::

    python scripts/make_api_docs.py            # (re)write docs/api.md and the help in the user guide
    python scripts/make_api_docs.py --check    # exit 1 if either differs
"""

from __future__ import annotations

import argparse
import enum
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# document this checkout's package, not whichever copy happens to be installed
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "api.md"
GUIDE = REPO / "docs" / "user-guide.md"
# the closing fence is the first line that is only ``` (an empty block must not run on to a later fence)
_HELP_BLOCK = re.compile(r"(<!-- cli-help:?\s*(\S*)\s*-->\n```text\n)(.*?)(\n?^```$)", re.DOTALL | re.MULTILINE)

#: Pipeline stages: the package or module under lapsibudjetti → (heading, one-line description). In this order.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("read", "Read", "Ledgers from CSV, Excel and Parquet files, and the long statistics format (read/)."),
    ("_schema", "Canonical ledger", "The canonical ledger's columns (_schema.py)."),
    ("_validate", "Validate", "Checking any frame against the canonical ledger (_validate.py)."),
    ("_rules", "Rules", "The traffic-light rules as data: load, write, inspect (_rules.py)."),
    ("_budget", "Classify and compute the child budget", "One call from ledger to result; the result object (_budget.py)."),
    ("_allocate", "Allocation keys", "Population, user key tables and the target group (_allocate.py)."),
    ("reference", "Reference data", "The registry, the packaged classifications, organisations and population (reference/)."),
    ("consolidate", "Across the si-sote boundary", "Region and municipality views, series (consolidate/)."),
    ("measure", "Measure", "Metrics and comparisons (measure/)."),
    ("output", "Output", "The workbook, the CSV/Parquet tables, the charts and the report (output/)."),
    ("samples", "Samples", "The bundled sample data (samples/)."),
    ("_errors", "Errors", "The error hierarchy and the warning for automatic repairs."),
    ("_version", "Version", "The library version."),
)

_LIST_SECTIONS = {"Parameters", "Returns", "Yields", "Raises", "Warns", "Attributes", "Other Parameters", "See Also"}


def _rst_inline(text: str) -> str:
    """RST inline markup to Markdown: ``:func:`~a.b``` → ``b``, double backticks → single."""
    text = re.sub(r":(?:func|class|meth|data|attr|mod|exc|obj):`~([^`]+)`", lambda m: f"`{m.group(1).split('.')[-1]}`", text)
    text = re.sub(r":(?:func|class|meth|data|attr|mod|exc|obj):`([^`]+)`", r"`\1`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return text


def _docstring_markdown(doc: str) -> str:
    """A NumPy-style docstring as Markdown: sections in bold, parameter lists as lists, examples fenced."""
    lines = doc.splitlines()
    out: list[str] = []
    section = ""
    i = 0
    in_example = False

    def close_example() -> None:
        nonlocal in_example
        if in_example:
            out.append("```")
            in_example = False

    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and re.fullmatch(r"-{3,}", nxt.strip()) and len(nxt.strip()) >= len(line.strip()) - 1:
            close_example()
            section = line.strip()
            out.extend(["", f"**{section}**", ""])
            i += 2
            continue
        stripped = line.strip()
        if stripped.startswith(">>>"):
            if not in_example:
                if out and out[-1].strip():
                    out.append("")
                out.append("```pycon")
                in_example = True
            out.append(line.rstrip())
            i += 1
            continue
        if in_example:
            if stripped:
                out.append(line.rstrip())
                i += 1
                continue
            close_example()
        if section in _LIST_SECTIONS and stripped and not line.startswith((" ", "\t")):
            # "name : type" or "name" introduces one entry; its description is indented below
            desc: list[str] = []
            j = i + 1
            while j < len(lines) and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                if lines[j].strip():
                    desc.append(lines[j].strip())
                elif j + 1 < len(lines) and lines[j + 1].startswith((" ", "\t")):
                    desc.append("")
                else:
                    break
                j += 1
            head = f"- `{stripped}`" if "`" not in stripped else f"- {stripped}"
            body = " ".join(d if d else "\n  " for d in desc).replace(" \n  ", "\n\n  ").strip()
            out.append(f"{head}: {body}" if body else head)
            i = j
            continue
        out.append(line.rstrip())
        i += 1
    close_example()
    # inline markup may run over a line break: convert whole stretches of prose, never the examples
    pieces = re.split(r"(```pycon\n.*?\n```)", "\n".join(out), flags=re.DOTALL)
    text = "".join(p if p.startswith("```pycon") else _rst_inline(p) for p in pieces).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _annotation(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return ""
    if isinstance(value, str):
        return value
    return inspect.formatannotation(value)


def _default(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, Path):
        return repr(str(value))
    return repr(value)


def signature(obj: Callable[..., Any], name: str) -> str:
    """``name(param: type = default, *, ...) -> return``, from the annotations as written."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    parts: list[str] = []
    star_done = False
    params = list(sig.parameters.values())
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    for p in params:
        if p.kind is inspect.Parameter.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        text = p.name
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            text, star_done = "*" + p.name, True
        elif p.kind is inspect.Parameter.VAR_KEYWORD:
            text = "**" + p.name
        ann = _annotation(p.annotation)
        if ann:
            text += f": {ann}"
        if p.default is not inspect.Parameter.empty:
            text += f" = {_default(p.default)}" if ann else f"={_default(p.default)}"
        parts.append(text)
        if p.kind is inspect.Parameter.POSITIONAL_ONLY and (params.index(p) + 1 == len(params) or params[params.index(p) + 1].kind is not inspect.Parameter.POSITIONAL_ONLY):
            parts.append("/")
    ret = _annotation(sig.return_annotation)
    one_line = f"{name}({', '.join(parts)})" + (f" -> {ret}" if ret else "")
    if len(one_line) <= 88:
        return one_line
    body = "".join(f"    {p},\n" for p in parts)
    return f"{name}(\n{body})" + (f" -> {ret}" if ret else "")


def _members(cls: type) -> list[tuple[str, str, Any]]:
    """Public methods and properties defined on the class itself, in source order: (kind, name, object)."""
    found = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            if value.fget is not None and value.fget.__doc__:
                found.append(("property", name, value.fget))
        elif isinstance(value, classmethod | staticmethod):
            func = value.__func__
            if func.__doc__:
                found.append(("classmethod" if isinstance(value, classmethod) else "staticmethod", name, func))
        elif inspect.isfunction(value) and value.__doc__:
            found.append(("method", name, value))
        elif hasattr(value, "func") and getattr(value, "__doc__", None) and type(value).__name__ == "cached_property":
            found.append(("property", name, value.func))
    return found


def _entry(name: str, obj: Any) -> list[str]:
    out: list[str] = []
    if inspect.isclass(obj):
        bases = [b.__name__ for b in obj.__bases__ if b is not object]
        kind = "exception" if issubclass(obj, BaseException) else "class"
        out.append(f"### `{name}`")
        out.append("")
        head = f"{kind} {name}" + (f"({', '.join(bases)})" if bases else "")
        if kind == "class" and "__init__" in vars(obj) and not getattr(obj, "__dataclass_fields__", None):
            head = "class " + signature(obj, name)
        out += ["```python", head, "```", ""]
        doc = inspect.getdoc(obj)
        if doc and (kind == "class" or obj.__doc__):
            out += [_docstring_markdown(doc), ""]
        for kind_, mname, member in _members(obj):
            out.append(f"#### `{name}.{mname}`" + (" *(property)*" if kind_ == "property" else ""))
            out.append("")
            if kind_ != "property":
                prefix = "@classmethod\n" if kind_ == "classmethod" else "@staticmethod\n" if kind_ == "staticmethod" else ""
                out += ["```python", prefix + signature(member, mname), "```", ""]
            mdoc = inspect.getdoc(member)
            if mdoc:
                out += [_docstring_markdown(mdoc), ""]
        return out
    if callable(obj):
        out += [f"### `{name}`", "", "```python", signature(obj, name), "```", ""]
        doc = inspect.getdoc(obj)
        if doc:
            out += [_docstring_markdown(doc), ""]
        else:
            out += ["*(no docstring)*", ""]
        return out
    # a constant
    value = obj
    if isinstance(value, dict):
        shown = "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in value.items()) + "}"
    else:
        shown = repr(value)
    out += [f"### `{name}`", "", "```python", f"{name} = {shown}", "```", ""]
    return out


def _module_of(name: str, obj: Any) -> str:
    mod = getattr(obj, "__module__", None)
    if not isinstance(mod, str) or not mod.startswith("lapsibudjetti."):
        # constants: the private module that exports the name
        for stage, *_ in STAGES:
            module = sys.modules.get(f"lapsibudjetti.{stage}")
            if module is not None and name in getattr(module, "__all__", ()):
                return stage
        return "_other"
    return mod.split(".")[1]


def render() -> str:
    """The text of docs/api.md for the installed (or checked-out) lapsibudjetti."""
    import lapsibudjetti

    names = list(dict.fromkeys(lapsibudjetti.__all__))
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(_module_of(name, getattr(lapsibudjetti, name)), []).append(name)
    known = [s for s, *_ in STAGES]
    order = [s for s in known if s in groups] + sorted(s for s in groups if s not in known)
    out = [
        "# API reference",
        "",
        "<!-- Generated by scripts/make_api_docs.py from the docstrings; do not edit by hand.",
        "     tests/test_docs.py checks that this file equals the script's output. -->",
        "",
        f"Everything `import lapsibudjetti as lb` exports (`lb.__all__`, {len(names)} names), "
        "by stage of the pipeline. How to use them together: [the user guide](user-guide.md); "
        "what the figures mean: [the method](method.md); how the modules fit: [the architecture](architecture.md).",
        "",
    ]
    for stage in order:
        title, blurb = next(((t, b) for s, t, b in STAGES if s == stage), (stage.lstrip("_").title(), ""))
        listed = ", ".join(f"[`{n}`](#{_anchor(n)})" for n in sorted(groups[stage], key=str.lower))
        out.append(f"- **{title}** (`lapsibudjetti.{stage}`): {listed}")
    out.append("")
    for stage in order:
        title, blurb = next(((t, b) for s, t, b in STAGES if s == stage), (stage.lstrip("_").title(), ""))
        out += [f"## {title}", "", blurb, ""] if blurb else [f"## {title}", ""]
        for name in sorted(groups[stage], key=lambda n: (not inspect.isfunction(getattr(lapsibudjetti, n)), n.lower())):
            out += _entry(name, getattr(lapsibudjetti, name))
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"
    return text


def _anchor(name: str) -> str:
    """GitHub's heading anchor of ``### `name` ``."""
    return re.sub(r"[^a-z0-9_\- ]", "", name.lower()).replace(" ", "-")


def cli_help(command: str) -> str:
    """``lapsibudjetti [command] --help`` as printed at 80 columns."""
    import contextlib
    import io
    import os

    from lapsibudjetti import cli

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            cli.main(([command] if command else []) + ["--help"])
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return out.getvalue().rstrip()


def guide_with_help(text: str) -> str:
    """The user guide with every ``cli-help`` block replaced by the real help."""
    return _HELP_BLOCK.sub(lambda m: m.group(1) + cli_help(m.group(2)) + m.group(4), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = render()
    guide = GUIDE.read_text(encoding="utf-8")
    new_guide = guide_with_help(guide)
    if args.check:
        stale = [p.relative_to(REPO) for p, a, b in ((TARGET, TARGET.read_text(encoding="utf-8") if TARGET.exists() else "", text),
                                                    (GUIDE, guide, new_guide)) if a != b]
        if stale:
            print(f"{', '.join(map(str, stale))} out of date; run python scripts/make_api_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {TARGET.relative_to(REPO)}")
    if new_guide != guide:
        GUIDE.write_text(new_guide, encoding="utf-8", newline="\n")
        print(f"updated the command-line help in {GUIDE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
