"""Every problem of a ledger in one error: the table of cells, a count per kind, and how to fix each (pandera's lazy mode as model)."""

from __future__ import annotations

import pandas as pd

from ._errors import InputError

__all__ = ["raise_all", "raise_for"]

_MAX_LISTED = 8

#: The columns whose problems have a fix text (labels ``fix.COLUMN``): the ``fix`` column of an error's table.
_FIXED = ("amount", "year", "org_code", "service_class", "task_class", "org_type", "phase", "totals")


def _fix(column: str) -> str:
    from .reference._labels import default_lang, text

    return text(f"fix.{column}", default_lang()) if column in _FIXED else ""


def _listed(rows: pd.DataFrame) -> tuple[str, str]:
    """The first problems as text, and the "… and N more" after them, in the session's language."""
    from .reference._labels import default_lang, text

    lang = default_lang()
    listed = "; ".join(text("error.problem_cell", lang, file=r.file, row=r.row, column=repr(r.column), problem=r.problem,
                            value=repr(r.value)) for r in rows.head(_MAX_LISTED).itertuples())
    more = text("error.problems_more", lang, n=len(rows) - _MAX_LISTED) if len(rows) > _MAX_LISTED else ""
    return listed, more


def raise_all(rows: pd.DataFrame) -> None:
    """Every problem of a file in one error: one row per cell, sorted by row, a count per kind, how to fix each."""
    from .reference._labels import default_lang, text

    rows = rows.drop_duplicates(subset=["row", "column"]).sort_values(["row", "column"], kind="stable")  # one problem a cell
    rows = rows.reset_index(drop=True)
    canonical = rows["canonical"] if "canonical" in rows else rows["column"]
    rows["fix"] = [_fix(str(k) if isinstance(k, str) else str(c)) for k, c in zip(canonical, rows["column"])]
    rows = rows.drop(columns=["canonical"], errors="ignore")
    kinds = rows.groupby("column", sort=False).size()
    counted = ", ".join(f"{c}: {n}" for c, n in kinds.items())
    listed, more = _listed(rows)
    raise _at_first(text("error.problems_all", default_lang(), n=len(rows), counted=counted, listed=listed, more=more), rows)


def raise_for(rows: pd.DataFrame, fix: str) -> None:
    from .reference._labels import default_lang, text

    if rows.empty:
        return
    listed, more = _listed(rows)
    raise _at_first(text("error.problems_some", default_lang(), n=len(rows), listed=listed, more=more, fix=fix), rows)


def _at_first(message: str, rows: pd.DataFrame) -> InputError:
    """The error of a problem table, placed at its first row's file, row and column."""
    first = rows.iloc[0]
    return InputError(message, rows=rows, file=str(first["file"]), row=int(first["row"]) if pd.notna(first["row"]) else None,
                      column=str(first["column"]))
