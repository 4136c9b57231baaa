"""A child budget beside the income statement: net-cost child euros and the gross items, each with its measure."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._errors import InputError

__all__ = ["beside_income"]

_KEYS = ["org_type", "org_code", "year"]
_SHOWN = ("operating_expenses", "operating_revenue", "operating_margin")


def beside_income(budget: Any, income: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Child euros and all spending of a child budget (its ``measure``) beside the income statement's items, per organisation-year.

    Only the ``actual`` phase (an income statement is of the financial
    statements). The figures are set beside each other, not divided: the
    child budget is on the measure of its ledger (e.g. net operating costs),
    the income statement's items are gross; ``measure`` and
    ``income_measure`` say which is which.

    Parameters
    ----------
    budget
        A :class:`~lapsibudjetti.ChildBudget` or a view.
    income
        From :func:`lapsibudjetti.read_income_statement`.
    lang
        Language of ``income_measure`` (default: the session's).

    Examples
    --------
    >>> import lapsibudjetti as lb
    >>> led = lb.make_ledger({"org_code": ["091"], "year": [2019], "task_class": ["Perusopetus"], "amount": [1000.0]},
    ...     org_type="municipality", phase="actual")
    >>> income = pd.DataFrame({"org_type": ["municipality"], "org_code": ["091"], "year": [2019],
    ...     "item": ["operating_expenses"], "amount": [-5000.0]})
    >>> beside_income(lb.child_budget(led), income, lang="en")[["org_code", "child_euros", "operating_expenses"]].values.tolist()
    [['091', 1000.0, -5000.0]]
    """
    from ..reference._labels import lang_or_default, say, text

    need = {"org_type", "org_code", "year", "item", "amount"}
    if not need <= set(income.columns):
        raise InputError(say("income.columns", need=", ".join(sorted(need)), have=", ".join(map(str, income.columns))))
    s = budget.summary()
    s = s[s["phase"].astype(str) == "actual"]
    left = s[[*_KEYS, "child_euros", "total_euros"]].astype({"org_type": object, "org_code": object})
    inc = income.astype({"org_type": object, "org_code": object}).assign(year=income["year"].astype("int64"))
    wide = inc.pivot_table(index=_KEYS, columns="item", values="amount", aggfunc="first", dropna=False).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    from ..read._income import INCOME_ITEMS

    for item in _SHOWN:
        if item not in wide.columns:
            wide[item] = float("nan")
    items = [i for i in INCOME_ITEMS if i in wide.columns]
    out = left.merge(wide[[*_KEYS, *items]], on=_KEYS, how="left")
    out["measure"] = budget.measure
    out["income_measure"] = text("income.measure", lang_or_default(lang))
    return out.reset_index(drop=True)
