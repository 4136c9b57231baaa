"""Group numbers of combined key columns (the kernel of every sum): the same, and in the same order, whichever way
:func:`fold_ids` takes to them (dense renumbering, hashing when the key space is large, renumbering before int64
overflow)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lapsibudjetti._groups import fold_ids

RADICES = st.sampled_from([1, 2, 3, 17, 400, 70_000, 2_000_000, 2**31 - 1])


@st.composite
def key_columns(draw: st.DrawFn) -> tuple[list[tuple[np.ndarray, int, int]], int]:
    n = draw(st.integers(min_value=0, max_value=60))
    radices = draw(st.lists(RADICES, min_size=1, max_size=6))
    parts = []
    for radix in radices:
        offset = draw(st.sampled_from([0, 1]))  # codes -1.. with offset 1 (missing values), or 0..
        values = draw(st.lists(st.integers(min_value=0, max_value=min(radix - 1, 5)) | st.just(radix - 1), min_size=n, max_size=n))
        parts.append((np.array(values, dtype="int64") - offset, offset, radix))
    return parts, n


@settings(max_examples=300, deadline=None)
@given(key_columns(), st.booleans())
def test_group_numbers_are_the_ranks_of_the_distinct_combinations(case: tuple, sort: bool) -> None:
    parts, n = case
    gid, m = fold_ids(parts, n, sort=sort)
    rows = [tuple(int(raw[i]) + off for raw, off, _r in parts) for i in range(n)]
    distinct = sorted(set(rows))
    assert m == len(distinct) and len(gid) == n
    if sort:  # groups numbered in the order of their codes, first column most significant
        assert gid.tolist() == [distinct.index(r) for r in rows]
    else:  # any numbering, as long as equal rows and only they share a number
        first = {}
        for r, g in zip(rows, gid.tolist()):
            assert first.setdefault(r, g) == g
        assert len(set(first.values())) == m and (n == 0 or set(gid.tolist()) == set(range(m)))
