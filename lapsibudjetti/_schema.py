"""The canonical ledger: one accounting line per row, fixed columns and dtypes.

Everything downstream (classification, allocation, reconciliation) relies on
this shape, so every reader ends in :func:`validate_ledger`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._errors import InputError, LapsibudjettiWarning

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = [
    "LEDGER_COLUMNS",
    "ORG_TYPES",
    "PHASES",
    "validate_ledger",
    "make_ledger",
    "amount_cents",
    "union_categoricals",
]

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


def _as_category(values: pd.Series) -> pd.Series:
    """Categorical of strings, missing as NaN; numbers become their text."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if len(cats) == 0 or pd.api.types.is_string_dtype(cats.dtype) or cats.dtype == object:
            return values.cat.rename_categories([str(c) for c in cats]) if len(cats) else values
        values = values.astype(object)
    out = values.astype(object)
    mask = out.isna()
    out = out.where(mask, out.astype(str).str.strip())
    out = out.where(out != "", None)
    return out.astype("category")


def _bad_rows(df: pd.DataFrame, mask: np.ndarray | pd.Series, column: str, problem: str) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    sub = df.loc[mask]
    return pd.DataFrame(
        {
            "file": sub["source_file"].astype(object).to_numpy(),
            "row": sub["source_row"].to_numpy(),
            "column": column,
            "value": sub[column].astype(object).to_numpy() if column in sub else None,
            "problem": problem,
        }
    )


def _raise_for(rows: pd.DataFrame, fix: str) -> None:
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


def make_ledger(data: pd.DataFrame | dict[str, Iterable[object]], **defaults: object) -> pd.DataFrame:
    """Build a canonical ledger from a frame with canonical column names.

    Columns that are absent get the value in ``defaults`` (e.g.
    ``org_type="municipality"``) or their documented default. The result is
    validated with :func:`validate_ledger` (including reference codes).

    Examples
    --------
    >>> led = make_ledger(
    ...     {"org_code": ["091"], "year": [2022], "service_class": ["3021"], "amount": [1000.0]},
    ...     org_type="municipality", phase="actual")
    >>> led[["org_code", "service_class", "amount", "source_row"]].to_dict("records")
    [{'org_code': '091', 'service_class': '3021', 'amount': 1000.0, 'source_row': 1}]
    """
    df = pd.DataFrame(data).copy()
    for name, value in defaults.items():
        if name not in LEDGER_COLUMNS:
            raise InputError(
                f"unknown ledger column {name!r} given as a default; "
                f"use one of {', '.join(LEDGER_COLUMNS)}"
            )
        if name not in df.columns:
            df[name] = value
    return validate_ledger(df)


def validate_ledger(
    df: pd.DataFrame,
    *,
    check_codes: bool = True,
    file: str | None = None,
    registry: Registry | None = None,
) -> pd.DataFrame:
    """Check a ledger and return it in canonical shape (a new frame).

    Parameters
    ----------
    df
        A frame with the canonical column names (see ``LEDGER_COLUMNS``).
        Optional columns may be absent.
    check_codes
        Check service classes, task classes and municipality codes against
        the packaged reference data for each line's year.
    file
        Name used in messages when the frame has no ``source_file`` column.
    registry
        With ``check_codes``: also accept the organisations this registry
        adds to the packaged reference (e.g. fictional or new ones, see
        :meth:`lapsibudjetti.Registry.extend`). Also used to fill
        ``org_type``/``org_code`` from ``business_id`` where the code is
        missing (:meth:`lapsibudjetti.Registry.with_org_codes`; default: the
        packaged registry).

    Raises
    ------
    InputError
        Listing every offending row (file, row, column, value, problem),
        also available as ``err.rows``.

    Examples
    --------
    >>> df = pd.DataFrame({"org_type": ["municipality"], "org_code": ["91"],
    ...     "year": [2022], "phase": ["actual"], "service_class": ["3051"], "amount": [5.0]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     validate_ledger(df)["org_code"].tolist()
    ['091']
    """
    return _validate_ledger(df, check_codes=check_codes, file=file, registry=registry, owned=False)


