"""Integer group ids and exact cent sums over categorical columns (the kernel of every table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._schema import amount_cents

if TYPE_CHECKING:
    pass


GROUP = ["org_type", "org_code", "year", "phase"]
TIERS = ("universal", "targeted", "corrective")


_DENSE_GROUPS = 1 << 26  # composite group-key spaces up to this size are counted densely


def _column_codes(s: pd.Series) -> tuple[np.ndarray, int, np.ndarray]:
    """Raw codes, the offset that makes them ``0..len(values)-1`` (0 = missing) and the values (index 0: None).

    Values are in sort order. The raw codes are the column's own arrays
    where possible (no copy): categorical codes, or the integers themselves.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), 1, np.concatenate([[None], np.asarray(s.cat.categories, dtype=object)])
    values = s.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 1_000_000:  # a short span of integers (years): offsets, no hashing
            u = np.empty(hi - lo + 2, dtype=object)
            u[0] = None
            u[1:] = np.arange(lo, hi + 1).tolist()
            return values, 1 - lo, u
    c, u_ = pd.factorize(s, sort=True, use_na_sentinel=True)
    return c, 1, np.concatenate([[None], np.asarray(u_, dtype=object)])


def group_ids(frame: pd.DataFrame, columns: list[str], *, sort: bool = True) -> tuple[np.ndarray, int]:
    """Integer group id per row (groups sorted by the columns' codes, or unsorted: half the time) and the number of groups.

    Examples
    --------
    >>> df = pd.DataFrame({"a": pd.Categorical(["x", "y", "x"]), "year": [2024, 2023, 2024]})
    >>> gid, n = group_ids(df, ["a", "year"])
    >>> gid.tolist(), n
    ([0, 1, 0], 2)
    """
    gid, _parts, n = _group_ids(frame, columns, [_column_codes(frame[col]) for col in columns], decode=False, sort=sort)
    return gid, n


