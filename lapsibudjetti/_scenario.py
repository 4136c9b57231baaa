"""scenario: the child impact of a decision — move or add euros, and see every headline figure before and after.

A scenario is data: a table of changes, each a ``move`` of euros from one
category (or tier) to another or an ``add`` of new euros to a category (or
tier), for an organisation, year and phase. Each change becomes ledger lines beside the
real ones (``source_file`` ``scenario``, ``source_row`` the change's row), a
line of the category's own kind (the organisation-year's largest line of that
category lends its codes), so the rules classify and key them like any line
and the euros still reconcile to the cent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._errors import InputError
from ._schema import LEDGER_COLUMNS
from .reference._labels import say

if TYPE_CHECKING:
    from ._budget import ChildBudget

__all__ = ["CHANGE_COLUMNS", "Scenario", "read_changes", "scenario"]

CHANGE_COLUMNS = ("action", "org_code", "year", "phase", "from_category", "to_category", "euros", "note")
_ACTIONS = ("move", "add")
_FIGURES = ("child_euros", "euros_per_child", "preventive_share", "corrective_share", "placements_euros", "total_euros")
_GROUP = ["org_type", "org_code", "year", "phase"]


@dataclass(frozen=True)
class Scenario:
    """A scenario result: the base, the budget after the changes, and the comparison.

    Attributes
    ----------
    base, after
        The child budgets without and with the changes.
    changes
        The changes as read (one row each).
    comparison
        Per organisation × year × phase: every headline figure ``before``,
        ``after`` and ``difference``.
    """

    base: ChildBudget
    after: ChildBudget
    changes: pd.DataFrame
    comparison: pd.DataFrame

    def _title(self) -> str:
        from .reference._labels import default_lang, text

        moved = self.comparison.filter(like="_difference").fillna(0).ne(0).any(axis=1)
        return text("card.scenario_title", default_lang(), changes=len(self.changes), moved=int(moved.sum()))

    def __repr__(self) -> str:
        return self._title()

    def _repr_html_(self) -> str:
        from ._display import card_html
        from ._present import styled

        moved = self.comparison[self.comparison.filter(like="_difference").fillna(0).ne(0).any(axis=1)]
        cols = [c for c in ("org_code", "year", "phase", "child_euros_before", "child_euros_after", "corrective_share_before",
                            "corrective_share_after") if c in moved.columns]
        return card_html(self._title(), [], styled(moved[cols].head(20), name="scenario").to_html())


def read_changes(changes: pd.DataFrame | str | Path) -> pd.DataFrame:
    """The changes table, checked: ``action`` (move/add), ``org_code``, ``year``, ``phase``, ``from_category`` (moves),
    ``to_category``, ``euros`` (> 0), optional ``note``. Finnish column names work as elsewhere in the rules."""
    if isinstance(changes, str | Path):
        from .read._tables import read_text_table

        path = Path(changes)
        frame = read_text_table(path, what="scenario changes", numeric=("euros",))
        source: str | None = path.name
    else:
        frame, source = changes.copy(), None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("action", "org_code", "year", "to_category", "euros") if c not in frame.columns]
    if missing:
        raise InputError(say("scenario.needs_columns", missing=", ".join(missing), have=", ".join(frame.columns)), file=source)
    out = pd.DataFrame({
        "action": frame["action"].astype(str).str.strip().str.lower(),
        "org_code": frame["org_code"].astype(str).str.strip(),
        "year": pd.to_numeric(frame["year"], errors="coerce"),
        "phase": (frame["phase"].astype(str).str.strip() if "phase" in frame.columns else pd.Series("actual", index=frame.index)),
        "from_category": (frame["from_category"].fillna("").astype(str).str.strip() if "from_category" in frame.columns
                          else pd.Series("", index=frame.index)),
        "to_category": frame["to_category"].fillna("").astype(str).str.strip(),
        "euros": pd.to_numeric(frame["euros"], errors="coerce"),
        "note": frame["note"].fillna("").astype(str) if "note" in frame.columns else pd.Series("", index=frame.index),
    })
    problems = []
    for i, r in out.iterrows():
        if r["action"] not in _ACTIONS:
            problems.append((i, "action", say("scenario.action", value=repr(r["action"]))))
        if not np.isfinite(r["euros"]) or r["euros"] < 0 or abs(r["euros"] * 100 - round(r["euros"] * 100)) > 1e-6:
            problems.append((i, "euros", say("scenario.euros")))
        if not np.isfinite(r["year"]):
            problems.append((i, "year", say("scenario.year")))
        if r["action"] == "move" and not r["from_category"]:
            problems.append((i, "from_category", say("scenario.from")))
        if not r["to_category"]:
            problems.append((i, "to_category", say("scenario.to")))
    if problems:
        listed = "; ".join(say("scenario.problem", row=i + 2, column=c, problem=m) for i, c, m in problems[:10])
        raise InputError(say("scenario.problems", listed=listed), file=source)
    out["year"] = out["year"].astype("int64")
    return out.reset_index(drop=True)


def _template(lines: pd.DataFrame, org: str, year: int, phase: str, category: str, i: int) -> pd.Series:
    """The organisation-year's largest line of ``category`` (or of a tier: universal, targeted, corrective): its codes carry the euros."""
    from ._schema import TIERS

    column = "tier" if category in TIERS and category not in set(lines["category"].astype(str)) else "category"
    mine = lines[(lines["org_code"].astype(str) == org) & (lines["year"] == year) & (lines["phase"].astype(str) == phase)
                 & (lines[column].astype(str) == category)]
    if mine.empty:
        has = sorted(set(lines.loc[(lines["org_code"].astype(str) == org) & (lines["year"] == year), "category"].astype(str)))
        raise InputError(say("scenario.no_line", row=i + 2, org=org, category=repr(category), year=year, phase=phase,
                             has=", ".join(has) or say("ledger.none")))
    return mine.loc[mine["amount"].abs().idxmax()]


