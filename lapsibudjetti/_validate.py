"""Ledger validation: make_ledger, validate_ledger, and the code checks against the reference data."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._errors import InputError, LapsibudjettiWarning
from ._problems import raise_all as _raise_all
from ._problems import raise_for as _raise_for

if TYPE_CHECKING:
    from .reference._registry import Registry
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._schema import (
    _BUSINESS_ID,
    LEDGER_COLUMNS,
    ORG_TYPES,
    PHASES,
    REQUIRED,
    YEAR_MAX,
    YEAR_MIN,
    _fractional_cents,
)

if TYPE_CHECKING:
    from .reference._registry import Registry
from .reference._labels import say
from .reference._tables import (
    CHECK_COLUMNS,
    MUNICIPALITY_FIRST_YEAR,
    SCOPES,
    SERVICE_CLASS_FIRST_YEAR,
    TASK_CLASS_YEARS,
    _load,
)

# --------------------------------------------------------------------------- ledger checks



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


def _p(key: str, default: str | None = None, **values: object) -> str:
    """A problem's text in the session's language (labels ``problem.KEY``, or a ``value.*`` word)."""
    from .reference._labels import default_lang, say, text

    if key.startswith("value."):
        return text(key, default_lang(), default=default)
    return say(f"problem.{key}", **values)


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
            raise InputError(say("ledger.default_unknown", name=repr(name), allowed=", ".join(LEDGER_COLUMNS)))
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
    earlier: list[pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """:func:`validate_ledger`; ``owned``: ``df`` is a reader's own frame, so its arrays are kept, not copied.

    ``whole_cents``: the reader parsed every amount from at most two decimals
    (finite, whole cents), so the amounts need no check. ``earlier``: the
    problems the reader found (cells that are not amounts), raised here with
    every other problem of the file in one error.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(say("arg.type", name="ledger", expected=say("what.dataframe"), got=type(df).__name__))
    name = file if file is not None else "<memory>"
    if "business_id" in df.columns:
        # ledgers keyed by business ID (the State Treasury's data): org_type/org_code
        # from the registry where the code is missing, with a warning; unknown IDs raise
        from .reference._registry import Registry

        df = (registry or Registry.default()).with_org_codes(df, file=name)
    _require_columns(df, name)
    n = len(df)
    src = df.reset_index(drop=True)
    # columns are collected in a dict and the frame is built once, without copies
    cols: dict[str, Any] = {}
    cols["source_file"] = _as_category(
        src["source_file"] if "source_file" in src else pd.Series([name] * n)
    ).array
    cols["source_row"] = _source_rows(src.get("source_row", None), n, owned)

    problems: list[pd.DataFrame] = list(earlier or [])
    amounts_known_bad = bool(earlier)

    def frame(**extra: object) -> pd.DataFrame:
        """The columns so far (and ``extra``) as a frame, for listing problem rows."""
        return pd.DataFrame({**cols, **extra}, copy=False)

    for col in ("org_type", "org_code", "business_id", "phase", "service_class", "task_class", "account", "cost_centre"):
        cols[col] = _text_column(src, col, n, owned)

    # required text columns present on every row
    for col in ("org_type", "org_code", "phase"):
        if len(cols[col]) and cols[col].codes.min() < 0:
            problems.append(_bad_rows(frame(), cols[col].codes < 0, col, _p("missing_value")))

    for col, allowed in (("org_type", ORG_TYPES), ("phase", PHASES)):
        cat = cols[col]
        bad_cat = np.append(~np.asarray(cat.categories.isin(allowed), dtype=bool), False)  # code -1: not here
        if not bad_cat.any():  # every category allowed: no line to look at
            continue
        bad = bad_cat[cat.codes]
        if bad.any():
            problems.append(_bad_rows(frame(), bad, col, _p("not_one_of", allowed=", ".join(allowed))))

    cols["year"] = _year_column(src["year"], owned, problems, frame)

    # cells the reader could not read are listed already (they are NaN here): the others are still checked for cents
    amount_src = src["amount"].fillna(0.0) if amounts_known_bad and src["amount"].dtype == np.float64 else src["amount"]
    amount = _amount_column(amount_src, owned, whole_cents, problems, frame)
    if amount is not None:
        cols["amount"] = amount

    # class present
    if cols["service_class"].codes.min() < 0 and cols["task_class"].codes.min() < 0:
        no_class = (cols["service_class"].codes < 0) & (cols["task_class"].codes < 0)
    else:
        no_class = np.zeros(0, dtype=bool)
    if no_class.any():
        problems.append(_bad_rows(frame(), no_class, "service_class", _p("no_class")))

    _check_code_shapes(cols, problems, frame)

    # organisation code shape, with a warned repair of zero padding
    if cols["org_code"].codes.max() >= 0:
        cols["org_code"] = _normalise_org_codes(cols["org_type"], cols["org_code"])
    if cols["business_id"].codes.max() >= 0:
        _check_business_ids(cols, problems, frame, registry)

    if problems:
        if check_codes:  # the codes too, so that one error lists every problem of every kind
            problems += _code_problems_anyway(cols, src["year"], registry)
        if len(problems) == 1 and isinstance(problems[0].attrs.get("error"), InputError):
            raise problems[0].attrs["error"]  # the reader's own message when the amounts are the only problem
        _raise_all(pd.concat(problems, ignore_index=True))

    out = pd.DataFrame({c: cols[c] for c in LEDGER_COLUMNS}, copy=False)
    if check_codes:
        bad = check_ledger_codes(out, registry=registry)
        if not bad.empty:
            _raise_for(bad, say("fix.codes"))

    return out