def _compact(key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    """``key`` (values in ``0..space-1``) renumbered ``0..m-1`` over the values present, in the same order."""
    present = np.zeros(space, dtype=bool)
    present[key] = True
    lut = np.cumsum(present, dtype="int64")
    lut -= 1
    return lut[key], int(lut[-1]) + 1


def _hashed_in_order(key: np.ndarray) -> tuple[np.ndarray, int]:
    """``key`` renumbered ``0..m-1`` over the values present, in the same order, by hashing (for a key space too large
    to count densely)."""
    codes, uniq = pd.factorize(key, sort=True)
    return codes.astype("int64"), len(uniq)


def fold_ids(parts: list[tuple[np.ndarray, int, int]], n: int, *, sort: bool = True) -> tuple[np.ndarray, int]:
    """Group number per row of the combinations of ``parts`` and the number of groups.

    ``parts`` are (raw codes, offset, radix) with ``raw + offset`` in
    ``0..radix-1``, the first part most significant. The parts are folded
    in from the last, each new one more significant, and the key is
    renumbered densely over the combinations present (which keeps their
    order) whenever the next product would pass about two keys per row: a
    few passes over small integer arrays instead of hashing every row. Only
    when even the renumbered key times the next radix is too large is the
    rest hashed (then groups are in key order only if ``sort``); a single
    column whose codes span more than that is hashed too. Without hashing
    the groups are always in key order.

    Examples
    --------
    >>> gid, m = fold_ids([(np.array([1, 0, 1]), 0, 2), (np.array([5, 7, 5]), 0, 9)], 3)
    >>> gid.tolist(), m
    ([1, 0, 1], 2)
    """
    if n == 0:
        return np.zeros(0, dtype="int64"), 0
    cap = 2 * n + (1 << 20)
    key: np.ndarray | None = None
    space, hashed = 1, False
    for raw, offset, radix in reversed(parts):
        if radix == 1:  # one value: adds nothing to the key
            continue
        if key is None:
            key = raw.astype("int64")
            key += offset
            space = radix
            continue
        if not hashed and space * radix > cap:
            key, space = _compact(key, space) if space <= cap else _hashed_in_order(key)
            hashed = space * radix > cap
        if hashed and space * radix >= 2**62:  # renumber by hashing, in order, before the product passes int64
            key, space = _hashed_in_order(key)
        step = raw.astype("int64")
        if offset:
            step += offset
        step *= space
        key += step
        space *= radix
    if key is None:  # every part has one value: one group
        return np.zeros(n, dtype="int64"), 1
    if not hashed and space <= cap:
        return _compact(key, space)
    gid, uniq = pd.factorize(key, sort=sort)
    return gid.astype("int64"), len(uniq)


def fold_codes(parts: list[tuple[np.ndarray, int, int]], n: int) -> tuple[np.ndarray, int, list[np.ndarray]]:
    """:func:`fold_ids` (groups in key order) and each group's code (``raw + offset``) per part, read off one row of it.

    Examples
    --------
    >>> gid, m, codes = fold_codes([(np.array([1, 0, 1]), 0, 2), (np.array([5, 7, 5]), 0, 9)], 3)
    >>> gid.tolist(), m, [c.tolist() for c in codes]
    ([1, 0, 1], 2, [[0, 1], [7, 5]])
    """
    gid, m = fold_ids(parts, n)
    rep = np.zeros(m, dtype="int64")
    rep[gid] = np.arange(n, dtype="int64")  # any row of each group: its codes
    return gid, m, [raw[rep].astype("int64") + offset for raw, offset, _radix in parts]


def _group_ids(frame: pd.DataFrame, columns: list[str], cols: list[tuple[np.ndarray, int, np.ndarray]], *, decode: bool = True,
               sort: bool = True) -> tuple[np.ndarray, list[np.ndarray] | None, int]:
    """Group id per row, each group's code per column (``decode``; else ``None``) and the number of groups."""
    parts = [(raw, off, len(u)) for raw, off, u in cols]
    if not decode:
        gid, m = fold_ids(parts, len(frame), sort=sort)
        return gid, None, m
    gid, m, codes = fold_codes(parts, len(frame))
    return gid, codes, m


def group_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group id per row and the distinct groups (sorted), without string merges.

    Groups are sorted by the columns' codes (category order, then value);
    missing values form their own group, shown as None.

    Examples
    --------
    >>> df = pd.DataFrame({"a": pd.Categorical(["x", "y", "x"]), "year": [2024, 2023, 2024]})
    >>> gid, groups = group_codes(df, ["a", "year"])
    >>> gid.tolist(), groups.to_dict("list")
    ([0, 1, 0], {'a': ['x', 'y'], 'year': [2024, 2023]})
    """
    cols = [_column_codes(frame[col]) for col in columns]
    gid, parts, _n = _group_ids(frame, columns, cols)
    out = {col: u[p] for col, p, (_raw, _off, u) in zip(columns, parts or [], cols)}
    groups = pd.DataFrame(out)
    if "year" in groups:
        groups["year"] = groups["year"].astype("int64")
    return gid, groups


def _sum(gid: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(gid, weights=weights, minlength=n)


def _cents(gid: np.ndarray, cents: np.ndarray, n: int) -> np.ndarray:
    """Exact integer sums per group (bincount on float would round big totals)."""
    sums = np.zeros(n, dtype="int64")
    np.add.at(sums, gid, np.asarray(cents, dtype="int64"))
    return sums


def group_cents_of(gid: np.ndarray, n: int, cents: np.ndarray, mapped: np.ndarray) -> dict[str, np.ndarray]:
    """Input, classified and unmapped cents and unmapped lines per group.

    The three sums are taken independently (the unmapped ones over the
    unmapped lines only), so their difference checks the classification.
    """
    unmapped_at = np.flatnonzero(~mapped)
    unmapped = _cents(gid[unmapped_at], cents[unmapped_at], n)
    return {
        "total": _cents(gid, cents, n),
        "classified": _cents(gid, np.where(mapped, cents, 0), n),
        "unmapped": unmapped,
        "unmapped_lines": np.bincount(gid[unmapped_at], minlength=n).astype("int64"),
    }


@dataclass(frozen=True, eq=False)
class LineGroups:
    """The organisation × year × phase groups of a child budget's lines and their exact cent sums.

    Built once (by :func:`lapsibudjetti.child_budget`, which needs them for
    its reconciliation check, or on first use for a result built otherwise)
    and shared by every table of the result.

    Attributes
    ----------
    gid
        Each line's group number.
    groups
        ``org_type, org_code, year, phase`` of each group, sorted.
    line_cents
        Each line's amount in integer cents.
    mapped
        Each line: classified (True) or unmapped.
    cents
        Per group: ``total``, ``classified``, ``unmapped`` cents and
        ``unmapped_lines``.
    """

    gid: np.ndarray
    groups: pd.DataFrame
    line_cents: np.ndarray
    mapped: np.ndarray
    cents: dict[str, np.ndarray]

    @classmethod
    def of(cls, annotated: pd.DataFrame) -> LineGroups:
        """The groups of annotated lines (ledger columns plus ``mapped``)."""
        gid, groups = group_codes(annotated, GROUP)
        line_cents = amount_cents(annotated["amount"])
        mapped = annotated["mapped"].to_numpy()
        return cls(gid, groups, line_cents, mapped, group_cents_of(gid, len(groups), line_cents, mapped))


def line_counts(annotated: pd.DataFrame) -> np.ndarray:
    """How many input lines each annotated row stands for: 1, or its ``line_count`` in a result of summed lines.

    Results computed from a Parquet dataset or a Dask frame hold the mapped
    lines summed per organisation, year, phase, class, rule and key; their
    ``line_count`` column says how many lines each row adds up.

    Examples
    --------
    >>> line_counts(pd.DataFrame({"amount": [1.0, 2.0]})).tolist()
    [1, 1]
    >>> line_counts(pd.DataFrame({"amount": [3.0], "line_count": [2]})).tolist()
    [2]
    """
    if "line_count" in annotated.columns:
        return annotated["line_count"].to_numpy(dtype="int64")
    return np.ones(len(annotated), dtype="int64")


def text_index(values: list[str]) -> pd.Index:
    """Categories of text, of the same dtype whether empty or not (so results concatenate)."""
    return pd.Index(values) if values else pd.Index([], dtype=pd.Index([""]).dtype)


def code_dtype(n_categories: int) -> str:
    return "int8" if n_categories < 2**7 else "int16" if n_categories < 2**15 else "int32"


def categorical_of_codes(codes: np.ndarray, categories: list[str]) -> pd.Categorical:
    """A categorical from codes already known to lie in ``-1..len(categories)-1``."""
    dtype = pd.CategoricalDtype(text_index(categories))
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def vocab_categorical(codes: np.ndarray, vocab: list[str], present: np.ndarray) -> pd.Categorical:
    """A categorical of ``vocab[codes]`` (-1: missing) whose categories are the sorted values ``present``.

    ``vocab`` may repeat a text; only the entries marked ``present`` occur in ``codes``.
    """
    cats = sorted({vocab[k] for k in np.flatnonzero(present)})
    pos = {v: i for i, v in enumerate(cats)}
    remap = np.array([pos.get(v, -1) if p else -1 for v, p in zip(vocab, present)] + [-1], dtype=code_dtype(len(cats)))
    if np.array_equal(remap[:-1], np.arange(len(vocab))):  # already sorted, nothing absent
        return categorical_of_codes(codes.astype(remap.dtype), cats)
    return categorical_of_codes(remap[codes], cats)
