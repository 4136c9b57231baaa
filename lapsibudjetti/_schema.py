"""The canonical ledger: its columns and dtypes, and exact cents."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    pass


__all__ = ["MAX_EXACT_EUROS", "LEDGER_COLUMNS", "ORG_TYPES", "PHASES", "REQUIRED", "amount_cents", "union_categoricals"]

ORG_TYPES: tuple[str, ...] = ("municipality", "wellbeing_area", "joint_authority")
PHASES: tuple[str, ...] = ("actual", "budget", "revised_budget")
#: The traffic-light colours, service tiers and sectors of the rules.
COLOURS: tuple[str, ...] = ("green", "yellow", "red")
TIERS: tuple[str, ...] = ("universal", "targeted", "corrective")
SECTORS: tuple[str, ...] = ("sivistys", "sote", "other")

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


#: The largest amount whose cents a float64 still tells apart from fractions of a cent (10**13 €):
#: above it, two float steps of the amount in cents pass 0.25 cent. No public ledger line comes near it.
MAX_EXACT_EUROS = 1e13


def _fractional_cents(amount: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """Amounts that are not whole cents, block by block in cache.

    The tolerance is absolute: two float steps of the amount in cents (what
    parsing ``1234.56`` and multiplying by 100 can leave), not a share of the
    amount, so ``5123456.789`` is caught as surely as ``56.789``. Amounts
    above :data:`MAX_EXACT_EUROS` are reported too: a float64 cannot hold
    their cents exactly.

    Examples
    --------
    >>> _fractional_cents(np.array([1.1, 2.005, -0.3, 1e12 + 0.01, 5123456.789, 0.29])).tolist()
    [False, True, False, False, True, False]
    """
    out = np.empty(len(amount), dtype=bool)
    for lo in range(0, len(amount), block):
        cents = amount[lo : lo + block] * 100.0
        frac = np.rint(cents)
        np.subtract(cents, frac, out=frac)
        np.abs(frac, out=frac)
        np.abs(cents, out=cents)
        too_large = cents > MAX_EXACT_EUROS * 100.0
        np.spacing(cents, out=cents)
        cents *= 2.0
        np.greater(frac, cents, out=out[lo : lo + block])
        out[lo : lo + block] |= too_large
    return out
