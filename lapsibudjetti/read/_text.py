"""Header names, value synonyms and cell cleaning shared by every reader (data/headers.csv, data/values.csv)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._errors import ReferenceDataError
from .._schema import COLOURS, ORG_TYPES, PHASES, SECTORS, TIERS
from ..reference._labels import say as _say

if TYPE_CHECKING:  # pragma: no cover
    pass


#: Canonical columns a file column can map to.
TEXT_COLUMNS: tuple[str, ...] = (
    "org_type",
    "org_code",
    "business_id",
    "phase",
    "service_class",
    "task_class",
    "account",
    "cost_centre",
)
MAPPABLE: tuple[str, ...] = TEXT_COLUMNS + ("year", "amount")
#: Columns whose cells may hold ``code name`` (``3021 Päiväkotitoiminta``); the code is kept.
CODE_COLUMNS: frozenset[str] = frozenset({"org_code", "service_class", "account"})
#: Columns whose values are translated through ``data/values.csv``.
VALUE_COLUMNS: frozenset[str] = frozenset({"phase", "org_type"})

_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
_HEADER_SCAN_CSV = 50
_HEADER_SCAN_XLSX = 30
_HEAD_BYTES = 1 << 20
_DELIMITERS = (";", "\t", ",", "|")
_MAX_LISTED = 20
_PARALLEL_MIN_ROWS = 100_000
#: Bytes of CSV per Arrow block (and so per chunk of the columns): large enough that the
#: per-chunk work of the amount parser is not dominated by call overhead.
_CSV_BLOCK = 1 << 22

#: Names of the grand total of the operating economy in the statistics.
_GRAND_TOTAL_NAMES: tuple[str, ...] = ("Käyttötalous yhteensä",)
#: Endings (after accent/case folding) that mark a task name as an aggregate.
_AGGREGATE_SUFFIXES: tuple[str, ...] = ("yhteensa", "totalt", "sammanlagt", "total")

_CODE_NAME = re.compile(r"^([0-9]+)(?:\s+[-–:]?\s*|\s*[-–:]\s+)(?=\D)\S")
_YEAR = re.compile(r"^\d{4}$", re.ASCII)
_FOUR_DIGITS = re.compile(r"^\d{4}$", re.ASCII)

_NBSP, _NNBSP, _MINUS, _EN_DASH = "\u00a0", "\u202f", "\u2212", "\u2013"
_WS = "[ \t" + _NBSP + _NNBSP + "]*"
_GROUP_SEP = "[ " + _NBSP + _NNBSP + "]"
_SIGN = "[-+" + _MINUS + _EN_DASH + "]"
_TRAILING_SIGN = "[-" + _MINUS + _EN_DASH + "]"
_NUM_COMMA = r"(?:\d{1,3}(?:" + _GROUP_SEP + r"\d{3})+|\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_NUM_DOT = r"(?:\d{1,3}(?:" + _GROUP_SEP + r"\d{3})+|\d+)(?:\.\d+)?"


def _amount_pattern(num: str) -> str:
    return f"^{_WS}(?:{_SIGN}{_WS}{num}|{num}(?:{_WS}{_TRAILING_SIGN})?){_WS}$"


_AMOUNT_COMMA = _amount_pattern(_NUM_COMMA)
_AMOUNT_DOT = _amount_pattern(_NUM_DOT)




# ---------------------------------------------------------------------------
# data files: header aliases and value synonyms


def _norm(text: object) -> str:
    """Fold a header or value for matching: no accents, case, spaces or punctuation.

    Examples
    --------
    >>> _norm("  Y-tunnus "), _norm("Tehtävä"), _norm("år"), _norm("Muutettu TA")
    ('ytunnus', 'tehtava', 'ar', 'muutettuta')
    """
    s = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in s.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def _data_table(name: str) -> pd.DataFrame:
    try:
        ref = resources.files("lapsibudjetti").joinpath("data").joinpath(name)
        with ref.open("rb") as fh:
            return pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:  # pragma: no cover - packaging problem
        raise ReferenceDataError(_say("ref.data_unreadable", name=name, error=exc)) from exc


@cache
def _header_table() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """``normalised alias -> canonical`` and ``canonical -> aliases as written``."""
    table = _data_table("headers.csv")
    lookup: dict[str, str] = {}
    listed: dict[str, list[str]] = {c: [] for c in MAPPABLE}
    for canonical, alias in zip(table["canonical"], table["alias"]):
        canonical, alias = canonical.strip(), alias.strip()
        if canonical not in MAPPABLE:
            raise ReferenceDataError(_say("ref.header_not_column", alias=repr(alias), canonical=repr(canonical), allowed=", ".join(MAPPABLE)))
        key = _norm(alias)
        if lookup.get(key, canonical) != canonical:
            raise ReferenceDataError(_say("ref.header_twice", alias=repr(alias), first=repr(lookup[key]), second=repr(canonical)))
        lookup[key] = canonical
        listed[canonical].append(alias)
    return lookup, {c: tuple(a) for c, a in listed.items()}


@cache
def _value_table() -> dict[tuple[str, str], str]:
    table = _data_table("values.csv")
    allowed = {"phase": PHASES, "org_type": ORG_TYPES, "colour": COLOURS, "tier": TIERS, "sector": SECTORS,
               "key": ("population", "age", "ratio", "fixed", "user", "weighted")}
    out: dict[tuple[str, str], str] = {}
    for column, alias, canonical in zip(table["column"], table["alias"], table["canonical"]):
        column, canonical = column.strip(), canonical.strip()
        if column not in allowed or canonical not in allowed[column]:
            raise ReferenceDataError(_say("ref.value_alias", alias=repr(alias), canonical=repr(canonical), column=repr(column), allowed=allowed))
        out[(column, _norm(alias))] = canonical
    return out


def value_word(column: str, value: str) -> str:
    """A value word in fi/sv/en, any case and spaces (``Keltainen ``, ``röd``, ``väestö``) as its canonical code; else as given.

    The words are data (``data/values.csv``), shared by the ledger readers and the rules loader.

    Examples
    --------
    >>> value_word("colour", " Keltainen "), value_word("tier", "korjaava"), value_word("key", "Väestö"), value_word("colour", "blue")
    ('yellow', 'corrective', 'population', 'blue')
    """
    return _value_table().get((column, _norm(value)), value.strip())


def _clean_value(value: str | None, column: str) -> str | None:
    """One distinct cell value of a text column, as the ledger stores it."""
    if value is None:
        return None
    s = value.strip()
    if not s:
        return None
    if column in CODE_COLUMNS:
        m = _CODE_NAME.match(s)
        if m:
            s = m.group(1)
    elif column in VALUE_COLUMNS:
        s = _value_table().get((column, _norm(s)), s)
    return s


def _cell_text(value: object) -> str | None:
    """Text of a spreadsheet / frame cell for a text column (``91.0`` → ``'91'``)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (np.floating,)):
        return _cell_text(float(value))
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
