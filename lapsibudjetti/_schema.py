"""The canonical ledger: its columns and dtypes, and exact cents."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    pass


__all__ = ["LEDGER_COLUMNS", "ORG_TYPES", "PHASES", "REQUIRED", "amount_cents", "union_categoricals"]

ORG_TYPES: tuple[str, ...] = ("municipality", "wellbeing_area", "joint_authority")
PHASES: tuple[str, ...] = ("actual", "budget", "revised_budget")

#: Column name -> kind. ``cat`` columns are categorical strings, ``int`` int64,
#: ``float`` float64.
LEDGER_COLUMNS: dict[str, str] = {
    "org_type": "cat",
    "org_code": "cat",
    "business_id": "cat",
    "year": "int",
    "phase": "cat",
    "service_class": "cat",
    "task_class": "cat",
    "account": "cat",
    "cost_centre": "cat",
    "amount": "float",
    "source_file": "cat",
    "source_row": "int",
}
REQUIRED: tuple[str, ...] = ("org_type", "org_code", "year", "phase", "amount")
OPTIONAL_DEFAULTS: dict[str, object] = {
    "business_id": None,
    "service_class": None,
    "task_class": None,
    "account": None,
    "cost_centre": None,
    "source_file": "<memory>",
    "source_row": None,
}

YEAR_MIN, YEAR_MAX = 2000, 2100
_BUSINESS_ID = re.compile(r"^\d{7}-\d$")
_FOUR_DIGITS = re.compile(r"^\d{4}$")

_MAX_LISTED = 20


def union_categoricals(parts: list[pd.Series]) -> pd.Categorical:
    """Concatenate categorical columns whose categories differ, by recoding codes.

    Works when some parts have no categories at all (their dtype then differs),
    without ever building strings per row.

    Examples
    --------
    >>> a = pd.Series(["x", "y"], dtype="category")
    >>> b = pd.Series(pd.Categorical([None]))
    >>> union_categoricals([a, b]).tolist()
    ['x', 'y', nan]
    """
    cats = [pd.Index([str(c) for c in p.cat.categories], dtype=object) if len(p.cat.categories) else pd.Index([], dtype=object) for p in parts]
    union = pd.Index(sorted(set().union(*[set(c) for c in cats])), dtype=object)
    codes = []
    for p, c in zip(parts, cats):
        mapping = np.append(union.get_indexer(c), -1).astype("int64")  # code -1 (missing) stays -1
        codes.append(mapping[p.cat.codes.to_numpy().astype("int64")])
    return pd.Categorical.from_codes(np.concatenate(codes) if codes else np.zeros(0, dtype="int64"), categories=union)


def amount_cents(amount: pd.Series | np.ndarray) -> np.ndarray:
    """Whole cents of euro amounts as int64, for exact reconciliation.

    Examples
    --------
    >>> amount_cents(pd.Series([1.1, 2.2, -0.3])).tolist()
    [110, 220, -30]
    """
    values = np.asarray(amount, dtype="float64")
    cents = values * 100.0
    np.rint(cents, out=cents)  # in place: one temporary less on ledgers of millions of lines
    return cents.astype("int64")
