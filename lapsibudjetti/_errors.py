"""The library's own error and warning classes.

Every error carries a message that says what went wrong *and how to fix it*,
and the offending rows as a DataFrame so that a notebook user can look at
them (``err.rows``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = [
    "LapsibudjettiError",
    "InputError",
    "RuleError",
    "AllocationError",
    "ReconciliationError",
    "ReferenceDataError",
    "LapsibudjettiWarning",
]


def _english_place(kind: str, value: object) -> str:
    return f"{kind} {value}"


#: How an error's row and column are spelled: ``(kind, value) -> text``. English here; the label
#: loader (``reference/_labels.py``) puts its own in, so the place is in the session's language.
PLACE: list[Callable[[str, object], str]] = [_english_place]


class LapsibudjettiError(Exception):
    """Root of all errors raised by lapsibudjetti.

    Parameters
    ----------
    message
        What went wrong and how to fix it.
    rows
        The offending rows, if any. Stored as ``self.rows`` (an empty
        DataFrame when there are none).
    file, row, column
        Where the problem is, when a single place is at fault.

    Examples
    --------
    >>> from lapsibudjetti import set_lang
    >>> set_lang("en")
    >>> err = InputError("amount is not a number", file="a.csv", row=3, column="amount")
    >>> print(err)
    a.csv, row 3, column 'amount': amount is not a number
    >>> set_lang("fi"); print(InputError("ei luku", file="a.csv", row=3, column="amount")); set_lang(None)
    a.csv, rivi 3, sarake 'amount': ei luku
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(
        self,
        message: str,
        *,
        rows: pd.DataFrame | None = None,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        **context: Any,
    ) -> None:
        self.message = message
        self.rows = rows if rows is not None else pd.DataFrame()
        self.file = file
        self.row = row
        self.column = column
        self.context = context
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(PLACE[0]("row", self.row))
        if self.column is not None:
            where.append(PLACE[0]("column", repr(self.column)))
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(LapsibudjettiError, ValueError):
    """A ledger, key table or population table that cannot be used as given."""


class RuleError(LapsibudjettiError, ValueError):
    """A rules file that is malformed, or rules that conflict on some lines."""


class AllocationError(LapsibudjettiError, ValueError):
    """An allocation key or population figure is missing or invalid."""


class ReconciliationError(LapsibudjettiError):
    """Totals that should agree to the cent do not."""


class ReferenceDataError(LapsibudjettiError):
    """The packaged reference data is missing or inconsistent."""


class LapsibudjettiWarning(UserWarning):
    """An automatic repair or a default assumption the user should know about."""