def _require_columns(df: pd.DataFrame, name: str) -> None:
    """The required columns are there and the ledger has rows."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if "service_class" not in df.columns and "task_class" not in df.columns:
        missing.append("service_class or task_class")
    if missing:
        raise InputError(
            say("ledger.no_columns", missing=", ".join(repr(m) for m in missing), present=", ".join(map(str, df.columns)) or say("ledger.none")),
            file=name,
            column=missing[0],
        )
    if len(df) == 0:
        raise InputError(
            say("ledger.no_rows"),
            file=name,
        )


def _text_column(src: pd.DataFrame, col: str, n: int, owned: bool) -> pd.Categorical:
    """A text column as a categorical of strings (a reader's own categories kept without a copy)."""
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



def _year_column(year_raw: pd.Series, owned: bool, problems: list[pd.DataFrame], frame: Any) -> np.ndarray:
    """Years as int64 in the allowed range; other values are problems (then zeros stand in)."""
    n = len(year_raw)
    if year_raw.dtype == np.int64:  # already whole numbers: only the range to check
        year_np = year_raw.to_numpy(copy=not owned)
        in_range = len(year_np) == 0 or (year_np.min() >= YEAR_MIN and year_np.max() <= YEAR_MAX)
        bad_year_np = np.zeros(0, dtype=bool) if in_range else (year_np < YEAR_MIN) | (year_np > YEAR_MAX)
    else:
        year = pd.to_numeric(year_raw, errors="coerce")
        bad_year = year.isna() | (year != np.floor(year)) | (year < YEAR_MIN) | (year > YEAR_MAX)
        if not (pd.api.types.is_numeric_dtype(year_raw) or pd.api.types.is_bool_dtype(year_raw)):
            # text: a year is written with its four digits (not 2.022e3, 2022.0 or 2022,0)
            text = year_raw.astype(object)
            written = text.map(lambda v: isinstance(v, int | np.integer) or bool(isinstance(v, str) and _YEAR_TEXT.fullmatch(v)))
            bad_year |= ~written.astype(bool)
        bad_year_np = bad_year.to_numpy()
    if bad_year_np.any():
        problems.append(_bad_rows(frame(year=year_raw.to_numpy()), bad_year_np, "year",
                                  _p("bad_year", low=YEAR_MIN, high=YEAR_MAX)))
        return np.zeros(n, dtype="int64")
    if year_raw.dtype == np.int64:
        return year_np
    return year.astype("int64").to_numpy()



def _amount_column(amount_raw: pd.Series, owned: bool, whole_cents: bool, problems: list[pd.DataFrame], frame: Any
                   ) -> np.ndarray | None:
    """Amounts as float64 in whole cents, or None when some are not numbers (recorded as problems)."""
    n = len(amount_raw)
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
                                  _p("not_number")))
        return None
    fractional = np.zeros(0, dtype=bool) if known_whole else _fractional_cents(amount_np)
    if fractional.any():
        problems.append(_bad_rows(frame(amount=amount_raw.to_numpy()), fractional, "amount",
                                  _p("fraction_cent")))
    return amount_np



