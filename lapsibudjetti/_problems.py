"""Every problem of a ledger in one error: the table of cells, a count per kind, and how to fix each (pandera's lazy mode as model)."""

from __future__ import annotations

import pandas as pd

from ._errors import InputError

__all__ = ["raise_all", "raise_for"]

_MAX_LISTED = 8

#: How to fix each kind of problem, by the column it is in (the ``fix`` column of an error's table).
_FIXES = {
    "amount": "write a number such as 1234,56 or 1 234,56 (0 for no amount)",
    "year": "write the year with four digits",
    "org_code": "use the municipality (091) or wellbeing-area (01) code of that year, or add your organisation with registry=",
    "service_class": "use a service class valid in that year (lapsibudjetti.service_classes())",
    "task_class": "use a task class of that year (lapsibudjetti.task_classes())",
    "org_type": "write municipality, wellbeing_area or joint_authority (kunta, hyvinvointialue …)",
    "phase": "write actual, budget or revised_budget (TP, TA …)",
}


def raise_all(rows: pd.DataFrame) -> None:
    """Every problem of a file in one error: one row per cell, sorted by row, a count per kind, how to fix each."""
    rows = rows.drop_duplicates(subset=["row", "column"]).sort_values(["row", "column"], kind="stable")  # one problem a cell
    rows = rows.reset_index(drop=True)
    canonical = rows["canonical"] if "canonical" in rows else rows["column"]
    rows["fix"] = [_FIXES.get(str(k) if isinstance(k, str) else str(c), "") for k, c in zip(canonical, rows["column"])]
    rows = rows.drop(columns=["canonical"], errors="ignore")
    kinds = rows.groupby("column", sort=False).size()
    counted = ", ".join(f"{c}: {n}" for c, n in kinds.items())
    first = rows.iloc[0]
    listed = "; ".join(f"{r.file} row {r.row} column {r.column!r}: {r.problem} (value {r.value!r})"
                       for r in rows.head(_MAX_LISTED).itertuples())
    more = f" … and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
    raise InputError(
        f"{len(rows)} problem(s) in the ledger ({counted}): {listed}{more}. Fix these cells in the source file and read it "
        "again; err.rows lists every one with how to fix it.",
        rows=rows,
        file=str(first["file"]),
        row=int(first["row"]) if pd.notna(first["row"]) else None,
        column=str(first["column"]),
    )


def raise_for(rows: pd.DataFrame, fix: str) -> None:
    if rows.empty:
        return
    first = rows.iloc[0]
    listed = "; ".join(
        f"{r.file} row {r.row} column {r.column!r}: {r.problem} (value {r.value!r})"
        for r in rows.head(_MAX_LISTED).itertuples()
    )
    more = f" … and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
    raise InputError(
        f"{len(rows)} problem(s) in the ledger: {listed}{more}. {fix}",
        rows=rows,
        file=str(first["file"]),
        row=int(first["row"]) if pd.notna(first["row"]) else None,
        column=str(first["column"]),
    )