def scenario(base: ChildBudget, changes: pd.DataFrame | str | Path | None, recompute: Callable[[pd.DataFrame | None], ChildBudget]) -> Scenario:
    """Apply the changes to the base's ledgers and compare every headline figure before and after.

    ``recompute`` computes the base's ledgers again with the extra lines (and
    the rules of the scenario); :meth:`ChildBudget.scenario` passes it.

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["564"] * 2, "year": [2019] * 2,
    ...     "task_class": ["Lastensuojelun laitos- ja perhehoito", "Muut lasten ja perheiden avopalvelut"],
    ...     "amount": [5e6, 1e6]}, org_type="municipality", phase="actual")
    >>> s = lb.child_budget(led).scenario(pd.DataFrame({"action": ["move"], "org_code": ["564"], "year": [2019],
    ...     "from_category": ["child_protection_placements"], "to_category": ["family_services"], "euros": [1e6]}))
    >>> row = s.comparison.iloc[0]
    >>> float(row["child_euros_difference"]), round(float(row["corrective_share_after"]), 3)
    (0.0, 0.667)
    """
    table = read_changes(changes) if changes is not None else pd.DataFrame(columns=list(CHANGE_COLUMNS))
    lines = base.lines
    extra = []
    for i, r in table.iterrows():
        if r["euros"] == 0:
            continue  # nothing moves
        moves = [(r["to_category"], r["euros"])] + ([(r["from_category"], -r["euros"])] if r["action"] == "move" else [])
        for category, euros in moves:
            line = _template(lines, r["org_code"], int(r["year"]), r["phase"], category, int(i)).copy()
            new = {c: line[c] for c in LEDGER_COLUMNS}
            new.update(amount=float(euros), source_file="scenario", source_row=int(i) + 2)
            extra.append(new)
    after = recompute(pd.DataFrame(extra) if extra else None)
    return Scenario(base=base, after=after, changes=table, comparison=_compare(base, after))


def _compare(base: ChildBudget, after: ChildBudget) -> pd.DataFrame:
    def figures(cb: ChildBudget) -> pd.DataFrame:
        s = cb.summary()
        s = s.assign(org_type=s["org_type"].astype(str), org_code=s["org_code"].astype(str), phase=s["phase"].astype(str))
        return s[_GROUP + list(_FIGURES)].set_index(_GROUP)

    b, a = figures(base), figures(after)
    out = pd.DataFrame(index=b.index.union(a.index))
    for f in _FIGURES:
        out[f"{f}_before"] = b[f]
        out[f"{f}_after"] = a[f]
        out[f"{f}_difference"] = a[f] - b[f]
    return out.reset_index()