def _check_business_ids(cols: dict[str, Any], problems: list[pd.DataFrame], frame: Any, registry: Registry | None) -> None:
    """Business IDs with a wrong check digit, and lines whose business ID is not their organisation's, are problems."""
    from .reference._registry import Registry, business_id_ok

    bid: pd.Categorical = cols["business_id"]
    known = (registry or Registry.default()).business_ids()
    vouched = set(known["business_id"].astype(str))  # a registry of one's own may hold made-up IDs (workshops)
    cats = [str(c) for c in bid.categories]
    bad_digit = np.array([c not in vouched and bool(_BUSINESS_ID.fullmatch(c)) and not business_id_ok(c) for c in cats] + [False])
    if bad_digit.any():
        problems.append(_bad_rows(frame(), bad_digit[bid.codes], "business_id",
                                  _p("check_digit")))
    of_org = {(str(t), str(c)): str(b) for t, c, b in zip(known["org_type"], known["code"], known["business_id"])}
    if not of_org:
        return
    pairs = pd.DataFrame({"t": cols["org_type"], "c": cols["org_code"], "b": bid}).astype(object)
    distinct = pairs.dropna().drop_duplicates()
    clash = {(t, c, b): of_org[(t, c)] for t, c, b in distinct.itertuples(index=False, name=None)
             if (t, c) in of_org and of_org[(t, c)] != b}
    if clash:
        keys = list(zip(pairs["t"], pairs["c"], pairs["b"]))
        mask = np.array([k in clash for k in keys], dtype=bool)
        problems.append(_bad_rows(frame(), mask, "business_id",
                                  _p("other_business_id", ids="; ".join(sorted({f"{c}: {v}" for (_t, c, _b), v in clash.items()})))))


def _check_code_shapes(cols: dict[str, Any], problems: list[pd.DataFrame], frame: Any) -> None:
    """Service classes, accounts and business IDs of the right shape, checked once per distinct value."""
    for col, pattern, problem in (
        ("service_class", r"\d{4}", _p("service_class_shape")),
        ("account", r"\d{3,6}", _p("account_shape")),
        ("business_id", _BUSINESS_ID.pattern, _p("business_id_shape")),
    ):
        values = cols[col]
        if len(values.categories) and values.codes.max() >= 0:
            shape = re.compile(pattern)
            bad_cats = np.array([shape.fullmatch(str(c)) is None for c in values.categories], dtype=bool)
            if bad_cats.any():
                problems.append(_bad_rows(frame(), np.append(bad_cats, False)[values.codes], col, problem))



#: The dtype of categories built from a list of ``str`` (``str`` on pandas 3, object before).
_STR_CATEGORIES = pd.CategoricalDtype(["x"]).categories.dtype


