"""The dialect seam: how a raw table read from a container becomes the long ledger.

A container reader (``_csv``, ``_xlsx``, ``_frame``) finds the header and
turns the cells into a raw table (:class:`~lapsibudjetti.read._columns._Raw`:
canonical column names, exact amounts, the file's row of every line). A
**dialect** then turns that raw table into the canonical ledger:

- ``ledger``: the table already is a ledger (one accounting line a row); it
  is validated as it is;
- ``statistics``: Statistics Finland's net operating costs by task (kta_14
  and its copies): the aggregate rows (*… yhteensä*) are checked against
  their parts to the cent and left out of the ledger.

- ``pxweb``: Statistics Finland / THL PxWeb exports (title lines, stub
  columns, the years or measures as columns with their units): reshaped to
  the statistics layout, units applied exactly, then reconciled as above.

Other published layouts (income statements) plug in here with
:func:`register_dialect`: a new module defines the reshaping and registers
it; ``read_ledger`` and ``read_statistics`` do not change.

Examples
--------
>>> sorted(DIALECTS)
['ledger', 'pxweb', 'statistics']
>>> DIALECTS["statistics"].description
"Statistics Finland's net operating costs by task (organisation × year × task × amount), aggregates reconciled"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .._errors import InputError
from ..reference._labels import say as _say
from ._columns import _Raw

__all__ = ["DIALECTS", "Dialect", "DialectResult", "register_dialect"]


@dataclass(frozen=True)
class DialectResult:
    """The canonical ledger a dialect made, and the side tables it found on the way (e.g. ``totals``)."""

    ledger: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Dialect:
    """A published layout: the reader's defaults for it and the function from raw table to ledger.

    Attributes
    ----------
    name
        How callers ask for it (``read_ledger(..., dialect=name)`` in time).
    description
        One line for messages and the docs.
    defaults
        ``options -> {column: value}`` given to the container reader (e.g.
        the phase of every line of a statistics file).
    to_ledger
        ``(raw, options) -> DialectResult``: reshape, check and validate.
    detect, read
        For a layout with a reader of its own (PxWeb): ``detect(path)`` says
        whether a file is in it, and ``read(path, **options)`` reads it, so
        :func:`~lapsibudjetti.read_statistics` hands such files over.
    """

    name: str
    description: str
    defaults: Callable[[Mapping[str, Any]], dict[str, object]]
    to_ledger: Callable[[_Raw, Mapping[str, Any]], DialectResult]
    detect: Callable[[Any], bool] | None = None
    read: Callable[..., Any] | None = None


#: The known dialects by name.
DIALECTS: dict[str, Dialect] = {}


def register_dialect(dialect: Dialect) -> Dialect:
    """Make a dialect known by its name (a second one of the same name is an error)."""
    if dialect.name in DIALECTS and DIALECTS[dialect.name] is not dialect:
        raise InputError(_say("read.dialect_exists", name=repr(dialect.name)))
    DIALECTS[dialect.name] = dialect
    return dialect


def dialect(name: str) -> Dialect:
    """The dialect called ``name``, or an error listing the known ones."""
    if name not in DIALECTS:
        raise InputError(_say("arg.one_of", name="dialect", value=repr(name), allowed=", ".join(sorted(DIALECTS))))
    return DIALECTS[name]
