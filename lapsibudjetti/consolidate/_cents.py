"""allocate_cents: integer cents split by shares with largest-remainder rounding, summing back exactly."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._errors import AllocationError, ReconciliationError
from ..reference._labels import say


def allocate_cents(cents: np.ndarray | Sequence[int], shares: np.ndarray | Sequence[float]) -> np.ndarray:
    """Split whole cents by shares with largest-remainder rounding; every row sums back exactly.

    Parameters
    ----------
    cents
        Integer cents, one per line (negative amounts are fine).
    shares
        Shares of the receivers: one vector (``k``) for every line, or one
        row per line (``n × k``); each row non-negative, summing to 1.

    Returns
    -------
    numpy.ndarray
        ``n × k`` int64 cents; row ``i`` sums to ``cents[i]`` exactly. Each
        receiver gets the floor of its exact part, and the cents left over go
        to the receivers with the largest fractional parts (ties: the larger
        share, then the first receiver). Receivers with a zero share get
        nothing.

    Raises
    ------
    AllocationError
        For shares that are negative, not finite or do not sum to 1.

    Examples
    --------
    >>> allocate_cents([10001, -5], [0.75, 0.25]).tolist()
    [[7501, 2500], [-4, -1]]
    >>> allocate_cents([100], [1 / 3, 1 / 3, 1 / 3]).tolist()
    [[34, 33, 33]]
    """
    c = np.asarray(cents)
    if c.dtype.kind not in "iu" and (not np.all(np.isfinite(c)) or np.any(c != np.rint(c))):
        raise AllocationError(say("cents.not_whole"))
    c = c.astype("int64").reshape(-1)
    s = np.asarray(shares, dtype="float64")
    if s.ndim == 1:
        s = np.broadcast_to(s, (len(c), len(s)))
    if s.ndim != 2 or s.shape[0] != len(c) or s.shape[1] == 0:
        raise AllocationError(say("cents.shape", shape=s.shape, lines=len(c)))
    if not np.all(np.isfinite(s)) or (s < 0).any():
        raise AllocationError(say("cents.negative"))
    sums = s.sum(axis=1)
    if len(c) and np.abs(sums - 1.0).max() > 1e-9:
        raise AllocationError(say("cents.sum", low=repr(sums.min()), high=repr(sums.max())))
    n, k = s.shape
    exact = c[:, None].astype("float64") * s
    base = np.floor(exact).astype("int64")
    frac = exact - base
    rest = c - base.sum(axis=1)
    eligible = s > 0
    col = np.broadcast_to(np.arange(k), (n, k))
    order = np.lexsort((col, -s, -frac), axis=-1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(k), (n, k)).copy(), axis=1)
    n_elig = eligible.sum(axis=1)
    normal = (rest >= 0) & (rest <= n_elig)
    out = base + ((rank < rest[:, None]) & normal[:, None]).astype("int64")
    for i in np.flatnonzero(~normal):  # float rounding left more than one cent per receiver: rare, exact fix-up
        seq = order[i][eligible[i][order[i]]]
        r = int(rest[i])
        step = 1 if r > 0 else -1
        seq = seq if r > 0 else seq[::-1]
        j = 0
        while r != 0:
            out[i, seq[j % len(seq)]] += step
            r -= step
            j += 1
    if (out.sum(axis=1) != c).any():  # pragma: no cover - the construction guarantees it
        raise ReconciliationError(say("internal.error", detail="allocated cents do not sum back to the line"))
    return out