_YEAR_TEXT = re.compile(r"\s*\d{4}\s*")

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
    old_vals: list[str | None] = []
    new_vals: list[str | None] = []
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
        from .reference._labels import default_lang, text

        warnings.warn(
            text("warn.padded_ledger_codes", default_lang(), n=n_rows, examples=", ".join(examples)),
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


def _string_category(values: pd.Series) -> pd.Series:
    """Categorical whose categories are strings (missing stays missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if all(isinstance(c, str) for c in cats):
            return values
    obj = values.astype(object)
    mask = obj.notna()
    obj = obj.where(~mask, obj.map(lambda v: str(v) if v is not None else v))
    return obj.where(mask, None).astype("category")


def _empty_check() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object) for c in CHECK_COLUMNS})


def _periods(rows: pd.DataFrame) -> str:
    parts = []
    for r in rows.itertuples(index=False):
        to = "" if pd.isna(r.valid_to) else str(int(r.valid_to))
        span = f"{int(r.valid_from)}–{to}" if to != str(int(r.valid_from)) else str(int(r.valid_from))
        scope = getattr(r, "scope", None)
        parts.append(f"{span} ({scope})" if scope else span)
    return ", ".join(parts)


def _spans(rows: pd.DataFrame) -> list[tuple[int, int | None]]:
    """The validity periods of a class's rows as (first year, last year or ``None`` for open)."""
    return [(int(a), None if pd.isna(b) else int(b)) for a, b in zip(rows["valid_from"], rows["valid_to"])]


def _combos(org_type: pd.Series, year: np.ndarray, other: pd.Series, keep: np.ndarray
            ) -> tuple[pd.DataFrame, np.ndarray]:
    """Unique (org_type, year, value) combinations of the kept lines, and each line's combo id (-1 if not kept)."""
    ot_codes = org_type.cat.codes.to_numpy().astype("int64")
    ov_codes = other.cat.codes.to_numpy().astype("int64")
    y = year.astype("int64")
    y0 = int(y[keep].min()) if keep.any() else 0
    span = int(y[keep].max()) - y0 + 1 if keep.any() else 1
    n_other = max(len(other.cat.categories), 1)
    key = ((ot_codes + 1) * span + (y - y0)) * (n_other + 1) + (ov_codes + 1)
    ids = np.full(len(key), -1, dtype="int64")
    codes, uniques = pd.factorize(key[keep])
    ids[keep] = codes
    uniques = np.asarray(uniques, dtype="int64")
    ov = uniques % (n_other + 1) - 1
    rest = uniques // (n_other + 1)
    yy = rest % span + y0
    ot = rest // span - 1
    ot_cats = np.asarray(org_type.cat.categories, dtype=object)
    ov_cats = np.asarray(other.cat.categories, dtype=object)
    combos = pd.DataFrame({
        "org_type": [ot_cats[i] if i >= 0 else None for i in ot],
        "year": yy.astype("int64"),
        "value": [str(ov_cats[i]) for i in ov],
    })
    return combos, ids


def _service_problems(combos: pd.DataFrame) -> list[str | None]:
    ref = _load("service_classes.csv")
    by_code = {code: rows for code, rows in ref.groupby("code", sort=False)}  # noqa: C416 - dict() would call GroupBy.keys
    # each class's (valid_from, valid_to or None, scope) as plain values: thousands of combinations
    # are checked, and a pandas filter per combination cost far more than the check
    periods = {
        c: [(int(f), None if pd.isna(t) else int(t), sc) for f, t, sc in zip(g["valid_from"], g["valid_to"], g["scope"])]
        for c, g in by_code.items()
    }
    first = int(ref["valid_from"].min())
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        rows = by_code.get(r.value)
        if r.year < first:
            out.append(_p("service_class_before", first=first, year=r.year, a=TASK_CLASS_YEARS[0], b=TASK_CLASS_YEARS[1]))
            continue
        if rows is None:
            out.append(_p("unknown_service_class"))
            continue
        if r.org_type == "municipality":
            allowed: tuple[str, ...] = ("municipality", "both")
        elif r.org_type == "wellbeing_area":
            allowed = ("wellbeing_area", "both")
        else:  # joint authorities: any scope
            allowed = SCOPES
        year = int(r.year)
        if any(f <= year and (t is None or t >= year) and sc in allowed for f, t, sc in periods[r.value]):
            out.append(None)
        else:
            who = _p(f"value.org_type.{r.org_type}", default=str(r.org_type).replace("_", " "))
            out.append(_p("service_class_year", year=r.year, who=who, periods=_periods(rows)))
    return out


def _task_problems(combos: pd.DataFrame) -> list[str | None]:
    ref = _load("task_classes.csv")
    by_name = {name: rows for name, rows in ref.groupby("name_fi", sort=False)}  # noqa: C416 - dict() would call GroupBy.keys
    spans = {name: _spans(rows) for name, rows in by_name.items()}
    first, last = TASK_CLASS_YEARS
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        if r.year < first or r.year > last:
            hint = _p("task_years_hint", since=SERVICE_CLASS_FIRST_YEAR) if r.year > last else ""
            out.append(_p("task_years", first=first, last=last, year=r.year, hint=hint))
            continue
        rows = by_name.get(r.value)
        if rows is None:
            out.append(_p("unknown_task_class"))
        elif any(a <= r.year and (b is None or r.year <= b) for a, b in spans[r.value]):
            out.append(None)
        else:
            out.append(_p("task_class_year", year=r.year, periods=_periods(rows)))
    return out


def _municipality_problems(combos: pd.DataFrame) -> list[str | None]:
    ref = _load("municipalities.csv")
    # one row a code: looked up as plain values (a .loc per organisation-year took a tenth of a second on the national data)
    known = {str(c): (None if pd.isna(to) else int(to), into if isinstance(into, str) else None, name)
             for c, to, into, name in zip(ref["code"], ref["valid_to"], ref["merged_into"], ref["name_fi"])}
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        m = known.get(r.value)
        if m is None:
            out.append(_p("unknown_municipality"))
            continue
        valid_to, target, name = m
        if r.year < MUNICIPALITY_FIRST_YEAR:
            out.append(_p("municipality_years", first=MUNICIPALITY_FIRST_YEAR, year=r.year))
        elif valid_to is not None and r.year > valid_to:
            into = _p("merged_into", code=target, name=known[target][2]) if target is not None else ""
            out.append(_p("municipality_gone", name=name, year=r.year, last=valid_to, into=into))
        else:
            out.append(None)
    return out


def _registry_problems(combos: pd.DataFrame, table: pd.DataFrame) -> list[str | None]:
    """Municipalities the packaged reference lacks, checked against a registry's table and years."""
    codes = table["code"].astype(str).to_numpy()
    n = len(table)
    vf = pd.to_numeric(table["valid_from"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) if "valid_from" in table else np.full(n, np.nan)
    vt = pd.to_numeric(table["valid_to"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) if "valid_to" in table else np.full(n, np.nan)
    out: list[str | None] = []
    for r in combos.itertuples(index=False):
        hit = codes == r.value
        valid = hit & (np.isnan(vf) | (vf <= r.year)) & (np.isnan(vt) | (vt >= r.year))
        if valid.any():
            out.append(None)
        else:
            spans = ", ".join(
                f"{'' if np.isnan(a) else int(a)}–{'' if np.isnan(b) else int(b)}" for a, b in zip(vf[hit], vt[hit])
            )
            out.append(_p("not_in_registry", year=r.year, spans=spans))
    return out


def check_ledger_codes(ledger: pd.DataFrame, *, registry: Registry | None = None) -> pd.DataFrame:
    """Lines whose class or organisation code does not exist in that year.

    Used by :func:`lapsibudjetti._schema.validate_ledger`. Checks, per line
    and year: ``service_class`` against the service classes of the line's
    organisation type (municipality: scope municipality/both; wellbeing
    area: wellbeing_area/both; joint authority: any scope); ``task_class``
    against the 2015–2020 task classes (aggregates are known names); the
    ``org_code`` of municipality lines against the municipalities of that
    year and of wellbeing-area lines against the wellbeing areas. Years the
    reference does not cover give a problem naming the years it does cover.

    The work is done on the unique (organisation type, code, year, value)
    combinations and mapped back, so it scales to millions of lines.

    Parameters
    ----------
    ledger
        A canonical ledger (see ``docs/architecture.md``): categorical text
        columns, ``year`` int64, ``source_file`` and ``source_row``.
    registry
        Organisations beyond the packaged reference (e.g. the fictional
        ones of a training sample, added with
        :meth:`lapsibudjetti.Registry.extend`). Municipality codes the
        packaged reference lacks are accepted when the registry has them
        for the line's year; wellbeing-area codes when the registry has
        the area. Classes are always checked against the packaged lists.

    Returns
    -------
    DataFrame
        Columns ``file, row, column, value, problem``; one row per problem,
        in ledger order. Empty (with those columns) when all is well.

    Examples
    --------
    >>> led = pd.DataFrame({
    ...     "org_type": pd.Categorical(["municipality"] * 3),
    ...     "org_code": pd.Categorical(["091", "091", "999"]),
    ...     "year": [2022, 2022, 2022],
    ...     "service_class": pd.Categorical(["3021", "2605", "3051"]),
    ...     "task_class": pd.Categorical([None, None, None]),
    ...     "source_file": pd.Categorical(["a.csv"] * 3),
    ...     "source_row": [2, 3, 4]})
    >>> bad = check_ledger_codes(led)
    >>> bad[["row", "column", "value"]].to_dict("records")
    [{'row': 3, 'column': 'service_class', 'value': '2605'}, {'row': 4, 'column': 'org_code', 'value': '999'}]
    >>> check_ledger_codes(led.iloc[:1]).empty
    True
    >>> from lapsibudjetti import Registry
    >>> reg = Registry.default().extend(
    ...     municipalities=pd.DataFrame({"code": ["999"], "name_fi": ["Esimerkkilä"], "valid_from": [2021]}))
    >>> check_ledger_codes(led, registry=reg)["value"].tolist()
    ['2605']
    """
    if not isinstance(ledger, pd.DataFrame):
        raise InputError(say("arg.type", name="ledger", expected=say("what.dataframe"), got=type(ledger).__name__))
    needed = ("org_type", "org_code", "year")
    missing = [c for c in needed if c not in ledger.columns]
    if missing:
        raise InputError(say("ledger.no_columns", missing=", ".join(missing), present=", ".join(map(str, ledger.columns))))
    if len(ledger) == 0:
        return _empty_check()
    check = _CodeCheck(ledger)
    if "org_code" in ledger:
        check.org_codes(_string_category(ledger["org_code"].reset_index(drop=True)), registry)
    everywhere = np.ones(len(ledger), dtype=bool)
    if "service_class" in ledger:
        check.add("service_class", _string_category(ledger["service_class"].reset_index(drop=True)), everywhere, _service_problems)
    if "task_class" in ledger:
        check.add("task_class", _string_category(ledger["task_class"].reset_index(drop=True)), everywhere, _task_problems)
    return check.table()


class _CodeCheck:
    """The problems found in a ledger's codes, one check per distinct (organisation type, year, code)."""

    def __init__(self, ledger: pd.DataFrame) -> None:
        self.n = n = len(ledger)
        self.org_type = _string_category(ledger["org_type"].reset_index(drop=True))
        year_raw = pd.to_numeric(ledger["year"].reset_index(drop=True), errors="coerce")
        self.year_ok = year_raw.notna().to_numpy()
        self.year = year_raw.fillna(0).to_numpy().astype("int64")
        self.source_file = ledger["source_file"].reset_index(drop=True) if "source_file" in ledger else None
        self.rows = np.asarray(ledger["source_row"].to_numpy() if "source_row" in ledger else np.arange(1, n + 1))
        self.found: list[pd.DataFrame] = []

    def files_at(self, idx: np.ndarray) -> np.ndarray:
        if self.source_file is None:
            return np.full(len(idx), "<memory>", dtype=object)
        return self.source_file.iloc[idx].astype(object).to_numpy()

    def is_type(self, name: str) -> np.ndarray:
        cats = list(self.org_type.cat.categories)
        if name not in cats:
            return np.zeros(self.n, dtype=bool)
        return self.org_type.cat.codes.to_numpy() == cats.index(name)

    def record(self, idx: np.ndarray, column: str, values: pd.Series, problems: np.ndarray | str) -> None:
        self.found.append(pd.DataFrame({
            "_pos": idx, "_order": KIND_ORDER[column], "file": self.files_at(idx), "row": self.rows[idx],
            "column": column, "value": values.iloc[idx].astype(object).to_numpy(), "problem": problems,
        }))

    def add(self, column: str, values: pd.Series, keep: np.ndarray, check: Callable[[pd.DataFrame], list[str | None]]) -> None:
        keep = keep & values.notna().to_numpy() & self.year_ok
        if not keep.any():
            return
        combos, ids = _combos(self.org_type, self.year, values, keep)
        problems = np.asarray(check(combos), dtype=object)
        bad_combo = np.array([p is not None for p in problems], dtype=bool)
        if not bad_combo.any():
            return
        line_bad = np.zeros(self.n, dtype=bool)
        line_bad[keep] = bad_combo[ids[keep]]
        idx = np.flatnonzero(line_bad)
        self.record(idx, column, values, problems[ids[idx]])

    def org_codes(self, code: pd.Series, registry: Registry | None) -> None:
        """Municipality codes by year (the registry's own organisations too) and wellbeing-area codes."""
        muni = self.is_type("municipality")
        areas = set(_load("wellbeing_areas.csv")["code"])
        if registry is not None:
            table = registry.municipalities
            own = (~code.isin(set(_load("municipalities.csv")["code"])) & code.isin(set(table["code"].astype(str)))).to_numpy()
            self.add("org_code", code, muni & own, lambda c: _registry_problems(c, table))
            muni = muni & ~own
            areas |= set(registry.areas["code"].astype(str))
        self.add("org_code", code, muni, _municipality_problems)
        wa = self.is_type("wellbeing_area") & code.notna().to_numpy()
        bad_wa = wa & ~code.isin(areas).to_numpy()
        if bad_wa.any():
            self.record(np.flatnonzero(bad_wa), "org_code", code,
                        _p("unknown_area"))

    def table(self) -> pd.DataFrame:
        if not self.found:
            return _empty_check()
        out = pd.concat(self.found, ignore_index=True)
        out = out.sort_values(["_pos", "_order"], kind="mergesort").drop(columns=["_pos", "_order"])
        out["row"] = out["row"].astype("int64")
        for col in ("file", "column", "value", "problem"):
            out[col] = out[col].astype(object)
        return out.reset_index(drop=True)


KIND_ORDER = {"org_code": 0, "service_class": 1, "task_class": 2}


def _source_rows(row_col: pd.Series | None, n: int, owned: bool) -> np.ndarray:
    """The file row of every line (1…n for a frame without them)."""
    if row_col is not None and row_col.dtype == np.int64:
        return row_col.to_numpy(copy=not owned)  # a new frame: never a view of the input
    if row_col is not None and row_col.notna().all():
        return pd.to_numeric(row_col).astype("int64").to_numpy()
    return np.arange(1, n + 1, dtype="int64")


def _code_problems_anyway(cols: dict[str, Any], year_raw: pd.Series, registry: Registry | None) -> list[pd.DataFrame]:
    """The code check of the lines whose year, organisation type and phase are readable, so that it is not a second round."""
    n = len(year_raw)
    year = pd.to_numeric(year_raw, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(year) & (year >= YEAR_MIN) & (year <= YEAR_MAX)
    ok &= np.asarray(pd.Series(cols["org_type"]).isin(ORG_TYPES)) & np.asarray(pd.Series(cols["phase"]).isin(PHASES))
    frame = {c: cols[c] for c in LEDGER_COLUMNS if c in cols}
    frame["amount"] = np.zeros(n)
    frame["year"] = np.where(ok, year, YEAR_MIN).astype("int64")
    try:
        out = pd.DataFrame(frame, copy=False).loc[ok].reset_index(drop=True)
        bad = check_ledger_codes(out, registry=registry) if len(out) else pd.DataFrame()
    except (InputError, KeyError, ValueError):
        return []  # the structure is too broken to check codes; its problems are listed
    return [bad] if not bad.empty else []