def _validate_ledger(
    df: pd.DataFrame,
    *,
    check_codes: bool,
    file: str | None,
    registry: Registry | None,
    owned: bool,
    whole_cents: bool = False,
) -> pd.DataFrame:
    """:func:`validate_ledger`; ``owned``: ``df`` is a reader's own frame, so its arrays are kept, not copied.

    ``whole_cents``: the reader parsed every amount from at most two decimals
    (finite, whole cents), so the amounts need no check.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"a ledger must be a pandas DataFrame, got {type(df).__name__}")
    name = file if file is not None else "<memory>"
    if "business_id" in df.columns:
        # ledgers keyed by business ID (the State Treasury's data): org_type/org_code
        # from the registry where the code is missing, with a warning; unknown IDs raise
        from ._registry import Registry

        df = (registry or Registry.default()).with_org_codes(df, file=name)
    missing = [c for c in REQUIRED if c not in df.columns]
    if "service_class" not in df.columns and "task_class" not in df.columns:
        missing.append("service_class or task_class")
    if missing:
        raise InputError(
            f"the ledger has no column(s) {', '.join(repr(m) for m in missing)}. "
            f"Columns present: {', '.join(map(str, df.columns)) or 'none'}. "
            "Rename your columns to the canonical names or pass them as defaults "
            "(e.g. make_ledger(df, org_type='municipality', phase='actual')).",
            file=name,
            column=missing[0],
        )
    if len(df) == 0:
        raise InputError(
            "the ledger has no rows. Check that the file is the export you meant "
            "and that the header row was found.",
            file=name,
        )
    n = len(df)
    src = df.reset_index(drop=True)
    # columns are collected in a dict and the frame is built once, without copies
    cols: dict[str, object] = {}
    cols["source_file"] = _as_category(
        src["source_file"] if "source_file" in src else pd.Series([name] * n)
    ).array
    row_col = src["source_row"] if "source_row" in src else None
    if row_col is not None and row_col.dtype == np.int64:
        cols["source_row"] = row_col.to_numpy(copy=not owned)  # a new frame: never a view of the input
    elif row_col is not None and row_col.notna().all():
        cols["source_row"] = pd.to_numeric(row_col).astype("int64").to_numpy()
    else:
        cols["source_row"] = np.arange(1, n + 1, dtype="int64")

    problems: list[pd.DataFrame] = []

    def text(col: str) -> pd.Categorical:
        if col in src:
            values = src[col]
            cats = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else None
            if (owned and cats is not None and len(cats) and not values.cat.ordered and cats.dtype == _STR_CATEGORIES
                    and (cats.dtype != object or pd.api.types.infer_dtype(cats, skipna=False) == "string")):
                # a reader's categories are already the strings, in the dtype they would get here
                return values.array
            if owned and cats is not None and len(cats) and (cats.dtype == object or pd.api.types.is_string_dtype(cats.dtype)):
                # as _as_category, keeping the codes array instead of copying it
                dtype = pd.CategoricalDtype([str(c) for c in cats], ordered=values.cat.ordered)
                return pd.Categorical.from_codes(values.cat.codes.to_numpy(), dtype=dtype, validate=False)
            return _as_category(values).array
        # all missing, with the dtype pd.Categorical([None] * n) has, without building n objects
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=pd.Categorical([None]).dtype)

    def frame(**extra: object) -> pd.DataFrame:
        """The columns so far (and ``extra``) as a frame, for listing problem rows."""
        return pd.DataFrame({**cols, **extra}, copy=False)

    for col in ("org_type", "org_code", "business_id", "phase", "service_class", "task_class", "account", "cost_centre"):
        cols[col] = text(col)

    # required text columns present on every row
    for col in ("org_type", "org_code", "phase"):
        if len(cols[col]) and cols[col].codes.min() < 0:
            problems.append(_bad_rows(frame(), cols[col].codes < 0, col, "missing value"))

    for col, allowed in (("org_type", ORG_TYPES), ("phase", PHASES)):
        cat = cols[col]
        bad_cat = np.append(~np.asarray(cat.categories.isin(allowed), dtype=bool), False)  # code -1: not here
        if not bad_cat.any():  # every category allowed: no line to look at
            continue
        bad = bad_cat[cat.codes]
        if bad.any():
            problems.append(_bad_rows(frame(), bad, col, f"not one of {', '.join(allowed)}"))

    # year
    year_raw = src["year"]
    if year_raw.dtype == np.int64:  # already whole numbers: only the range to check
        year_np = year_raw.to_numpy(copy=not owned)
        in_range = len(year_np) == 0 or (year_np.min() >= YEAR_MIN and year_np.max() <= YEAR_MAX)
        bad_year_np = np.zeros(0, dtype=bool) if in_range else (year_np < YEAR_MIN) | (year_np > YEAR_MAX)
    else:
        year = pd.to_numeric(year_raw, errors="coerce")
        bad_year_np = (year.isna() | (year != np.floor(year)) | (year < YEAR_MIN) | (year > YEAR_MAX)).to_numpy()
    if bad_year_np.any():
        problems.append(_bad_rows(frame(year=year_raw.to_numpy()), bad_year_np, "year",
                                  f"not a year between {YEAR_MIN} and {YEAR_MAX}"))
        cols["year"] = np.zeros(n, dtype="int64")
    elif year_raw.dtype == np.int64:
        cols["year"] = year_np
    else:
        cols["year"] = year.astype("int64").to_numpy()

    # amount
    amount_raw = src["amount"]
    if amount_raw.dtype == np.float64:
        amount_np = amount_raw.to_numpy(copy=not owned)
    elif pd.api.types.is_bool_dtype(amount_raw):
        amount_np = np.full(n, np.nan)
    else:
        amount_np = pd.to_numeric(amount_raw, errors="coerce").astype("float64").to_numpy()
    known_whole = whole_cents and amount_raw.dtype == np.float64  # the reader vouches for them
    bad_amount = np.zeros(0, dtype=bool) if known_whole else ~np.isfinite(amount_np)
    if bad_amount.any():
        problems.append(_bad_rows(frame(amount=amount_raw.to_numpy()), bad_amount, "amount",
                                  "not a number (use 1234.56 or 1 234,56)"))
    else:
        fractional = np.zeros(0, dtype=bool) if known_whole else _fractional_cents(amount_np)
        if fractional.any():
            problems.append(_bad_rows(frame(amount=amount_raw.to_numpy()), fractional, "amount",
                                      "has fractions of a cent; round amounts to cents"))
        cols["amount"] = amount_np

    # class present
    if cols["service_class"].codes.min() < 0 and cols["task_class"].codes.min() < 0:
        no_class = (cols["service_class"].codes < 0) & (cols["task_class"].codes < 0)
    else:
        no_class = np.zeros(0, dtype=bool)
    if no_class.any():
        problems.append(_bad_rows(frame(), no_class, "service_class", "neither a service class nor a task class"))

    # shapes of codes, checked once per distinct value
    for col, pattern, problem in (
        ("service_class", r"\d{4}", "not a 4-digit service class code"),
        ("account", r"\d{3,6}", "not an account number (3–6 digits)"),
        ("business_id", _BUSINESS_ID.pattern, "not a business ID like 0201256-6"),
    ):
        values = cols[col]
        if len(values.categories) and values.codes.max() >= 0:
            shape = re.compile(pattern)
            bad_cats = np.array([shape.fullmatch(str(c)) is None for c in values.categories], dtype=bool)
            if bad_cats.any():
                problems.append(_bad_rows(frame(), np.append(bad_cats, False)[values.codes], col, problem))

    # organisation code shape, with a warned repair of zero padding
    if cols["org_code"].codes.max() >= 0:
        cols["org_code"] = _normalise_org_codes(cols["org_type"], cols["org_code"])

    if problems:
        _raise_for(pd.concat(problems, ignore_index=True), "Fix these cells in the source file and read it again.")

    out = pd.DataFrame({c: cols[c] for c in LEDGER_COLUMNS}, copy=False)
    if check_codes:
        from ._reference import check_ledger_codes  # local: reference data is loaded lazily

        bad = check_ledger_codes(out, registry=registry)
        if not bad.empty:
            _raise_for(
                bad,
                "Check the code against the official classification for that year "
                "(lapsibudjetti.service_classes(), task_classes(), municipalities()); for an "
                "organisation of your own pass registry=Registry.default().extend(...), "
                "or pass check_codes=False to read it anyway; unknown classes then end up unmapped.",
            )

    return out


#: The dtype of categories built from a list of ``str`` (``str`` on pandas 3, object before).
_STR_CATEGORIES = pd.CategoricalDtype(["x"]).categories.dtype


def _fractional_cents(amount: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """Amounts that are not whole cents (beyond float rounding), block by block in cache.

    Examples
    --------
    >>> _fractional_cents(np.array([1.1, 2.005, -0.3, 1e12 + 0.01])).tolist()
    [False, True, False, False]
    """
    out = np.empty(len(amount), dtype=bool)
    for lo in range(0, len(amount), block):
        cents = amount[lo : lo + block] * 100.0
        frac = np.rint(cents)
        np.subtract(cents, frac, out=frac)
        np.abs(frac, out=frac)
        np.abs(cents, out=cents)
        np.maximum(cents, 1.0, out=cents)
        cents *= 1e-6
        np.greater(frac, cents, out=out[lo : lo + block])
    return out


def _normalise_org_codes(ot: pd.Categorical, oc: pd.Categorical, block: int = 1 << 16) -> pd.Categorical:
    """Zero-pad numeric organisation codes (``91`` → ``091``), with a warning.

    Works on the distinct (org_type, org_code) pairs, never per row: a
    national ledger has millions of lines but a few hundred organisations.
    """
    widths = {"municipality": 3, "wellbeing_area": 2}
    digits = np.array([len(str(c)) if str(c).isdigit() else 0 for c in oc.categories] + [0])  # code -1: last
    if not ((digits > 0) & (digits < 2)).any():
        # the usual case: no 1-digit code, and 2-digit codes (if any) only on non-municipality lines
        # (wellbeing areas have 2 digits): checked on the codes of the lines that have 2-digit codes
        if not (digits == 2).any() or "municipality" not in ot.categories:
            return oc
        municipality = ot.categories.get_loc("municipality")
        two = digits == 2
        if not any(bool(np.any(two[oc.codes[lo : lo + block]] & (ot.codes[lo : lo + block] == municipality)))
                   for lo in range(0, len(oc), block)):
            return oc
    radix = len(oc.categories) + 1
    # the pairs are dense small integers: their distinct values by a presence count, not by hashing
    n_pairs = (len(ot.categories) + 1) * radix
    key_type = np.int32 if n_pairs < 2**31 else np.int64

    def pairs(lo: int) -> np.ndarray:
        pair = ot.codes[lo : lo + block].astype(key_type)
        pair += 1
        pair *= radix
        pair += oc.codes[lo : lo + block]
        pair += 1
        return pair

    counts = np.zeros(n_pairs, dtype=np.int64)
    for lo in range(0, len(oc), block):
        counts += np.bincount(pairs(lo), minlength=n_pairs)
    uniq = np.flatnonzero(counts)
    per_pair = counts[uniq]
    types = np.asarray(ot.categories, dtype=object)
    codes = np.asarray(oc.categories, dtype=object)
    old_vals, new_vals = [], []
    for u in uniq:
        t = types[u // radix - 1] if u // radix > 0 else None
        c = codes[u % radix - 1] if u % radix > 0 else None
        old_vals.append(c)
        if c is not None and t in widths and str(c).isdigit():
            new_vals.append(str(c).zfill(widths[t]))
        else:
            new_vals.append(c)
    changed = [(a, b) for a, b in zip(old_vals, new_vals) if a is not None and a != b]
    if changed:
        n_rows = int(sum(per_pair[k] for k, (a, b) in enumerate(zip(old_vals, new_vals)) if a is not None and a != b))
        examples = sorted({f"{a}→{b}" for a, b in changed})[:5]
        warnings.warn(
            f"{n_rows} organisation code(s) were zero-padded ({', '.join(examples)}); "
            "municipality codes have 3 digits and wellbeing-area codes 2.",
            LapsibudjettiWarning,
            stacklevel=3,
        )
    cats = pd.Index(sorted({v for v in new_vals if v is not None}), dtype=object)
    small = np.int8 if len(cats) < 127 else np.int16 if len(cats) < 32767 else np.int32
    lookup = np.full(len(counts), -1, dtype=small)  # pair -> new code, in one gather
    lookup[uniq] = [cats.get_loc(v) if v is not None else -1 for v in new_vals]
    codes = np.empty(len(oc), dtype=small)
    for lo in range(0, len(oc), block):
        np.take(lookup, pairs(lo), out=codes[lo : lo + block])
    return pd.Categorical.from_codes(codes, categories=cats)
